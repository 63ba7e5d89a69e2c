"""Run the acoustic passes over one recording: pad, align the expected phones, decode heard phones.

Shared by the backend and the calibration tool, so that the fitted models see exactly the evidence
that requests produce.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from inference_daemon.backends.phonetic.alignment import AlignedWord, Pronunciations, align
from inference_daemon.backends.phonetic.decoders import FRAME_S, SAMPLE_RATE, DecoderSet
from inference_daemon.backends.phonetic.features import PhoneEvidence, phone_evidence
from inference_daemon.backends.phonetic.phone_loop import HeardPhone, decode_phones

# Silence added at both ends so that recordings that start or end abruptly still align; the other
# paddings are retries when no word at all could be aligned.
PAD_TRIES_S = (0.1, 0.0, 0.25)
# Low-level noise rather than digital zeros in the padding (deterministic, inaudible).
_PAD_NOISE_AMPLITUDE = 3.0
# How far around the aligned speech the phone loop looks.
LOOP_MARGIN_FRAMES = 10


@dataclass(frozen=True)
class Analysis:
    """Alignment, heard phones and per-phone evidence; frames count from the start of the padding.

    ``words`` (each with its position in the sentence) and ``evidence`` cover the words that were
    read; words the learner skipped or did not reach are absent.
    """

    words: list[AlignedWord]
    heard: list[HeardPhone]
    evidence: list[list[PhoneEvidence]]
    pad_s: float

    def seconds(self, frame: int) -> float:
        """Seconds from the start of the original recording for a frame of the padded audio."""
        return max(0.0, frame * FRAME_S - self.pad_s)


def padded_pcm(audio: np.ndarray, pad_s: float) -> np.ndarray:
    """16-bit samples of the recording with ``pad_s`` of quiet noise at both ends."""
    pad = np.random.default_rng(0).normal(0.0, _PAD_NOISE_AMPLITUDE, int(pad_s * SAMPLE_RATE))
    # x 32768 inverts the decoder's int16 -> float scaling exactly, so 16-bit input comes back unchanged.
    samples = np.clip(np.asarray(audio, dtype=np.float64) * 32768.0, -32768, 32767)
    return np.concatenate([pad, samples, pad[::-1]]).astype(np.int16)


def analyse(decoders: DecoderSet, audio: np.ndarray, pronunciations: Sequence[Pronunciations]) -> Analysis | None:
    """Evidence for each word that was read, given every word's valid pronunciations (primary first);
    ``None`` when not even one word could be found."""
    for pad_s in PAD_TRIES_S:
        pcm = padded_pcm(audio, pad_s)
        words = align(decoders, pcm.tobytes(), pronunciations)
        if words:
            break
    else:
        return None
    samples_per_frame = int(FRAME_S * SAMPLE_RATE)
    first = max(0, words[0].start - LOOP_MARGIN_FRAMES)
    last = words[-1].end + LOOP_MARGIN_FRAMES
    span = pcm[first * samples_per_frame : last * samples_per_frame]
    heard = decode_phones(decoders.phone_loop, span.tobytes(), first_frame=first)
    return Analysis(words, heard, phone_evidence(words, heard), pad_s)
