"""The cascade backend against small local servers that behave like OpenAI's transcription and chat APIs.

Each fake server runs ``http.server`` in a thread on 127.0.0.1, records every request (so the tests
check the request shapes the real APIs expect) and answers what the test scripts. The end-to-end
tests run the real daemon with ``--backend cascade`` and post espeak-ng speech to it.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
import soundfile

from inference_daemon.backends.alm.answers import JsonAnswer, JsonWord, render_json_answer
from inference_daemon.backends.alm.prompt import AnswerFormat
from inference_daemon.backends.base import SAMPLE_RATE, AssessmentRequest
from inference_daemon.backends.cascade import CascadeBackend
from inference_daemon.backends.cascade.asr import TranscriptionServer
from inference_daemon.backends.cascade.llm import ChatServer
from inference_daemon.backends.cascade.openai_http import UpstreamError
from inference_daemon.errors import BackendUnavailable, InvalidModelOutput
from inference_daemon.feedback import FeedbackDocument, WordStatus
from inference_daemon.sentence import split_words
from tests.support.audio_files import espeak_wav
from tests.support.daemon_process import free_port, running_daemon


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> tuple[dict[str, list[str]], dict[str, bytes]]:
        """Text fields (name -> values) and files (name -> bytes) of a multipart body."""
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + self.body
        )
        fields: dict[str, list[str]] = {}
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            if part.get_filename():
                files[name] = payload
            else:
                fields.setdefault(name, []).append(payload.decode())
        return fields, files


Responder = Callable[[Received], tuple[int, Any]]


@dataclass
class FakeServer:
    url: str
    received: list[Received] = field(default_factory=list)
    respond: Responder = lambda request: (404, {"error": "not scripted"})


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    server_state = FakeServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            request = Received(self.path, dict(self.headers.items()), body)
            server_state.received.append(request)
            status, answer = server_state.respond(request)
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        server.shutdown()
        server.server_close()


def transcription_answer(words: list[tuple[str, float, float]]) -> dict[str, Any]:
    return {"text": " ".join(w for w, _, _ in words), "words": [{"word": w, "start": s, "end": e} for w, s, e in words]}


def chat_answer(content: str) -> dict[str, Any]:
    return {"id": "x", "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}


THINK_ANSWER = render_json_answer(JsonAnswer(
    score=70,
    words=[JsonWord(text="think", status="mispronounced", score=40, heard_phones=["S", "IH", "NG", "K"],
                    explanation="TH became S.", suggestion="Tongue between the teeth.")],
    summary="Work on TH.",
))


def openai_like(transcript: list[tuple[str, float, float]], chat_content: str) -> Responder:
    def respond(request: Received) -> tuple[int, Any]:
        if request.path == "/v1/audio/transcriptions":
            return 200, transcription_answer(transcript)
        if request.path == "/v1/chat/completions":
            return 200, chat_answer(chat_content)
        return 404, {"error": {"message": "no such route"}}
    return respond


def speech_request(text: str) -> AssessmentRequest:
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    audio = (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    return AssessmentRequest(audio=audio, text=text, request_id="r1", native_language="zh")


def test_transcription_request_is_multipart_with_a_wav_and_word_granularity(fake_server: FakeServer) -> None:
    fake_server.respond = openai_like([("I", 0.1, 0.2), ("sink", 0.3, 0.6), ("so.", 0.7, 0.9)], "")
    recognizer = TranscriptionServer(fake_server.url, "whisper-1", api_key="secret")
    transcript = recognizer.transcribe(speech_request("I think so.").audio)
    assert [w.text for w in transcript.words] == ["I", "sink", "so"]
    assert transcript.words[1].start == 0.3 and transcript.words[1].end == 0.6
    (sent,) = fake_server.received
    assert sent.path == "/v1/audio/transcriptions"
    assert sent.headers["Authorization"] == "Bearer secret"
    fields, files = sent.form()
    assert fields["model"] == ["whisper-1"]
    assert fields["response_format"] == ["verbose_json"]
    assert fields["timestamp_granularities[]"] == ["word"]
    audio, rate = soundfile.read(io.BytesIO(files["file"]))
    assert rate == SAMPLE_RATE and len(audio) == SAMPLE_RATE


def test_a_server_refusing_word_timestamps_is_asked_for_text_once_and_from_then_on(fake_server: FakeServer) -> None:
    def respond(request: Received) -> tuple[int, Any]:
        fields, _ = request.form()
        if fields["response_format"] == ["verbose_json"]:
            return 400, {"error": {"message": "verbose_json is not supported"}}
        return 200, {"text": "I think so."}

    fake_server.respond = respond
    recognizer = TranscriptionServer(fake_server.url, "small")
    audio = speech_request("x").audio
    assert [w.text for w in recognizer.transcribe(audio).words] == ["I", "think", "so"]
    assert recognizer.transcribe(audio).words[0].start is None
    formats = [r.form()[0]["response_format"][0] for r in fake_server.received]
    assert formats == ["verbose_json", "json", "json"]


def test_chat_request_carries_the_example_the_alignment_and_the_sentence_schema(fake_server: FakeServer) -> None:
    fake_server.respond = openai_like([("I", 0.1, 0.2), ("sink", 0.3, 0.6), ("so", 0.7, 0.9)], THINK_ANSWER)
    backend = CascadeBackend(TranscriptionServer(fake_server.url, "whisper-1"), ChatServer(fake_server.url, "llama3"))
    backend.load()
    document = backend.assess(speech_request("I think so."))
    chat = fake_server.received[1].json()
    assert fake_server.received[1].path == "/v1/chat/completions"
    assert chat["model"] == "llama3" and chat["temperature"] == 0
    assert [m["role"] for m in chat["messages"]] == ["system", "user", "assistant", "user"]
    question = chat["messages"][-1]["content"]
    assert "Sentence: I think so." in question
    assert "i sink so" in question
    assert 'heard "sink" (S IH NG K); TH heard as S' in question
    assert "(ISO 639-1): zh" in question
    schema_format = chat["response_format"]
    assert schema_format["type"] == "json_schema"
    word_schema = schema_format["json_schema"]["schema"]["$defs"]["JsonWord"]["properties"]["text"]
    assert word_schema["enum"] == split_words("I think so.")
    assert [w.status for w in document.words] == [WordStatus.ok, WordStatus.mispronounced, WordStatus.ok]
    think = document.words[1]
    assert think.explanation == "TH became S." and think.score == 40
    assert (think.start, think.end) == (0.3, 0.6)
    assert document.summary == "Work on TH." and document.score == 70
    assert document.model == "whisper-1 + llama3"


def test_text_answers_get_heard_phones_from_the_alignment(fake_server: FakeServer) -> None:
    fake_server.respond = openai_like([("I", 0.1, 0.2), ("sink", 0.3, 0.6), ("so", 0.7, 0.9)],
                                      "word: think issue: TH said as S suggestion: bite your tongue gently")
    backend = CascadeBackend(TranscriptionServer(fake_server.url, "w"), ChatServer(fake_server.url, "m"),
                             AnswerFormat.text)
    document = backend.assess(speech_request("I think so."))
    chat = fake_server.received[1].json()
    assert "response_format" not in chat
    assert chat["messages"][2]["content"].startswith("word: think issue:")
    think = document.words[1]
    assert think.status is WordStatus.mispronounced
    assert think.heard_phones == ["S", "IH", "NG", "K"]
    assert [(e.expected, e.heard) for e in think.errors] == [("TH", "S")]


def test_an_answer_that_is_not_the_feedback_format_is_invalid_model_output(fake_server: FakeServer,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    fake_server.respond = openai_like([("I", 0.1, 0.2)], "Sure! The learner did great.")
    backend = CascadeBackend(TranscriptionServer(fake_server.url, "w"), ChatServer(fake_server.url, "m"))
    with pytest.raises(InvalidModelOutput) as raised:
        backend.assess(speech_request("I think so."))
    assert raised.value.status == 502
    assert "Sure! The learner did great." in caplog.text


def test_server_errors_become_errors_the_daemon_maps(fake_server: FakeServer) -> None:
    fake_server.respond = lambda request: (500, {"error": {"message": "model crashed"}})
    with pytest.raises(UpstreamError, match="model crashed") as raised:
        ChatServer(fake_server.url, "m").complete([{"role": "user", "content": "hi"}], "hi", AnswerFormat.text)
    assert raised.value.status == 502
    fake_server.respond = lambda request: (200, b"<html>not json</html>")
    with pytest.raises(InvalidModelOutput):
        TranscriptionServer(fake_server.url, "w").transcribe(speech_request("x").audio)
    fake_server.respond = lambda request: (200, {"choices": []})
    with pytest.raises(InvalidModelOutput):
        ChatServer(fake_server.url, "m").complete([{"role": "user", "content": "hi"}], "hi", AnswerFormat.text)
    with pytest.raises(BackendUnavailable) as unreachable:
        TranscriptionServer(f"http://127.0.0.1:{free_port()}/v1", "w").transcribe(speech_request("x").audio)
    assert unreachable.value.status == 503


def test_a_server_that_hangs_up_without_answering_is_unavailable() -> None:
    listener = socket.create_server(("127.0.0.1", 0))

    def hang_up() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    with listener, pytest.raises(BackendUnavailable, match="closed the connection") as raised:
        ChatServer(url, "m").complete([{"role": "user", "content": "hi"}], "hi", AnswerFormat.text)
    thread.join(timeout=5)
    assert raised.value.status == 503


def post_reading(base_url: str, wav: Path, text: str) -> requests.Response:
    with open(wav, "rb") as audio:
        return requests.post(f"{base_url}/v1/assess", files={"audio": ("me.wav", audio, "audio/wav")},
                             data={"text": text}, timeout=30)


def test_daemon_assesses_over_http_with_asr_and_llm_servers(fake_server: FakeServer, tmp_path: Path) -> None:
    fake_server.respond = openai_like([("I", 0.1, 0.3), ("sink", 0.35, 0.7), ("so", 0.75, 1.0)], THINK_ANSWER)
    wav = espeak_wav("I think so.", tmp_path / "reading.wav")
    with running_daemon("--asr-url", fake_server.url, "--asr-model", "whisper-1", "--llm-url", fake_server.url,
                        "--llm-model", "llama3", backend="cascade") as base_url:
        info = requests.get(f"{base_url}/v1/info", timeout=5).json()
        reply = post_reading(base_url, wav, "I think so.")
        fake_server.respond = openai_like([("I", 0.1, 0.3)], "{not json")
        invalid = post_reading(base_url, wav, "I think so.")
    assert reply.status_code == 200, reply.text
    document = FeedbackDocument.model_validate(reply.json())
    assert document.backend == "cascade"
    assert [w.status for w in document.words] == [WordStatus.ok, WordStatus.mispronounced, WordStatus.ok]
    assert document.words[1].start == 0.35
    assert "whisper-1" in json.dumps(info)
    _, files = fake_server.received[0].form()
    audio, rate = soundfile.read(io.BytesIO(files["file"]))
    assert rate == SAMPLE_RATE and len(audio) / rate == pytest.approx(document.duration_s, abs=0.01)
    assert invalid.status_code == 502
    assert invalid.json()["error"]["code"] == "invalid_model_output"


def test_daemon_without_an_llm_answers_from_the_alignment(fake_server: FakeServer, tmp_path: Path) -> None:
    fake_server.respond = lambda request: (200, {"text": "I sink so."})
    wav = espeak_wav("I think so.", tmp_path / "reading.wav")
    with running_daemon("--asr-url", fake_server.url, "--asr-model", "whisper-1", backend="cascade") as base_url:
        reply = post_reading(base_url, wav, "I think so.")
    assert reply.status_code == 200, reply.text
    think = reply.json()["words"][1]
    assert think["status"] == "mispronounced"
    assert think["errors"] == [{"type": "substitution", "expected": "TH", "heard": "S", "position": 0}]
    assert think["suggestion"]
    assert all(r.path == "/v1/audio/transcriptions" for r in fake_server.received)
