"""The openai backend talks to an OpenAI-compatible server (a local stand-in for vLLM) as vLLM expects."""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest
import requests
import soundfile

from inference_daemon.backends.alm.prompt import AnswerFormat
from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.backends.openai_remote import OpenAIBackend
from inference_daemon.backends.openai_remote.client import ChatClient
from inference_daemon.errors import AssessmentError, AudioTooLong, BackendUnavailable, InvalidModelOutput
from inference_daemon.feedback import WordStatus
from tests.support.audio_files import espeak_wav
from tests.support.daemon_process import running_daemon

SENTENCE = "I think so."
JSON_ANSWER = json.dumps({"score": 70, "words": [{
    "text": "think", "status": "mispronounced", "score": 30, "heard_phones": ["S", "IH", "NG", "K"],
    "explanation": "TH became S.", "suggestion": "Put your tongue between your teeth."}], "summary": "Nearly."})


class FakeVllm:
    """Records each chat request, checks its shape and answers from a script of (status, content, finish)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self.script: list[tuple[int, str, str]] = []
        self.default = (200, JSON_ANSWER, "stop")

    def check(self, body: dict[str, Any], headers: Any) -> None:
        if headers.get("Authorization") != "Bearer secret":
            self.problems.append("no bearer token")
        user = body["messages"][1]["content"]
        audio = next(part for part in user if part["type"] == "input_audio")["input_audio"]
        samples, rate = soundfile.read(io.BytesIO(base64.b64decode(audio["data"])))
        if audio["format"] != "wav" or rate != 16_000 or len(samples) == 0:
            self.problems.append(f"bad audio part: {audio['format']} {rate}")
        if body["messages"][0]["role"] != "system" or not any(
                part["type"] == "text" and "Ground Truth:" in part["text"] for part in user):
            self.problems.append("prompt missing")
        if "response_format" in body:
            schema = body["response_format"]["json_schema"]["schema"]
            if body["response_format"]["type"] != "json_schema" or "words" not in schema["properties"]:
                self.problems.append("bad response_format")

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return None

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._send(200, {"object": "list", "data": [{"id": "qwen2-audio-merged", "object": "model"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                fake.check(body, self.headers)
                status, content, finish = fake.script.pop(0) if fake.script else fake.default
                if status != 200:
                    self._send(status, {"object": "error", "message": "busy"})
                    return
                self._send(200, {"id": "chatcmpl-1", "object": "chat.completion", "model": body["model"],
                                 "choices": [{"index": 0, "finish_reason": finish,
                                              "message": {"role": "assistant", "content": content}}],
                                 "usage": {"prompt_tokens": 200, "completion_tokens": 40, "total_tokens": 240}})

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}/v1"


@pytest.fixture
def fake() -> Iterator[tuple[FakeVllm, str]]:
    server = FakeVllm()
    http_server, url = server.serve()
    yield server, url
    http_server.shutdown()


def backend(url: str, answer_format: AnswerFormat = AnswerFormat.json, retries: int = 2) -> OpenAIBackend:
    client = ChatClient(url, api_key="secret", timeout_s=5, retries=retries, backoff_s=0.01)
    created = OpenAIBackend(client, "qwen2-audio-merged", answer_format=answer_format, concurrency=4)
    created.load()
    return created


def request(seconds: float = 2.0, text: str = SENTENCE) -> AssessmentRequest:
    audio = (0.1 * np.sin(np.arange(int(16_000 * seconds)) / 10)).astype(np.float32)
    return AssessmentRequest(audio=audio, text=text, request_id="r1")


def test_json_answers_become_documents_and_requests_have_the_vllm_shape(fake: tuple[FakeVllm, str]) -> None:
    server, url = fake
    document = backend(url).assess(request())
    assert [w.status for w in document.words] == [WordStatus.ok, WordStatus.mispronounced, WordStatus.ok]
    assert document.score == 70.0 and document.backend == "openai" and document.model == "qwen2-audio-merged"
    assert server.problems == []
    sent = server.requests[0]
    assert sent["model"] == "qwen2-audio-merged" and sent["temperature"] == 0.0
    assert sent["response_format"]["json_schema"]["schema"]["$defs"]["JsonWord"]["properties"]["text"]["enum"] == [
        "I", "think", "so"]


def test_text_format_sends_no_schema_and_parses_no_problem(fake: tuple[FakeVllm, str]) -> None:
    server, url = fake
    server.default = (200, "No Problem", "stop")
    document = backend(url, AnswerFormat.text).assess(request())
    assert document.score == 100.0 and "response_format" not in server.requests[0]


def test_busy_server_is_retried(fake: tuple[FakeVllm, str]) -> None:
    server, url = fake
    server.script = [(503, "", ""), (429, "", "")]
    assert backend(url, retries=2).assess(request()).score == 70.0
    assert len(server.requests) == 3


def test_failures_map_to_clear_errors(fake: tuple[FakeVllm, str]) -> None:
    server, url = fake
    server.script = [(503, "", "")] * 2
    with pytest.raises(BackendUnavailable):
        backend(url, retries=1).assess(request())
    server.script = [(200, JSON_ANSWER[:40], "length")]
    with pytest.raises(InvalidModelOutput, match="cut off"):
        backend(url).assess(request())
    server.script = [(400, "", "")]
    with pytest.raises(InvalidModelOutput, match="refused"):
        backend(url).assess(request())
    with pytest.raises(AudioTooLong):
        backend(url).assess(request(seconds=31))


def test_a_batch_is_sent_concurrently_and_one_bad_item_fails_alone(fake: tuple[FakeVllm, str]) -> None:
    server, url = fake
    results = backend(url).assess_batch([request(), request(seconds=31), request(text="Think about it.")])
    assert not isinstance(results[0], Exception) and isinstance(results[1], AssessmentError)
    assert not isinstance(results[2], Exception)
    assert [w.text for w in results[2].mispronounced_words] == ["Think"]  # matched case-insensitively
    assert len(server.requests) == 2


def test_daemon_serves_the_openai_backend_over_http(fake: tuple[FakeVllm, str], tmp_path: Any) -> None:
    server, url = fake
    wav = espeak_wav(SENTENCE, tmp_path / "s.wav").read_bytes()
    with running_daemon("--url", url, "--model", "qwen2-audio-merged", "--api-key", "secret", backend="openai") as base:
        response = requests.post(f"{base}/v1/assess", files={"audio": ("a.wav", wav, "audio/wav")},
                                 data={"text": SENTENCE}, timeout=30)
        info = requests.get(f"{base}/v1/info", timeout=10).json()
    assert response.status_code == 200, response.text
    assert response.json()["words"][1]["errors"][0]["heard"] == "S"
    assert info["backend"] == "openai" and info["details"]["url"] == url
    assert server.problems == []
