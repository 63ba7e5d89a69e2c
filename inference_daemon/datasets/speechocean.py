"""Read speechocean762 in its own Kaldi-style layout: sentences, audio paths, speakers and expert scores.

Layout: ``SPLIT/text`` (``UTTID SENTENCE``), ``SPLIT/wav.scp`` (``UTTID WAVE/...WAV``),
``SPLIT/utt2spk`` and ``resource/scores.json`` (per word ``accuracy`` 0-10, canonical ``phones``
and ``phones-accuracy`` 0-2; the official release adds ``mispronunciations``). Licence: CC BY 4.0.

Reference labels used across the project (the corpus README's definition): a word is
mispronounced when the median expert word accuracy is 6 or less. A phone counts as mispronounced
when its mean expert phone score is below 1 (most experts heard it wrong or missing).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference_daemon.datasets.records import (
    UNCLEAR,
    AnnotatedPhone,
    AnnotatedUtterance,
    AnnotatedWord,
    PhoneKind,
)
from inference_daemon.pronunciation import TargetWord, strip_stress, target_words

MISPRONOUNCED_WORD_ACCURACY = 6
MISPRONOUNCED_PHONE_SCORE = 1.0


@dataclass(frozen=True)
class ScoredWord:
    text: str
    accuracy: float  # 0-10, median of the experts
    phones: tuple[str, ...]  # canonical ARPAbet without stress
    phone_scores: tuple[float, ...]  # 0-2, mean of the experts
    mispronunciations: tuple[dict[str, Any], ...] = ()
    stress: float | None = None  # 10 the lexical stress was right, 5 wrong (experts' median), where given

    @property
    def mispronounced(self) -> bool:
        return self.accuracy <= MISPRONOUNCED_WORD_ACCURACY


@dataclass(frozen=True)
class ScoredUtterance:
    utterance_id: str
    speaker: str
    audio_path: Path
    text: str
    accuracy: float  # sentence accuracy 0-10
    words: tuple[ScoredWord, ...]
    fluency: float | None = None  # sentence fluency 0-10 (the experts' median), where the file has it
    prosodic: float | None = None  # sentence prosody (rhythm, intonation) 0-10
    completeness: float | None = None  # share of the words read, 0-10 (the official files; not the dev rebuild)


def _read_table(path: Path) -> dict[str, str]:
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            key, _, value = line.strip().partition(" ")
            table[key] = value.strip()
    return table


def _optional_float(value: float | str | None) -> float | None:
    return None if value is None else float(value)


def fit_split(name: str) -> str:
    """``--split`` of the tools that fit or calibrate: any split but ``test``, which the corpus keeps
    for evaluation (figures fitted on it would be no estimate at all)."""
    if name == "test":
        raise argparse.ArgumentTypeError("the test split is reserved for evaluation; fit on 'train'")
    return name


def add_fit_split_argument(parser: argparse.ArgumentParser) -> None:
    """The fitting tools' ``--split`` (default ``train``), refusing ``test`` as it is parsed."""
    parser.add_argument("--split", type=fit_split, default="train", help="split to fit on (never 'test')")


def read_split(corpus: Path, split: str = "train") -> list[ScoredUtterance]:
    """The utterances of one split that have scores, in the order of ``SPLIT/text``."""
    texts = _read_table(corpus / split / "text")
    wavs = _read_table(corpus / split / "wav.scp")
    speakers = _read_table(corpus / split / "utt2spk")
    scores = json.loads((corpus / "resource" / "scores.json").read_text(encoding="utf-8"))
    utterances = []
    for utterance_id, text in texts.items():
        if utterance_id not in scores:
            continue
        entry = scores[utterance_id]
        words = tuple(
            ScoredWord(
                text=w["text"],
                accuracy=float(w["accuracy"]),
                phones=tuple(strip_stress(p) for p in w["phones"]),
                phone_scores=tuple(float(s) for s in w["phones-accuracy"]),
                mispronunciations=tuple(w.get("mispronunciations", ())),
                stress=_optional_float(w.get("stress")),
            )
            for w in entry["words"]
        )
        utterances.append(ScoredUtterance(
            utterance_id=utterance_id, speaker=speakers.get(utterance_id, "unknown"),
            audio_path=corpus / wavs[utterance_id], text=text, accuracy=float(entry["accuracy"]), words=words,
            fluency=_optional_float(entry.get("fluency")), prosodic=_optional_float(entry.get("prosodic")),
            completeness=_optional_float(entry.get("completeness")),
        ))
    return utterances


def to_annotated(utterance: ScoredUtterance) -> AnnotatedUtterance:
    """Turn expert scores into phone annotations: the corpus's ``mispronunciations`` where present,
    otherwise a phone scored below 1 becomes a substitution by an unclear phone (``err``).

    A word the experts judged mispronounced (accuracy <= 6) although no single phone fell below 1
    gets its lowest-scored phone marked, so word and phone labels never disagree.
    """
    words = []
    for word in utterance.words:
        heard: dict[int, str] = {
            int(m["index"]): strip_stress(str(m.get("pronounced-phone", UNCLEAR))) for m in word.mispronunciations
        }
        flagged = bool(heard) or any(score < MISPRONOUNCED_PHONE_SCORE for score in word.phone_scores)
        if word.mispronounced and not flagged and word.phone_scores:
            worst = min(range(len(word.phone_scores)), key=word.phone_scores.__getitem__)
            heard[worst] = UNCLEAR
        phones = []
        for index, (phone, score) in enumerate(zip(word.phones, word.phone_scores, strict=True)):
            if index in heard or score < MISPRONOUNCED_PHONE_SCORE:
                perceived = heard.get(index, UNCLEAR)
                phones.append(AnnotatedPhone(PhoneKind.substitution, phone, perceived))
            else:
                phones.append(AnnotatedPhone.correct(phone))
        words.append(AnnotatedWord(word.text.lower(), phones))
    return AnnotatedUtterance(
        utterance_id=utterance.utterance_id, speaker=utterance.speaker, audio_path=str(utterance.audio_path),
        text=utterance.text, words=words, source="speechocean762",
    )


def pronunciation_candidates(utterance: ScoredUtterance,
                             variants_of: Callable[[TargetWord], list[list[str]]]) -> list[list[list[str]]]:
    """Per word, what a backend may align when fitting on the corpus: the corpus's own phones first,
    then the backend's other pronunciations of the same length (``variants_of``), so that the
    experts' per-phone scores still line up with the phones judged."""
    targets = target_words(utterance.text)
    candidates = []
    for position, word in enumerate(utterance.words):
        canonical = list(word.phones)
        variants = variants_of(targets[position]) if len(targets) == len(utterance.words) else []
        candidates.append([canonical, *(v for v in variants if len(v) == len(canonical) and v != canonical)])
    return candidates
