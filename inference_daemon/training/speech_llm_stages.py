"""The paper's two training stages of the speech LLM: the projector on transcripts, then LoRA on the feedback task.

Stage 1 freezes the Whisper encoder and the language model and trains only the projector to
turn pooled speech states into embeddings from which the LM reproduces the transcript. Stage 2
adds a LoRA adapter to every linear layer of the LM except ``lm_head`` and tunes it (and, by
default, the projector) on the instruction examples. Outputs are model directories that
``serve --backend alm --model DIR`` loads as they are.
"""

from __future__ import annotations

import logging
import random
import shutil
from collections.abc import Sequence
from pathlib import Path

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from torch import nn

from inference_daemon.backends.alm.prompt import SYSTEM_PROMPT, AnswerFormat, Prompt
from inference_daemon.backends.alm.speech_llm import SpeechLLM
from inference_daemon.training.audio_pairs import SpeechTranscriptPair
from inference_daemon.training.examples import TrainingExample
from inference_daemon.training.loop import TrainingReport, TuningItem, make_accelerator, resolve_precision, train
from inference_daemon.training.settings import LoraSettings, TrainingSettings

log = logging.getLogger(__name__)

TRANSCRIPTION_INSTRUCTION = "Write down exactly what the speaker says."
LOAD_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "no": torch.float32}


def transcription_prompt() -> Prompt:
    """Stage 1's prompt: the same system message and recording placement, asking for the transcript."""
    return Prompt(system=SYSTEM_PROMPT, instruction=TRANSCRIPTION_INSTRUCTION, answer_format=AnswerFormat.text)


def load_dtype(settings: TrainingSettings) -> torch.dtype:
    """The frozen weights' dtype: that of the mixed precision (trainable weights stay float32)."""
    return LOAD_DTYPES[resolve_precision(settings.precision)]


class SpeechLLMAnswerLoss(nn.Module):
    """The loss of the answers for a batch, computed in ``forward`` so data-parallel wrappers see it."""

    def __init__(self, model: SpeechLLM) -> None:
        super().__init__()
        self.model = model

    def forward(self, audios: Sequence, prompts: Sequence[Prompt], answers: Sequence[str]) -> torch.Tensor:
        batch = self.model.training_batch(audios, prompts, answers)
        loss: torch.Tensor = self.model.llm(**batch).loss
        return loss


def paper_transcription_prompts(count: int, seed: int) -> list[Prompt]:
    """The paper's stage-1 prompts: one of its 16 phrasings per example, drawn once at random (seeded)."""
    from inference_daemon.backends.alm.paper_prompts import STAGE1_PHRASES, stage1_prompt

    draw = random.Random(seed)
    return [stage1_prompt(draw.choice(STAGE1_PHRASES)) for _ in range(count)]


def train_projector(model: SpeechLLM, pairs: Sequence[SpeechTranscriptPair], settings: TrainingSettings,
                    out_dir: Path, instructions: str = "project") -> TrainingReport:
    """Stage 1: train the projector alone on speech-transcript pairs and save the whole model to ``out_dir``.

    ``instructions``: ``project`` asks every pair with :func:`transcription_prompt`; ``paper`` with the
    paper's phrasings (:func:`paper_transcription_prompts`).
    """
    if isinstance(model.llm, PeftModel):
        raise ValueError("stage 1 trains the projector of a model without adapter; this one carries one")
    accelerator = make_accelerator(settings)
    model.requires_grad_(False)
    model.projector.float().requires_grad_(True)
    prompts = (paper_transcription_prompts(len(pairs), settings.seed) if instructions == "paper"
               else [transcription_prompt()] * len(pairs))
    items = [TuningItem(pair.audio_path, prompt, pair.transcript) for pair, prompt in zip(pairs, prompts, strict=True)]
    report = train(SpeechLLMAnswerLoss(model), items, settings, accelerator)
    if accelerator.is_main_process:
        model.save(out_dir)
        log.info("saved the model with its trained projector to %s", out_dir)
    return report


def add_lora(model: SpeechLLM, lora: LoraSettings) -> None:
    """Wrap the LM in a LoRA adapter on every linear layer except ``lm_head``."""
    config = LoraConfig(r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout, target_modules="all-linear",
                        modules_to_save=lora.modules_to_save or None, task_type="CAUSAL_LM")
    model.llm = get_peft_model(model.llm, config)


def _copy_model_directory(source: Path, destination: Path) -> None:
    if destination.resolve() == source.resolve():
        return
    shutil.copytree(source, destination, dirs_exist_ok=True, ignore=shutil.ignore_patterns("adapter"))


def tune_lora(model: SpeechLLM, model_dir: Path, examples: Sequence[TrainingExample], settings: TrainingSettings,
              out_dir: Path, train_projector_too: bool = True) -> TrainingReport:
    """Stage 2: LoRA instruction tuning; ``out_dir`` gets the model with its adapter (and projector).

    ``model`` was loaded from ``model_dir`` (the stage 1 output); its files are copied to ``out_dir``
    unless that is the same folder. The first answer format of the examples becomes the model's own.
    """
    if isinstance(model.llm, PeftModel):
        raise ValueError(f"{model_dir} already carries an adapter: merge it first (tools/merge_adapter.py) or "
                         "start from the stage 1 model")
    accelerator = make_accelerator(settings)
    model.requires_grad_(False)
    add_lora(model, settings.lora)
    if train_projector_too:
        model.projector.float().requires_grad_(True)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log.info("training %d of %d parameters", trainable, model.parameter_count())
    items = [TuningItem(e.audio_path, e.prompt, e.answer) for e in examples]
    report = train(SpeechLLMAnswerLoss(model), items, settings, accelerator)
    if accelerator.is_main_process:
        _copy_model_directory(model_dir, out_dir)
        model.save_adapter(out_dir, examples[0].answer_format.value)
        log.info("saved the tuned model (adapter and projector) to %s", out_dir)
    return report
