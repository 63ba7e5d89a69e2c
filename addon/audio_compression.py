"""Compress a WAV recording to MP3 before it goes into the collection's media folder, as Anki's recorder does.

MP3 because it is what Anki's own recorder saves and every Anki client plays it (AnkiMobile and older
AnkiDroid do not all play Ogg/Opus). The encoder is LAME, found the way Anki finds it (bundled with Anki
on Windows and macOS, the system's ``lame`` on Linux), else ``ffmpeg``; without either the WAV is kept,
so a recording is never lost for want of an encoder. No Qt here: the deck tools use it outside Anki.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

ENCODE_TIMEOUT_S = 60
#: speech needs little: VBR quality 6 (about 60-80 kbit/s), mono as recorded
LAME_ARGUMENTS = ("--quiet", "--noreplaygain", "-V", "6")


def _lame_command() -> tuple[list[str], dict[str, str] | None] | None:
    try:  # inside Anki: its own lookup, which knows where Anki bundles lame
        from aqt.sound import _packagedCmd

        command, env = _packagedCmd(["lame"])
        if shutil.which(command[0]) or Path(command[0]).is_file():
            return command, env
    except Exception:  # outside Anki, or an Anki without this helper
        pass
    found = shutil.which("lame")
    return ([found], None) if found else None


def encoder_name() -> str | None:
    """``lame``, ``ffmpeg`` or None: what :func:`compress_to_mp3` will use on this machine."""
    if _lame_command():
        return "lame"
    return "ffmpeg" if shutil.which("ffmpeg") else None


def compress_to_mp3(wav: Path, mp3: Path) -> bool:
    """Write ``mp3`` from ``wav``; False (and ``mp3`` absent) when no encoder is available or it failed."""
    lame = _lame_command()
    if lame is not None:
        command, env = lame
        arguments = [*command, *LAME_ARGUMENTS, str(wav), str(mp3)]
    elif ffmpeg := shutil.which("ffmpeg"):
        env = None
        arguments = [ffmpeg, "-nostdin", "-y", "-loglevel", "error", "-i", str(wav), "-codec:a", "libmp3lame",
                     "-q:a", "6", str(mp3)]
    else:
        log.info("no MP3 encoder (lame or ffmpeg) found; keeping WAV")
        return False
    try:
        subprocess.run(arguments, capture_output=True, check=True, timeout=ENCODE_TIMEOUT_S, env=env)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("MP3 encoding of %s failed (%s); keeping WAV", wav, exc)
        mp3.unlink(missing_ok=True)
        return False
    if not mp3.exists() or mp3.stat().st_size == 0:
        mp3.unlink(missing_ok=True)
        return False
    return True


def compressed_bytes(wav: Path) -> tuple[bytes, str]:
    """(the audio to store, its extension): MP3 when it can be made, else the WAV itself."""
    mp3 = wav.with_suffix(".mp3")
    if compress_to_mp3(wav, mp3):
        try:
            return mp3.read_bytes(), "mp3"
        finally:
            mp3.unlink(missing_ok=True)
    return wav.read_bytes(), "wav"
