"""What every ``alm`` model family offers the backend: batched generation from recordings and prompts.

The backend, the benchmarks and the tuning tools talk to a family through :class:`AudioTextModel`
only, so that the speech LLM and the transformers audio-text models are interchangeable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch
from transformers import LogitsProcessor, PreTrainedTokenizerBase

from inference_daemon.backends.alm.prompt import Prompt

IGNORE_INDEX = -100  # label of the tokens that the training loss skips (prompt, audio, padding)


@dataclass(frozen=True)
class Generation:
    """One decoded answer; ``finished`` is False when it hit the token limit before end-of-sequence."""

    text: str
    finished: bool
    new_tokens: int


class AudioTextModel(Protocol):
    """A loaded model of one family, ready to answer prompts about 16 kHz mono recordings."""

    family: str
    tokenizer: PreTrainedTokenizerBase

    @property
    def vocab_size(self) -> int:
        """Rows of the output layer (may exceed the tokenizer's size)."""

    @property
    def device(self) -> torch.device: ...

    def parameter_count(self) -> int: ...

    def generate(self, audios: Sequence[np.ndarray], prompts: Sequence[Prompt], max_new_tokens: int,
                 logits_processor: LogitsProcessor | None = None, temperature: float = 0.0) -> list[Generation]:
        """Answers for a batch, left-padded; row ``i`` answers ``prompts[i]`` about ``audios[i]``.

        ``temperature`` 0 decodes greedily; above 0 it samples (the paper sampled at 0.01).
        """

    def training_batch(self, audios: Sequence[np.ndarray], prompts: Sequence[Prompt],
                       answers: Sequence[str]) -> dict[str, Any]:
        """Inputs of one right-padded training step whose loss covers only the answers (and their end)."""


def eos_token_ids(generation_eos: int | list[int] | None, tokenizer: PreTrainedTokenizerBase) -> set[int]:
    """Every id that ends an answer: the generation config's and the tokenizer's."""
    ids = set(generation_eos if isinstance(generation_eos, list) else [generation_eos] if generation_eos is not None
              else [])
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    return ids


def decode_new_tokens(new_tokens: torch.Tensor, eos_ids: set[int],
                      tokenizer: PreTrainedTokenizerBase) -> list[Generation]:
    """Cut each row of generated ids at its first end-of-sequence token and decode it."""
    generations = []
    for row in new_tokens.tolist():
        end = next((position for position, token in enumerate(row) if token in eos_ids), None)
        kept = row if end is None else row[:end]
        generations.append(Generation(text=str(tokenizer.decode(kept, skip_special_tokens=True)).strip(),
                                      finished=end is not None, new_tokens=len(kept)))
    return generations


def sampling_arguments(temperature: float) -> dict[str, Any]:
    """``generate`` keywords: greedy at temperature 0, else sampling at that temperature.

    Other sampling settings (top-p, top-k) stay the model's generation config's, as in the paper's runs.
    """
    if temperature < 0:
        raise ValueError("the temperature cannot be negative")
    return {"do_sample": False} if temperature == 0 else {"do_sample": True, "temperature": temperature}
