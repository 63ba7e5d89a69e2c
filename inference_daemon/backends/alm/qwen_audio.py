"""Audio-text models from transformers (Qwen2-Audio-7B-Instruct and compatible), optionally with LoRA.

The processor's chat template places the recording; the processor expands it into audio tokens
that the model fills with its audio encoder's output. Generation is batched with left padding
(right padding silently gives wrong answers), set at load time because ``padding_side`` is not
always saved with the tokenizer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from peft import PeftModel
from transformers import AutoConfig, AutoModelForMultimodalLM, AutoProcessor, LogitsProcessor, LogitsProcessorList

from inference_daemon.audio import SAMPLE_RATE
from inference_daemon.backends.alm.generation import (
    IGNORE_INDEX,
    Generation,
    decode_new_tokens,
    eos_token_ids,
    sampling_arguments,
)
from inference_daemon.backends.alm.prompt import Prompt

log = logging.getLogger(__name__)

# model_type values of the transformers audio-text models this family has been checked with
SUPPORTED_MODEL_TYPES = ("qwen2_audio",)


def is_audio_text_model(name_or_path: str) -> bool:
    """Whether a local directory or hub id holds a supported transformers audio-text model."""
    try:
        return AutoConfig.from_pretrained(name_or_path).model_type in SUPPORTED_MODEL_TYPES
    except (OSError, ValueError):
        return False


class AudioTextTransformer:
    """A transformers audio-text model behind :class:`~inference_daemon.backends.alm.generation.AudioTextModel`."""

    family = "qwen2-audio"

    def __init__(self, model: Any, processor: Any) -> None:
        self.model = model
        self.processor = processor
        self.tokenizer = processor.tokenizer
        self.tokenizer.padding_side = "left"

    @classmethod
    def load(cls, name_or_path: str, *, dtype: torch.dtype = torch.float32,
             adapter: Path | None = None) -> AudioTextTransformer:
        log.info("loading %s", name_or_path)
        processor = AutoProcessor.from_pretrained(name_or_path)
        model = AutoModelForMultimodalLM.from_pretrained(name_or_path, dtype=dtype)
        if adapter is not None:
            log.info("loading adapter %s", adapter)
            model = PeftModel.from_pretrained(model, str(adapter))
        return cls(model.eval(), processor)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def vocab_size(self) -> int:
        return int(self.model.get_output_embeddings().weight.shape[0])

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    def _chat_text(self, prompt: Prompt, answer: str | None = None) -> str:
        messages = prompt.chat_messages({"type": "audio", "audio_url": "recording.wav"})
        text = self.processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return str(text) if answer is None else f"{text}{answer}{self.tokenizer.eos_token}"

    def _inputs(self, audios: Sequence[np.ndarray], texts: list[str]) -> Any:
        inputs = self.processor(text=texts, audio=list(audios), sampling_rate=SAMPLE_RATE, return_tensors="pt",
                                padding=True)
        return inputs.to(self.device)

    def generate(self, audios: Sequence[np.ndarray], prompts: Sequence[Prompt], max_new_tokens: int,
                 logits_processor: LogitsProcessor | None = None, temperature: float = 0.0) -> list[Generation]:
        inputs = self._inputs(audios, [self._chat_text(p) for p in prompts])
        inputs["input_features"] = inputs["input_features"].to(self.model.dtype)
        eos = eos_token_ids(self.model.generation_config.eos_token_id, self.tokenizer)
        with torch.no_grad():
            sequences = self.model.generate(
                **inputs, max_new_tokens=max_new_tokens, **sampling_arguments(temperature), eos_token_id=sorted(eos),
                pad_token_id=self.tokenizer.pad_token_id,
                logits_processor=LogitsProcessorList([logits_processor] if logits_processor else []),
            )
        return decode_new_tokens(sequences[:, inputs["input_ids"].shape[1]:], eos, self.tokenizer)

    def training_batch(self, audios: Sequence[np.ndarray], prompts: Sequence[Prompt],
                       answers: Sequence[str]) -> dict[str, Any]:
        """``self.model(**batch).loss`` is the loss of the answers; prompt, audio tokens and padding are masked."""
        self.tokenizer.padding_side = "right"
        try:
            inputs = self._inputs(audios, [self._chat_text(p, a) for p, a in zip(prompts, answers, strict=True)])
            prompt_only = self._inputs(audios, [self._chat_text(p) for p in prompts])
        finally:
            self.tokenizer.padding_side = "left"
        prompt_lengths = prompt_only["attention_mask"].sum(dim=1).tolist()
        labels = inputs["input_ids"].clone()
        labels[inputs["attention_mask"] == 0] = IGNORE_INDEX
        for row, length in enumerate(prompt_lengths):
            labels[row, :length] = IGNORE_INDEX
        inputs["input_features"] = inputs["input_features"].to(self.model.dtype)
        return {**inputs, "labels": labels}
