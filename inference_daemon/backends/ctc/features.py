"""The CTC evidence as feature rows for the fitted scorer, the same at run time and in ``tools/calibrate_ctc.py``.

Per scored phone: its GOP, how much the best competitor beats it, whether that competitor is a
deletion, its length, its place in the word, its identity, and the evidence of its word (left out,
heard, insertions). Per word: the phone model's outputs over its phones and the word's own
evidence. Phones the model cannot express have no evidence and no row. Names and order are
defined here only; a calibration file records them and is refused when they change.
"""

from __future__ import annotations

import math

import numpy as np

from inference_daemon.backends.ctc.analysis import PhoneEvidence, WordEvidence
from inference_daemon.backends.ctc.free_decode import align_phone_sequences, is_vowel
from inference_daemon.pronunciation import ARPABET_PHONES

# Log-likelihood ratios beyond this say nothing more (and come out of impossible hypotheses).
RATIO_CLIP = 20.0

PHONE_FEATURES = [
    "gop",
    "gop_minus_utterance",
    "margin",
    "deletion_wins",
    "log_frames",
    "neighbour_min_gop",
    "word_deletion_margin",
    "word_heard_nothing",
    "word_insertions",
    "word_initial",
    "word_final",
    "vowel",
    *(f"is_{phone}" for phone in ARPABET_PHONES),
]

WORD_FEATURES = [
    "min_phone_logit",
    "mean_phone_logit",
    "min_gop",
    "mean_posterior",
    "max_margin",
    "deletion_margin",
    "heard_nothing",
    "insertions",
    "heard_edits_per_phone",
    "log_phones",
    "log_frames_per_phone",
    "utterance_mean_phone_logit",
]


def scored_phones(word: WordEvidence) -> list[tuple[int, PhoneEvidence]]:
    """The word's phones that have evidence, with their positions in the word."""
    return [(position, phone) for position, phone in enumerate(word.phones) if phone.gop is not None]


def _gop(phone: PhoneEvidence) -> float:
    assert phone.gop is not None
    return phone.gop.gop


def _frames(phone: PhoneEvidence) -> int:
    assert phone.start is not None and phone.end is not None
    return max(phone.end - phone.start, 1)


def _clipped(value: float) -> float:
    return float(np.clip(value, -RATIO_CLIP, RATIO_CLIP))


def phone_features(words: list[WordEvidence]) -> np.ndarray:
    """One row per scored phone of the sentence (words in order), columns as :data:`PHONE_FEATURES`."""
    scored = [scored_phones(word) for word in words]
    gops = [_gop(phone) for phones in scored for _, phone in phones]
    mean_gop = float(np.mean(gops)) if gops else 0.0
    rows = []
    for word, phones in zip(words, scored, strict=True):
        word_gops = [_gop(phone) for _, phone in phones]
        for rank, (position, phone) in enumerate(phones):
            assert phone.gop is not None
            neighbours = word_gops[max(rank - 1, 0) : rank] + word_gops[rank + 1 : rank + 2]
            rows.append([
                phone.gop.gop,
                phone.gop.gop - mean_gop,
                _clipped(phone.gop.margin),
                float(phone.gop.competitor is None),
                math.log(_frames(phone)),
                min(neighbours, default=phone.gop.gop),
                _clipped(word.deletion_margin),
                float(not word.heard),
                float(len(word.insertions)),
                float(position == 0),
                float(position == len(word.phones) - 1),
                float(is_vowel(phone.phone)),
                *(float(phone.phone == name) for name in ARPABET_PHONES),
            ])
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(PHONE_FEATURES))


def _heard_edits(word: WordEvidence) -> int:
    expected = [phone.phone for phone in word.phones]
    pairs = align_phone_sequences(expected, word.heard)
    return sum(1 for pair in pairs
               if pair.expected is None or pair.heard is None or expected[pair.expected] != word.heard[pair.heard])


def word_features(words: list[WordEvidence], phone_logits: np.ndarray) -> np.ndarray:
    """One row per word with at least one scored phone, columns as :data:`WORD_FEATURES`;
    ``phone_logits`` are the phone model's outputs on :func:`phone_features`, in the same order."""
    mean_logit = float(np.mean(phone_logits)) if len(phone_logits) else 0.0
    rows = []
    offset = 0
    for word in words:
        phones = [phone for _, phone in scored_phones(word)]
        if not phones:
            continue
        logits = phone_logits[offset : offset + len(phones)]
        offset += len(phones)
        gops = [_gop(phone) for phone in phones]
        rows.append([
            float(np.min(logits)),
            float(np.mean(logits)),
            min(gops),
            float(np.mean(np.exp(gops))),
            max(_clipped(phone.gop.margin) for phone in phones if phone.gop is not None),
            _clipped(word.deletion_margin),
            float(not word.heard),
            float(len(word.insertions)),
            _heard_edits(word) / len(word.phones),
            math.log(len(word.phones)),
            math.log(sum(_frames(phone) for phone in phones) / len(phones)),
            mean_logit,
        ])
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(WORD_FEATURES))
