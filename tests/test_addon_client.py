"""The add-on's HTTP client against the real daemon: feedback parsed, every failure a clear message."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.anki_support.addon_import import addon_module
from tests.support.audio_files import espeak_wav, signal_bytes, silence_bytes
from tests.support.daemon_process import free_port, running_daemon

client_module = addon_module("client")
DaemonClient, DaemonError = client_module.DaemonClient, client_module.DaemonError
TOKEN = "s3cret"

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


@pytest.fixture(scope="module")
def daemon() -> Iterator[str]:
    with running_daemon("--mispronounce", "think", "--token", TOKEN, "--max-audio-seconds", "5") as url:
        yield url


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("needs espeak-ng")
    return espeak_wav("I think so.", tmp_path_factory.mktemp("speech") / "speech.wav")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@needs_espeak
def test_assessment_returns_parsed_feedback_and_the_raw_document(daemon: str, speech: Path) -> None:
    feedback, raw = DaemonClient(daemon, TOKEN).assess(speech, "I think so.", native_language="zh",
                                                       request_id="card-1")
    assert [word.text for word in feedback.words_needing_work] == ["think"]
    assert raw["request_id"] == "card-1" and raw["words"][1]["status"] == "mispronounced"


def test_status_reports_backend_model_and_latency(daemon: str) -> None:
    status = DaemonClient(daemon, TOKEN).status()
    assert (status.backend, status.model, status.loaded) == ("scripted", "scripted", True)
    assert status.latency_ms > 0


@needs_espeak
def test_a_wrong_token_is_worth_retrying_after_fixing_the_config(daemon: str, speech: Path) -> None:
    with pytest.raises(DaemonError, match="token") as caught:
        DaemonClient(daemon, "wrong").assess(speech, "I think so.")
    assert caught.value.retryable


def test_silence_is_refused_for_good_with_the_daemons_reason(daemon: str, tmp_path: Path) -> None:
    with pytest.raises(DaemonError) as caught:
        DaemonClient(daemon, TOKEN).assess(write(tmp_path / "s.wav", silence_bytes()), "I think so.")
    assert not caught.value.retryable
    assert "speech" in caught.value.message.lower()


def test_a_recording_over_the_limit_is_refused_for_good(daemon: str, tmp_path: Path) -> None:
    with pytest.raises(DaemonError) as caught:
        DaemonClient(daemon, TOKEN).assess(write(tmp_path / "long.wav", signal_bytes(8.0)), "I think so.")
    assert not caught.value.retryable and "5" in caught.value.message


def test_a_daemon_that_is_down_is_named_and_flagged_for_the_start_hint(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(DaemonError) as caught:
        DaemonClient(url).assess(write(tmp_path / "a.wav", signal_bytes(1.0)), "I think so.")
    assert caught.value.retryable
    assert caught.value.message == f"the daemon is not running at {url}" and caught.value.not_running


def test_a_slow_daemon_times_out_and_is_retried_later(tmp_path: Path) -> None:
    with running_daemon("--delay", "3") as url, pytest.raises(DaemonError, match="did not answer") as caught:
        DaemonClient(url, timeout_s=1).assess(write(tmp_path / "a.wav", signal_bytes(1.0)), "I think so.")
    assert caught.value.retryable


def test_a_daemon_without_a_model_is_retried_later(tmp_path: Path) -> None:
    with running_daemon("--fail-load", wait_loaded=False) as url, pytest.raises(DaemonError) as caught:
        DaemonClient(url).assess(write(tmp_path / "a.wav", signal_bytes(1.0)), "I think so.")
    assert caught.value.retryable and "not ready" in caught.value.message


@needs_espeak
def test_documents_of_the_default_backend_pass_the_addons_checks_and_render(speech: Path) -> None:
    from datetime import datetime

    render = addon_module("render")
    with running_daemon(backend="phonetic") as url:
        feedback, raw = DaemonClient(url).assess(speech, "I think so.")
    assert [word.text for word in feedback.words] == ["I", "think", "so"]
    assert raw["backend"] == "phonetic"
    html = render.render_feedback(feedback, assessed_at=datetime.now())
    assert html.count('class="pc-word') == 3
