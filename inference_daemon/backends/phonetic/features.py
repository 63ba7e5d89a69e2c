"""Per-phone and per-word evidence (GOP and friends) from the alignment and the phone loop.

The same feature vectors feed the fitted models at run time (:mod:`.scoring`) and the calibration
tool (``tools/calibrate_phonetic.py``): their names and order are defined here only.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from inference_daemon.backends.phonetic.alignment import AlignedPhone, AlignedWord
from inference_daemon.backends.phonetic.phone_loop import SILENCE, HeardPhone, heard_in_span

PHONES = [
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY",
    "F", "G", "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY",
    "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH",
]
VOWELS = frozenset(["AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"])
# PocketSphinx's minimum phone duration (three HMM states, one frame each).
MIN_FRAMES = 3
# Raw log scores (base 1.0001) are large integers; this brings per-frame values near unit scale.
SCORE_SCALE = 1e-3


@dataclass(frozen=True)
class PhoneEvidence:
    """What the acoustic model says about one expected phone."""

    aligned: AlignedPhone
    loop_score_per_frame: float
    heard: str
    heard_fraction: float
    silence_fraction: float
    position: int
    word_length: int

    @property
    def align_score_per_frame(self) -> float:
        return self.aligned.score / self.aligned.frames * SCORE_SCALE

    @property
    def gop(self) -> float:
        """Aligned score minus the best free-phone path over the same frames, per frame."""
        return self.align_score_per_frame - self.loop_score_per_frame


def _overlap(start: int, end: int, segment: HeardPhone) -> int:
    return max(0, min(end, segment.end) - max(start, segment.start))


def phone_evidence(words: list[AlignedWord], heard: list[HeardPhone]) -> list[list[PhoneEvidence]]:
    """Evidence for every aligned phone, word by word."""
    result = []
    for word in words:
        evidence = []
        for position, phone in enumerate(word.phones):
            loop_score = 0.0
            frames_by_phone: Counter[str] = Counter()
            for segment in heard:
                shared = _overlap(phone.start, phone.end, segment)
                if shared:
                    loop_score += segment.score * shared / max(segment.frames, 1)
                    frames_by_phone[segment.phone] += shared
            covered = max(sum(frames_by_phone.values()), 1)
            speech = [(p, n) for p, n in frames_by_phone.most_common() if p != SILENCE]
            evidence.append(
                PhoneEvidence(
                    aligned=phone,
                    loop_score_per_frame=loop_score / phone.frames * SCORE_SCALE,
                    heard=speech[0][0] if speech else SILENCE,
                    heard_fraction=frames_by_phone[phone.phone] / covered,
                    silence_fraction=frames_by_phone[SILENCE] / covered,
                    position=position,
                    word_length=len(word.phones),
                )
            )
        result.append(evidence)
    return result


PHONE_FEATURES = [
    "align_per_frame",
    "gop",
    "align_minus_utterance",
    "gop_minus_utterance",
    "heard_fraction",
    "silence_fraction",
    "log_frames",
    "log_frames_minus_utterance",
    "neighbour_min_gop",
    "min_duration",
    "word_initial",
    "word_final",
    "vowel",
    *(f"is_{phone}" for phone in PHONES),
]


def phone_features(evidence: list[list[PhoneEvidence]]) -> np.ndarray:
    """One row per phone of the sentence (words concatenated), columns as :data:`PHONE_FEATURES`."""
    flat = [item for word in evidence for item in word]
    if not flat:
        return np.zeros((0, len(PHONE_FEATURES)))
    mean_align = float(np.mean([e.align_score_per_frame for e in flat]))
    mean_gop = float(np.mean([e.gop for e in flat]))
    # The speaker's rate: a phone long or short for this speaker, not for speakers in general.
    mean_log_frames = float(np.mean([math.log(e.aligned.frames) for e in flat]))
    neighbour_gops = [
        min((word[p].gop for p in (position - 1, position + 1) if 0 <= p < len(word)), default=word[position].gop)
        for word in evidence
        for position in range(len(word))
    ]
    rows = []
    for item, neighbour_gop in zip(flat, neighbour_gops, strict=True):
        identity = [float(item.aligned.phone == phone) for phone in PHONES]
        rows.append(
            [
                item.align_score_per_frame,
                item.gop,
                item.align_score_per_frame - mean_align,
                item.gop - mean_gop,
                item.heard_fraction,
                item.silence_fraction,
                math.log(item.aligned.frames),
                math.log(item.aligned.frames) - mean_log_frames,
                neighbour_gop,
                float(item.aligned.frames <= MIN_FRAMES),
                float(item.position == 0),
                float(item.position == item.word_length - 1),
                float(item.aligned.phone in VOWELS),
                *identity,
            ]
        )
    return np.asarray(rows, dtype=np.float64)


WORD_FEATURES = [
    "min_phone_logit",
    "mean_phone_logit",
    "min_gop",
    "mean_gop",
    "mean_align_minus_utterance",
    "min_heard_fraction",
    "mean_heard_fraction",
    "mean_silence_fraction",
    "log_phones",
    "log_frames_per_phone",
    "heard_edit_distance",
    "utterance_mean_phone_logit",
    "neighbour_words_min_phone_logit",
]


def edit_distance(a: list[str], b: list[str]) -> int:
    """Levenshtein distance between two phone sequences."""
    previous = list(range(len(b) + 1))
    for i, item in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (item != other)))
        previous = current
    return previous[-1]


def word_features(
    evidence: list[list[PhoneEvidence]], phone_logits: np.ndarray, heard: list[HeardPhone]
) -> np.ndarray:
    """One row per word; ``phone_logits`` are the phone model's outputs, in sentence phone order."""
    flat = [item for word in evidence for item in word]
    mean_align = float(np.mean([e.align_score_per_frame for e in flat])) if flat else 0.0
    mean_logit = float(np.mean(phone_logits)) if len(phone_logits) else 0.0
    rows = []
    offset = 0
    word_min_logits = []
    for word in evidence:
        word_min_logits.append(float(np.min(phone_logits[offset : offset + len(word)])))
        offset += len(word)
    offset = 0
    for number, word in enumerate(evidence):
        logits = phone_logits[offset : offset + len(word)]
        offset += len(word)
        neighbours = word_min_logits[max(0, number - 1) : number] + word_min_logits[number + 1 : number + 2]
        gops = [e.gop for e in word]
        heard_fractions = [e.heard_fraction for e in word]
        frames = sum(e.aligned.frames for e in word)
        expected = [e.aligned.phone for e in word]
        heard_phones = heard_in_span(heard, word[0].aligned.start, word[-1].aligned.end)
        rows.append(
            [
                float(np.min(logits)),
                float(np.mean(logits)),
                min(gops),
                float(np.mean(gops)),
                float(np.mean([e.align_score_per_frame for e in word])) - mean_align,
                min(heard_fractions),
                float(np.mean(heard_fractions)),
                float(np.mean([e.silence_fraction for e in word])),
                math.log(len(word)),
                math.log(frames / len(word)),
                edit_distance(heard_phones, expected) / len(expected),
                mean_logit,
                float(np.mean(neighbours)) if neighbours else mean_logit,
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(evidence), len(WORD_FEATURES))
