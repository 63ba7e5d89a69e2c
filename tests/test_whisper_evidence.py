"""The Whisper evidence source: features, spellings of learner errors, and evidence on real speech
from the bundled model (installed with the daemon)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import soundfile

from inference_daemon.audio import SAMPLE_RATE
from inference_daemon.backends.phonetic.backend import whisper_evidence, word_pronunciations
from inference_daemon.pronunciation import target_words
from inference_daemon.whisper_evidence import (
    WhisperModel,
    WhisperUnavailable,
    WordEvidence,
    resolve_model_path,
    whisper_words,
)
from inference_daemon.whisper_evidence.log_mel import log_mel
from inference_daemon.whisper_evidence.spelling import competitor_spelling, edited_spelling, letter_spans
from tests.espeak_audio import synthesize
from tests.phonetic_fixtures import needs_espeak


@lru_cache(maxsize=1)
def _model() -> WhisperModel:
    model = WhisperModel(resolve_model_path(None), threads=2)
    model.load()
    return model


def _evidence(wav: Path, sentence: str) -> list[WordEvidence]:
    audio, rate = soundfile.read(wav, dtype="float32")
    assert rate == SAMPLE_RATE
    words = target_words(sentence)
    return whisper_evidence(_model(), _model().encode(audio), words, [word_pronunciations(w) for w in words])


def test_log_mel_matches_transformers_whisper_features() -> None:
    transformers = pytest.importorskip("transformers", reason="transformers (the [alm] extra) is the reference")
    generator = np.random.default_rng(3)
    t = np.arange(int(2.3 * SAMPLE_RATE)) / SAMPLE_RATE
    audio = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * generator.normal(size=len(t))).astype(np.float32)
    reference = transformers.WhisperFeatureExtractor(feature_size=80)(
        audio, sampling_rate=SAMPLE_RATE, return_tensors="np"
    ).input_features[0]
    assert np.abs(log_mel(audio, 3000) - reference).max() < 1e-3
    # A window trimmed to the speech is the same features, cut.
    assert np.abs(log_mel(audio, 400) - reference[:, :400]).max() < 1e-3


@pytest.mark.parametrize(
    ("word", "phones", "competitor", "position", "spelled"),
    [
        ("think", "TH IH NG K", "S IH NG K", 0, "sink"),
        ("three", "TH R IY", "T R IY", 0, "tree"),
        ("sat", "S AE T", "S EH T", 1, "set"),
        ("ship", "SH IH P", "SH IY P", 1, "sheep"),
        ("van", "V AE N", "B AE N", 0, "ban"),
        ("light", "L AY T", "R AY T", 0, "right"),
        ("mother", "M AH DH ER", "M AH Z ER", 2, "mozer"),
    ],
)
def test_a_learner_error_is_spelled_as_the_word_it_sounds_like(
    word: str, phones: str, competitor: str, position: int, spelled: str
) -> None:
    assert competitor_spelling(word, tuple(phones.split()), tuple(competitor.split()), position) == spelled


def test_letters_are_aligned_to_the_phones_they_write() -> None:
    assert letter_spans("think", ["TH", "IH", "NG", "K"]) == [(0, 2), (2, 3), (3, 4), (4, 5)]
    assert letter_spans("light", ["L", "AY", "T"]) == [(0, 1), (1, 4), (4, 5)]
    assert letter_spans("o'clock", ["AH", "K", "L", "AA", "K"]) is None
    # A dropped final consonant takes its silent letters along.
    assert edited_spelling("hand", ["HH", "AE", "N", "D"], ["HH", "AE", "N"], 3) == "han"


def test_sentence_words_are_written_as_whisper_writes_them() -> None:
    assert whisper_words(target_words("i think 3 cats, don't you?")) == ["I", "think", "three", "cats", "don't", "you"]


def test_a_folder_that_is_not_a_whisper_model_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(WhisperUnavailable, match=r"not a CTranslate2 Whisper folder.*ct2-transformers-converter"):
        resolve_model_path(str(tmp_path))


@needs_espeak
@pytest.mark.parametrize(
    ("sentence", "index", "misread"),
    [("I think it is fine", 1, "sink"), ("we took the van home", 3, "ban"), ("she has three cats", 2, "tree")],
)
def test_the_misreading_beats_the_word_more_when_it_was_said(
    sentence: str, index: int, misread: str, tmp_path: Path
) -> None:
    said = synthesize(sentence, "en-us", tmp_path / "said.wav")
    words = sentence.split()
    words[index] = misread
    misread_wav = synthesize(" ".join(words), "en-us", tmp_path / "misread.wav")

    def delta(wav: Path) -> float:
        rivals = {r.spelling: r.delta for r in _evidence(wav, sentence)[index].rivals}
        return rivals[misread]

    assert delta(misread_wav) > delta(said) + 0.5


@needs_espeak
def test_word_evidence_is_lower_for_a_word_that_was_not_said(tmp_path: Path) -> None:
    sentence = "my brother works in a big hospital"
    evidence = _evidence(synthesize("my brother works in a hospital", "en-us", tmp_path / "skip.wav"), sentence)
    assert len(evidence) == 7
    skipped = evidence[5].mean_log_prob
    assert skipped < min(e.mean_log_prob for i, e in enumerate(evidence) if i != 5)
