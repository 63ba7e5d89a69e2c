"""Corpus readers on tiny corpora in the published layouts, with every kind of L2-ARCTIC error tag."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from inference_daemon.datasets import l2arctic, l2arctic_plus, speechocean
from inference_daemon.datasets.records import AnnotatedPhone, PhoneKind, parse_phone_label
from inference_daemon.datasets.textgrid import Interval, parse_textgrid
from inference_daemon.feedback import ErrorType
from tests.support.corpora import annotation_textgrid, write_l2arctic_speaker, write_speechocean

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

SENTENCE = "The author saw the thin cat."
WORDS = [
    ("the", [("DH,D,s", 0.05), ("AH0", 0.05)]),
    ("author", [("AO1", 0.1), ("TH,S,s", 0.1), ("ER0", 0.1)]),
    ("saw", [("S", 0.1), ("AO1", 0.1), ("sil,AH,a", 0.05)]),
    ("the", [("DH", 0.05), ("AH, AO* ,s", 0.05)]),
    ("thin", [("TH , err, s", 0.1), ("IH1", 0.1), ("N", 0.1)]),
    ("cat", [("K", 0.1), ("AE1", 0.1), ("T,sil,d", 0.1)]),
]

C, S, D, A = PhoneKind.correct, PhoneKind.substitution, PhoneKind.deletion, PhoneKind.addition
EXPECTED = [
    ("the", [AnnotatedPhone(S, "DH", "D"), AnnotatedPhone(C, "AH", "AH")]),
    ("author", [AnnotatedPhone(C, "AO", "AO"), AnnotatedPhone(S, "TH", "S"), AnnotatedPhone(C, "ER", "ER")]),
    ("saw", [AnnotatedPhone(C, "S", "S"), AnnotatedPhone(C, "AO", "AO"), AnnotatedPhone(A, None, "AH")]),
    ("the", [AnnotatedPhone(C, "DH", "DH"), AnnotatedPhone(S, "AH", "AO", accented=True)]),
    ("thin", [AnnotatedPhone(S, "TH", "err"), AnnotatedPhone(C, "IH", "IH"), AnnotatedPhone(C, "N", "N")]),
    ("cat", [AnnotatedPhone(C, "K", "K"), AnnotatedPhone(C, "AE", "AE"), AnnotatedPhone(D, "T", None)]),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("l2arctic")
    write_l2arctic_speaker(root, "ABA", {"arctic_a0001": (SENTENCE, WORDS)})
    write_l2arctic_speaker(root, "TLV", {"arctic_b0002": ("A cat.", [("a", [("AH0", 0.1)]),
                                                                     ("cat", [("K", 0.1), ("AE", 0.1), ("T", 0.1)])])})
    return root


def test_every_error_tag_is_extracted_with_its_word(corpus: Path) -> None:
    utterances = list(l2arctic.iter_annotated(corpus))
    assert [u.utterance_id for u in utterances] == ["ABA_arctic_a0001", "TLV_arctic_b0002"]
    first = utterances[0]
    assert first.text == SENTENCE and first.speaker == "ABA"
    assert Path(first.audio_path).is_file()
    assert [(w.text, w.phones) for w in first.words] == EXPECTED
    assert [w.text for w in first.mispronounced_words] == ["the", "author", "saw", "the", "thin", "cat"]
    assert not utterances[1].mispronounced_words


def test_errors_in_feedback_terms(corpus: Path) -> None:
    words = next(l2arctic.iter_annotated(corpus, {"ABA"})).words
    saw, cat = words[2], words[5]
    assert [(e.type, e.expected, e.heard, e.position) for e in saw.errors()] == [(ErrorType.insertion, None, "AH", 2)]
    assert [(e.type, e.expected, e.heard, e.position) for e in cat.errors()] == [(ErrorType.deletion, "T", None, 2)]
    assert saw.canonical_phones == ["S", "AO"] and saw.perceived_phones == ["S", "AO", "AH"]


def test_addition_in_a_pause_goes_to_the_word_before() -> None:
    words = (Interval(0, 0.3, "go"), Interval(0.3, 0.5, ""), Interval(0.5, 0.8, "on"))
    phones = (Interval(0, 0.15, "G"), Interval(0.15, 0.3, "OW1"), Interval(0.35, 0.45, "sil,AH,a"),
              Interval(0.5, 0.65, "AA"), Interval(0.65, 0.8, "N"))
    result = l2arctic.words_from_tiers(words, phones)
    assert [w.text for w in result] == ["go", "on"]
    assert result[0].phones[-1] == AnnotatedPhone(A, None, "AH")


def test_release_round_trip_keeps_repeated_words(corpus: Path, tmp_path: Path) -> None:
    utterances = list(l2arctic.iter_annotated(corpus))
    path = tmp_path / "train_data.json"
    assert l2arctic_plus.write_release(utterances, path) == 2
    record = json.loads(path.read_text())[0]
    assert record["annotation_info"]["the"] == ["DH, D, s", "AH"]  # the release keeps one entry per word text
    assert record["annotation_info"]["cat"] == ["K", "AE", "T, sil, d"]
    assert record["annotation_info"]["saw"] == ["S", "AO", "sil, AH, a"]
    back = l2arctic_plus.read_release(path)
    assert [(w.text, w.phones) for w in back[0].words] == EXPECTED


def test_release_record_without_words_gives_repeats_to_the_first_occurrence() -> None:
    record = {"audio_path": "L2-ARCTIC/ABA/wav/arctic_a0001.wav", "text": SENTENCE, "regeneration": False,
              "annotation_info": {"the": ["DH, D, s", "AH"], "author": ["AO", "TH, S, s", "ER"],
                                  "saw": ["S", "AO"], "thin": ["TH, err, s", "IH", "N"], "cat": ["K", "AE", "T"]},
              "mis_exp_sug": {"the": [{"issue": "i", "suggestion": "s"}]}}
    utterance = l2arctic_plus.record_to_utterance(record, audio_root=Path("/data"))
    assert utterance.speaker == "ABA" and utterance.audio_path == "/data/L2-ARCTIC/ABA/wav/arctic_a0001.wav"
    assert [w.text for w in utterance.words] == ["the", "author", "saw", "the", "thin", "cat"]
    assert utterance.words[0].mispronounced and utterance.words[0].feedback == [{"issue": "i", "suggestion": "s"}]
    assert not utterance.words[3].mispronounced and utterance.words[3].canonical_phones == ["DH", "AH"]
    assert utterance.ambiguous_repeats == 1


@pytest.mark.parametrize("label", ["AH,AO,x", "A,B", "AH,AO,s,extra"])
def test_malformed_tags_are_rejected(label: str) -> None:
    with pytest.raises(ValueError, match="phone label"):
        parse_phone_label(label)


def test_textgrid_short_format_matches_long_format() -> None:
    long = annotation_textgrid([("hi", [("HH", 0.1), ("AY1", 0.1)])])
    parsed = parse_textgrid(long)
    short_lines = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "0", "0.6", "<exists>", "1",
                   '"IntervalTier"', '"phones"', "0", "0.6", "2", "0", "0.2", '"sil"', "0.2", "0.6", '"HH"']
    short = parse_textgrid("\n".join(short_lines))
    assert parsed["phones"].intervals[1].text == "HH"
    assert short["phones"].intervals == (Interval(0, 0.2, "sil"), Interval(0.2, 0.6, "HH"))


def test_speechocean_scores_become_annotations(tmp_path: Path) -> None:
    words = [
        {"text": "TOM", "accuracy": 10, "stress": 10, "total": 10, "phones": ["T", "AA0", "M"],
         "phones-accuracy": [2, 2, 2]},
        {"text": "GIVES", "accuracy": 5, "stress": 10, "total": 5, "phones": ["G", "IH0", "V", "Z"],
         "phones-accuracy": [2, 1.8, 0.4, 2]},
        {"text": "BOXING", "accuracy": 6, "stress": 10, "total": 6, "phones": ["B", "AA1", "K", "S", "IH0", "NG"],
         "phones-accuracy": [2, 1.2, 2, 2, 2, 1.6]},
        {"text": "UP", "accuracy": 4, "stress": 10, "total": 4, "phones": ["AH0", "P"], "phones-accuracy": [2, 2],
         "mispronunciations": [{"canonical-phone": "P", "index": 1, "pronounced-phone": "B"}]},
    ]
    root = write_speechocean(tmp_path / "so", {"000010069": ("0001", "TOM GIVES BOXING UP", words)})
    [utterance] = speechocean.read_split(root)
    assert utterance.audio_path.is_file() and utterance.speaker == "0001"
    assert [w.mispronounced for w in utterance.words] == [False, True, True, True]
    annotated = speechocean.to_annotated(utterance)
    assert [w.text for w in annotated.mispronounced_words] == ["gives", "boxing", "up"]
    assert annotated.words[1].phones[2] == AnnotatedPhone(S, "V", "err")
    assert [p.kind for p in annotated.words[2].phones] == [C, S, C, C, C, C]  # the worst phone stands for the word
    assert annotated.words[3].phones[1] == AnnotatedPhone(S, "P", "B")


def test_reads_the_shared_speechocean_subset() -> None:
    corpus = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "speechocean762-dev"
    if not corpus.is_dir():
        pytest.skip("../shared/data/speechocean762-dev is absent (it sits beside the repository in CI)")
    utterances = speechocean.read_split(corpus)
    assert len(utterances) == 600
    words = [w for u in utterances for w in u.words]
    share = sum(w.mispronounced for w in words) / len(words)
    assert 0.07 < share < 0.12  # the README says 9.1 %
