"""Malformed requests driven by hypothesis against the real server: never a 5xx, never a crash."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.audio_files import signal_bytes
from tests.support.daemon_process import running_daemon

VALID_WAV = signal_bytes(0.5)


@pytest.fixture(scope="module")
def daemon() -> Iterator[str]:
    with running_daemon("--max-audio-seconds", "5") as url:
        yield url


audio_payloads = st.one_of(
    st.binary(max_size=2048),
    st.binary(max_size=64).map(lambda tail: VALID_WAV[:44] + tail),  # a WAV header with a broken body
    st.integers(min_value=0, max_value=len(VALID_WAV)).map(lambda n: VALID_WAV[:n]),  # truncated file
    st.just(VALID_WAV),
)
optional_text = st.one_of(st.none(), st.text(max_size=400))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(audio=st.one_of(st.none(), audio_payloads), text=optional_text, language=optional_text,
       request_id=optional_text)
def test_malformed_requests_never_cause_a_server_error(
    daemon: str, audio: bytes | None, text: str | None, language: str | None, request_id: str | None
) -> None:
    fields = {k: v for k, v in {"text": text, "native_language": language, "request_id": request_id}.items()
              if v is not None}
    files = {"audio": ("x.wav", audio)} if audio is not None else None
    response = requests.post(f"{daemon}/v1/assess", data=fields, files=files, timeout=30)
    assert response.status_code < 500, response.text
    body = response.json()
    if response.status_code == 200:
        assert body["version"] == 1
    else:
        assert body["error"]["code"] and body["error"]["message"]
    assert requests.get(f"{daemon}/health", timeout=5).json()["loaded"] is True
