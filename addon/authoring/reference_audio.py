"""Give a practice sentence a reference recording made by espeak-ng, when the system has it.

The author's choice is honoured only where it can be: without espeak-ng, or when a sentence cannot
be spoken, the Reference Audio field stays empty and the import goes on.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from anki.collection import Collection

from ..audio_compression import compressed_bytes

log = logging.getLogger(__name__)

DEFAULT_VOICE = "en-us"
_SYNTHESIS_TIMEOUT_S = 30
_SOUND_TAG = re.compile(r"\[sound:[^\]]+\]")


def espeak_path() -> str | None:
    """Where espeak-ng is installed, or None."""
    return shutil.which("espeak-ng")


def sound_tags_in(field_html: str) -> str:
    """The ``[sound:…]`` tags of a field, space-separated: audio a note already has, kept as it is."""
    return " ".join(_SOUND_TAG.findall(field_html))


def reference_filename(sentence: str, voice: str, extension: str = "mp3") -> str:
    """A media name fixed by sentence and voice, so importing the same sentence twice stores one file."""
    digest = hashlib.sha1(f"{voice}\n{sentence}".encode()).hexdigest()[:16]
    return f"pronunciation-coach-ref-{digest}.{extension}"


class EspeakReferenceAudio:
    """Speaks sentences with espeak-ng into a collection's media folder."""

    def __init__(self, executable: str, voice: str = DEFAULT_VOICE) -> None:
        self.executable = executable
        self.voice = voice

    @classmethod
    def if_available(cls, voice: str = DEFAULT_VOICE) -> EspeakReferenceAudio | None:
        executable = espeak_path()
        if executable is None:
            log.info("espeak-ng is not installed; reference audio fields stay empty")
            return None
        return cls(executable, voice)

    def sound_tag(self, col: Collection, sentence: str) -> str:
        """``[sound:…]`` for the stored recording of ``sentence``, or "" when espeak-ng fails on it."""
        spoken = self._synthesize(sentence)
        if spoken is None:
            return ""
        audio, extension = spoken
        stored = col.media.write_data(reference_filename(sentence, self.voice, extension), audio)
        return f"[sound:{stored}]"

    def _synthesize(self, sentence: str) -> tuple[bytes, str] | None:
        """(audio, extension): MP3 when an encoder is at hand (a tenth of the WAV's size), else the WAV."""
        with tempfile.TemporaryDirectory(prefix="pronunciation-coach-tts-") as folder:
            wav_path = Path(folder) / "reference.wav"
            try:
                # The sentence goes through stdin so that one starting with "-" is never read as an option.
                subprocess.run(
                    [self.executable, "-v", self.voice, "-w", str(wav_path), "--stdin"],
                    input=sentence.encode("utf-8"),
                    capture_output=True,
                    check=True,
                    timeout=_SYNTHESIS_TIMEOUT_S,
                )
                if not wav_path.stat().st_size:
                    return None
                return compressed_bytes(wav_path)
            except (OSError, subprocess.SubprocessError) as error:
                log.warning("espeak-ng could not speak %r: %s", sentence, error)
                return None
