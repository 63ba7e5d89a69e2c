"""The daemon over real HTTP: happy path, every documented error, the token rule, queue and timeouts."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from inference_daemon.feedback import FeedbackDocument
from tests.support.audio_files import espeak_wav, ffmpeg_encode, signal_bytes, silence_bytes
from tests.support.daemon_process import REPO_ROOT, SCRIPTED, free_port, running_daemon

SENTENCE = "I think this is a good day."

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    return espeak_wav("I think this is a good day", tmp_path_factory.mktemp("audio") / "speech.wav").read_bytes()


@pytest.fixture(scope="module")
def daemon() -> Iterator[str]:
    with running_daemon("--mispronounce", "think", "--max-audio-seconds", "10", "--max-audio-mb", "1") as url:
        yield url


def post(url: str, audio: bytes | None, text: str | None = SENTENCE, **fields: str) -> requests.Response:
    files = {"audio": ("recording.wav", audio, "audio/wav")} if audio is not None else None
    data = {k: v for k, v in {"text": text, **fields}.items() if v is not None}
    return requests.post(f"{url}/v1/assess", files=files, data=data, timeout=30)


def error_code(response: requests.Response) -> str:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["message"], body
    return str(body["error"]["code"])


def test_assess_returns_a_valid_feedback_document(daemon: str, speech: bytes) -> None:
    response = post(daemon, speech, native_language="zh", request_id="card-42")
    assert response.status_code == 200, response.text
    document = FeedbackDocument.model_validate(response.json())
    assert document.request_id == "card-42"
    assert document.text == SENTENCE
    assert [w.text for w in document.words] == ["I", "think", "this", "is", "a", "good", "day"]
    assert [w.index for w in document.words] == list(range(7))
    assert [w.text for w in document.mispronounced_words] == ["think"]
    assert 1.0 < document.duration_s < 5.0
    assert document.processing_s > 0


def test_request_id_is_generated_when_absent(daemon: str, speech: bytes) -> None:
    first, second = post(daemon, speech).json(), post(daemon, speech).json()
    assert first["request_id"] and first["request_id"] != second["request_id"]


def test_health_and_info(daemon: str) -> None:
    health = requests.get(f"{daemon}/health", timeout=5).json()
    assert health == {"status": "ok", "backend": "scripted", "loaded": True, "load_error": None}
    info = requests.get(f"{daemon}/v1/info", timeout=5).json()
    assert info["backend"] == "scripted" and info["feedback_version"] == 1
    assert info["limits"]["max_audio_seconds"] == 10
    assert {"wav", "flac", "ogg"} <= set(info["audio_formats"])


def test_openapi_schema_describes_the_feedback_document(daemon: str) -> None:
    schema = requests.get(f"{daemon}/openapi.json", timeout=5).json()
    assert "/v1/assess" in schema["paths"]
    assert "FeedbackDocument" in schema["components"]["schemas"]


@pytest.mark.parametrize(("fmt", "rate", "channels"), [("WAV", 44_100, 2), ("FLAC", 22_050, 1), ("OGG", 48_000, 2)])
def test_native_formats_at_any_rate_and_channel_count(daemon: str, fmt: str, rate: int, channels: int) -> None:
    response = post(daemon, signal_bytes(2.0, rate=rate, channels=channels, fmt=fmt))
    assert response.status_code == 200, response.text
    assert response.json()["duration_s"] == pytest.approx(2.0, abs=0.01)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
@pytest.mark.parametrize("fmt", ["mp3", "webm", "m4a"])
def test_compressed_formats_through_ffmpeg(daemon: str, fmt: str) -> None:
    response = post(daemon, ffmpeg_encode(signal_bytes(2.0), fmt))
    assert response.status_code == 200, response.text
    assert response.json()["duration_s"] == pytest.approx(2.0, abs=0.15)  # codec priming adds a few frames


@pytest.mark.parametrize(
    ("audio", "text", "status", "code"),
    [
        (b"", SENTENCE, 400, "empty_audio"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt garbage that is not a wav file", SENTENCE, 400, "corrupt_audio"),
        (b"this is plainly not audio at all, just some text bytes", SENTENCE, 415, "unsupported_format"),
        (signal_bytes(11.0), SENTENCE, 413, "audio_too_long"),
        (signal_bytes(40.0, rate=48_000, channels=2), SENTENCE, 413, "file_too_large"),
        (silence_bytes(), SENTENCE, 422, "no_speech"),
        (signal_bytes(1.0), "   ", 422, "empty_text"),
        (signal_bytes(1.0), "word " * 61, 422, "text_too_long"),
        (signal_bytes(1.0), "... -- !!!", 422, "no_pronounceable_word"),
    ],
    ids=["empty", "corrupt", "unsupported", "too-long", "too-large", "silence", "empty-text", "long-text",
         "no-word"],
)
def test_bad_input_gets_a_clear_error(daemon: str, audio: bytes, text: str, status: int, code: str) -> None:
    response = post(daemon, audio, text)
    assert response.status_code == status, response.text
    assert error_code(response) == code


def test_missing_fields_and_bad_language(daemon: str) -> None:
    missing_audio = post(daemon, None)
    assert missing_audio.status_code == 422 and error_code(missing_audio) == "invalid_request"
    missing_text = post(daemon, signal_bytes(1.0), None)
    assert missing_text.status_code == 422 and error_code(missing_text) == "invalid_request"
    bad_language = post(daemon, signal_bytes(1.0), native_language="Chinese")
    assert bad_language.status_code == 422 and error_code(bad_language) == "invalid_native_language"


def test_mp3_without_ffmpeg_names_what_to_install(tmp_path: Path) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is needed to make the MP3")
    mp3 = ffmpeg_encode(signal_bytes(1.0), "mp3")
    bare_path = tmp_path / "bin"
    bare_path.mkdir()
    with running_daemon(env={"PATH": str(bare_path)}) as url:
        response = post(url, mp3)
    assert response.status_code == 415
    assert error_code(response) == "unsupported_format"
    assert "ffmpeg" in response.json()["error"]["message"]


def test_token_is_required_everywhere_but_health() -> None:
    with running_daemon("--token", "s3cret") as url:
        assert requests.get(f"{url}/health", timeout=5).status_code == 200
        assert requests.get(f"{url}/v1/info", timeout=5).status_code == 401
        unauthorised = post(url, signal_bytes(1.0))
        assert unauthorised.status_code == 401 and error_code(unauthorised) == "unauthorized"
        wrong = requests.get(f"{url}/v1/info", headers={"Authorization": "Bearer nope"}, timeout=5)
        assert wrong.status_code == 401
        ok = requests.post(f"{url}/v1/assess", headers={"Authorization": "Bearer s3cret"},
                           files={"audio": ("a.wav", signal_bytes(1.0))}, data={"text": "hello"}, timeout=10)
        assert ok.status_code == 200, ok.text


def test_token_from_environment() -> None:
    with running_daemon(env={"PRONUNCIATION_COACH_TOKEN": "envtoken"}) as url:
        assert requests.get(f"{url}/v1/info", timeout=5).status_code == 401
        headers = {"Authorization": "Bearer envtoken"}
        assert requests.get(f"{url}/v1/info", headers=headers, timeout=5).status_code == 200


def test_refuses_public_bind_without_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PRONUNCIATION_COACH_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "inference_daemon", "serve", "--backend", SCRIPTED, "--host", "0.0.0.0",
         "--port", str(free_port())],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, env=env,
    )
    assert result.returncode == 2
    assert "token" in result.stderr


def test_full_queue_answers_503_with_retry_after() -> None:
    with running_daemon("--delay", "1.5", "--queue-size", "1") as url, \
            concurrent.futures.ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda _: post(url, signal_bytes(1.0), "hello there"), range(6)))
    statuses = sorted(r.status_code for r in responses)
    assert 200 in statuses and 503 in statuses, statuses
    busy = next(r for r in responses if r.status_code == 503)
    assert error_code(busy) == "queue_full"
    assert int(busy.headers["Retry-After"]) >= 1


def test_request_over_the_time_limit_gets_504() -> None:
    with running_daemon("--delay", "3", "--request-timeout", "0.5") as url:
        response = post(url, signal_bytes(1.0), "hello there")
    assert response.status_code == 504
    assert error_code(response) == "timeout"


def test_backend_that_fails_to_load_is_reported() -> None:
    with running_daemon("--fail-load") as url:
        health = requests.get(f"{url}/health", timeout=5).json()
        assert health["loaded"] is False and "scripted load failure" in health["load_error"]
        response = post(url, signal_bytes(1.0), "hello")
    assert response.status_code == 503 and error_code(response) == "backend_unavailable"


def test_unknown_route_uses_the_error_shape(daemon: str) -> None:
    response = requests.get(f"{daemon}/v2/nothing", timeout=5)
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_each_request_is_logged_on_one_line_with_its_timing(speech: bytes) -> None:
    lines: list[str] = []
    with running_daemon("--mispronounce", "think", log_lines=lines) as url:
        post(url, speech, request_id="logged-1")
    assess_lines = [line for line in lines if "POST /v1/assess" in line]
    assert len(assess_lines) == 1, lines
    assert "-> 200 in" in assess_lines[0] and "ms" in assess_lines[0]
    assert "request_id=logged-1" in assess_lines[0] and "flagged=1" in assess_lines[0]


def test_an_oversized_upload_is_refused_by_its_declared_size(daemon: str) -> None:
    body = b"x" * (3 * 1024 * 1024)  # the daemon under test accepts 1 MB
    response = requests.post(f"{daemon}/v1/assess", data=body, timeout=30,
                             headers={"Content-Type": "multipart/form-data; boundary=zzz"})
    assert response.status_code == 413 and error_code(response) == "file_too_large"
    assert "3.1 MB" in response.json()["error"]["message"]
