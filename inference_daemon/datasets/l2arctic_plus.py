"""Read and write L2-Arctic-plus JSON (``train_data.json`` / ``test_data.json``: a JSON list of records).

See :mod:`inference_daemon.datasets.records` for the record shape and for how a word repeated in
a sentence is treated (the release keeps one entry per word text).

Audio paths: the release writes them relative to the paper repository's root
(``./data/L2-Arctic-plus/l2arctic_release_v5.0/NJS/wav/arctic_a0363.wav``). An ``audio_root`` may be
that root, or the L2-ARCTIC folder itself (``SPEAKER/wav/FILE`` below it): see :func:`resolve_audio_path`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from inference_daemon.datasets.records import AnnotatedPhone, AnnotatedUtterance, AnnotatedWord, parse_phone_label
from inference_daemon.pronunciation import target_words

log = logging.getLogger(__name__)


def _speaker_from_path(audio_path: str) -> str:
    parts = Path(audio_path).parts
    if "wav" in parts and parts.index("wav") > 0:
        return parts[parts.index("wav") - 1]
    return Path(audio_path).parent.name


def _speaker_tail(audio_path: str) -> Path | None:
    """``SPEAKER/wav/FILE``, the part of a path below the L2-ARCTIC folder (None when it has no ``wav`` folder)."""
    parts = Path(audio_path).parts
    if "wav" in parts[1:-1]:
        wav = len(parts) - 1 - parts[::-1].index("wav")
        return Path(*parts[wav - 1:])
    return None


def resolve_audio_path(audio_path: str, audio_root: Path | None) -> str:
    """A record's audio path, resolved against ``audio_root`` when relative.

    ``audio_root / audio_path`` when that file exists (the root is the paper repository's, or the
    path is already ``SPEAKER/wav/FILE``), else ``audio_root / SPEAKER/wav/FILE`` when that exists
    (the root is the L2-ARCTIC folder); when neither exists, ``audio_root / audio_path`` as written.
    """
    if audio_root is None or Path(audio_path).is_absolute():
        return audio_path
    joined = audio_root / audio_path
    tail = _speaker_tail(audio_path)
    if not joined.exists() and tail is not None and (audio_root / tail).exists():
        return str(audio_root / tail)
    return str(joined)


def _words_in_order(record: dict[str, Any]) -> tuple[list[AnnotatedWord], int]:
    """Sentence-ordered words from a release record; returns them and the count of repeats guessed."""
    annotation: dict[str, list[str]] = {k.lower(): v for k, v in record.get("annotation_info", {}).items()}
    feedback: dict[str, list[dict[str, str]]] = {k.lower(): v for k, v in record.get("mis_exp_sug", {}).items()}
    used: set[str] = set()
    repeats = 0
    words = []
    for target in target_words(record["text"]):
        key = target.text.lower()
        if key in annotation and key not in used:
            used.add(key)
            phones = [parse_phone_label(label) for label in annotation[key]]
            words.append(AnnotatedWord(key, phones, list(feedback.get(key, []))))
            continue
        if key in used:
            repeats += 1
        words.append(AnnotatedWord(key, [AnnotatedPhone.correct(p) for p in target.phones]))
    unmatched = set(annotation) - used
    if unmatched:
        log.debug("%s: annotated words not in the text: %s", record.get("audio_path"), sorted(unmatched))
    return words, repeats


def record_to_utterance(record: dict[str, Any], audio_root: Path | None = None) -> AnnotatedUtterance:
    """One release record (or one written by this project, which carries ``words``)."""
    audio_path = resolve_audio_path(record["audio_path"], audio_root)
    if "words" in record:
        words = [
            AnnotatedWord(w["text"], [parse_phone_label(p) for p in w["phones"]], list(w.get("feedback", [])))
            for w in record["words"]
        ]
        repeats = 0
    else:
        words, repeats = _words_in_order(record)
    return AnnotatedUtterance(
        utterance_id=record.get("utterance_id") or Path(record["audio_path"]).stem,
        speaker=record.get("speaker") or _speaker_from_path(record["audio_path"]),
        audio_path=audio_path,
        text=record["text"],
        words=words,
        source=record.get("source", "l2arctic-plus"),
        regeneration=bool(record.get("regeneration", False)),
        ambiguous_repeats=repeats,
    )


def read_release(path: Path, audio_root: Path | None = None) -> list[AnnotatedUtterance]:
    """Read a JSON list of records; ``audio_root`` resolves relative audio paths."""
    records = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(records, list):
        raise ValueError(f"{path}: expected a JSON list of records")
    return [record_to_utterance(record, audio_root) for record in records]


def write_release(utterances: Iterable[AnnotatedUtterance], path: Path) -> int:
    """Write records in the release's shape (plus ``words``); returns how many were written."""
    records = [u.to_release() for u in utterances]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(records)
