"""Per-phone and per-word evidence from the alignment, the competition pass and Whisper, as feature vectors.

The same feature vectors feed the fitted models at run time (:mod:`.scoring`) and the calibration
tool (``tools/calibrate_phonetic.py``): their names and order are defined here only. Whisper's
columns (:data:`WHISPER_PHONE_FEATURES`, :data:`WHISPER_WORD_FEATURES`) come after PocketSphinx's;
without Whisper the backend uses a calibration fitted on PocketSphinx's columns alone.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from inference_daemon.backends.phonetic.alignment import AlignedPhone, AlignedWord
from inference_daemon.backends.phonetic.competition import WordContest
from inference_daemon.pronunciation.arpabet import VOWELS
from inference_daemon.whisper_evidence import RivalScore, WordEvidence

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


# Whisper's log-probabilities below this are as good as impossible (and would dominate a linear model).
LOG_PROB_FLOOR = -20.0
# Competitor deltas are clipped to this range; a word or phone without a scored competitor gets the floor.
DELTA_FLOOR, DELTA_CEILING = -30.0, 10.0

WHISPER_PHONE_FEATURES = [
    "whisper_word_mean_log_prob",
    "whisper_word_prior_mean_log_prob",
    "whisper_word_best_delta",
    "whisper_phone_best_delta",
    "whisper_phone_rivalled",
]


def feature_names(with_whisper: bool) -> tuple[list[str], list[str]]:
    """The phone and word feature names of the calibration that matches the evidence in use."""
    if with_whisper:
        return [*PHONE_FEATURES, *WHISPER_PHONE_FEATURES], [*WORD_FEATURES, *WHISPER_WORD_FEATURES]
    return list(PHONE_FEATURES), list(WORD_FEATURES)


def _mean_log_prob(word: WordEvidence) -> float:
    return max(word.mean_log_prob, LOG_PROB_FLOOR)


def _prior_mean_log_prob(word: WordEvidence) -> float:
    return max(word.prior_mean_log_prob, LOG_PROB_FLOOR)


def _delta(value: float | None) -> float:
    return DELTA_FLOOR if value is None else float(np.clip(value, DELTA_FLOOR, DELTA_CEILING))


def _best(values: list[float]) -> float | None:
    return max(values, default=None)


def phone_rivals(word: WordEvidence, phones: int) -> list[list[RivalScore]]:
    """Per phone of the word, Whisper's competitors that change it."""
    found: list[list[RivalScore]] = [[] for _ in range(phones)]
    for rival in word.rivals:
        found[min(rival.competitor.position, phones - 1)].append(rival)
    return found


def _whisper_phone_rows(evidence: list[list[PhoneEvidence]], whisper: list[WordEvidence]) -> list[list[float]]:
    rows = []
    for word, heard in zip(evidence, whisper, strict=True):
        word_delta = _delta(_best([r.delta for r in heard.rivals]))
        for rivals in phone_rivals(heard, len(word)):
            rows.append(
                [
                    _mean_log_prob(heard),
                    _prior_mean_log_prob(heard),
                    word_delta,
                    _delta(_best([r.delta for r in rivals])),
                    float(bool(rivals)),
                ]
            )
    return rows


def phone_features(
    evidence: list[list[PhoneEvidence]], contests: list[WordContest], whisper: list[WordEvidence] | None = None
) -> np.ndarray:
    """One row per phone of the sentence (words concatenated), columns as :func:`feature_names`;
    ``whisper``: Whisper's evidence for the same words, or ``None`` without Whisper."""
    names = feature_names(whisper is not None)[0]
    flat = [(item, contest) for word, contest in zip(evidence, contests, strict=True) for item in word]
    if not flat:
        return np.zeros((0, len(names)))
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
    if whisper is not None:
        rows = [row + extra for row, extra in zip(rows, _whisper_phone_rows(evidence, whisper), strict=True)]
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

WHISPER_WORD_FEATURES = [
    "whisper_mean_log_prob",
    "whisper_prior_mean_log_prob",
    "whisper_min_log_prob",
    "whisper_log_tokens",
    "whisper_best_delta",
    "whisper_rivalled",
    "whisper_utterance_mean_log_prob",
    "whisper_neighbour_mean_log_prob",
]


def _whisper_word_rows(whisper: list[WordEvidence]) -> list[list[float]]:
    means = [_mean_log_prob(word) for word in whisper]
    utterance_mean = float(np.mean(means)) if means else 0.0
    rows = []
    for number, word in enumerate(whisper):
        neighbours = means[max(0, number - 1) : number] + means[number + 1 : number + 2]
        rows.append(
            [
                means[number],
                _prior_mean_log_prob(word),
                max(word.min_log_prob, LOG_PROB_FLOOR),
                math.log(len(word.log_probs)),
                _delta(_best([r.delta for r in word.rivals])),
                float(bool(word.rivals)),
                utterance_mean,
                float(np.mean(neighbours)) if neighbours else utterance_mean,
            ]
        )
    return rows


def word_features(
    evidence: list[list[PhoneEvidence]],
    phone_logits: np.ndarray,
    contests: list[WordContest],
    whisper: list[WordEvidence] | None = None,
) -> np.ndarray:
    """One row per word; ``phone_logits`` are the phone model's outputs, in sentence phone order;
    ``whisper`` as for :func:`phone_features`."""
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
    if whisper is not None:
        rows = [row + extra for row, extra in zip(rows, _whisper_word_rows(whisper), strict=True)]
    return np.asarray(rows, dtype=np.float64).reshape(len(evidence), len(feature_names(whisper is not None)[1]))
