"""The ``alm`` backend: audio-language models (the paper's speech LLM, Qwen2-Audio) answering the prompt.

Requests arrive in batches gathered by the service (``--batch-size``, the daemon's
``--batch-window-ms``) and are generated as one left-padded batch; a batch that fails as a whole is
retried item by item, so one bad item fails alone. Every answer is validated into the feedback
document or rejected with a 502 (raw text logged). torch is imported only in :meth:`AlmBackend.load`.
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference_daemon.backends.alm.document import document_from_output
from inference_daemon.backends.alm.model_spec import ModelSpec
from inference_daemon.backends.alm.prompt import (
    PROMPT_STYLE_CHOICES,
    AnswerFormat,
    PromptStyle,
    build_prompt,
    resolve_prompt_style,
)
from inference_daemon.backends.alm.recording import check_recording_length
from inference_daemon.backends.base import AssessmentRequest, BackendInfo, BatchingBackend
from inference_daemon.errors import AssessmentError
from inference_daemon.feedback import FeedbackDocument

if TYPE_CHECKING:
    from inference_daemon.backends.alm.generation import AudioTextModel, Generation
    from inference_daemon.backends.alm.structured import JsonConstraint

log = logging.getLogger(__name__)

FAMILIES = ("speech-llm", "qwen2-audio")


@dataclass(frozen=True)
class AlmOptions(ModelSpec):
    """The backend's command-line options: where the model comes from, and how to run it."""

    device: str = "auto"
    dtype: str = "auto"
    max_new_tokens: int = 512
    answer_format: AnswerFormat | None = None
    batch_size: int = 8
    temperature: float = 0.0
    prompt_style: str = PromptStyle.project.value


class AlmBackend(BatchingBackend):
    """Pronunciation feedback from an audio-language model on GPU (or CPU for tiny models)."""

    name = "alm"

    def __init__(self, options: AlmOptions) -> None:
        if options.model is None and not (options.encoder and options.llm):
            raise ValueError("the alm backend needs --model DIR_OR_ID, or --encoder ID and --llm ID")
        if options.batch_size < 1 or options.max_new_tokens < 1:
            raise ValueError("--batch-size and --max-new-tokens must be at least 1")
        if options.temperature < 0:
            raise ValueError("--temperature cannot be negative")
        if options.prompt_style != PromptStyle.project.value and options.answer_format is AnswerFormat.json:
            raise ValueError("the paper's prompts ask for the text answer format: use --answer-format text")
        self.options = options
        self.max_batch_size = options.batch_size  # type: ignore[misc]  # instance override of the class default
        self.model_label = options.label
        self._model: AudioTextModel | None = None
        self._constraint: JsonConstraint | None = None
        self._answer_format = options.answer_format or AnswerFormat.json
        self._prompt_style = PromptStyle.project
        self._device = "cpu"
        self._dtype = ""
        self._load_seconds = 0.0
        self._lock = threading.Lock()
        self.words_dropped = 0
        self.invalid_answers = 0
        self.generated_tokens = 0
        self.raw_answers: dict[str, str] | None = None
        """When a dict (the evaluation runner sets one), each text-format raw answer by request id."""

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("alm backend")
        group.add_argument("--model", help="model directory or hub id (a speech LLM directory or Qwen2-Audio)")
        group.add_argument("--encoder", help="speech LLM from parts: Whisper checkpoint (directory or hub id)")
        group.add_argument("--llm", help="speech LLM from parts: causal LM (directory or hub id)")
        group.add_argument("--projector", type=Path, help="speech LLM from parts: projector .safetensors")
        group.add_argument("--adapter", type=Path, help="LoRA adapter directory (peft) of the language model")
        group.add_argument("--family", default="auto", choices=["auto", *FAMILIES],
                           help="model family (default: recognised from the model)")
        group.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
        group.add_argument("--dtype", default="auto", choices=["auto", "bfloat16", "float16", "float32"],
                           help="auto: bfloat16 (float16 on older GPUs) on GPU, float32 on CPU")
        group.add_argument("--max-new-tokens", type=int, default=512, help="answer length limit (default: 512)")
        group.add_argument("--answer-format", choices=[f.value for f in AnswerFormat], default=None,
                           help="json (schema-constrained where xgrammar is installed) or the paper's text format "
                                "(default: what the model was tuned for, else json)")
        group.add_argument("--batch-size", type=int, default=8, help="requests generated together (default: 8)")
        group.add_argument("--temperature", type=float, default=0.0,
                           help="0 decodes greedily (default); above 0 samples (the paper: 0.01)")
        group.add_argument("--prompt-style", choices=PROMPT_STYLE_CHOICES, default=PromptStyle.project.value,
                           help="the project's prompt (default), or the paper's: 'paper' picks the one of the model's "
                                "family (paper-tuned for a speech LLM, paper-qwen2-audio for Qwen2-Audio); the "
                                "paper's prompts need --answer-format text")

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> AlmBackend:
        try:
            return cls(AlmOptions(
                model=args.model, encoder=args.encoder, llm=args.llm, projector=args.projector, adapter=args.adapter,
                family=args.family, device=args.device, dtype=args.dtype, max_new_tokens=args.max_new_tokens,
                answer_format=AnswerFormat(args.answer_format) if args.answer_format else None,
                batch_size=args.batch_size, temperature=args.temperature, prompt_style=args.prompt_style,
            ))
        except ValueError as exc:
            raise SystemExit(f"error: {exc}") from None

    # -- life cycle -----------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        try:
            from inference_daemon.backends.alm import loading
            from inference_daemon.backends.alm.structured import JsonConstraint, xgrammar_available
        except ImportError as exc:
            raise RuntimeError(
                f"the alm backend needs the 'alm' extra ({exc.name} is missing): bash tools/bootstrap.sh --alm"
            ) from exc
        began = time.perf_counter()
        device = loading.resolve_device(self.options.device)
        dtype = loading.resolve_dtype(self.options.dtype, device)
        spec = self.options
        model = loading.load_model(spec, device, dtype)
        if self.options.answer_format is None:
            self._answer_format = AnswerFormat(loading.tuned_answer_format(spec) or AnswerFormat.json.value)
        self._prompt_style = resolve_prompt_style(self.options.prompt_style, model.family)
        if self._prompt_style is not PromptStyle.project and self._answer_format is not AnswerFormat.text:
            raise RuntimeError("the paper's prompts ask for the text answer format: use --answer-format text")
        if self._prompt_style is PromptStyle.paper_gpt4o:
            raise RuntimeError("the paper-gpt4o prompt sends a second recording: use it with --backend openai")
        if self._answer_format is AnswerFormat.json:
            if xgrammar_available():
                self._constraint = JsonConstraint(model.tokenizer, model.vocab_size)
            else:
                log.warning("xgrammar is not installed: JSON answers are validated but not constrained")
        self._device, self._dtype = str(device), str(dtype).removeprefix("torch.")
        self._load_seconds = time.perf_counter() - began
        self._model = model
        log.info("alm model %s loaded: %s, %.1f M parameters, %s answers", self.model_label, model.family,
                 model.parameter_count() / 1e6, self._answer_format.value)

    def describe(self) -> BackendInfo:
        details: dict[str, Any] = {
            "answer_format": self._answer_format.value,
            "prompt_style": self._prompt_style.value,
            "temperature": self.options.temperature,
            "structured_output": "xgrammar" if self._constraint is not None else None,
            "max_batch_size": self.max_batch_size,
            "max_new_tokens": self.options.max_new_tokens,
            "words_dropped": self.words_dropped,
            "invalid_answers": self.invalid_answers,
            "generated_tokens": self.generated_tokens,
        }
        if self._model is not None:
            from inference_daemon.backends.alm.loading import gpu_memory

            details.update(family=self._model.family, parameters=self._model.parameter_count(), dtype=self._dtype,
                           load_seconds=round(self._load_seconds, 2))
            memory = gpu_memory(self._model.device)
            if memory is not None:
                details["gpu_memory"] = memory
        return BackendInfo(name=self.name, model=self.model_label, version="1", device=self._device, details=details)

    # -- assessing -------------------------------------------------------------------------------
    def assess_batch(self, requests: list[AssessmentRequest]) -> list[FeedbackDocument | Exception]:
        results: list[FeedbackDocument | Exception | None] = [None] * len(requests)
        runnable: list[int] = []
        for position, request in enumerate(requests):
            try:
                check_recording_length(request)
                runnable.append(position)
            except AssessmentError as exc:
                results[position] = exc
        if runnable:
            generations = self._generate_isolating_failures([requests[i] for i in runnable])
            with self._lock:
                self.generated_tokens += sum(g.new_tokens for g in generations if not isinstance(g, Exception))
            for position, generation in zip(runnable, generations, strict=True):
                results[position] = (generation if isinstance(generation, Exception)
                                     else self._document(requests[position], generation))
        return [r for r in results if r is not None]

    def _generate_isolating_failures(self, requests: list[AssessmentRequest]) -> list[Generation | Exception]:
        """One generation per request, or the exception that request alone fails with."""
        try:
            return list(self._generate(requests))
        except Exception as exc:
            if len(requests) == 1:
                log.exception("request %s failed", requests[0].request_id)
                return [exc]
            log.exception("a batch of %d failed; retrying its requests one by one", len(requests))
        return [outcome for request in requests for outcome in self._generate_isolating_failures([request])]

    def _generate(self, requests: list[AssessmentRequest]) -> list[Generation]:
        if self._model is None:
            raise RuntimeError("the alm backend is not loaded")
        prompts = [build_prompt(r.text, self._answer_format, r.native_language, self._prompt_style) for r in requests]
        processor = (self._constraint.logits_processor([r.text for r in requests])
                     if self._constraint is not None else None)
        return self._model.generate([r.audio for r in requests], prompts, self.options.max_new_tokens, processor,
                                    temperature=self.options.temperature)

    def _document(self, request: AssessmentRequest, generation: Generation) -> FeedbackDocument | Exception:
        if self.raw_answers is not None and self._answer_format is AnswerFormat.text:
            with self._lock:
                self.raw_answers[request.request_id] = generation.text
        try:
            built = document_from_output(generation.text, finished=generation.finished,
                                         answer_format=self._answer_format, request=request, backend=self.name,
                                         model=self.model_label)
        except AssessmentError as exc:
            with self._lock:
                self.invalid_answers += 1
            return exc
        with self._lock:
            self.words_dropped += len(built.dropped_words)
        return built.document
