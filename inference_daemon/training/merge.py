"""Fold a LoRA adapter into the weights, for servers without LoRA support (vLLM with Qwen2-Audio) or one plain folder.

A speech LLM directory with an adapter becomes the same directory shape without one; a
transformers audio-text model with an adapter becomes a plain checkpoint with its processor.
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from peft import PeftModel

from inference_daemon.backends.alm.qwen_audio import AudioTextTransformer
from inference_daemon.backends.alm.speech_llm import SpeechLLM, is_speech_llm_directory

log = logging.getLogger(__name__)


def merge_speech_llm(model_dir: Path, out_dir: Path, adapter: Path | None = None,
                     dtype: torch.dtype = torch.float32) -> Path:
    model = SpeechLLM.load(model_dir, dtype=dtype, adapter=adapter)
    if not isinstance(model.llm, PeftModel):
        raise ValueError(f"{model_dir} has no adapter to merge")
    model.llm = model.llm.merge_and_unload()
    model.config.adapter = None
    model.save(out_dir)
    return out_dir


def merge_audio_text(model: str, adapter: Path, out_dir: Path, dtype: torch.dtype = torch.float32) -> Path:
    loaded = AudioTextTransformer.load(model, dtype=dtype, adapter=adapter)
    merged = loaded.model.merge_and_unload()
    merged.save_pretrained(str(out_dir))
    loaded.processor.save_pretrained(str(out_dir))
    return out_dir


def merge_adapter(model: str, out_dir: Path, adapter: Path | None = None, dtype: torch.dtype = torch.float32) -> Path:
    """Merge ``adapter`` (or a speech LLM directory's own) into ``model`` and save the result to ``out_dir``."""
    if is_speech_llm_directory(Path(model)):
        return merge_speech_llm(Path(model), out_dir, adapter, dtype)
    if adapter is None:
        raise ValueError("an audio-text model needs --adapter to merge")
    return merge_audio_text(model, adapter, out_dir, dtype)
