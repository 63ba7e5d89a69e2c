"""Read L2-ARCTIC v5's annotated utterances (TextGrids with error tags) into annotated utterances.

Layout (the corpus's own): ``CORPUS/SPEAKER/{wav,transcript,textgrid,annotation}/``; the
``annotation/*.TextGrid`` files (about 150 per speaker) carry ``words`` and ``phones`` tiers whose
phone labels are a phone (``"AH0"``) or an error tag ``"CPL,PPL,s"`` / ``"sil,PPL,a"`` /
``"CPL,sil,d"`` (see :func:`inference_daemon.datasets.records.parse_phone_label`). Each phone goes
to the word whose interval holds its midpoint; an addition in a pause goes to the word before it.
Licence of the corpus: CC BY-NC 4.0.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from inference_daemon.datasets.records import AnnotatedUtterance, AnnotatedWord, PhoneKind, parse_phone_label
from inference_daemon.datasets.textgrid import Interval, read_textgrid, tier

log = logging.getLogger(__name__)

#: The standard L2-ARCTIC test speakers (one per native language), never used for training.
TEST_SPEAKERS = ("NJS", "TLV", "TNI", "TXHC", "YKWK", "ZHAA")

#: Native language (ISO 639-1) of each L2-ARCTIC speaker, from the corpus documentation.
SPEAKER_L1 = {
    **dict.fromkeys(("ABA", "SKA", "YBAA", "ZHAA"), "ar"),
    **dict.fromkeys(("BWC", "LXC", "NCC", "TXHC"), "zh"),
    **dict.fromkeys(("ASI", "RRBI", "SVBI", "TNI"), "hi"),
    **dict.fromkeys(("HJK", "HKK", "YDCK", "YKWK"), "ko"),
    **dict.fromkeys(("EBVS", "ERMS", "MBMPS", "NJS"), "es"),
    **dict.fromkeys(("HQTV", "PNV", "THV", "TLV"), "vi"),
}

_SILENCE_WORDS = {"", "sil", "sp", "spn", "<sil>", "<unk>"}
_SILENCE_PHONES = {"", "SIL", "SP", "SPN"}


def _is_silence_phone(label: str) -> bool:
    return label.strip().upper() in _SILENCE_PHONES


def words_from_tiers(words: tuple[Interval, ...], phones: tuple[Interval, ...]) -> list[AnnotatedWord]:
    """Group phone intervals into their words (by midpoint), keeping additions in pauses."""
    spoken = [w for w in words if w.text.strip().lower() not in _SILENCE_WORDS]
    result = [AnnotatedWord(text=w.text.strip().lower(), phones=[]) for w in spoken]
    if not result:
        return result
    for phone in phones:
        if _is_silence_phone(phone.text):
            continue
        annotated = parse_phone_label(phone.text)
        if annotated.kind is PhoneKind.correct and _is_silence_phone(annotated.canonical or ""):
            continue
        index = next((i for i, w in enumerate(spoken) if w.start <= phone.middle < w.end), None)
        if index is None:  # in a pause: only additions live there; give them to the previous word
            if annotated.kind is not PhoneKind.addition:
                log.debug("phone %r outside every word at %.2f s", phone.text, phone.middle)
            index = max((i for i, w in enumerate(spoken) if w.end <= phone.middle), default=0)
        result[index].phones.append(annotated)
    return result


def read_annotated_utterance(annotation: Path, speaker_dir: Path) -> AnnotatedUtterance:
    """One ``annotation/<id>.TextGrid`` with its transcript and wav path."""
    utterance_id = annotation.stem
    tiers = read_textgrid(annotation)
    words = words_from_tiers(tier(tiers, "words").intervals, tier(tiers, "phones").intervals)
    transcript = speaker_dir / "transcript" / f"{utterance_id}.txt"
    text = transcript.read_text(encoding="utf-8").strip() if transcript.exists() else " ".join(w.text for w in words)
    return AnnotatedUtterance(
        utterance_id=f"{speaker_dir.name}_{utterance_id}",
        speaker=speaker_dir.name,
        audio_path=str(speaker_dir / "wav" / f"{utterance_id}.wav"),
        text=text,
        words=words,
        source="l2arctic",
    )


def speaker_dirs(corpus: Path) -> list[Path]:
    """Speaker folders of the corpus (those with an ``annotation`` folder), sorted by name."""
    return sorted(p for p in corpus.iterdir() if (p / "annotation").is_dir())


def iter_annotated(corpus: Path, speakers: set[str] | None = None) -> Iterator[AnnotatedUtterance]:
    """Every annotated utterance of the corpus (or of the given speakers), in a stable order."""
    for speaker_dir in speaker_dirs(corpus):
        if speakers is not None and speaker_dir.name not in speakers:
            continue
        for annotation in sorted((speaker_dir / "annotation").glob("*.TextGrid")):
            yield read_annotated_utterance(annotation, speaker_dir)

