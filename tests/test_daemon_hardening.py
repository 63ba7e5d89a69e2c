"""The daemon under hostile input and overload, over real HTTP (issue 13: one test per defect found).

Two bounds here are timings against the real server, because the acceptance states them: the
one-hour FLAC bomb answered in under 2 s, and a full daemon's median 503 in under 0.5 s. Both are
some ten times what an idle machine needs, so that a loaded 2-core CI machine passes them too.
"""

from __future__ import annotations

import concurrent.futures
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import requests
import soundfile

from inference_daemon.audio import decode_audio
from inference_daemon.errors import AudioTooLong
from tests.support.audio_files import signal_bytes
from tests.support.daemon_process import REPO_ROOT, SCRIPTED, DaemonProcess, free_port, running_daemon_process
from tests.support.raw_http import stream_upload, trickle_body

MB = 1024 * 1024
TOKEN = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def daemon_process() -> Iterator[DaemonProcess]:
    """A daemon with the default limits (30 s, 10 MB), as learners run it."""
    with running_daemon_process() as daemon:
        yield daemon


@pytest.fixture(scope="module")
def daemon(daemon_process: DaemonProcess) -> str:
    return daemon_process.url


def post(url: str, audio: bytes | None = None, text: str | None = "hello there", *,
         headers: dict[str, str] | None = None, **fields: str) -> requests.Response:
    files = {"audio": ("a.wav", audio if audio is not None else signal_bytes(1.0), "audio/wav")}
    data = {k: v for k, v in {"text": text, **fields}.items() if v is not None}
    return requests.post(f"{url}/v1/assess", files=files, data=data, headers=headers, timeout=30)


def error_code(response: requests.Response) -> str:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["message"], body
    return str(body["error"]["code"])


def peak_memory_bytes(pid: int) -> int:
    """The process's peak resident memory (VmHWM) from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM line")


def hour_of_silence_flac() -> bytes:
    """One hour of 8-channel 48 kHz silence: about 1.4 MB of FLAC, 1.1 GB once decoded to float32."""
    buffer = io.BytesIO()
    minute = np.zeros((48_000 * 60, 8), dtype=np.int16)
    with soundfile.SoundFile(buffer, "w", samplerate=48_000, channels=8, format="FLAC", subtype="PCM_16") as f:
        for _ in range(60):
            f.write(minute)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def flac_bomb() -> bytes:
    return hour_of_silence_flac()  # encoding an hour takes 10-20 s: once per module


def with_declared_samples(flac: bytes, total: int) -> bytes:
    """``flac`` with STREAMINFO's 36-bit total-samples field set to ``total`` (the audio untouched)."""
    assert flac[:4] == b"fLaC"
    patched = bytearray(flac)
    word = int.from_bytes(patched[18:26], "big")  # rate(20) channels(3) bits(5) total samples(36)
    patched[18:26] = ((word & ~((1 << 36) - 1)) | total).to_bytes(8, "big")
    return bytes(patched)


# -- 1, 2: audio limits before decoding -----------------------------------------------------------
@pytest.mark.parametrize("declare_length", [True, False], ids=["declared-hour", "undeclared-length"])
def test_an_hour_of_flac_is_refused_fast_without_decoding_it(daemon_process: DaemonProcess, flac_bomb: bytes,
                                                             declare_length: bool) -> None:
    # Undeclared: STREAMINFO's total-samples field zeroed, as a FLAC written to a pipe has it, so
    # that only the bounded decode (not the header check) can stop it.
    bomb = flac_bomb if declare_length else with_declared_samples(flac_bomb, 0)
    assert len(bomb) < 2 * MB
    assert post(daemon_process.url, signal_bytes(2.0, fmt="FLAC")).status_code == 200  # warm: a normal decode
    before = peak_memory_bytes(daemon_process.pid)
    began = time.perf_counter()
    response = post(daemon_process.url, bomb)
    elapsed = time.perf_counter() - began
    grown = peak_memory_bytes(daemon_process.pid) - before
    assert response.status_code == 413 and error_code(response) == "audio_too_long", response.text
    assert "30 s" in response.json()["error"]["message"]
    assert elapsed < 2.0, f"answered in {elapsed:.2f} s"
    assert grown < 100 * MB, f"peak memory grew by {grown / MB:.0f} MB"


def test_a_flac_header_claiming_2_to_the_36_samples_is_a_client_error(daemon: str) -> None:
    lying = with_declared_samples(signal_bytes(2.0, fmt="FLAC"), (1 << 36) - 1)
    response = post(daemon, lying)
    assert response.status_code == 413 and error_code(response) == "audio_too_long", response.text
    assert requests.get(f"{daemon}/health", timeout=5).json()["loaded"] is True


def hour_of_silence_mp3() -> bytes:
    """One hour of 8 kHz mono silence as an 8 kbit/s MP3: 3.6 MB, 230 MB once decoded to 16 kHz float32."""
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "3600", "-b:a", "8k",
         "-f", "mp3", "pipe:1"], capture_output=True, check=True, timeout=120).stdout


needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
                                  reason="ffmpeg and ffprobe are not installed (tools/bootstrap.sh installs them)")


@needs_ffmpeg
def test_an_hour_of_mp3_is_refused_by_its_declared_length(daemon_process: DaemonProcess) -> None:
    """The ffmpeg path (MP3, WebM, M4A): ffprobe's duration is checked before anything is decoded."""
    bomb = hour_of_silence_mp3()
    assert post(daemon_process.url, signal_bytes(2.0)).status_code == 200  # warm
    before = peak_memory_bytes(daemon_process.pid)
    began = time.perf_counter()
    response = post(daemon_process.url, bomb)
    elapsed = time.perf_counter() - began
    assert response.status_code == 413 and error_code(response) == "audio_too_long", response.text
    assert "3600" in response.json()["error"]["message"]
    assert elapsed < 2.0, f"answered in {elapsed:.2f} s"
    assert peak_memory_bytes(daemon_process.pid) - before < 100 * MB


@needs_ffmpeg
def test_without_a_declared_length_ffmpeg_decodes_no_more_than_the_limit(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    """Where no length is known (here ffmpeg without ffprobe, as some installs have it), ``-t`` bounds
    the decode: the hour is refused after decoding 31 s of it."""
    (tmp_path / "ffmpeg").symlink_to(shutil.which("ffmpeg") or "ffmpeg")
    bomb = hour_of_silence_mp3()
    monkeypatch.setenv("PATH", str(tmp_path))
    began = time.perf_counter()
    with pytest.raises(AudioTooLong) as refused:
        decode_audio(bomb)
    assert refused.value.status == 413 and "longer than" in str(refused.value)
    assert time.perf_counter() - began < 5.0


# -- 3: the body is budgeted while it streams, and authentication comes before it ------------------
def test_an_endless_chunked_upload_is_cut_off_at_the_size_limit(daemon: str) -> None:
    answer = stream_upload(f"{daemon}/v1/assess", 50 * MB)
    assert answer.status == 413 and answer.json()["error"]["code"] == "file_too_large", answer.body
    assert answer.bytes_sent < 16 * MB, f"{answer.bytes_sent / MB:.1f} MB sent before the answer"
    assert answer.headers.get("connection") == "close"


def test_an_unauthenticated_upload_is_refused_before_its_body_is_read() -> None:
    with running_daemon_process("--token", TOKEN) as daemon:
        answer = stream_upload(f"{daemon.url}/v1/assess", 50 * MB)
        assert answer.status == 401 and answer.json()["error"]["code"] == "unauthorized", answer.body
        assert answer.bytes_sent < 16 * MB, f"{answer.bytes_sent / MB:.1f} MB sent before the answer"
        with_token = stream_upload(f"{daemon.url}/v1/assess", 50 * MB, headers={"Authorization": f"Bearer {TOKEN}"})
        assert with_token.status == 413 and with_token.bytes_sent < 16 * MB


# -- 4, 6: the token ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def token_daemon() -> Iterator[str]:
    with running_daemon_process("--token", TOKEN) as daemon:
        yield daemon.url


def test_a_non_ascii_bearer_is_refused_with_401(token_daemon: str) -> None:
    for bearer in ["Bearer caf\u00e9", "Bearer \u00ff" + TOKEN[1:], f"Bearer {TOKEN}\u00e9"]:
        response = requests.get(f"{token_daemon}/v1/info", headers={"Authorization": bearer.encode("latin-1")},
                                timeout=5)
        assert response.status_code == 401 and error_code(response) == "unauthorized", bearer
    ok = requests.get(f"{token_daemon}/v1/info", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert ok.status_code == 200


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_docs_and_schema_need_the_token(token_daemon: str, path: str) -> None:
    response = requests.get(f"{token_daemon}{path}", timeout=5)
    assert response.status_code == 401 and error_code(response) == "unauthorized"
    assert requests.get(f"{token_daemon}{path}", headers={"Authorization": f"Bearer {TOKEN}"},
                        timeout=5).status_code == 200


def serve_and_fail(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PRONUNCIATION_COACH_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "inference_daemon", "serve", "--backend", SCRIPTED, "--port", str(free_port()), *args],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, env=env,
    )


@pytest.mark.parametrize("token", ["p\u00e4sswort-long-enough-1234", "two words but long enough",
                                   "tab\there-1234567890"])
def test_a_token_that_no_header_can_carry_is_refused_at_start(token: str) -> None:
    result = serve_and_fail("--token", token)
    assert result.returncode == 2
    assert "printable ASCII" in result.stderr


def test_a_short_token_is_served_with_a_warning() -> None:
    lines: list[str] = []
    with running_daemon_process("--token", "short", log_lines=lines) as daemon:
        assert requests.get(f"{daemon.url}/v1/info", headers={"Authorization": "Bearer short"}, timeout=5).ok
    assert any("WARNING" in line and "at least 16" in line for line in lines), lines


# -- 5: Host and Origin ----------------------------------------------------------------------------
def test_a_rebound_host_name_is_refused(daemon: str) -> None:
    port = daemon.rsplit(":", 1)[1]
    for host in ["rebind.example", f"rebind.example:{port}", "127.0.0.1.nip.io", "localhost.evil"]:
        response = requests.get(f"{daemon}/v1/info", headers={"Host": host}, timeout=5)
        assert response.status_code == 421 and error_code(response) == "host_not_allowed", host
    for host in [f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "LOCALHOST"]:
        assert requests.get(f"{daemon}/v1/info", headers={"Host": host}, timeout=5).status_code == 200, host


def test_an_allowed_host_name_is_served() -> None:
    with running_daemon_process("--allowed-host", "coach.lan") as daemon:
        port = daemon.url.rsplit(":", 1)[1]
        assert requests.get(f"{daemon.url}/health", headers={"Host": f"coach.lan:{port}"}, timeout=5).ok
        refused = requests.get(f"{daemon.url}/health", headers={"Host": "other.lan"}, timeout=5)
        assert refused.status_code == 421


def test_a_cross_site_origin_is_refused_and_a_loopback_one_served(daemon: str) -> None:
    refused = post(daemon, headers={"Origin": "http://evil.example"})
    assert refused.status_code == 403 and error_code(refused) == "origin_not_allowed"
    for origin in ["null", "http://127.0.0.1.evil.example", "file://"]:
        assert post(daemon, headers={"Origin": origin}).status_code == 403, origin
    for origin in ["http://127.0.0.1", "http://localhost:8080", "http://[::1]:3000"]:
        response = post(daemon, headers={"Origin": origin})
        assert response.status_code == 200, (origin, response.text)


def test_an_origin_listed_at_start_is_served() -> None:
    with running_daemon_process("--allow-origin", "https://Teacher.example/") as daemon:
        assert post(daemon.url, headers={"Origin": "https://teacher.example"}).status_code == 200
        assert post(daemon.url, headers={"Origin": "http://teacher.example"}).status_code == 403


# -- 7: log injection ----------------------------------------------------------------------------
def test_a_request_id_or_path_cannot_forge_a_log_line() -> None:
    lines: list[str] = []
    with running_daemon_process(log_lines=lines) as daemon:
        response = post(daemon.url, request_id="card-1\nINFO forged line")
        assert response.status_code == 422 and error_code(response) == "invalid_request_id"
        assert post(daemon.url, request_id="deck:42_card-7.v2").json()["request_id"] == "deck:42_card-7.v2"
        requests.get(f"{daemon.url}/nothing%0AINFO%20forged%20path", timeout=5)
    assert not any(line.startswith("INFO forged") for line in lines), lines
    assert any("/nothing\\nINFO forged path -> 404" in line for line in lines), lines


# -- 8: overload is shed at once -----------------------------------------------------------------------
def test_a_full_daemon_answers_503_within_half_a_second() -> None:
    with running_daemon_process("--delay", "2", "--queue-size", "1") as daemon:
        audio = signal_bytes(3.0)
        start = threading.Barrier(24)

        def timed_post(_: int) -> tuple[int, float, str]:
            start.wait()
            began = time.perf_counter()
            response = post(daemon.url, audio)
            return response.status_code, time.perf_counter() - began, response.headers.get("Retry-After", "")

        with concurrent.futures.ThreadPoolExecutor(24) as pool:
            results = list(pool.map(timed_post, range(24)))
    busy = [(elapsed, retry) for status, elapsed, retry in results if status == 503]
    assert len(busy) >= 20, results  # one in the backend and one queued: the rest are shed
    assert statistics.median(elapsed for elapsed, _ in busy) < 0.5, sorted(busy)
    assert all(retry.isdigit() and int(retry) >= 1 for _, retry in busy)


# -- 9: decoder messages -----------------------------------------------------------------------------
@pytest.mark.parametrize("audio", [
    signal_bytes(2.0, fmt="FLAC")[:3000],
    b"RIFF\x10\x00\x00\x00WAVEfmt garbage that is not a wav file",
    b"OggS" + bytes(200),
], ids=["truncated-flac", "broken-wav", "broken-ogg"])
def test_a_damaged_file_is_explained_without_internals(daemon: str, audio: bytes) -> None:
    response = post(daemon, audio)
    assert response.status_code == 400 and error_code(response) in {"corrupt_audio", "empty_audio"}, response.text
    message = response.json()["error"]["message"]
    for internal in ("0x", "BytesIO", "psf_", "libsndfile", "Error"):
        assert internal not in message, message


# -- 10: slow clients ------------------------------------------------------------------------------------
def test_a_trickled_body_is_cut_off_and_connections_are_capped() -> None:
    with running_daemon_process("--body-timeout", "1", "--max-connections", "6") as daemon:
        began = time.monotonic()
        answer = trickle_body(f"{daemon.url}/v1/assess", 100_000, b"--coachboundary\r\n")
        assert answer.status == 408 and answer.json()["error"]["code"] == "body_timeout", answer.body
        assert time.monotonic() - began < 10
        idle = [socket_to(daemon.url) for _ in range(6)]
        try:
            assert eventually_status(f"{daemon.url}/health", 503)
            busy = requests.get(f"{daemon.url}/health", timeout=5)
            # The daemon's error body, not uvicorn's plain "Service Unavailable".
            assert busy.status_code == 503 and busy.json()["error"]["code"] == "too_many_connections"
            assert busy.headers["Retry-After"] == "1"
        finally:
            for sock in idle:
                sock.close()
        assert eventually_status(f"{daemon.url}/health", 200)


def test_connections_that_never_finish_a_request_head_are_closed() -> None:
    """uvicorn timed connections out only after an answer: silent sockets, or ones sending headers a
    byte at a time, were held for good and 256 of them (the cap) made every other client 503."""
    with running_daemon_process("--header-timeout", "1", "--keep-alive-timeout", "30",
                                "--max-connections", "4") as daemon:
        silent = socket_to(daemon.url)
        trickling = socket_to(daemon.url)
        began = time.monotonic()
        closed: dict[str, float | None] = {"silent": None, "trickling": None}
        head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        sent = 0
        while time.monotonic() - began < 8 and None in closed.values():
            if closed["trickling"] is None:
                try:
                    trickling.sendall(head[sent % len(head):sent % len(head) + 1])
                    sent += 1
                except OSError:
                    closed["trickling"] = time.monotonic() - began
            for name, sock in (("silent", silent), ("trickling", trickling)):
                if closed[name] is None and _closed_by_peer(sock):
                    closed[name] = time.monotonic() - began
            time.sleep(0.2)
        assert closed["silent"] is not None and closed["silent"] < 4, closed
        assert closed["trickling"] is not None and closed["trickling"] < 4, closed
        # A client that sends its requests in time keeps its connection across answers.
        with requests.Session() as session:
            first = session.get(f"{daemon.url}/health", timeout=5)
            time.sleep(0.5)
            second = session.get(f"{daemon.url}/health", timeout=5)
        assert first.status_code == second.status_code == 200
        # With every slot taken by silent sockets, the daemon frees itself within the deadline.
        hogs = [socket_to(daemon.url) for _ in range(4)]
        try:
            assert eventually_status(f"{daemon.url}/health", 200, within_s=5)
        finally:
            for sock in hogs:
                sock.close()


def _closed_by_peer(sock: socket.socket) -> bool:
    sock.settimeout(0.01)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def socket_to(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def eventually_status(url: str, status: int, within_s: float = 10.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == status:
                return True
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    return False


# -- 11: the small ones ----------------------------------------------------------------------------
def test_an_empty_text_field_is_empty_text(daemon: str) -> None:
    response = post(daemon, text="")
    assert response.status_code == 422 and error_code(response) == "empty_text"


def test_a_megabyte_of_text_is_text_too_long(daemon: str) -> None:
    response = post(daemon, text="word " * 210_000)
    assert response.status_code == 422 and error_code(response) == "text_too_long"


def test_a_repeated_form_field_is_refused(daemon: str) -> None:
    files = {"audio": ("a.wav", signal_bytes(1.0), "audio/wav")}
    response = requests.post(f"{daemon}/v1/assess", files=files, data=[("text", "hello"), ("text", "goodbye")],
                             timeout=30)
    assert response.status_code == 422 and error_code(response) == "duplicate_field"
    assert "'text'" in response.json()["error"]["message"]


@pytest.mark.parametrize("text", ["我想喝一杯水。", "أريد كوبا من الماء", "I would like 一杯水"])
def test_a_sentence_that_is_not_english_is_refused(daemon: str, text: str) -> None:
    response = post(daemon, text=text)
    assert response.status_code == 422 and error_code(response) == "unsupported_language", response.text


def test_a_sentence_with_accented_latin_letters_is_assessed(daemon: str) -> None:
    assert post(daemon, text="A café in Zürich, naïve as it is.").status_code == 200


def test_a_model_backend_without_torch_says_how_to_install_it(tmp_path: Path) -> None:
    fake = tmp_path / "torch"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')\n")
    result = subprocess.run(
        [sys.executable, "-m", "inference_daemon", "serve", "--backend", "ctc", "--port", str(free_port())],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO_ROOT)])},
    )
    assert result.returncode == 2
    assert "'torch'" in result.stderr and "bootstrap.sh --alm" in result.stderr, result.stderr
