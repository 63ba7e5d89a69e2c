"""Give every word of a target sentence its expected ARPAbet phones, the one job backends share.

The pronouncing dictionary is the CMUdict that PocketSphinx ships (already without stress marks);
words it lacks are derived from it where English allows ("James's", hyphenated compounds), and
otherwise guessed by the offline grapheme-to-phoneme fallback.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from inference_daemon.pronunciation.arpabet import strip_stress
from inference_daemon.pronunciation.g2p import GraphemeToPhoneme
from inference_daemon.pronunciation.normalize import normalize_sentence, straight_apostrophes

logger = logging.getLogger(__name__)

Pronunciation = tuple[str, ...]

_SIBILANTS = frozenset({"S", "Z", "SH", "ZH", "CH", "JH"})
_VOICELESS = frozenset({"P", "T", "K", "F", "TH"})


@dataclass(frozen=True)
class TargetWord:
    """One word of the target sentence with the tokens a speaker says and their pronunciations."""

    index: int
    """Position in ``split_words(sentence)``."""
    text: str
    """Exactly ``split_words(sentence)[index]``."""
    tokens: tuple[str, ...]
    """Lower-case spoken tokens ("3" is ``("three",)``); each has a pronunciation."""
    pronunciations: tuple[Pronunciation, ...]
    """Per token, the primary pronunciation (ARPAbet without stress)."""
    variants: tuple[tuple[Pronunciation, ...], ...]
    """Per token, every known pronunciation, the primary one first."""
    from_g2p: bool
    """True when any token's pronunciation was guessed rather than found in the dictionary."""

    @property
    def phones(self) -> list[str]:
        """The primary pronunciations of all tokens, one after the other."""
        return [phone for pronunciation in self.pronunciations for phone in pronunciation]


def pocketsphinx_dictionary_path() -> Path:
    """Where the PocketSphinx wheel keeps its US English CMUdict."""
    import pocketsphinx

    return Path(os.path.dirname(pocketsphinx.__file__)) / "model" / "en-us" / "cmudict-en-us.dict"


class Lexicon:
    """A pronouncing dictionary with a grapheme-to-phoneme fallback; safe to share between threads."""

    _default: ClassVar[Lexicon | None] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, entries: Mapping[str, str], g2p: GraphemeToPhoneme) -> None:
        """``entries`` maps a lower-case word to its pronunciations: phones separated by spaces,
        variants by ``|`` (``"D OW N T|D OW N"``), as :meth:`from_dictionary_file` builds them."""
        self._entries = entries
        self.g2p = g2p
        self._by_pronunciation: dict[Pronunciation, list[str]] | None = None
        self._index_lock = threading.Lock()

    @classmethod
    def from_dictionary_file(cls, path: Path, g2p: GraphemeToPhoneme | None = None) -> Lexicon:
        """Read a CMUdict-format file (``word PH ON ES``, variants as ``word(2) ...``)."""
        entries: dict[str, str] = {}
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                word, _, phones = line.strip().partition(" ")
                if not phones:
                    continue
                if word.endswith(")") and "(" in word:
                    word = word[: word.index("(")]
                known = entries.get(word)
                entries[word] = phones if known is None else f"{known}|{phones}"
        return cls(entries, g2p if g2p is not None else GraphemeToPhoneme.detect())

    @classmethod
    def default(cls) -> Lexicon:
        """The process-wide lexicon: PocketSphinx's CMUdict, espeak-ng where installed."""
        with cls._default_lock:
            if cls._default is None:
                started = time.perf_counter()
                cls._default = cls.from_dictionary_file(pocketsphinx_dictionary_path())
                logger.info("Loaded the pronouncing dictionary in %.2f s", time.perf_counter() - started)
            return cls._default

    def lookup(self, token: str) -> list[Pronunciation]:
        """Every dictionary pronunciation of the token, primary first; ``[]`` when it is unknown."""
        entry = self._entries.get(straight_apostrophes(token).lower())
        if entry is None:
            return []
        return [tuple(strip_stress(phone) for phone in variant.split()) for variant in entry.split("|")]

    def words_pronounced(self, phones: Iterable[str]) -> list[str]:
        """Dictionary words with this pronunciation (any variant), alphabetical; for naming a heard
        competitor as a real word ("S IH NG K" is "sink")."""
        with self._index_lock:
            if self._by_pronunciation is None:
                index: dict[Pronunciation, list[str]] = {}
                for word in sorted(self._entries):
                    for variant in self._entries[word].split("|"):
                        index.setdefault(tuple(strip_stress(p) for p in variant.split()), []).append(word)
                self._by_pronunciation = index
        return list(self._by_pronunciation.get(tuple(phones), ()))

    def pronounce(self, token: str) -> list[Pronunciation]:
        """The dictionary's pronunciations, else derived or guessed ones; never empty for a token
        with an ASCII letter."""
        return self._pronounce_all([token])[token][0]

    def target_words(self, sentence: str) -> list[TargetWord]:
        """One :class:`TargetWord` per word of ``split_words(sentence)``, in order."""
        words = [(word.text, self._split_unknown_compounds(word.tokens)) for word in normalize_sentence(sentence)]
        pronounced = self._pronounce_all(token for _, tokens in words for token in tokens)
        target = []
        for index, (text, tokens) in enumerate(words):
            variants = tuple(tuple(pronounced[token][0]) for token in tokens)
            target.append(
                TargetWord(
                    index=index,
                    text=text,
                    tokens=tokens,
                    pronunciations=tuple(token_variants[0] for token_variants in variants),
                    variants=variants,
                    from_g2p=any(pronounced[token][1] for token in tokens),
                )
            )
        return target

    def _split_unknown_compounds(self, tokens: Iterable[str]) -> tuple[str, ...]:
        """Hyphenated tokens the dictionary lacks become their parts ("blue-green": "blue", "green")."""
        split: list[str] = []
        for token in tokens:
            if "-" in token and not self._derived(token):
                split.extend(part for part in token.split("-") if part)
            else:
                split.append(token)
        return tuple(split)

    def _derived(self, token: str) -> list[Pronunciation]:
        """Dictionary pronunciations of the token itself, or of a possessive's base word."""
        found = self.lookup(token)
        if found:
            return found
        key = straight_apostrophes(token).lower()
        if key.endswith("'s") and (base := self.lookup(key[:-2])):
            return [variant + _possessive_ending(variant) for variant in base]
        if key.endswith("s'"):
            return self.lookup(key[:-1])
        return []

    def _pronounce_all(self, tokens: Iterable[str]) -> dict[str, tuple[list[Pronunciation], bool]]:
        """Each token's pronunciations and whether they were guessed, with one G2P batch for all."""
        result: dict[str, tuple[list[Pronunciation], bool]] = {}
        unknown_parts: dict[str, list[str]] = {}
        for token in dict.fromkeys(tokens):
            found = self._derived(token)
            if found:
                result[token] = (found, False)
            else:
                unknown_parts[token] = [part for part in token.split("-") if part] or [token]
        needed = list(dict.fromkeys(part for parts in unknown_parts.values() for part in parts))
        known_parts = {part: found[0] for part in needed if (found := self._derived(part))}
        guessed = self.g2p.pronounce_many(part for part in needed if part not in known_parts)
        for token, parts in unknown_parts.items():
            phones = tuple(phone for part in parts for phone in known_parts.get(part) or guessed[part])
            result[token] = ([phones] if phones else [], any(part not in known_parts for part in parts))
        return result


def _possessive_ending(pronunciation: Pronunciation) -> Pronunciation:
    """ "'s" is said IH Z after a sibilant, S after another voiceless sound, Z otherwise."""
    last = pronunciation[-1] if pronunciation else ""
    if last in _SIBILANTS:
        return ("IH", "Z")
    return ("S",) if last in _VOICELESS else ("Z",)
