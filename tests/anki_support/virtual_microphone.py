"""A real microphone for headless tests: a user-level PulseAudio server whose default source is a FIFO.

Whatever :meth:`VirtualMicrophone.speak` writes into the FIFO, in real time, is what Qt Multimedia
(and so Anki's own recorder) hears from the default input. Needs Debian's ``pulseaudio``; no kernel
module, no sound card, no root.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile
import soxr

from tests.support.processes import stop_process

RATE = 16_000
LEAD_SILENCE_S = 0.6  # Anki's recorder drops its first 0.3 s
TAIL_SILENCE_S = 0.6
_FEEDER = """
import sys, time
pcm = open(sys.argv[1], 'rb').read()
chunk = 640  # 20 ms
with open(sys.argv[2], 'wb') as fifo:
    start = time.monotonic()
    for offset in range(0, len(pcm), chunk):
        fifo.write(pcm[offset:offset + chunk])
        fifo.flush()
        ahead = start + (offset + chunk) / 32000 - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
"""


def available() -> bool:
    return shutil.which("pulseaudio") is not None


class VirtualMicrophone:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fifo = folder / "microphone.fifo"
        self.server = f"unix:{folder / 'native'}"

    def speak(self, wav: Path) -> subprocess.Popen[bytes]:
        """Start "saying" ``wav`` (silence before and after); the process ends when it has been heard."""
        samples, rate = soundfile.read(wav, dtype="float32", always_2d=True)
        mono = soxr.resample(samples.mean(axis=1), rate, RATE)
        padded = np.concatenate([np.zeros(int(LEAD_SILENCE_S * RATE)), mono, np.zeros(int(TAIL_SILENCE_S * RATE))])
        pcm = self.folder / f"{wav.stem}.raw"
        pcm.write_bytes((np.clip(padded, -1, 1) * 32767).astype("<i2").tobytes())
        return subprocess.Popen([sys.executable, "-c", _FEEDER, str(pcm), str(self.fifo)])


@contextlib.contextmanager
def running_virtual_microphone(folder: Path) -> Iterator[VirtualMicrophone]:
    """Start PulseAudio with the FIFO source as default input; stop it (by its own pid) afterwards."""
    microphone = VirtualMicrophone(folder)
    script = folder / "default.pa"
    script.write_text(
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={folder / 'native'}\n"
        f"load-module module-pipe-source source_name=virtual_microphone file={microphone.fifo} "
        f"format=s16le rate={RATE} channels=1\n"
        "load-module module-null-sink sink_name=silent\n"
        "set-default-source virtual_microphone\nset-default-sink silent\n", encoding="utf-8")
    env = {"HOME": str(folder), "XDG_RUNTIME_DIR": str(folder), "PATH": "/usr/bin:/bin"}
    log = (folder / "pulseaudio.log").open("wb")
    process = subprocess.Popen(["pulseaudio", "-n", "-F", str(script), "--daemonize=no", "--exit-idle-time=-1",
                                "--system=false", "--log-target=stderr"], env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 15
        while not (microphone.fifo.exists() and (folder / 'native').exists()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("PulseAudio did not start: " + (folder / "pulseaudio.log").read_text()[-2000:])
            time.sleep(0.05)
        yield microphone
    finally:
        stop_process(process)
        log.close()
