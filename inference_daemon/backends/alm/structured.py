"""JSON-Schema-constrained decoding with xgrammar, where it is installed.

Grammars are compiled once per sentence (the schema names the sentence's words) and cached; every
``generate`` call gets a fresh logits processor, because a processor holds the matching state of
the rows it decoded. No free whitespace: the output is byte-identical to
:func:`~inference_daemon.backends.alm.answers.render_json_answer`, which tuning uses as targets.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from collections.abc import Sequence
from typing import Any

from transformers import LogitsProcessor, PreTrainedTokenizerBase

from inference_daemon.backends.alm.prompt import response_schema


def xgrammar_available() -> bool:
    return importlib.util.find_spec("xgrammar") is not None


class JsonConstraint:
    """Builds logits processors that keep each row of a batch inside its sentence's answer schema."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, vocab_size: int, cache_size: int = 256) -> None:
        import xgrammar

        self._xgrammar = xgrammar
        info = xgrammar.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size)
        self._compiler = xgrammar.GrammarCompiler(info)
        self._compile = functools.lru_cache(maxsize=cache_size)(self._compile_sentence)

    def _compile_sentence(self, sentence: str) -> Any:
        schema = json.dumps(response_schema(sentence))
        return self._compiler.compile_json_schema(schema, any_whitespace=False)

    def logits_processor(self, sentences: Sequence[str]) -> LogitsProcessor:
        """A fresh processor for one ``generate`` call; row ``i`` answers about ``sentences[i]``."""
        processor: LogitsProcessor = self._xgrammar.contrib.hf.LogitsProcessor(
            [self._compile(sentence) for sentence in sentences]
        )
        return processor
