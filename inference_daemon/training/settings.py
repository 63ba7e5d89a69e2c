"""The tuning settings, with the paper's values as defaults, shared by both stages and both model families.

Stage 1 (projector only, speech-transcript pairs): 1 epoch, learning rate 1e-3. Stage 2 (LoRA
instruction tuning): r 4, alpha 16, dropout 0.05 on every linear layer of the language model
except ``lm_head``, learning rate 9e-4, 5 epochs, batch 128 (reached by gradient accumulation
over devices and steps), cosine schedule with 3 % warm-up, bf16 where the GPU supports it.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from pathlib import Path

from inference_daemon.backends.alm.prompt import AnswerFormat

STAGE1_LEARNING_RATE = 1e-3
STAGE1_EPOCHS = 1
STAGE2_LEARNING_RATE = 9e-4
STAGE2_EPOCHS = 5


@dataclass
class LoraSettings:
    r: int = 4
    alpha: int = 16
    dropout: float = 0.05
    modules_to_save: list[str] = field(default_factory=list)
    """Modules trained in full besides the adapter (none in the paper; e.g. ``lm_head`` for tiny models)."""


@dataclass
class TrainingSettings:
    learning_rate: float = STAGE2_LEARNING_RATE
    epochs: int = STAGE2_EPOCHS
    batch_size: int = 128
    """Examples per optimiser step, over all devices (per-device batch x devices x accumulation)."""
    per_device_batch_size: int = 4
    warmup_ratio: float = 0.03
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    precision: str = "auto"
    """``auto`` (bf16 on a GPU that supports it, else full precision), ``bf16``, ``fp16`` or ``no``."""
    max_steps: int | None = None
    """Stop after this many optimiser steps (overrides ``epochs`` when set)."""
    seed: int = 0
    dataloader_workers: int = 2
    deepspeed_config: Path | None = None
    lora: LoraSettings = field(default_factory=LoraSettings)

    def accumulation_steps(self, processes: int) -> int:
        """Gradient accumulation steps that make ``batch_size`` with this many processes."""
        return max(1, math.ceil(self.batch_size / (self.per_device_batch_size * processes)))


def add_training_arguments(parser: argparse.ArgumentParser, *, learning_rate: float, epochs: int,
                           lora: bool) -> None:
    """The options of :class:`TrainingSettings` (``lora``: also the adapter's)."""
    group = parser.add_argument_group("training")
    group.add_argument("--learning-rate", type=float, default=learning_rate, help=f"peak learning rate "
                       f"(default {learning_rate:g})")
    group.add_argument("--epochs", type=int, default=epochs, help=f"passes over the data (default {epochs})")
    group.add_argument("--batch-size", type=int, default=128, help="examples per optimiser step over all devices, "
                       "reached by gradient accumulation (default 128)")
    group.add_argument("--per-device-batch-size", type=int, default=4, help="examples per forward pass (default 4)")
    group.add_argument("--warmup-ratio", type=float, default=0.03, help="share of steps warming up (default 0.03)")
    group.add_argument("--weight-decay", type=float, default=0.0, help="AdamW weight decay (default 0)")
    group.add_argument("--max-grad-norm", type=float, default=1.0, help="gradient clipping (default 1.0)")
    group.add_argument("--precision", choices=("auto", "bf16", "fp16", "no"), default="auto",
                       help="mixed precision; auto: bf16 on a GPU that supports it, else none")
    group.add_argument("--max-steps", type=int, help="stop after this many optimiser steps")
    group.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    group.add_argument("--dataloader-workers", type=int, default=2, help="processes loading audio (default 2)")
    group.add_argument("--deepspeed", type=Path, dest="deepspeed_config",
                       help="DeepSpeed config, e.g. tools/configs/zero2.json (with accelerate launch)")
    if lora:
        adapter = parser.add_argument_group("LoRA adapter")
        adapter.add_argument("--lora-r", type=int, default=4, help="rank (default 4)")
        adapter.add_argument("--lora-alpha", type=int, default=16, help="alpha (default 16)")
        adapter.add_argument("--lora-dropout", type=float, default=0.05, help="dropout (default 0.05)")
        adapter.add_argument("--lora-modules-to-save", default="",
                             help="comma-separated modules trained in full as well (default none)")


def settings_from_arguments(args: argparse.Namespace) -> TrainingSettings:
    lora = LoraSettings(
        r=getattr(args, "lora_r", 4), alpha=getattr(args, "lora_alpha", 16),
        dropout=getattr(args, "lora_dropout", 0.05),
        modules_to_save=[m.strip() for m in getattr(args, "lora_modules_to_save", "").split(",") if m.strip()],
    )
    return TrainingSettings(
        learning_rate=args.learning_rate, epochs=args.epochs, batch_size=args.batch_size,
        per_device_batch_size=args.per_device_batch_size, warmup_ratio=args.warmup_ratio,
        weight_decay=args.weight_decay, max_grad_norm=args.max_grad_norm, precision=args.precision,
        max_steps=args.max_steps, seed=args.seed, dataloader_workers=args.dataloader_workers,
        deepspeed_config=args.deepspeed_config, lora=lora,
    )


def answer_formats_argument(value: str) -> tuple[AnswerFormat, ...]:
    """The ``--formats`` option of the dataset and training tools: a comma-separated list (json,text)."""
    try:
        return tuple(AnswerFormat(s.strip()) for s in value.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"formats are a comma-separated list of json,text, not {value!r}") from None
