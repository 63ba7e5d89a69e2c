"""Whisper's log-mel features computed over the recording only, with the rest of the 30 s window filled in.

Whisper hears a fixed 30 s window: its feature extractor pads every recording with zeros to 30 s and
runs the STFT over all of it, about 15 ms per recording on a CPU core whatever the recording's length
(and more per item for a batch, whose spectrograms no longer fit in cache). A frame that sees only
padding has a known value, the floor of the log-mel range, so only the frames that see the recording
are computed here and the others are filled in. The result equals ``WhisperFeatureExtractor``'s to
float rounding (the tests compare them), so a model hears exactly what it was trained on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from transformers import WhisperFeatureExtractor

from inference_daemon.audio import SAMPLE_RATE

_POWER_FLOOR = 1e-10  # mel power below this counts as this (log10 = -10)
_DYNAMIC_RANGE = 8.0  # log10 units kept below the recording's loudest frame
_OFFSET, _SCALE = 4.0, 4.0  # Whisper's final scaling: (log_spec + 4) / 4


def whisper_features(extractor: WhisperFeatureExtractor, audios: Sequence[np.ndarray],
                     device: torch.device) -> torch.Tensor:
    """``(batch, mel bins, window frames)`` float32 features of 16 kHz mono recordings, as the extractor makes them.

    Recordings longer than the window are cut to it, as the extractor does (the backend rejects them first).
    """
    if extractor.sampling_rate != SAMPLE_RATE:
        raise ValueError(f"recordings are {SAMPLE_RATE} Hz; this feature extractor expects {extractor.sampling_rate}")
    if extractor.dither != 0.0:
        raise ValueError("dithered Whisper features are random: use the feature extractor itself")
    window = torch.hann_window(extractor.n_fft, device=device)
    filters = torch.from_numpy(np.asarray(extractor.mel_filters, dtype=np.float32)).to(device).T
    return torch.stack([_log_mel(extractor, torch.from_numpy(np.asarray(audio, dtype=np.float32)).to(device),
                                 window, filters) for audio in audios])


def _log_mel(extractor: WhisperFeatureExtractor, audio: torch.Tensor, window: torch.Tensor,
             filters: torch.Tensor) -> torch.Tensor:
    n_fft, hop, window_samples = int(extractor.n_fft), int(extractor.hop_length), int(extractor.n_samples)
    frames = window_samples // hop
    audio = audio[:window_samples]
    # Frame t is centred on sample t * hop and spans n_fft samples: it sees the recording while its
    # left edge is before the recording's end. The STFT runs over enough padding for the last such
    # frame to see zeros, not the reflection that torch.stft adds at the end of its input.
    heard = min(frames, math.ceil((audio.shape[0] + n_fft // 2) / hop))
    signal_length = min(window_samples, heard * hop + n_fft // 2)
    signal = torch.nn.functional.pad(audio, (0, signal_length - audio.shape[0]))
    spectrum = torch.stft(signal, n_fft, hop, window=window, return_complex=True)[:, :heard]
    power = filters @ (spectrum.abs() ** 2).contiguous()
    silence = torch.tensor(0.0, device=audio.device).clamp(min=_POWER_FLOOR).log10()
    log_spec = torch.full((filters.shape[0], frames), float(silence), device=audio.device)
    log_spec[:, :heard] = power.clamp(min=_POWER_FLOOR).log10()
    log_spec = torch.maximum(log_spec, log_spec.max() - _DYNAMIC_RANGE)
    return (log_spec + _OFFSET) / _SCALE
