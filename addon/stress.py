"""Word-stress errors as a learner reads them: which syllable should be strong, not which phones differed.

A stress error names two vowels of the word (the one that should carry the main stress and the one
that carried it instead). Shown as "heard /ə/ instead of /æ/" it would read as a mispronounced
sound, so the card counts syllables instead. Vowels are the ARPAbet vowel phones, one per syllable,
as the CMU dictionary counts them.
"""

from __future__ import annotations

from collections.abc import Sequence

from .document import PhoneError

VOWELS = frozenset({"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"})


def is_vowel(phone: str) -> bool:
    return phone.upper().rstrip("012") in VOWELS


def syllable_number(phones: Sequence[str], position: int | None) -> int | None:
    """1-based syllable of the vowel at ``position`` (vowels up to it are counted); None when it is no vowel."""
    if position is None or not 0 <= position < len(phones) or not is_vowel(phones[position]):
        return None
    return sum(1 for phone in phones[:position + 1] if is_vowel(phone))


def ordinal(number: int) -> str:
    """1 → ``1st``, 2 → ``2nd``, 3 → ``3rd``, 11 → ``11th``."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def stress_note(error: PhoneError, expected_phones: Sequence[str]) -> str:
    """``stress on the wrong syllable: put it on the 2nd, not the 1st``; the syllables are left out when the
    positions do not point at vowels of the word (the daemon's explanation still says what to do)."""
    wanted = syllable_number(expected_phones, error.position)
    stressed = syllable_number(expected_phones, error.stressed_position)
    if wanted is None:
        return "stress on the wrong syllable"
    instead = f", not the {ordinal(stressed)}" if stressed is not None and stressed != wanted else ""
    return f"stress on the wrong syllable: put it on the {ordinal(wanted)}{instead}"
