"""The cascade's second stage: a text LLM that reads the alignment and writes the feedback.

Either any server speaking OpenAI's ``POST /v1/chat/completions`` (Ollama, vLLM, llama.cpp server),
asked for the ``alm`` answer schema through ``response_format``, or a local transformers causal LM,
constrained to the same schema with xgrammar where it is installed. Both return the raw answer
text; validating it is the backend's job (:mod:`inference_daemon.backends.alm.prompt`).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from inference_daemon.backends.alm.prompt import AnswerFormat, openai_response_format
from inference_daemon.backends.cascade.asr import torch_device
from inference_daemon.backends.cascade.openai_http import CHAT_COMPLETIONS_PATH, endpoint, post_json
from inference_daemon.errors import InvalidModelOutput

log = logging.getLogger(__name__)

Messages = list[dict[str, str]]


class ChatModel(Protocol):
    """What the backend needs of a text LLM."""

    @property
    def model(self) -> str:
        """The checkpoint or server model name."""

    def load(self) -> None: ...

    def complete(self, messages: Messages, sentence: str, answer_format: AnswerFormat) -> str:
        """The model's answer to ``messages``; in the JSON format, constrained to ``sentence``'s schema."""


class ChatServer:
    """An OpenAI-compatible chat completions endpoint."""

    def __init__(self, url: str, model: str, api_key: str | None = None, timeout_s: float = 60.0,
                 max_tokens: int = 1024) -> None:
        self.url = endpoint(url, CHAT_COMPLETIONS_PATH)
        self.model_name = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens

    @property
    def model(self) -> str:
        return self.model_name

    def load(self) -> None:
        log.info("LLM: %s at %s", self.model_name, self.url)

    def complete(self, messages: Messages, sentence: str, answer_format: AnswerFormat) -> str:
        payload: dict[str, Any] = {
            "model": self.model_name,
            "messages": messages,
            "temperature": 0,
            "max_tokens": self.max_tokens,
        }
        if answer_format is AnswerFormat.json:
            payload["response_format"] = openai_response_format(sentence)
        answer = post_json(self.url, payload, api_key=self.api_key, timeout_s=self.timeout_s)
        try:
            content = answer["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise InvalidModelOutput(f"The LLM server at {self.url} answered without a message.") from exc
        if not isinstance(content, str):
            raise InvalidModelOutput(f"The LLM server at {self.url} answered a message without text.")
        return content


class LocalChatModel:
    """A transformers causal LM (``PATH_OR_ID``) with a chat template, decoding greedily."""

    def __init__(self, model_path: str, device: str = "auto", max_new_tokens: int = 1024) -> None:
        self.model_path = model_path
        self.requested_device = device
        self.max_new_tokens = max_new_tokens
        self._model: Any = None
        self._tokenizer: Any = None
        self._constraint: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        return self.model_path

    def load(self) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from inference_daemon.backends.alm.structured import JsonConstraint, xgrammar_available

        device = torch_device(self.requested_device)
        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
        self._tokenizer = AutoTokenizer.from_pretrained(self.model_path)
        model: Any = AutoModelForCausalLM.from_pretrained(self.model_path, dtype=dtype)
        self._model = model.to(device).eval()
        if xgrammar_available():
            vocab_size = self._model.get_output_embeddings().weight.shape[0]
            self._constraint = JsonConstraint(self._tokenizer, vocab_size)
        else:
            log.warning("xgrammar is not installed: %s answers without a JSON constraint", self.model_path)
        log.info("LLM %s loaded on %s", self.model_path, device)

    def complete(self, messages: Messages, sentence: str, answer_format: AnswerFormat) -> str:
        import torch
        from transformers import LogitsProcessorList

        from inference_daemon.backends.alm.generation import decode_new_tokens, eos_token_ids

        if self._model is None:
            raise RuntimeError("LocalChatModel.complete called before load()")
        inputs = self._chat_inputs(messages).to(self._model.device)
        processors = LogitsProcessorList()
        if answer_format is AnswerFormat.json and self._constraint is not None:
            processors.append(self._constraint.logits_processor([sentence]))
        with self._lock, torch.inference_mode():
            output = self._model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False,
                                          logits_processor=processors)
        new_tokens = output[:, inputs["input_ids"].shape[1]:]
        eos = eos_token_ids(self._model.generation_config.eos_token_id, self._tokenizer)
        generation = decode_new_tokens(new_tokens, eos, self._tokenizer)[0]
        if not generation.finished:
            log.warning("the LLM's answer reached the limit of %d tokens", self.max_new_tokens)
        return generation.text

    def _chat_inputs(self, messages: Messages) -> Any:
        """Tokenised chat; templates without a system role (Mistral's) get it folded into the first turn."""
        from jinja2 import TemplateError

        try:
            return self._tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                       return_dict=True)
        except TemplateError:
            system, first, *rest = messages
            folded = [{"role": "user", "content": f"{system['content']}\n\n{first['content']}"}, *rest]
            return self._tokenizer.apply_chat_template(folded, add_generation_prompt=True, return_tensors="pt",
                                                       return_dict=True)
