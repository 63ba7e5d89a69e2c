"""Decode the recording with a free phone loop, to tell which phones were heard where.

The loop's segment scores come back exponentiated from PocketSphinx's Python API (values near 1.0);
they are converted back to raw log scores (base 1.0001) here, so that they can be compared with
alignment scores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pocketsphinx

from inference_daemon.backends.phonetic.decoders import fresh_features

SILENCE = "SIL"
_LOG_BASE = math.log(1.0001)
# Scores so low that exp() underflowed to 0.
_FLOOR_SCORE = -10_000_000


@dataclass(frozen=True)
class HeardPhone:
    """A phone-loop segment: ARPAbet phone or ``SIL``, frames [start, end), raw log acoustic score."""

    phone: str
    start: int
    end: int
    score: float

    @property
    def frames(self) -> int:
        return self.end - self.start


def raw_log_score(exponentiated: float) -> float:
    """Undo the Python API's exponentiation of segment scores (see the module docstring)."""
    return math.log(exponentiated) / _LOG_BASE if exponentiated > 0 else _FLOOR_SCORE


def decode_phones(decoder: pocketsphinx.Decoder, raw: bytes, first_frame: int = 0) -> list[HeardPhone]:
    """Phones heard in the audio; frames are shifted by ``first_frame`` (where ``raw`` starts)."""
    fresh_features(decoder)
    decoder.start_utt()
    decoder.process_raw(raw, full_utt=True)
    decoder.end_utt()
    heard = []
    for segment in decoder.seg():
        phone = SILENCE if segment.word in ("SIL", "<sil>", "<s>", "</s>") else segment.word
        heard.append(
            HeardPhone(
                phone,
                first_frame + segment.start_frame,
                first_frame + segment.end_frame + 1,
                raw_log_score(segment.ascore),
            )
        )
    return heard


def heard_in_span(heard: list[HeardPhone], start: int, end: int) -> list[str]:
    """Phones the loop heard whose middle lies inside frames [start, end), silence left out."""
    phones = []
    for segment in heard:
        middle = (segment.start + segment.end) / 2
        if start <= middle < end and segment.phone != SILENCE:
            phones.append(segment.phone)
    return phones
