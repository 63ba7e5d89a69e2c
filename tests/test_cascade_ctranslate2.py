"""The cascade baseline offline: the Whisper bundled with the daemon (CTranslate2) as its recogniser,
chosen by its short name, on espeak-ng speech."""

from __future__ import annotations

import argparse
from pathlib import Path

from inference_daemon.backends.cascade.asr import CTranslate2Recognizer, is_ctranslate2_whisper
from inference_daemon.backends.cascade.backend import CascadeBackend
from inference_daemon.feedback import WordStatus
from inference_daemon.whisper_evidence import bundled_model_path
from tests.espeak_audio import synthesize
from tests.minimal_pairs import assess_wav
from tests.phonetic_fixtures import needs_espeak


def _backend(asr_model: str) -> CascadeBackend:
    parser = argparse.ArgumentParser()
    CascadeBackend.add_arguments(parser)
    return CascadeBackend.from_arguments(parser.parse_args(["--asr-model", asr_model]))


def test_the_short_name_and_a_model_folder_choose_the_ctranslate2_recogniser(tmp_path: Path) -> None:
    assert isinstance(_backend("tiny.en").recognizer, CTranslate2Recognizer)
    assert isinstance(_backend(str(bundled_model_path())).recognizer, CTranslate2Recognizer)
    assert not is_ctranslate2_whisper("openai/whisper-small.en") and not is_ctranslate2_whisper(str(tmp_path))


@needs_espeak
def test_a_skipped_word_is_missing_and_the_rest_are_heard(tmp_path: Path) -> None:
    backend = _backend("tiny.en")
    backend.load()
    sentence = "My brother works in a big hospital near the river."
    document = assess_wav(backend, synthesize("My brother works in a hospital near the river", "en-us",
                                              tmp_path / "skip.wav"), sentence)
    assert document.backend == "cascade" and document.model == "tiny.en"
    assert document.words[5].status is WordStatus.missing
    assert document.words[5].explanation == "'big' was not heard in your recording: it seems to have been skipped."
    assert document.words[5].expected_stress == "1"
    assert sum(w.status is WordStatus.ok for w in document.words) >= 8
