"""Load any transformers CTC phoneme recogniser and turn batches of recordings into frame log-posteriors.

Works with every checkpoint that ``AutoModelForCTC`` loads (wav2vec 2.0, HuBERT, WavLM, data2vec
audio, ...) whose tokenizer lists phones: a local folder or a Hugging Face model id, through the
ordinary ``from_pretrained`` path. Recordings are padded into one batch with an attention mask, so
several requests cost one forward pass. Models whose feature encoder normalises over the whole
input (``feat_extract_norm="group"``, e.g. wav2vec2-base) would see the padding; they are run one
recording at a time instead, so that a batch gives exactly what single requests give.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from transformers import AutoFeatureExtractor, AutoModelForCTC, AutoTokenizer

from inference_daemon.backends.base import SAMPLE_RATE
from inference_daemon.backends.ctc.phone_map import PhoneInventory, build_inventory

log = logging.getLogger(__name__)


def resolve_device(device: str) -> str:
    """``auto`` picks CUDA when it is available, else the CPU; ``cpu`` and ``cuda`` are taken as they are."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was asked for, but torch sees no CUDA device")
    return device


@dataclass
class CtcPhoneModel:
    """A loaded CTC model, its feature extractor and its phone inventory."""

    name: str
    device: str
    model: Any
    feature_extractor: Any
    inventory: PhoneInventory
    frame_seconds: float
    batches_with_padding: bool
    fingerprint: str

    @classmethod
    def load(cls, path_or_id: str, device: str = "auto") -> CtcPhoneModel:
        """Load from a folder or model id; logs the ARPAbet phones that the model cannot express."""
        resolved = resolve_device(device)
        feature_extractor = AutoFeatureExtractor.from_pretrained(path_or_id)
        tokenizer = AutoTokenizer.from_pretrained(path_or_id)
        model = AutoModelForCTC.from_pretrained(path_or_id).to(resolved).eval()
        inventory = _inventory(tokenizer)
        if inventory.missing:
            log.warning("model %s has no tokens for the ARPAbet phones %s: they are not scored",
                        path_or_id, " ".join(inventory.missing))
        sampling_rate = int(getattr(feature_extractor, "sampling_rate", SAMPLE_RATE))
        if sampling_rate != SAMPLE_RATE:
            raise ValueError(f"{path_or_id} expects {sampling_rate} Hz audio; the daemon decodes to {SAMPLE_RATE} Hz")
        ratio = getattr(model.config, "inputs_to_logits_ratio", None)
        if ratio is None:
            raise ValueError(f"{path_or_id}: the model config does not say how many samples make a frame")
        group_norm = getattr(model.config, "feat_extract_norm", "layer") == "group"
        uses_mask = bool(getattr(feature_extractor, "return_attention_mask", True))
        log.info("loaded CTC model %s on %s (%s phones, %d tokens)", path_or_id, resolved, inventory.notation,
                 len(tokenizer.get_vocab()))
        return cls(name=path_or_id, device=resolved, model=model, feature_extractor=feature_extractor,
                   inventory=inventory, frame_seconds=float(ratio) / SAMPLE_RATE,
                   batches_with_padding=uses_mask and not group_norm,
                   fingerprint=checkpoint_fingerprint(model, tokenizer.get_vocab()))

    def log_posteriors(self, recordings: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Per recording, log-probabilities of shape (frames, tokens), float32 on the CPU."""
        if self.batches_with_padding:
            return self._forward(recordings)
        return [posteriors for recording in recordings for posteriors in self._forward([recording])]

    @torch.inference_mode()
    def _forward(self, recordings: Sequence[np.ndarray]) -> list[np.ndarray]:
        inputs = self.feature_extractor(
            [np.asarray(r, dtype=np.float32) for r in recordings], sampling_rate=SAMPLE_RATE, padding=True,
            return_tensors="pt", return_attention_mask=self.batches_with_padding,
        )
        values = inputs["input_values"].to(self.device, dtype=self.model.dtype)
        mask = inputs.get("attention_mask") if self.batches_with_padding else None
        logits = self.model(values, attention_mask=None if mask is None else mask.to(self.device)).logits
        log_probs = torch.log_softmax(logits.float(), dim=-1).cpu().numpy()
        samples = [len(r) for r in recordings]
        frames = self._frame_counts(samples, log_probs.shape[1])
        return [log_probs[i, : frames[i]] for i in range(len(recordings))]

    def _frame_counts(self, samples: list[int], padded_frames: int) -> list[int]:
        lengths = getattr(self.model, "_get_feat_extract_output_lengths", None)
        if lengths is None:
            longest = max(samples)
            return [max(1, round(padded_frames * n / longest)) for n in samples]
        counted = lengths(torch.tensor(samples))
        return [min(int(n), padded_frames) for n in counted]


def checkpoint_fingerprint(model: Any, vocabulary: dict[str, int]) -> str:
    """What identifies a checkpoint wherever it was loaded from: SHA-256 of its vocabulary and of its
    output layer's weights (``lm_head``: every fine-tune has its own; all weights when there is none).

    A Hugging Face id and a ``--local-dir`` copy of it give the same fingerprint; two fine-tunes of
    the same architecture and vocabulary do not.
    """
    digest = hashlib.sha256(json.dumps(sorted(vocabulary.items()), ensure_ascii=False).encode("utf-8"))
    state = model.state_dict()
    names = sorted(name for name in state if name.startswith("lm_head.")) or sorted(state)
    for name in names:
        digest.update(name.encode("utf-8"))
        digest.update(state[name].detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    return digest.hexdigest()


def _inventory(tokenizer: Any) -> PhoneInventory:
    vocabulary: dict[str, int] = tokenizer.get_vocab()
    blank_ids = {tokenizer.pad_token_id}
    delimiter = getattr(tokenizer, "word_delimiter_token", None)
    if delimiter is not None and delimiter in vocabulary:
        blank_ids.add(vocabulary[delimiter])
    special = {vocabulary[token] for token in tokenizer.all_special_tokens if token in vocabulary}
    return build_inventory(vocabulary, blank_ids, special)
