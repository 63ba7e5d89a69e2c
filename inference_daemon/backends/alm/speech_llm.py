"""The seed paper's speech LLM: a frozen Whisper encoder, pooled, projected into a causal LM with LoRA.

The encoder's last hidden states (1500 frames for Whisper's 30 s window) are average-pooled to
``pooled_tokens`` (300), mapped by a Linear-GELU-Linear projector into the LM's embedding space and
spliced into the chat prompt where :data:`~inference_daemon.backends.alm.prompt.AUDIO_PLACEHOLDER`
stands. Saved as one directory::

    speech_llm.json          this module's config (pooled tokens, tuned answer format, adapter)
    encoder/                 WhisperEncoder weights and the WhisperFeatureExtractor settings
    llm/                     the causal LM and its tokenizer (with a chat template)
    projector.safetensors    the projector
    adapter/                 optional peft LoRA adapter of the LM
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from peft import PeftModel
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoTokenizer,
    LogitsProcessor,
    LogitsProcessorList,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    WhisperFeatureExtractor,
    WhisperModel,
)
from transformers.models.whisper.modeling_whisper import WhisperEncoder

from inference_daemon.backends.alm.generation import (
    IGNORE_INDEX,
    Generation,
    decode_new_tokens,
    eos_token_ids,
    sampling_arguments,
)
from inference_daemon.backends.alm.prompt import AUDIO_PLACEHOLDER, Prompt
from inference_daemon.backends.alm.whisper_features import whisper_features

log = logging.getLogger(__name__)

CONFIG_FILE = "speech_llm.json"
PROJECTOR_FILE = "projector.safetensors"


@dataclass
class SpeechLLMConfig:
    """What the directory's ``speech_llm.json`` holds besides the parts' own configs."""

    pooled_tokens: int = 300
    answer_format: str | None = None
    """The answer format the model was tuned for (``json`` or ``text``), if any."""
    adapter: str | None = None
    """Sub-directory of the LoRA adapter, if any."""

    @classmethod
    def read(cls, directory: Path) -> SpeechLLMConfig:
        return cls(**json.loads((directory / CONFIG_FILE).read_text()))

    def write(self, directory: Path) -> None:
        (directory / CONFIG_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n")


def is_speech_llm_directory(path: Path) -> bool:
    return (path / CONFIG_FILE).is_file()


def load_whisper_encoder(name_or_path: str, dtype: torch.dtype) -> WhisperEncoder:
    """The encoder of a Whisper checkpoint (a full model or an encoder saved on its own)."""
    config = AutoConfig.from_pretrained(name_or_path)
    if "WhisperEncoder" in (getattr(config, "architectures", None) or []):
        encoder: WhisperEncoder = WhisperEncoder.from_pretrained(name_or_path, dtype=dtype)
        return encoder
    full = WhisperModel.from_pretrained(name_or_path, dtype=dtype)
    return full.get_encoder()


class SpeechLLM(nn.Module):
    """Whisper encoder + pooling + projector + causal LM; the ``speech-llm`` family of the ``alm`` backend."""

    family = "speech-llm"

    def __init__(self, config: SpeechLLMConfig, *, encoder: WhisperEncoder,
                 feature_extractor: WhisperFeatureExtractor, llm: PreTrainedModel | PeftModel,
                 tokenizer: PreTrainedTokenizerBase, projector: nn.Module | None = None) -> None:
        super().__init__()
        self.config = config
        self.encoder = encoder.eval().requires_grad_(False)
        self.feature_extractor = feature_extractor
        self.llm = llm
        self.tokenizer = tokenizer
        hidden = int(llm.config.hidden_size)
        width = int(encoder.config.d_model)
        self.projector = projector or nn.Sequential(nn.Linear(width, hidden), nn.GELU(), nn.Linear(hidden, hidden))

    # -- loading and saving ------------------------------------------------------------------
    @classmethod
    def from_parts(cls, encoder: str, llm: str, *, projector: Path | None = None, adapter: Path | None = None,
                   dtype: torch.dtype = torch.float32, config: SpeechLLMConfig | None = None) -> SpeechLLM:
        """Assemble from a Whisper checkpoint, a causal LM, and optionally a projector file and an adapter."""
        log.info("loading encoder %s", encoder)
        whisper = load_whisper_encoder(encoder, dtype)
        log.info("loading language model %s", llm)
        language_model: PreTrainedModel | PeftModel = AutoModelForCausalLM.from_pretrained(llm, dtype=dtype)
        tokenizer = AutoTokenizer.from_pretrained(llm)
        tokenizer.padding_side = "left"
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        if adapter is not None:
            log.info("loading adapter %s", adapter)
            language_model = PeftModel.from_pretrained(language_model, str(adapter))
        model = cls(config or SpeechLLMConfig(), encoder=whisper,
                    feature_extractor=WhisperFeatureExtractor.from_pretrained(encoder), llm=language_model,
                    tokenizer=tokenizer)
        if projector is not None:
            model.projector.load_state_dict(load_file(str(projector)))
        else:
            log.warning("no projector given: it is randomly initialised and needs training")
        return model.to(dtype)

    @classmethod
    def load(cls, directory: Path, *, dtype: torch.dtype = torch.float32, adapter: Path | None = None) -> SpeechLLM:
        """Load a directory written by :meth:`save`; ``adapter`` overrides the directory's own adapter."""
        config = SpeechLLMConfig.read(directory)
        chosen_adapter = adapter or (directory / config.adapter if config.adapter else None)
        return cls.from_parts(str(directory / "encoder"), str(directory / "llm"),
                              projector=directory / PROJECTOR_FILE, adapter=chosen_adapter, dtype=dtype,
                              config=config)

    def save(self, directory: Path) -> None:
        """Write the whole model (base LM, no adapter) as one directory."""
        if isinstance(self.llm, PeftModel):
            raise ValueError("the LM carries an adapter: use save_adapter(), or merge_and_unload() it first")
        directory.mkdir(parents=True, exist_ok=True)
        self.encoder.save_pretrained(directory / "encoder")
        self.feature_extractor.save_pretrained(directory / "encoder")
        self.llm.save_pretrained(directory / "llm")
        self.tokenizer.save_pretrained(directory / "llm")
        save_file({k: v.contiguous() for k, v in self.projector.state_dict().items()}, str(directory / PROJECTOR_FILE))
        self.config.write(directory)

    def save_adapter(self, directory: Path, answer_format: str | None = None) -> None:
        """Write the LM's adapter and the projector into a model directory saved earlier (after tuning)."""
        if not isinstance(self.llm, PeftModel):
            raise ValueError("the LM has no adapter to save")
        self.llm.save_pretrained(str(directory / "adapter"))
        save_file({k: v.contiguous() for k, v in self.projector.state_dict().items()}, str(directory / PROJECTOR_FILE))
        self.config.adapter = "adapter"
        if answer_format is not None:
            self.config.answer_format = answer_format
        self.config.write(directory)

    # -- facts ---------------------------------------------------------------------------------
    @property
    def device(self) -> torch.device:
        return next(self.projector.parameters()).device

    @property
    def vocab_size(self) -> int:
        return int(self.llm.get_output_embeddings().weight.shape[0])

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())

    # -- inputs ----------------------------------------------------------------------------------
    def embed_audio(self, audios: Sequence[np.ndarray]) -> torch.Tensor:
        """(batch, pooled_tokens, hidden) LM embeddings of 16 kHz recordings of at most 30 s."""
        features = whisper_features(self.feature_extractor, audios, self.device)
        dtype: torch.dtype = next(self.encoder.parameters()).dtype
        with torch.no_grad():
            states = self.encoder(features.to(dtype)).last_hidden_state
        pooled = nn.functional.adaptive_avg_pool1d(states.transpose(1, 2), self.config.pooled_tokens).transpose(1, 2)
        return self.projector(pooled)

    def prompt_token_ids(self, prompt: Prompt) -> tuple[list[int], list[int]]:
        """Token ids of the chat text before and after the recording, ending with the assistant's header."""
        text = self.tokenizer.apply_chat_template(prompt.chat_messages_with_placeholder(), tokenize=False,
                                                  add_generation_prompt=True)
        before, after = str(text).split(AUDIO_PLACEHOLDER)
        encode = self.tokenizer.encode
        return encode(before, add_special_tokens=False), encode(after, add_special_tokens=False)

    def _sequences(self, audios: Sequence[np.ndarray], prompts: Sequence[Prompt],
                   answers: Sequence[list[int]] | None) -> list[tuple[torch.Tensor, list[int]]]:
        """Per item: input embeddings and labels (prompt and audio masked)."""
        embed: nn.Module = self.llm.get_input_embeddings()
        embed_dtype = next(embed.parameters()).dtype
        audio = self.embed_audio(audios)
        items = []
        for row, prompt in enumerate(prompts):
            before, after = self.prompt_token_ids(prompt)
            answer = answers[row] if answers is not None else []
            before_ids = torch.tensor(before, device=self.device)
            after_ids = torch.tensor(after + answer, device=self.device)
            embeddings = torch.cat([embed(before_ids), audio[row].to(embed_dtype), embed(after_ids)])
            labels = [IGNORE_INDEX] * (len(before) + audio.shape[1] + len(after)) + answer
            items.append((embeddings, labels))
        return items

    # -- generation and training -----------------------------------------------------------------------
    def generate(self, audios: Sequence[np.ndarray], prompts: Sequence[Prompt], max_new_tokens: int,
                 logits_processor: LogitsProcessor | None = None, temperature: float = 0.0) -> list[Generation]:
        with torch.no_grad():
            items = self._sequences(audios, prompts, None)
            longest = max(len(e) for e, _ in items)
            hidden = items[0][0].shape[1]
            embeddings = torch.zeros(len(items), longest, hidden, dtype=items[0][0].dtype, device=self.device)
            mask = torch.zeros(len(items), longest, dtype=torch.long, device=self.device)
            for row, (item, _) in enumerate(items):  # left padding
                embeddings[row, longest - len(item):] = item
                mask[row, longest - len(item):] = 1
            eos = eos_token_ids(self.llm.generation_config.eos_token_id, self.tokenizer)
            generate: Any = self.llm.generate
            new_tokens = generate(
                inputs_embeds=embeddings, attention_mask=mask, max_new_tokens=max_new_tokens,
                **sampling_arguments(temperature),
                eos_token_id=sorted(eos), pad_token_id=self.tokenizer.pad_token_id,
                logits_processor=LogitsProcessorList([logits_processor] if logits_processor else []),
            )
        return decode_new_tokens(new_tokens, eos, self.tokenizer)

    def training_batch(self, audios: Sequence[np.ndarray], prompts: Sequence[Prompt],
                       answers: Sequence[str]) -> dict[str, Any]:
        """``self.llm(**batch).loss`` is the loss of the answers (each followed by end-of-sequence)."""
        eos = self.tokenizer.eos_token_id
        answer_ids = [[*self.tokenizer.encode(a, add_special_tokens=False), eos] for a in answers]
        items = self._sequences(audios, prompts, answer_ids)
        longest = max(len(e) for e, _ in items)
        embeddings = torch.zeros(len(items), longest, items[0][0].shape[1], dtype=items[0][0].dtype,
                                 device=self.device)
        mask = torch.zeros(len(items), longest, dtype=torch.long, device=self.device)
        labels = torch.full((len(items), longest), IGNORE_INDEX, dtype=torch.long, device=self.device)
        for row, (item, item_labels) in enumerate(items):  # right padding
            embeddings[row, :len(item)] = item
            mask[row, :len(item)] = 1
            labels[row, :len(item)] = torch.tensor(item_labels, device=self.device)
        return {"inputs_embeds": embeddings, "attention_mask": mask, "labels": labels}
