"""Choose device and dtype, recognise a model's family and load it: the torch side of the ``alm`` backend.

Imported only when the backend loads, so that the daemon's default install never imports torch.
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch

from inference_daemon.backends.alm.generation import AudioTextModel
from inference_daemon.backends.alm.model_spec import ModelSpec
from inference_daemon.backends.alm.qwen_audio import AudioTextTransformer, is_audio_text_model
from inference_daemon.backends.alm.speech_llm import SpeechLLM, SpeechLLMConfig, is_speech_llm_directory

log = logging.getLogger(__name__)

_DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was asked for, but torch sees no CUDA GPU")
    return torch.device(name)


def resolve_dtype(name: str, device: torch.device) -> torch.dtype:
    """``auto``: bfloat16 on GPUs that support it, float16 on older GPUs, float32 on CPU."""
    if name != "auto":
        return _DTYPES[name]
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def detect_family(spec: ModelSpec) -> str:
    """The family named by ``--family``, or recognised from the model directory or hub config."""
    if spec.family != "auto":
        return spec.family
    if spec.model is None or is_speech_llm_directory(Path(spec.model)):
        return "speech-llm"
    if is_audio_text_model(spec.model):
        return "qwen2-audio"
    raise ValueError(
        f"{spec.model} is neither a speech LLM directory (with speech_llm.json) nor a supported transformers "
        "audio-text model (Qwen2-Audio); pass --family, or --encoder and --llm"
    )


def load_model(spec: ModelSpec, device: torch.device, dtype: torch.dtype) -> AudioTextModel:
    """Load the model on ``device`` in ``dtype``, ready for generation."""
    family = detect_family(spec)
    log.info("loading %s model %s (%s on %s)", family, spec.label, str(dtype).removeprefix("torch."), device)
    model: SpeechLLM | AudioTextTransformer
    if family == "qwen2-audio":
        if spec.model is None:
            raise ValueError("the qwen2-audio family needs --model")
        model = AudioTextTransformer.load(spec.model, dtype=dtype, adapter=spec.adapter)
        model.model.to(device)
    elif spec.model is not None:
        model = SpeechLLM.load(Path(spec.model), dtype=dtype, adapter=spec.adapter)
        model.to(device).eval()
    elif spec.encoder and spec.llm:
        model = SpeechLLM.from_parts(spec.encoder, spec.llm, projector=spec.projector, adapter=spec.adapter,
                                     dtype=dtype)
        model.to(device).eval()
    else:
        raise ValueError("give --model, or --encoder and --llm (with --projector and --adapter once tuned)")
    return model


def tuned_answer_format(spec: ModelSpec) -> str | None:
    """The answer format a speech LLM directory says it was tuned for, if any."""
    if spec.model is not None and is_speech_llm_directory(Path(spec.model)):
        return SpeechLLMConfig.read(Path(spec.model)).answer_format
    return None


def gpu_memory(device: torch.device) -> dict[str, float] | None:
    """Allocated, reserved and total memory in MiB of a CUDA device; None elsewhere."""
    if device.type != "cuda":
        return None
    mib = 1024 * 1024
    return {
        "allocated_mib": round(torch.cuda.memory_allocated(device) / mib, 1),
        "reserved_mib": round(torch.cuda.memory_reserved(device) / mib, 1),
        "peak_allocated_mib": round(torch.cuda.max_memory_allocated(device) / mib, 1),
        "total_mib": round(torch.cuda.get_device_properties(device).total_memory / mib, 1),
    }
