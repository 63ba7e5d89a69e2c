"""The ``openai`` backend: the ``alm`` prompt sent to an OpenAI-compatible server such as vLLM.

How many learners are served on one or several GPUs: the daemon stays a thin front, the server
batches on the GPU. Each recording goes as a base64 WAV ``input_audio`` content part with the same
prompt as the ``alm`` backend; JSON answers are constrained by the server through
``response_format`` (``json_schema``) and validated here like every model answer. With
``--prompt-style paper`` it asks the paper's GPT-4o prompt, whose worked example comes with its own
recording (``--example-audio``).
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import logging
import os
import threading
from pathlib import Path
from typing import Any

from inference_daemon.audio import encode_wav
from inference_daemon.backends.alm.document import document_from_output
from inference_daemon.backends.alm.prompt import (
    PROMPT_STYLE_CHOICES,
    AnswerFormat,
    PromptStyle,
    build_prompt,
    openai_response_format,
    resolve_prompt_style,
)
from inference_daemon.backends.alm.recording import check_recording_length
from inference_daemon.backends.base import AssessmentRequest, Backend, BackendInfo
from inference_daemon.backends.openai_remote.client import ChatClient, ServerRefused, ServerUnreachable
from inference_daemon.errors import AssessmentError, AssessmentTimeout, BackendUnavailable, InvalidModelOutput
from inference_daemon.feedback import FeedbackDocument

log = logging.getLogger(__name__)

API_KEY_ENV = "OPENAI_API_KEY"


def _input_audio(wav: bytes) -> dict[str, Any]:
    """A WAV recording as an OpenAI ``input_audio`` content part."""
    return {"type": "input_audio", "input_audio": {"data": base64.b64encode(wav).decode("ascii"), "format": "wav"}}


class OpenAIBackend(Backend):
    """Sends each request to ``/v1/chat/completions``; a batch's requests are sent concurrently."""

    name = "openai"

    def __init__(self, client: ChatClient, model: str, *, answer_format: AnswerFormat = AnswerFormat.json,
                 max_tokens: int = 512, concurrency: int = 8, temperature: float = 0.0,
                 prompt_style: PromptStyle = PromptStyle.project, example_audio: Path | None = None) -> None:
        if prompt_style is not PromptStyle.project and answer_format is not AnswerFormat.text:
            raise ValueError("the paper's prompts ask for the text answer format: use --answer-format text")
        self.client = client
        self.model = model
        self.answer_format = answer_format
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.prompt_style = prompt_style
        self._example_part: dict[str, Any] | None = None
        if build_prompt("A", answer_format, None, prompt_style).needs_example_recording:
            if example_audio is None:
                raise ValueError(f"the {prompt_style.value} prompt needs its worked example's recording: "
                                 "--example-audio (the paper: L2-ARCTIC ABA/wav/arctic_a0501.wav)")
            self._example_part = _input_audio(example_audio.read_bytes())
        self.raw_answers: dict[str, str] | None = None
        """When a dict (the evaluation runner sets one), each text-format raw answer by request id."""
        self.max_batch_size = concurrency  # type: ignore[misc]  # instance override of the class default
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="openai")
        self._loaded = False
        self._lock = threading.Lock()
        self.words_dropped = 0

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("openai backend")
        group.add_argument("--url", required=True, help="server base URL up to /v1, e.g. http://127.0.0.1:8000/v1")
        group.add_argument("--model", required=True, help="model name the server serves")
        group.add_argument("--api-key", default=None, help=f"bearer token of the server (default: ${API_KEY_ENV})")
        group.add_argument("--timeout", type=float, default=60.0, help="seconds per try (default: 60)")
        group.add_argument("--retries", type=int, default=2, help="retries after a failed try (default: 2)")
        group.add_argument("--answer-format", choices=[f.value for f in AnswerFormat], default="json")
        group.add_argument("--max-new-tokens", type=int, default=512, help="answer length limit (default: 512)")
        group.add_argument("--batch-size", type=int, default=8, help="requests sent concurrently (default: 8)")
        group.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (default: 0)")
        group.add_argument("--prompt-style", choices=PROMPT_STYLE_CHOICES, default=PromptStyle.project.value,
                           help="the project's prompt (default), or the paper's ('paper': its GPT-4o prompt); "
                                "the paper's prompts need --answer-format text")
        group.add_argument("--example-audio", type=Path,
                           help="the worked example's recording of the paper-gpt4o prompt (the paper: L2-ARCTIC "
                                "ABA/wav/arctic_a0501.wav)")

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> OpenAIBackend:
        client = ChatClient(args.url, api_key=args.api_key or os.environ.get(API_KEY_ENV), timeout_s=args.timeout,
                            retries=args.retries)
        try:
            return cls(client, args.model, answer_format=AnswerFormat(args.answer_format),
                       max_tokens=args.max_new_tokens, concurrency=args.batch_size, temperature=args.temperature,
                       prompt_style=resolve_prompt_style(args.prompt_style, "openai"),
                       example_audio=args.example_audio)
        except ValueError as exc:
            raise SystemExit(f"error: {exc}") from None

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> None:
        """Check that the server answers and serves the model; a server that is still starting only warns."""
        try:
            served = self.client.list_models()
        except (ServerUnreachable, ServerRefused) as exc:
            log.warning("model server not ready yet: %s", exc)
        else:
            if self.model not in served:
                log.warning("the server at %s lists %s, not %s", self.client.base_url, ", ".join(served) or "nothing",
                            self.model)
        self._loaded = True

    def describe(self) -> BackendInfo:
        return BackendInfo(name=self.name, model=self.model, version="1", device="remote", details={
            "url": self.client.base_url, "answer_format": self.answer_format.value,
            "prompt_style": self.prompt_style.value, "temperature": self.temperature,
            "max_batch_size": self.max_batch_size, "timeout_s": self.client.timeout_s,
            "retries": self.client.retries, "words_dropped": self.words_dropped,
        })

    def payload(self, request: AssessmentRequest) -> dict[str, Any]:
        """The ``/chat/completions`` request body for one recording."""
        prompt = build_prompt(request.text, self.answer_format, request.native_language, self.prompt_style)
        body: dict[str, Any] = {
            "model": self.model,
            "messages": prompt.chat_messages(_input_audio(encode_wav(request.audio)), self._example_part),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }
        if self.answer_format is AnswerFormat.json:
            body["response_format"] = openai_response_format(request.text)
        return body

    def assess(self, request: AssessmentRequest) -> FeedbackDocument:
        check_recording_length(request)
        try:
            answer = self.client.chat_completion(self.payload(request))
        except ServerUnreachable as exc:
            error = AssessmentTimeout if exc.timed_out else BackendUnavailable
            raise error(f"The model server did not answer: {exc}") from exc
        except ServerRefused as exc:
            raise InvalidModelOutput(f"The model server refused the request: {exc}") from exc
        try:
            choice = answer["choices"][0]
            content = choice["message"]["content"] or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise InvalidModelOutput("The model server's answer has no message content.") from exc
        if self.raw_answers is not None and self.answer_format is AnswerFormat.text:
            with self._lock:
                self.raw_answers[request.request_id] = content
        built = document_from_output(content, finished=choice.get("finish_reason") != "length",
                                     answer_format=self.answer_format, request=request, backend=self.name,
                                     model=self.model)
        with self._lock:
            self.words_dropped += len(built.dropped_words)
        return built.document

    def assess_batch(self, requests: list[AssessmentRequest]) -> list[FeedbackDocument | Exception]:
        futures = [self._pool.submit(self.assess, request) for request in requests]
        results: list[FeedbackDocument | Exception] = []
        for future in futures:
            try:
                results.append(future.result())
            except AssessmentError as exc:
                results.append(exc)
            except Exception as exc:
                log.exception("unexpected failure talking to the model server")
                results.append(exc)
        return results
