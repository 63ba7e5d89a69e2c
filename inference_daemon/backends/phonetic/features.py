"""Per-phone and per-word evidence from the alignment and the competition pass, as feature vectors.

The same feature vectors feed the fitted models at run time (:mod:`.scoring`) and the calibration
tool (``tools/calibrate_phonetic.py``): their names and order are defined here only.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from inference_daemon.backends.phonetic.alignment import AlignedPhone, AlignedWord
from inference_daemon.backends.phonetic.competition import VOWELS, WordContest

PHONES = [
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY",
    "F", "G", "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY",
    "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH",
]  # fmt: skip
# PocketSphinx's minimum phone duration (three HMM states, one frame each).
MIN_FRAMES = 3
# Raw log scores (base 1.0001) are large integers; this brings per-frame values near unit scale.
SCORE_SCALE = 1e-3


@dataclass(frozen=True)
class PhoneEvidence:
    """What the acoustic model says about one expected phone.

    ``margin``: how much better (per frame of the word) the expected pronunciation scored than the
    best competitor changing this phone; ``heard``: this phone in the pronunciation that won the
    competition (a substitute, or ``None`` when the winner dropped it).
    """

    aligned: AlignedPhone
    position: int
    word_length: int
    margin: float
    heard: str | None

    @property
    def align_score_per_frame(self) -> float:
        return self.aligned.score / self.aligned.frames * SCORE_SCALE

    @property
    def changed_by_winner(self) -> bool:
        return self.heard != self.aligned.phone


def _heard_phone(contest: WordContest, phone: AlignedPhone, position: int, word_length: int) -> str | None:
    winner = contest.winner
    if winner is None or winner.position != position:
        return phone.phone
    # The winner changed this phone: it dropped it (a shorter word) or replaced it.
    return None if len(winner.phones) < word_length else winner.phones[position]


def phone_evidence(words: list[AlignedWord], contests: list[WordContest]) -> list[list[PhoneEvidence]]:
    """Evidence for every aligned phone, word by word."""
    return [
        [
            PhoneEvidence(
                aligned=phone,
                position=position,
                word_length=len(word.phones),
                margin=contest.phone_margins[position],
                heard=_heard_phone(contest, phone, position, len(word.phones)),
            )
            for position, phone in enumerate(word.phones)
        ]
        for word, contest in zip(words, contests, strict=True)
    ]


PHONE_FEATURES = [
    "align_per_frame",
    "align_minus_utterance",
    "log_frames",
    "log_frames_minus_utterance",
    "word_margin",
    "phone_margin",
    "changed_by_winner",
    "min_duration",
    "word_initial",
    "word_final",
    "vowel",
    *(f"is_{phone}" for phone in PHONES),
]


def phone_features(evidence: list[list[PhoneEvidence]], contests: list[WordContest]) -> np.ndarray:
    """One row per phone of the sentence (words concatenated), columns as :data:`PHONE_FEATURES`."""
    flat = [(item, contest) for word, contest in zip(evidence, contests, strict=True) for item in word]
    if not flat:
        return np.zeros((0, len(PHONE_FEATURES)))
    mean_align = float(np.mean([e.align_score_per_frame for e, _ in flat]))
    # The speaker's rate: a phone long or short for this speaker, not for speakers in general.
    mean_log_frames = float(np.mean([math.log(e.aligned.frames) for e, _ in flat]))
    rows = []
    for item, contest in flat:
        identity = [float(item.aligned.phone == phone) for phone in PHONES]
        rows.append(
            [
                item.align_score_per_frame,
                item.align_score_per_frame - mean_align,
                math.log(item.aligned.frames),
                math.log(item.aligned.frames) - mean_log_frames,
                contest.margin,
                item.margin,
                float(item.changed_by_winner),
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
    "mean_align_minus_utterance",
    "log_phones",
    "log_frames_per_phone",
    "utterance_mean_phone_logit",
    "neighbour_words_min_phone_logit",
    "margin",
    "min_phone_margin",
    "competitor_won",
    "contested",
]


def word_features(
    evidence: list[list[PhoneEvidence]], phone_logits: np.ndarray, contests: list[WordContest]
) -> np.ndarray:
    """One row per word; ``phone_logits`` are the phone model's outputs, in sentence phone order."""
    flat = [item for word in evidence for item in word]
    mean_align = float(np.mean([e.align_score_per_frame for e in flat])) if flat else 0.0
    mean_logit = float(np.mean(phone_logits)) if len(phone_logits) else 0.0
    bounds = np.cumsum([0, *(len(word) for word in evidence)])
    word_logits = [phone_logits[start:end] for start, end in itertools.pairwise(bounds)]
    word_min_logits = [float(np.min(logits)) for logits in word_logits]
    rows = []
    for number, (word, logits, contest) in enumerate(zip(evidence, word_logits, contests, strict=True)):
        neighbours = word_min_logits[max(0, number - 1) : number] + word_min_logits[number + 1 : number + 2]
        frames = sum(e.aligned.frames for e in word)
        rows.append(
            [
                float(np.min(logits)),
                float(np.mean(logits)),
                float(np.mean([e.align_score_per_frame for e in word])) - mean_align,
                math.log(len(word)),
                math.log(frames / len(word)),
                mean_logit,
                float(np.mean(neighbours)) if neighbours else mean_logit,
                contest.margin,
                min(e.margin for e in word),
                float(contest.winner is not None),
                float(contest.contested),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(evidence), len(WORD_FEATURES))
