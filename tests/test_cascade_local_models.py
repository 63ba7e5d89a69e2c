"""The cascade backend with local transformers models: a tiny Whisper built offline and a tiny causal LM.

The Whisper is built once per session by ``tools/make_tiny_whisper.py`` (random weights, real
processor), and loaded through the same path a real checkpoint takes; it transcribes nonsense, so
the tests check the shape of what comes back, not the words. The backend is created the way the
evaluation tools create it: ``add_arguments`` on a parser, ``from_arguments``, ``assess_now``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from inference_daemon.backends import backend_class
from inference_daemon.backends.base import SAMPLE_RATE
from inference_daemon.backends.cascade import CascadeBackend
from inference_daemon.backends.cascade.asr import LocalRecognizer
from inference_daemon.backends.cascade.llm import LocalChatModel
from inference_daemon.backends.cascade.transcript import HeardWord
from inference_daemon.feedback import WordStatus
from inference_daemon.pipeline import assess_now, prepare_request
from inference_daemon.sentence import split_words
from tests.support.audio_files import espeak_wav
from tests.support.daemon_process import REPO_ROOT
from tests.test_cascade_alignment import FixedRecognizer

SENTENCE = "I think so, 3 times."


@pytest.fixture(scope="session")
def tiny_whisper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("tiny-whisper")
    subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "make_tiny_whisper.py"), str(out_dir)], check=True,
                   capture_output=True, cwd=REPO_ROOT)
    return out_dir


@pytest.fixture(scope="session")
def reading(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return espeak_wav(SENTENCE, tmp_path_factory.mktemp("speech") / "reading.wav").read_bytes()


def test_tiny_whisper_transcribes_into_timed_words_inside_the_recording(tiny_whisper: Path, reading: bytes) -> None:
    request = prepare_request(reading, SENTENCE)
    recognizer = LocalRecognizer(str(tiny_whisper), device="cpu", max_new_tokens=12)
    recognizer.load()
    transcript = recognizer.transcribe(request.audio)
    assert transcript.words, "the tiny model's seeded weights write some tokens"
    assert transcript.text == " ".join(word.text for word in transcript.words)
    for word in transcript.words:
        assert word.start is not None and word.end is not None
        assert 0.0 <= word.start <= word.end <= request.duration_s
        assert split_words(word.text) == [word.text]


def test_evaluation_tools_build_and_run_the_backend_from_its_arguments(tiny_whisper: Path, reading: bytes) -> None:
    parser = argparse.ArgumentParser()
    cls = backend_class("cascade")
    cls.add_arguments(parser)
    args = parser.parse_args(["--asr-model", str(tiny_whisper), "--asr-max-new-tokens", "12", "--device", "cpu"])
    backend = cls.from_arguments(args)
    document = assess_now(backend, prepare_request(reading, SENTENCE, request_id="eval-1"))
    assert backend.loaded
    assert document.request_id == "eval-1" and document.backend == "cascade"
    assert [w.text for w in document.words] == split_words(SENTENCE)
    assert document.model == str(tiny_whisper)
    assert document.duration_s == pytest.approx(len(prepare_request(reading, SENTENCE).audio) / SAMPLE_RATE, abs=1e-3)
    for word in document.words:
        assert (word.status is WordStatus.ok) == (word.score == 100)
        if word.status is not WordStatus.ok:
            assert word.explanation and word.errors


def test_a_missing_llm_model_name_for_a_server_is_refused() -> None:
    parser = argparse.ArgumentParser()
    CascadeBackend.add_arguments(parser)
    args = parser.parse_args(["--asr-model", "x", "--llm-url", "http://127.0.0.1:1/v1"])
    with pytest.raises(ValueError, match="--llm-model"):
        CascadeBackend.from_arguments(args)


def test_a_local_causal_lm_constrained_to_the_schema_answers_a_valid_document(tmp_path: Path, reading: bytes) -> None:
    pytest.importorskip("xgrammar")
    from inference_daemon.backends.alm.tiny import build_tiny_speech_llm

    llm_dir = build_tiny_speech_llm(tmp_path / "speech-llm") / "llm"
    heard = [HeardWord("I", 0.1, 0.2), HeardWord("sink", 0.3, 0.5), HeardWord("so", 0.6, 0.8)]
    backend = CascadeBackend(FixedRecognizer(heard), LocalChatModel(str(llm_dir), device="cpu", max_new_tokens=512))
    document = assess_now(backend, prepare_request(reading, "I think so."))
    assert [w.text for w in document.words] == ["I", "think", "so"]
    assert document.model == f"fixed + {llm_dir}"
    assert [(w.start, w.end) for w in document.words] == [(0.1, 0.2), (0.3, 0.5), (0.6, 0.8)]
