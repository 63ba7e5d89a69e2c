"""The paper's benchmark protocol, pinned on hand-made cases whose expected numbers are worked out here by hand.

Definitions (the paper's released ``parse.py`` and ``eval.py``): lenient parsing of
``word: W issue: I suggestion: S`` items, detection on sets of lower-cased whitespace-split words
with named words outside the sentence as false positives, feedback strings ``"W:I S"`` (sorted) or
``"no problem"``, whitespace BLEU-2 and stemmed ROUGE-L averaged over utterances.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from inference_daemon.evaluation.paper_protocol import (
    PaperDetectionCounts,
    bleu2,
    feedback_text,
    parse_answer,
    parse_zero_shot_answer,
    score_answers,
)
from tools import evaluate


def _item(issue: str, suggestion: str) -> dict[str, str]:
    return {"issue": issue, "suggestion": suggestion}


# -- parsing ---------------------------------------------------------------------------------------

def test_no_problem_names_nothing_only_as_the_exact_string() -> None:
    assert parse_answer("No Problem") == {}
    assert parse_answer("no problem.") == {}  # no item either: nothing named, for another reason
    assert parse_answer("") == {}


def test_stray_text_is_ignored_and_every_item_counts() -> None:
    raw = ("Sure! Here is my analysis.\nWORD: cat Issue: T dropped\nsuggestion: say T\n\n"
           "thanks word: mat issue: A suggestion: B")
    assert parse_answer(raw) == {"cat": [_item("T dropped", "say T\n\nthanks")], "mat": [_item("A", "B")]}


def test_a_multi_word_item_is_skipped_and_duplicates_are_dropped() -> None:
    raw = ("word: the mat issue: I suggestion: S\n"
           "word: Cat issue: I suggestion: S\nword: Cat issue: I suggestion: S\nword: Cat issue: I2 suggestion: S\n"
           "word: cat issue: I suggestion: S")
    assert parse_answer(raw) == {"Cat": [_item("I", "S"), _item("I2", "S")], "cat": [_item("I", "S")]}


# -- detection -------------------------------------------------------------------------------------

def test_the_zero_shot_parser_takes_items_without_a_field_and_then_drops_the_empty_ones() -> None:
    raw = ("word: cat issue: the T was dropped suggestion: say the T\n"
           "word: dog issue: G too soft\n"  # no suggestion: matched, then dropped
           "word: mat suggestion: open the vowel\n"  # no issue: dropped too
           "word: sat issue: No issues suggestion: none needed\n"
           "word: on issue: vowel too short suggestion: No Problem\n"
           "word: hat issue: H missing suggestion: breathe out first\nNo Problem")
    assert parse_zero_shot_answer(raw) == {"cat": [_item("the T was dropped", "say the T")],
                                           "hat": [_item("H missing", "breathe out first")]}
    # The tuned model's parser needs all three fields in order: the same text reads otherwise.
    assert set(parse_answer(raw)) != set(parse_zero_shot_answer(raw))
    assert parse_zero_shot_answer("No Problem") == {}


def test_the_zero_shot_parser_cuts_a_trailing_no_problem_line_as_the_release_does() -> None:
    # "\nNo Problem." is 12 characters and the release cuts 13: the suggestion's last character goes too.
    assert parse_zero_shot_answer("word: cat issue: T dropped suggestion: say T.\nNo Problem.") == {
        "cat": [_item("T dropped", "say T")]}
    assert parse_zero_shot_answer("word: cat issue: T dropped suggestion: say T.\nNo Problem") == {
        "cat": [_item("T dropped", "say T.")]}


def test_score_reads_zero_shot_answers_with_their_parser(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps([{"audio_path": "a.wav", "text": "The cat sat", "mis_exp_sug": {
        "cat": [_item("T dropped", "say T")]}, "speculative_mispronunciations": "word: cat issue: T dropped"}]),
        encoding="utf-8")
    out = tmp_path / "scored.json"
    assert evaluate.main(["score", str(answers), "--protocol", "paper", "--paper-parser", "zero-shot",
                          "--json-out", str(out)]) == 0
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    # The item has no suggestion: the zero-shot parser drops it, so nothing is named.
    assert summary["parser"] == "zero-shot" and summary["detection"]["recall"] == 0.0


def test_detection_counts_word_sets_with_hallucinations_as_false_positives() -> None:
    counts = PaperDetectionCounts()
    # words {the, cat, sat,, on, mat.}: "mat." keeps its full stop, so the annotated "mat" is not a sentence word
    counts.add("The cat sat, on the mat.", {"cat": [], "mat": []}, {"Cat": [], "mat": [], "dog": []})
    assert (counts.true_positive, counts.false_positive, counts.false_negative, counts.true_negative) == (2, 1, 0, 4)
    assert (counts.extra_words, counts.sentence_words) == (2, 5)  # "mat" and "dog" are not sentence words


def test_detection_lower_cases_the_named_words_but_not_the_annotation() -> None:
    counts = PaperDetectionCounts()
    counts.add("Cat naps", {"Cat": []}, {"cat": []})
    # truth {"Cat"}, named {"cat"}, words {"cat", "naps"}: a miss and a false alarm; TN = {"naps"} ("cat" is named)
    assert (counts.true_positive, counts.false_positive, counts.false_negative, counts.true_negative) == (0, 1, 1, 1)
    metrics = counts.metrics()
    assert metrics["precision"] == 0.0 and metrics["f1"] == 0.0 and metrics["accuracy"] == pytest.approx(1 / 3)


# -- feedback text ---------------------------------------------------------------------------------

def test_feedback_text_sorts_the_items_and_says_no_problem_when_empty() -> None:
    assert feedback_text({}) == "no problem"
    assert feedback_text({"mat": [_item("A", "B")], "Cat": [_item("I", "S"), _item("I", "S")]}) == "Cat:I S mat:A B"


def test_bleu2_is_case_sensitive_on_whitespace_tokens() -> None:
    # unigrams: "cat:T" != "Cat:T"; "dropped" matches -> p1 = 1/2; bigrams: none -> BLEU 0 (no smoothing)
    assert bleu2("cat:T dropped", "Cat:T dropped") == pytest.approx(0.0, abs=1e-6)
    assert bleu2("cat:T dropped", "cat:T dropped") == pytest.approx(1.0)


# -- a whole answers file --------------------------------------------------------------------------

ANSWERS = [
    {
        "audio_path": "./data/L2-Arctic-plus/l2arctic_release_v5.0/NJS/wav/arctic_a0001.wav",
        "text": "The cat sat, on the mat.",
        "mis_exp_sug": {"cat": [_item("T dropped", "say T")], "mat": [_item("A wrong", "open jaw")]},
        "speculative_mispronunciations": (
            "Here you go:\nword: Cat issue: T dropped suggestion: say T\n"
            "word: mat issue: A wrong suggestion: open jaw\n"
            "word: dog issue: G soft suggestion: say G\nword: the mat issue: x suggestion: y\n"
            "word: Cat issue: T dropped suggestion: say T"
        ),
    },
    {"audio_path": "b.wav", "text": "No problem here", "mis_exp_sug": {},
     "speculative_mispronunciations": "No Problem"},
    {
        "audio_path": "c.wav", "text": "I think so",
        "mis_exp_sug": {"think": [_item("TH became T", "tongue out")]},
        "speculative_mispronunciations": "I could not hear it.",
    },
]


def _expected_paper_figures() -> dict[str, float]:
    """Worked out by hand from the definitions, utterance by utterance."""
    # 1: words {the, cat, sat,, on, mat.}; truth {cat, mat}; named {cat, mat, dog} ("the mat" skipped, duplicate
    #    dropped): TP 2, FP 1 (dog), FN 0, TN 4, extra 2 (mat, dog) of 5 words.
    #    ref "cat:T dropped say T mat:A wrong open jaw" (8 tokens); hyp sorted
    #    "Cat:T dropped say T dog:G soft say G mat:A wrong open jaw" (12 tokens).
    #    BLEU: clipped unigram matches dropped, say, T, mat:A, wrong, open, jaw = 7/12; bigram matches
    #    (dropped say) (say T) (mat:A wrong) (wrong open) (open jaw) = 5/11; hyp longer: no brevity penalty.
    #    ROUGE-L on rouge tokens (lower-cased, split at ':'): ref 10 tokens, hyp 15, LCS = all 10 of ref:
    #    P 10/15, R 1 -> F = 2 * (2/3) / (5/3) = 0.8.
    # 2: "No Problem" names nothing; words {no, problem, here}: TN 3; "no problem" vs "no problem": BLEU 1, ROUGE 1.
    # 3: no item: names nothing; truth {think}: FN 1, TN 2 of 3 words; "no problem" shares no token: 0 and 0.
    tp, fp, fn, tn = 2, 1, 1, 4 + 3 + 2
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return {
        "accuracy": (tp + tn) / (tp + fp + fn + tn),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall),
        "extra_word_ratio": 2 / (5 + 3 + 3),
        "bleu2": (math.sqrt(7 / 12 * 5 / 11) + 1 + 0) / 3,
        "rouge_l": (0.8 + 1 + 0) / 3,
    }


def test_score_paper_protocol_reproduces_the_hand_computed_figures(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    out = tmp_path / "scored.json"
    assert evaluate.main(["score", str(answers), "--protocol", "paper", "--json-out", str(out)]) == 0
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    expected = _expected_paper_figures()
    for key in ("accuracy", "precision", "recall", "f1", "extra_word_ratio"):
        assert summary["detection"][key] == pytest.approx(expected[key], abs=1e-6), key
    for key in ("bleu2", "rouge_l"):
        assert summary["feedback"][key] == pytest.approx(expected[key], abs=1e-6), key
    assert summary["feedback"]["bertscore_f1"] is None


def test_the_project_protocol_refuses_stray_text_where_the_paper_reads_it(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    out = tmp_path / "scored.json"
    assert evaluate.main(["score", str(answers), "--protocol", "project", "--json-out", str(out)]) == 0
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    # Answers 1 and 3 have text outside the format: failures that name nothing. Word positions
    # (The cat sat on the mat: 6; 3; 3): annotated cat, mat, think -> TP 0, FN 3, TN 3 + 3 + 2 = 9.
    assert summary["failed"] == 2
    assert summary["detection"]["recall"] == 0.0
    assert summary["detection"]["accuracy"] == pytest.approx(9 / 12)


def test_bertscore_uses_bert_score_with_a_local_model() -> None:
    pytest.importorskip("bert_score")
    from tests.alm_support.bertscore_model import LAYERS, tiny_roberta_dir

    answers = [ANSWERS[1], {**ANSWERS[1], "speculative_mispronunciations": "word: here issue: H suggestion: say H"}]
    summary = score_answers(answers, tiny_roberta_dir(), LAYERS)["summary"]["feedback"]
    from inference_daemon.evaluation.paper_protocol import bertscore

    precision, recall, f1 = bertscore(["no problem"] * 2, ["no problem", "here:H say H"], tiny_roberta_dir(), LAYERS)
    assert f1[0] == pytest.approx(1.0, abs=1e-5) and f1[1] < f1[0]
    assert summary["bertscore_f1"] == pytest.approx((f1[0] + f1[1]) / 2, abs=1e-6)
    assert summary["bertscore_precision"] == pytest.approx(sum(precision) / 2, abs=1e-6)
    assert summary["bertscore_recall"] == pytest.approx(sum(recall) / 2, abs=1e-6)
