"""Rewrite the knowledge base's issue and suggestion with an LLM behind any OpenAI-compatible endpoint.

The paper's dataset has issues and suggestions written by an LLM; this reproduces that step with
whatever server the user runs (vLLM, llama.cpp, Ollama, a hosted API). Each answer is cached on
disk (one JSON line per prompt, keyed by model and prompt), so an interrupted build resumes and a
rebuild costs nothing. Whenever the server fails or answers something unusable, the deterministic
text is kept and the failure is not cached, so a later run asks again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any

from inference_daemon.backends.cascade.openai_http import CHAT_COMPLETIONS_PATH, endpoint, post_json
from inference_daemon.datasets.records import AnnotatedWord
from inference_daemon.errors import AssessmentError

log = logging.getLogger(__name__)

_SYSTEM = (
    "You are an experienced English pronunciation teacher. You rewrite feedback on one mispronounced "
    "word so that a learner understands what went wrong and what to do. Keep every phonetic fact; "
    "do not invent errors. Answer with a JSON object with the keys \"issue\" and \"suggestion\", "
    "each one or two short sentences."
)
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)
MAX_FIELD_CHARS = 400


def rewrite_prompt(word: AnnotatedWord, native_language: str | None, draft: dict[str, str]) -> str:
    """The user message for one word: the annotated errors and the text to rewrite."""
    errors = "; ".join(
        f"{e.type.value} of {e.expected or '-'} by {e.heard or '-'} at phone {e.position}" for e in word.errors()
    )
    lines = [
        f"Word: {word.text}",
        f"Expected phones (ARPAbet): {' '.join(word.canonical_phones)}",
        f"Heard phones (ARPAbet, 'err' = unclear): {' '.join(word.perceived_phones)}",
        f"Errors: {errors}",
    ]
    if native_language:
        lines.append(f"Learner's first language (ISO 639-1): {native_language}")
    lines += [f"Issue to rewrite: {draft['issue']}", f"Suggestion to rewrite: {draft['suggestion']}"]
    return "\n".join(lines)


def parse_rewrite(content: str) -> dict[str, str] | None:
    """``{"issue", "suggestion"}`` from the model's reply, or None when the reply has no usable pair."""
    match = _JSON_OBJECT.search(content)
    if match is None:
        return None
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    fields = {key: " ".join(str(data.get(key, "")).split()) for key in ("issue", "suggestion")}
    if not all(fields.values()) or any(len(value) > MAX_FIELD_CHARS for value in fields.values()):
        return None
    return fields


class LLMRewriter:
    """Rewrites feedback through ``POST /chat/completions``, with an on-disk cache and a fallback."""

    def __init__(self, url: str, model: str, cache_path: Path, *, api_key: str | None = None,
                 timeout_s: float = 60.0, temperature: float = 0.0) -> None:
        self.url = endpoint(url, CHAT_COMPLETIONS_PATH)
        self.model = model
        self.cache_path = cache_path
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.temperature = temperature
        self.requests = 0
        self.fallbacks = 0
        self._cache = self._read_cache()

    def _read_cache(self) -> dict[str, dict[str, str]]:
        cache: dict[str, dict[str, str]] = {}
        if self.cache_path.exists():
            for line in self.cache_path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    entry = json.loads(line)
                    cache[entry["key"]] = entry["feedback"]
        return cache

    def _key(self, prompt: str) -> str:
        return hashlib.sha256(json.dumps([self.model, _SYSTEM, prompt]).encode()).hexdigest()

    def rewrite(self, word: AnnotatedWord, native_language: str | None, draft: dict[str, str]) -> dict[str, str]:
        prompt = rewrite_prompt(word, native_language, draft)
        key = self._key(prompt)
        if key in self._cache:
            return dict(self._cache[key])
        rewritten = self._ask(prompt)
        if rewritten is None:
            self.fallbacks += 1
            return draft
        self._cache[key] = rewritten
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        with self.cache_path.open("a", encoding="utf-8") as cache:
            cache.write(json.dumps({"key": key, "feedback": rewritten}, ensure_ascii=False) + "\n")
        return dict(rewritten)

    def _ask(self, prompt: str) -> dict[str, str] | None:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": prompt}],
            "temperature": self.temperature,
            "response_format": {"type": "json_object"},
        }
        self.requests += 1
        try:
            reply = post_json(self.url, body, api_key=self.api_key, timeout_s=self.timeout_s)
            content = reply["choices"][0]["message"]["content"]
        except (AssessmentError, OSError, KeyError, IndexError, TypeError) as exc:
            log.warning("LLM rewrite failed (%s); keeping the knowledge base's text", exc)
            return None
        parsed = parse_rewrite(str(content))
        if parsed is None:
            log.warning("LLM answer has no usable issue and suggestion; keeping the knowledge base's text: %.200r",
                        content)
        return parsed
