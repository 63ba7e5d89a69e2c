"""Run the acoustic passes over one recording: pad, align the expected phones, let them compete.

Shared by the backend and the calibration tool, so that the fitted models see exactly the evidence
that requests produce.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from inference_daemon.audio import SAMPLE_RATE
from inference_daemon.backends.phonetic.alignment import AlignedWord, Pronunciations, align
from inference_daemon.backends.phonetic.competition import WordContest, contests, run_contest
from inference_daemon.backends.phonetic.decoders import FRAME_S, DecoderSet
from inference_daemon.backends.phonetic.features import PhoneEvidence, phone_evidence

# Silence added at both ends so that recordings that start or end abruptly still align; the other
# paddings are retries when no word at all could be aligned.
PAD_TRIES_S = (0.1, 0.0, 0.25)
# Low-level noise rather than digital zeros in the padding (deterministic, inaudible).
_PAD_NOISE_AMPLITUDE = 3.0
# The competition pass decodes only the aligned speech and this much around it.
CONTEST_MARGIN_FRAMES = 10


@dataclass(frozen=True)
class Analysis:
    """Alignment, competition outcome and per-phone evidence; frames count from the start of the padding.

    ``words`` (each with its position in the sentence), ``contests`` and ``evidence`` cover the words
    that were read; words the learner skipped or did not reach are absent.
    """

    words: list[AlignedWord]
    contests: list[WordContest]
    evidence: list[list[PhoneEvidence]]
    pad_s: float
    # Only the last-resort aligner fitted the words (see alignment.Alignment).
    forced: bool = False

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
        alignment = align(decoders, pcm.tobytes(), pronunciations)
        words = alignment.words
        if words:
            break
    else:
        return None
    first = max(0, words[0].start - CONTEST_MARGIN_FRAMES)
    samples_per_frame = int(FRAME_S * SAMPLE_RATE)
    speech = pcm[first * samples_per_frame : (words[-1].end + CONTEST_MARGIN_FRAMES) * samples_per_frame]
    # The pronunciation aligned first: competitors are built on it, so their positions index its phones.
    found = [[word.pronunciation, *pronunciations[word.index]] for word in words]
    outcome = next(
        (
            result
            for decoder in (decoders.contest, decoders.wide_aligner)
            if (result := run_contest(decoder, speech.tobytes(), found))
        ),
        None,
    )
    if outcome is None:
        word_contests = [WordContest.unknown(len(word.phones)) for word in words]
    else:
        word_contests = contests(
            outcome, [len(word.phones) for word in words], [(word.start - first, word.end - first) for word in words]
        )
    return Analysis(words, word_contests, phone_evidence(words, word_contests), pad_s, alignment.forced)
