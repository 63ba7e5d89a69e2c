"""Benchmark metrics against values worked out by hand on small fixed cases, and the report outputs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from inference_daemon.datasets.records import AnnotatedPhone, AnnotatedUtterance, AnnotatedWord, PhoneKind
from inference_daemon.evaluation.metrics import DetectionCounts, bleu2, feedback_string, rouge_l
from inference_daemon.evaluation.reference import reference_for
from inference_daemon.evaluation.report import plot, table
from inference_daemon.evaluation.scoring import Benchmark, score_document, word_mdd
from inference_daemon.feedback import ErrorType, FeedbackDocument, PhoneError, WordFeedback, WordStatus

C, S, D = PhoneKind.correct, PhoneKind.substitution, PhoneKind.deletion


def test_word_detection_counts() -> None:
    counts = DetectionCounts()
    counts.add({0, 2, 5}, {0, 1, 5}, words=6)  # TP 2, FP 1, FN 1, TN 2
    counts.add(set(), {3}, words=4, named_not_in_sentence=1)  # FP 1, TN 3, and one invented word
    metrics = counts.metrics()
    assert metrics["accuracy"] == pytest.approx(7 / 10)
    assert metrics["precision"] == pytest.approx(2 / 4)
    assert metrics["recall"] == pytest.approx(2 / 3)
    assert metrics["f1"] == pytest.approx(4 / 7)
    assert metrics["not_in_sentence_ratio"] == pytest.approx(1 / 5)
    nothing_named = DetectionCounts()
    nothing_named.add({1}, set(), words=3)
    assert nothing_named.metrics()["precision"] is None and nothing_named.metrics()["f1"] == 0.0


def test_bleu2_and_rouge_l() -> None:
    # unigrams 5/6, bigrams 3/5, same length: sqrt(5/6 * 3/5)
    assert bleu2("the cat sat on the mat", "the cat sat on a mat") == pytest.approx(math.sqrt(0.5))
    assert bleu2("the cat sat", "dog") == 0.0
    # stemmed: the cat are sit / the cat sit: LCS 3, P 1, R 3/4
    assert rouge_l("the cats are sitting", "the cat sits") == pytest.approx(2 * 0.75 / 1.75)
    assert feedback_string([]) == "No Problem"
    assert feedback_string([("cat", "T  dropped.", "Say T."), ("a", "x", "y")]) == "cat: T dropped. Say T.\na: x y"


def _word(text: str, *phones: AnnotatedPhone) -> AnnotatedWord:
    return AnnotatedWord(text, list(phones))


def _predicted(text: str, expected: list[str], errors: list[PhoneError]) -> WordFeedback:
    return WordFeedback(index=0, text=text, score=50, status=WordStatus.mispronounced if errors else WordStatus.ok,
                        expected_phones=expected, heard_phones=[], errors=errors)


def test_phone_level_detection_and_diagnosis() -> None:
    cat = _word("cat", AnnotatedPhone(C, "K", "K"), AnnotatedPhone(S, "AE", "EH"), AnnotatedPhone(D, "T", None))
    thin = _word("thin", AnnotatedPhone(S, "TH", "err"), AnnotatedPhone(C, "IH", "IH"), AnnotatedPhone(C, "N", "N"))
    so = _word("so", AnnotatedPhone(C, "S", "S"), AnnotatedPhone(S, "OW", "AO"))
    sub = ErrorType.substitution
    total = word_mdd(cat, _predicted("cat", ["K", "AE", "T"], [  # K: false rejection, AE: right, T: missed
        PhoneError(type=sub, expected="K", heard="G", position=0),
        PhoneError(type=sub, expected="AE", heard="EH", position=1)]))
    assert total is not None
    for word, predicted in (
        (thin, _predicted("thin", ["TH", "IH", "N"], [PhoneError(type=sub, expected="TH", heard="S", position=0)])),
        (so, _predicted("so", ["S", "OW"], [PhoneError(type=sub, expected="OW", heard="AA", position=1)])),
    ):
        counts = word_mdd(word, predicted)
        assert counts is not None
        total += counts
    metrics = total.metrics()
    assert (metrics["true_acceptance"], metrics["false_rejection"], metrics["false_acceptance"],
            metrics["true_rejection"]) == (3, 1, 1, 3)
    assert metrics["precision"] == pytest.approx(3 / 4) and metrics["recall"] == pytest.approx(3 / 4)
    assert metrics["f1"] == pytest.approx(3 / 4)
    assert metrics["diagnosis_accuracy"] == pytest.approx(1 / 2)  # AE right, OW wrong, unclear TH not scored
    assert word_mdd(cat, _predicted("cat", ["K", "AA", "T"], [])) is None  # other expected phones


SENTENCE = "The cat sat."


def _utterance() -> AnnotatedUtterance:
    words = [_word("the", AnnotatedPhone(C, "DH", "DH"), AnnotatedPhone(C, "AH", "AH")),
             _word("cat", AnnotatedPhone(C, "K", "K"), AnnotatedPhone(C, "AE", "AE"), AnnotatedPhone(D, "T", None)),
             _word("sat", AnnotatedPhone(C, "S", "S"), AnnotatedPhone(C, "AE", "AE"), AnnotatedPhone(C, "T", "T"))]
    words[1].feedback = [{"issue": "The T was dropped.", "suggestion": "Finish with T."}]
    return AnnotatedUtterance("u1", "ABA", "/nowhere.wav", SENTENCE, words)


def _document(named: dict[int, tuple[str, str]]) -> FeedbackDocument:
    texts = [("The", ["DH", "AH"]), ("cat", ["K", "AE", "T"]), ("sat", ["S", "AE", "T"])]
    words = [WordFeedback(index=i, text=t, score=0 if i in named else 100,
                          status=WordStatus.mispronounced if i in named else WordStatus.ok, expected_phones=p,
                          explanation=named.get(i, (None, None))[0], suggestion=named.get(i, (None, None))[1])
             for i, (t, p) in enumerate(texts)]
    return FeedbackDocument(request_id="u1", text=SENTENCE, backend="test", model="m", duration_s=1, processing_s=0,
                            score=50, words=words, summary="")


def test_a_document_is_scored_against_the_annotation_at_sentence_positions() -> None:
    utterance = _utterance()
    assert [w.text for w in reference_for(utterance).words] == ["The", "cat", "sat"]
    perfect = score_document(utterance, _document({1: ("The T was dropped.", "Finish with T.")}))
    assert (perfect.annotated, perfect.named) == ([1], [1])
    assert perfect.reference_feedback == perfect.system_feedback == "cat: The T was dropped. Finish with T."
    assert perfect.bleu2 == pytest.approx(1.0) and perfect.rouge_l == pytest.approx(1.0)
    assert perfect.mdd is None  # no phones in this document
    wrong = score_document(utterance, _document({2: ("The T was dropped.", "Finish with T.")}), 1)
    benchmark = Benchmark()
    benchmark.add(perfect)
    benchmark.add(wrong)
    benchmark.add_failure(utterance)
    summary = benchmark.summary()
    assert summary["detection"]["precision"] == pytest.approx(1 / 2)
    assert summary["detection"]["recall"] == pytest.approx(1 / 3)
    assert summary["detection"]["not_in_sentence_ratio"] == pytest.approx(1 / 3)
    assert summary["failed"] == 1 and summary["feedback"]["bertscore_f1"] is None
    # "sat" instead of "cat": 10 of 11 tokens, 9 of 10 bigrams; the failure scores 0
    assert summary["feedback"]["bleu2"] == pytest.approx((1 + math.sqrt(10 / 11 * 9 / 10) + 0) / 3)


def test_table_and_plot(tmp_path: Path) -> None:
    utterance = _utterance()
    benchmark = Benchmark()
    benchmark.add(score_document(utterance, _document({1: ("The T was dropped.", "Finish with T.")})))
    results = [{"system": name, "summary": benchmark.summary()} for name in ("phonetic", "alm-tuned")]
    text = table(results)
    assert "alm-tuned" in text and "word F1" in text
    assert [line.split()[-1] for line in text.splitlines() if line.startswith("word F1")] == ["1.000"]
    assert [line.split()[-1] for line in text.splitlines() if line.startswith("phone F1")] == ["-"]
    png = plot(json.loads(json.dumps(results)), tmp_path / "benchmark.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bertscore_with_a_local_model(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from inference_daemon.evaluation.metrics import bertscore_f1
    from tests.alm_support.models import random_model_dir

    model = random_model_dir("speech-llm") / "llm"
    same, different = bertscore_f1(["word: cat issue: T dropped"] * 2,
                                   ["word: cat issue: T dropped", "No Problem"], model)
    assert same == pytest.approx(1.0, abs=1e-5)
    assert different < same
