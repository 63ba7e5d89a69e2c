"""The dataset file the builder writes and the trainers and the evaluator read: L2-Arctic-plus records plus a split.

A dataset file is a JSON list of records in the L2-Arctic-plus release's own shape (see
:mod:`inference_daemon.datasets.records`), each with two more fields: ``split`` (``train``,
``dev`` or ``test``; speaker-disjoint) and ``native_language`` (ISO 639-1, or null). The
release's own ``train_data.json`` / ``test_data.json`` have neither and read as they are: every
record belongs to any split asked for, and the native language follows the speaker.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inference_daemon.datasets.l2arctic import SPEAKER_L1
from inference_daemon.datasets.l2arctic_plus import record_to_utterance
from inference_daemon.datasets.records import AnnotatedUtterance

SPLITS = ("train", "dev", "test")
#: speechocean762's speakers are Mandarin speakers (corpus README).
SPEECHOCEAN_L1 = "zh"


@dataclass
class DatasetItem:
    """One annotated utterance with the split it belongs to and the speaker's first language."""

    utterance: AnnotatedUtterance
    split: str | None
    native_language: str | None
    record: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    """The record as read from the file (None for items built here): the paper's protocol scores its own
    ``mis_exp_sug``."""

    def to_record(self) -> dict[str, Any]:
        return {**self.utterance.to_release(), "split": self.split, "native_language": self.native_language}


def speaker_split(speaker: str, test_speakers: Iterable[str], dev_speakers: Iterable[str] = ()) -> str:
    """``test`` for the held-out speakers, ``dev`` for the development speakers, else ``train``."""
    if speaker in set(test_speakers):
        return "test"
    return "dev" if speaker in set(dev_speakers) else "train"


def native_language_of(utterance: AnnotatedUtterance) -> str | None:
    """The speaker's first language when the corpus tells it (L2-ARCTIC speakers, speechocean762)."""
    if utterance.source == "speechocean762":
        return SPEECHOCEAN_L1
    return SPEAKER_L1.get(utterance.speaker)


def write_dataset(items: Iterable[DatasetItem], path: Path) -> int:
    """Write the items as one JSON list; returns how many were written."""
    records = [item.to_record() for item in items]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(records)


def read_dataset(path: Path, split: str | None = None, audio_root: Path | None = None) -> list[DatasetItem]:
    """Read a dataset file or a release file; ``split`` keeps the records of that split (and unsplit ones)."""
    records = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(records, list):
        raise ValueError(f"{path}: expected a JSON list of records")
    items = []
    for record in records:
        record_split = record.get("split")
        if split is not None and record_split is not None and record_split != split:
            continue
        utterance = record_to_utterance(record, audio_root)
        language = record["native_language"] if "native_language" in record else native_language_of(utterance)
        items.append(DatasetItem(utterance, record_split, language, record))
    return items
