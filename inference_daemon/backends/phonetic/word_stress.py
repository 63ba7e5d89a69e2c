"""Word stress: did the syllable the dictionary stresses stand out, or did another one?

A stressed syllable is longer, louder and higher (or moving) in pitch than its neighbours. For a word
of two or more syllables, each vowel the alignment found gets these cues (log duration, peak
intensity, median and peak pitch); a syllable's *lead* is how far each cue of it is above the
strongest of the other syllables. A logistic model, fitted on speechocean762's per-word stress label
(the experts' 10 right / 5 wrong) by ``tools/calibrate_word_stress.py``, turns the leads of the
dictionary's stressed syllable, the number of syllables and the word's own score into the probability
that the stress was wrong. The same model, asked as if each other syllable were the stressed one,
names the syllable that stood out most (the lowest probability of being wrong).

A word is flagged when the probability passes the fitted threshold *and* the syllable that stood
out is not one the dictionary allows: the learner is told which syllable to stress, so the error must
say something about stress, not only that the word went wrong. On speechocean762 a wrong stress
nearly always comes with wrong sounds, so the model leans on the word's score and would miss a
wrong stress on a word whose sounds are right; a *clear reversal* is therefore flagged too, whatever
the score: another syllable at least twice as long, 3 dB louder and half a semitone higher than the
dictionary's (:data:`CLEAR_REVERSAL`; on the train split these margins flag 0.9 % of the words with
the model's precision, 0.30). Words whose stress the dictionary does not know in the aligned number
of syllables are not judged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from inference_daemon.backends.phonetic.alignment import AlignedWord
from inference_daemon.backends.phonetic.decoders import FRAME_S
from inference_daemon.calibration import CalibrationMismatch, LogisticModel
from inference_daemon.feedback import ErrorType, PhoneError
from inference_daemon.pronunciation.stress import StressTable, vowel_positions
from inference_daemon.sentence_scores.pitch_track import track_slice

WORD_STRESS_PATH = Path(__file__).with_name("word_stress.json")

STRESS_FEATURES = [
    "duration_lead",  # log duration of the syllable's vowel minus the longest other vowel's
    "intensity_lead",  # its peak intensity (dB) minus the loudest other vowel's
    "pitch_lead",  # its median pitch (semitones) minus the highest other vowel's median
    "pitch_peak_lead",  # its peak pitch minus the highest other vowel's peak
    "syllables",  # number of syllables (longer words leave more room for a wrong stress)
    "word_score",  # the backend's 0-100 score of the word: a wrong stress rarely comes alone
]
# Cue columns of :func:`syllable_cues`, in the order of the first four features.
_CUES = 4
# How far another syllable must be ahead of the dictionary's stressed one, in log duration, peak
# intensity (dB) and median pitch (semitones), to count as a clear reversal.
CLEAR_REVERSAL = np.asarray([np.log(2.0), 3.0, 0.5])


def syllable_cues(
    word: AlignedWord, seconds: Any, semitones: np.ndarray, intensity: np.ndarray, origin_s: float
) -> np.ndarray:
    """Per vowel of the aligned word: log duration, peak intensity, median pitch and peak pitch (NaN when
    no frame was voiced). ``seconds`` maps an analysis frame to seconds of the recording; the tracks
    start at ``origin_s``."""
    rows = []
    for position in vowel_positions(word.pronunciation):
        phone = word.phones[position]
        start, end = seconds(phone.start), seconds(phone.end)
        loudness = track_slice(intensity, start, end, origin_s)
        pitch = track_slice(semitones, start, end, origin_s)
        voiced = pitch[np.isfinite(pitch)]
        rows.append([
            float(np.log(phone.frames * FRAME_S)),
            float(loudness.max()) if len(loudness) else np.nan,
            float(np.median(voiced)) if len(voiced) else np.nan,
            float(voiced.max()) if len(voiced) else np.nan,
        ])
    return np.asarray(rows, dtype=np.float64).reshape(-1, _CUES)


def leads(cues: np.ndarray, syllable: int) -> np.ndarray:
    """How far each cue of ``syllable`` is above the strongest other syllable; 0 where either side has
    no value (an unvoiced vowel says nothing about pitch)."""
    others = np.delete(cues, syllable, axis=0)
    result = np.zeros(_CUES)
    for column in range(_CUES):
        known = others[:, column][np.isfinite(others[:, column])]
        if np.isfinite(cues[syllable, column]) and len(known):
            result[column] = cues[syllable, column] - known.max()
    return result


def clear_reversal(cues: np.ndarray, expected: frozenset[int]) -> int | None:
    """A syllable the dictionary does not stress that is ahead of every one it does by
    :data:`CLEAR_REVERSAL` in duration, intensity and pitch (the most prominent such), or ``None``."""
    ahead = [
        syllable for syllable in range(len(cues)) if syllable not in expected
        and all(np.all(cues[syllable, :3] - cues[other, :3] >= CLEAR_REVERSAL) for other in expected)
    ]
    return max(ahead, key=lambda syllable: float(cues[syllable, 0]), default=None)


def feature_row(cues: np.ndarray, syllable: int, word_score: float) -> np.ndarray:
    """One row of :data:`STRESS_FEATURES`, as if ``syllable`` were the one the dictionary stresses."""
    return np.concatenate([leads(cues, syllable), [float(len(cues)), float(word_score)]])


@dataclass(frozen=True)
class StressEvidence:
    """What the decision on one word reads: the probability that its stress was wrong (for the
    dictionary's syllable that fares best), the syllable the model finds most likely stressed, and a
    clear reversal, if any."""

    probability: float
    stood_out: int
    reversal: int | None


def stress_evidence(model: LogisticModel, cues: np.ndarray, expected: frozenset[int],
                    word_score: float) -> StressEvidence:
    """The evidence of :class:`StressEvidence` from a word's :func:`syllable_cues`; ``model`` reads the
    first ``len(model.features)`` of :data:`STRESS_FEATURES` (the calibration tool's variants read fewer)."""
    columns = len(model.features)
    rows = np.vstack([feature_row(cues, syllable, word_score)[:columns] for syllable in range(len(cues))])
    probabilities = model.probabilities(rows)
    return StressEvidence(float(min(probabilities[syllable] for syllable in expected)),
                          int(np.argmin(probabilities)), clear_reversal(cues, expected))


@dataclass(frozen=True)
class StressJudgement:
    """The outcome for one word: the syllables the dictionary allows, the one that stood out, and the
    probability that the stress was wrong."""

    expected: frozenset[int]
    stressed: int
    probability: float
    wrong: bool


@dataclass(frozen=True)
class WordStressModel:
    """The fitted model, its decision threshold and how it was fitted."""

    model: LogisticModel
    threshold: float
    provenance: dict[str, Any]

    def judge(self, cues: np.ndarray, expected: frozenset[int], word_score: float) -> StressJudgement:
        """Judge one word from its :func:`syllable_cues` and the syllables that may carry its stress."""
        evidence = stress_evidence(self.model, cues, expected, word_score)
        if evidence.reversal is not None:
            return StressJudgement(expected, evidence.reversal, evidence.probability, True)
        return StressJudgement(expected, evidence.stood_out, evidence.probability,
                               evidence.probability >= self.threshold and evidence.stood_out not in expected)

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model.to_json(), "decisions": {"threshold": self.threshold},
                "provenance": self.provenance}

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> WordStressModel:
        """Read a file; one fitted on other features than :data:`STRESS_FEATURES` is refused."""
        data = json.loads(path.read_text(encoding="utf-8"))
        model = LogisticModel.from_json(data["model"])
        if model.features != STRESS_FEATURES:
            raise CalibrationMismatch(
                f"{path} was fitted on other features than the backend computes; rerun tools/calibrate_word_stress.py"
            )
        return cls(model, float(data["decisions"]["threshold"]), dict(data.get("provenance", {})))


@lru_cache(maxsize=1)
def default_word_stress_model() -> WordStressModel | None:
    """The shipped model, ``None`` when the package has none (stress is then not judged)."""
    return WordStressModel.load(WORD_STRESS_PATH) if WORD_STRESS_PATH.is_file() else None


def expected_stress(token: str, word: AlignedWord) -> frozenset[int] | None:
    """The syllables of the aligned pronunciation that may carry ``token``'s main stress, or ``None``
    when there is nothing to judge (one syllable, or unknown to the dictionary in that many)."""
    return StressTable.default().primary_syllables(token, len(vowel_positions(word.pronunciation)))


def stress_error(judgement: StressJudgement, word: AlignedWord) -> PhoneError:
    """The document's error for a wrong stress: the vowel that should carry it (the dictionary's
    stressed syllable nearest the one that stood out) and the vowel that did."""
    nuclei = vowel_positions(word.pronunciation)
    syllable = min(judgement.expected, key=lambda s: (abs(s - judgement.stressed), s))
    return PhoneError(
        type=ErrorType.stress,
        expected=word.pronunciation[nuclei[syllable]],
        heard=word.pronunciation[nuclei[judgement.stressed]],
        position=nuclei[syllable],
        stressed_position=nuclei[judgement.stressed],
    )
