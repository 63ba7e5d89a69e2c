"""LoRA tuning of a transformers audio-text model (Qwen2-Audio-7B-Instruct and compatible) on the feedback task.

Only the language model gets the adapter (the audio tower has layers of the same names, hence the
pattern); the audio tower and its projector stay frozen. The output is a peft adapter folder:
``serve --backend alm --model BASE --adapter OUT``, or merged with ``tools/merge_adapter.py`` for vLLM,
which has no LoRA for Qwen2-Audio.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from torch import nn

from inference_daemon.backends.alm.prompt import Prompt
from inference_daemon.backends.alm.qwen_audio import AudioTextTransformer
from inference_daemon.training.examples import TrainingExample
from inference_daemon.training.loop import TrainingReport, TuningItem, make_accelerator, train
from inference_daemon.training.settings import TrainingSettings

log = logging.getLogger(__name__)

#: every linear layer of the language model (not the audio tower, not lm_head)
LANGUAGE_MODEL_LINEARS = r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)"


class AudioTextAnswerLoss(nn.Module):
    """The loss of the answers for a batch, computed in ``forward`` so data-parallel wrappers see it."""

    def __init__(self, model: AudioTextTransformer) -> None:
        super().__init__()
        self.network = model.model
        self.family_model = model

    def forward(self, audios: Sequence, prompts: Sequence[Prompt], answers: Sequence[str]) -> torch.Tensor:
        batch = self.family_model.training_batch(audios, prompts, answers)
        loss: torch.Tensor = self.network(**batch).loss
        return loss


def tune_audio_text_lora(model: AudioTextTransformer, examples: Sequence[TrainingExample],
                         settings: TrainingSettings, out_dir: Path) -> TrainingReport:
    """Add a LoRA adapter to the language model, tune it on ``examples`` and save it to ``out_dir``."""
    if isinstance(model.model, PeftModel):
        raise ValueError("the model already carries an adapter: merge it first (tools/merge_adapter.py)")
    accelerator = make_accelerator(settings)
    model.model.requires_grad_(False)
    lora = settings.lora
    config = LoraConfig(r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout,
                        target_modules=LANGUAGE_MODEL_LINEARS, modules_to_save=lora.modules_to_save or None)
    model.model = get_peft_model(model.model, config)
    items = [TuningItem(e.audio_path, e.prompt, e.answer) for e in examples]
    report = train(AudioTextAnswerLoss(model), items, settings, accelerator)
    if accelerator.is_main_process:
        model.model.save_pretrained(str(out_dir))
        log.info("saved the adapter to %s", out_dir)
    return report
