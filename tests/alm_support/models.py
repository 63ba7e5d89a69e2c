"""Tiny ``alm`` models for the tests, built once per test process (torch costs seconds to import).

``random_model_dir(family)``: a tiny model with random weights, as ``tools/make_tiny_alm.py`` makes.
``tuned_model(family)``: the same with a LoRA adapter overfit to answer :data:`TUNED_ANSWER` about
:data:`SENTENCE` in the paper's text format, so that the real serving path yields a known, valid
document; it exercises the train -> save adapter -> load -> generate path on the way.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from inference_daemon.audio import to_mono_16k
from tests.support.audio_files import espeak_wav

SENTENCE = "I think so."
TUNED_ANSWER = "word: think issue: TH sounded like S suggestion: Put your tongue between your teeth."
TUNING_STEPS = 60

_workspace = Path(tempfile.mkdtemp(prefix="tiny-alm-"))
atexit.register(shutil.rmtree, _workspace, ignore_errors=True)


@dataclass(frozen=True)
class TunedModel:
    model_dir: Path
    adapter_dir: Path | None
    """Separate adapter directory (Qwen2-Audio); the speech LLM keeps its adapter inside ``model_dir``."""
    wav: Path


@functools.cache
def speech_wav() -> Path:
    """espeak-ng reading :data:`SENTENCE`."""
    return espeak_wav(SENTENCE, _workspace / "sentence.wav")


def speech_samples() -> np.ndarray:
    samples, rate = soundfile.read(speech_wav(), dtype="float32")
    return to_mono_16k(samples, rate)


@functools.cache
def random_model_dir(family: str) -> Path:
    from inference_daemon.backends.alm.tiny import build_tiny_model

    return build_tiny_model(_workspace / f"random-{family}", family)


@functools.cache
def tuned_model(family: str) -> TunedModel:
    import torch
    from peft import LoraConfig, get_peft_model

    from inference_daemon.backends.alm.prompt import AnswerFormat, build_prompt
    from inference_daemon.backends.alm.qwen_audio import AudioTextTransformer
    from inference_daemon.backends.alm.speech_llm import SpeechLLM

    torch.manual_seed(0)
    model_dir = _workspace / f"tuned-{family}"
    shutil.copytree(random_model_dir(family), model_dir)
    linear_layers = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    trained: SpeechLLM | AudioTextTransformer
    if family == "speech-llm":
        speech_llm = SpeechLLM.load(model_dir)
        speech_llm.llm = get_peft_model(speech_llm.llm, LoraConfig(r=8, target_modules=linear_layers,
                                                                   modules_to_save=["lm_head"]))
        trained, module = speech_llm, speech_llm.llm
    else:
        audio_text = AudioTextTransformer.load(str(model_dir))
        audio_text.model = get_peft_model(audio_text.model, LoraConfig(
            r=8, target_modules=rf".*language_model.*\.({'|'.join(linear_layers)})", modules_to_save=["lm_head"]))
        trained, module = audio_text, audio_text.model
    with torch.no_grad():  # only the adapter learns: the batch can be built once
        batch = trained.training_batch([speech_samples()], [build_prompt(SENTENCE, AnswerFormat.text)],
                                       [TUNED_ANSWER])
    optimiser = torch.optim.AdamW([p for p in module.parameters() if p.requires_grad], lr=1e-2)
    module.train()
    for _ in range(TUNING_STEPS):
        loss = module(**batch).loss
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
    module.eval()
    if isinstance(trained, SpeechLLM):
        trained.save_adapter(model_dir, answer_format=AnswerFormat.text.value)
        return TunedModel(model_dir=model_dir, adapter_dir=None, wav=speech_wav())
    adapter_dir = _workspace / f"adapter-{family}"
    trained.model.save_pretrained(str(adapter_dir))
    return TunedModel(model_dir=model_dir, adapter_dir=adapter_dir, wav=speech_wav())
