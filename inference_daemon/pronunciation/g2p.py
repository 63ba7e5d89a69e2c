"""Pronounce words that no dictionary knows, offline: espeak-ng where installed, spelling rules otherwise.

All unknown words of a sentence go to one espeak-ng process (one word a line, IPA out), whose IPA is
read into ARPAbet with :func:`~inference_daemon.pronunciation.ipa.ipa_to_arpabet`. When espeak-ng is
missing, fails, or says nothing usable for a word, :func:`letter_to_sound` guesses from the
spelling. Results are cached per word.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import threading
from collections.abc import Iterable

from inference_daemon.pronunciation.ipa import ipa_to_arpabet
from inference_daemon.pronunciation.letter_to_sound import letter_to_sound

logger = logging.getLogger(__name__)

_ESPEAK_TIMEOUT_S = 10.0
# Words beyond this many are forgotten all at once; a deck's vocabulary stays far below it.
_CACHE_LIMIT = 50_000


class GraphemeToPhoneme:
    """ARPAbet guesses for unknown words; thread-safe, cached per word."""

    def __init__(self, espeak_executable: str | None, voice: str = "en-us") -> None:
        """``espeak_executable`` is the path of espeak-ng, or None to use spelling rules only."""
        self.espeak_executable = espeak_executable
        self.voice = voice
        self._cache: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    @classmethod
    def detect(cls) -> GraphemeToPhoneme:
        """Use espeak-ng when it is on the PATH, spelling rules otherwise."""
        executable = shutil.which("espeak-ng")
        if executable is None:
            logger.info("espeak-ng not found: unknown words are pronounced by spelling rules")
        return cls(executable)

    def pronounce(self, word: str) -> tuple[str, ...]:
        """ARPAbet phones for one word; empty only when the word has no ASCII letter."""
        return self.pronounce_many([word])[word]

    def pronounce_many(self, words: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """ARPAbet phones for each word, with a single espeak-ng run for those not cached yet."""
        wanted = list(dict.fromkeys(words))
        with self._lock:
            known = {word: self._cache[word] for word in wanted if word in self._cache}
        missing = [word for word in wanted if word not in known]
        if missing:
            from_espeak = self._run_espeak(missing) if self.espeak_executable else {}
            guessed = {word: from_espeak.get(word) or letter_to_sound(word) for word in missing}
            with self._lock:
                if len(self._cache) + len(guessed) > _CACHE_LIMIT:
                    self._cache.clear()
                self._cache.update(guessed)
            known.update(guessed)
        return {word: known[word] for word in wanted}

    def _run_espeak(self, words: list[str]) -> dict[str, tuple[str, ...]]:
        """Phones espeak-ng gives each word; words it could not be asked about are left out."""
        spellable = {word: re.sub("[^a-z']", "", word.lower()).strip("'") for word in words}
        asked = [word for word, spelling in spellable.items() if re.search("[a-z]", spelling)]
        if not asked or self.espeak_executable is None:
            return {}
        command = [self.espeak_executable, "-q", "--ipa", "--sep=_", "-v", self.voice]
        text = "".join(f"{spellable[word]}.\n" for word in asked)
        try:
            completed = subprocess.run(
                command, input=text, capture_output=True, text=True, timeout=_ESPEAK_TIMEOUT_S, check=True
            )
        except (OSError, subprocess.SubprocessError) as error:
            logger.warning("espeak-ng failed (%s); using spelling rules for %d words", error, len(asked))
            return {}
        lines = [line for line in completed.stdout.splitlines() if line.strip()]
        if len(lines) != len(asked):
            logger.warning("espeak-ng returned %d lines for %d words; using spelling rules", len(lines), len(asked))
            return {}
        return {word: tuple(ipa_to_arpabet(line)) for word, line in zip(asked, lines, strict=True)}
