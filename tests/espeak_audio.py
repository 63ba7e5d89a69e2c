"""Make real speech for tests: espeak-ng synthesises a sentence, sox turns it into 16 kHz mono WAV.

Shared by every test that needs audio; :func:`espeak_available` lets a test skip where the programs
are missing (``.ci/run`` installs them).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from inference_daemon.audio import SAMPLE_RATE
from tests.support.audio_files import espeak_wav


def espeak_available() -> bool:
    """Whether both espeak-ng and sox are installed."""
    return shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def synthesize(text: str, voice: str = "en-us", path: Path | None = None, monotone: bool = False) -> Path:
    """Speak ``text`` with the espeak-ng ``voice`` into a 16 kHz mono 16-bit WAV at ``path``
    (``monotone``: with espeak's pitch variation off).

    Without ``path`` the file goes into a new temporary directory; the caller owns it.
    """
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="espeak-")) / "speech.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = espeak_wav(text, path.with_name(path.stem + ".espeak.wav"), voice, monotone)
    subprocess.run(
        # -R: sox's dither (which also keeps espeak's pauses from being digital zeros) with a fixed seed,
        # so that the same text gives the same audio, and the same scores, on every run.
        ["sox", "-R", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(path)],
        check=True,
        capture_output=True,
    )
    raw.unlink()
    return path
