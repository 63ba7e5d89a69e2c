"""The one training loop of both stages and both families: accelerate, accumulation, cosine schedule.

It runs unchanged on CPU, on one GPU and on several GPUs or nodes under ``accelerate launch``
(with DeepSpeed ZeRO-2 when a config is given). The module it trains computes the loss of a batch
of (recording, prompt, answer) in its ``forward``, so data-parallel wrappers see every step.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from accelerate import Accelerator, PartialState
from accelerate.utils import DeepSpeedPlugin, set_seed
from torch import nn
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm
from transformers import get_cosine_schedule_with_warmup

from inference_daemon.backends.alm.prompt import Prompt
from inference_daemon.training.audio_pairs import load_recording
from inference_daemon.training.settings import TrainingSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TuningItem:
    """One example: a recording, the prompt about it and the answer to learn."""

    audio_path: str
    prompt: Prompt
    answer: str


@dataclass
class TrainingReport:
    losses: list[float] = field(default_factory=list)
    """Mean loss of each optimiser step, in order."""
    steps: int = 0
    processes: int = 1
    accumulation_steps: int = 1


class _Items(Dataset[TuningItem]):
    def __init__(self, items: Sequence[TuningItem]) -> None:
        self.items = list(items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> TuningItem:
        return self.items[index]


def collate(items: list[TuningItem]) -> tuple[list[np.ndarray], list[Prompt], list[str]]:
    """Load the recordings of a batch; prompts and answers stay as they are."""
    audios = []
    for item in items:
        try:
            audios.append(load_recording(item.audio_path))
        except Exception as exc:
            raise RuntimeError(f"cannot use {item.audio_path} for training: {exc}") from exc
    return audios, [item.prompt for item in items], [item.answer for item in items]


def resolve_precision(precision: str) -> str:
    """``auto``: bf16 on a GPU that supports it, otherwise full precision."""
    if precision != "auto":
        return precision
    return "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "no"


def make_accelerator(settings: TrainingSettings) -> Accelerator:
    """An accelerator for this process (one of ``accelerate launch``'s, or the only one)."""
    accumulation = settings.accumulation_steps(PartialState().num_processes)
    plugin = None
    if settings.deepspeed_config is not None:
        plugin = DeepSpeedPlugin(hf_ds_config=str(settings.deepspeed_config), gradient_accumulation_steps=accumulation,
                                 gradient_clipping=settings.max_grad_norm)
    return Accelerator(mixed_precision=resolve_precision(settings.precision), deepspeed_plugin=plugin,
                       gradient_accumulation_steps=accumulation)


def train(module: nn.Module, items: Sequence[TuningItem], settings: TrainingSettings,
          accelerator: Accelerator | None = None) -> TrainingReport:
    """Minimise ``module(audios, prompts, answers)`` (the answers' loss) over ``items``.

    Only parameters with ``requires_grad`` are optimised (AdamW). Returns the loss of every step.
    """
    if not items:
        raise ValueError("no training examples")
    set_seed(settings.seed)
    accelerator = accelerator or make_accelerator(settings)
    accumulation = accelerator.gradient_accumulation_steps
    parameters = [p for p in module.parameters() if p.requires_grad]
    if not parameters:
        raise ValueError("the module has nothing to train")
    optimizer = torch.optim.AdamW(parameters, lr=settings.learning_rate, weight_decay=settings.weight_decay)
    loader = DataLoader(_Items(items), batch_size=settings.per_device_batch_size, shuffle=True, collate_fn=collate,
                        num_workers=settings.dataloader_workers, generator=torch.Generator().manual_seed(settings.seed))
    module, optimizer, loader = accelerator.prepare(module, optimizer, loader)
    steps_per_epoch = math.ceil(len(loader) / accumulation)
    total_steps = settings.max_steps or steps_per_epoch * settings.epochs
    epochs = math.ceil(total_steps / steps_per_epoch)
    scheduler = get_cosine_schedule_with_warmup(optimizer, math.ceil(settings.warmup_ratio * total_steps),
                                                total_steps)
    report = TrainingReport(processes=accelerator.num_processes, accumulation_steps=accumulation)
    log.info("%d examples, %d processes x %d per device x %d accumulation = %d per step; %d steps", len(items),
             accelerator.num_processes, settings.per_device_batch_size, accumulation,
             accelerator.num_processes * settings.per_device_batch_size * accumulation, total_steps)
    module.train()
    progress = tqdm(total=total_steps, desc="training", unit="step", disable=not accelerator.is_local_main_process)
    step_losses: list[float] = []
    for _ in range(epochs):
        for audios, prompts, answers in loader:
            with accelerator.accumulate(module):
                loss = module(audios, prompts, answers)
                accelerator.backward(loss)
                step_losses.append(float(loss.detach()))
                if accelerator.sync_gradients and settings.max_grad_norm > 0:
                    accelerator.clip_grad_norm_(parameters, settings.max_grad_norm)
                optimizer.step()
                optimizer.zero_grad()
            if accelerator.sync_gradients:
                scheduler.step()
                report.steps += 1
                report.losses.append(sum(step_losses) / len(step_losses))
                step_losses.clear()
                progress.update(1)
                progress.set_postfix(loss=f"{report.losses[-1]:.4f}")
                if report.steps >= total_steps:
                    break
        if report.steps >= total_steps:
            break
    progress.close()
    module.eval()
    accelerator.wait_for_everyone()
    return report
