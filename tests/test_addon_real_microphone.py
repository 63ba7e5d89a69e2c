"""End to end through a real microphone path: PulseAudio virtual source → Anki's own Qt recorder → MP3 in
the media folder → the real default (phonetic) backend → the verdict on the card → the rescheduled card.

The speaker is espeak-ng. The scripted-backend tests (test_addon_e2e.py) pin exact verdicts; these
pin what the real backend says about a clean reading and about one with a word left out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("aqt")
pytest.importorskip("PyQt6.QtMultimedia")

from tests.anki_support.addon_import import REPO_ROOT
from tests.anki_support.virtual_microphone import available, running_virtual_microphone
from tests.support.audio_files import espeak_wav
from tests.support.daemon_process import running_daemon

pytestmark = [pytest.mark.e2e, pytest.mark.slow,
              pytest.mark.skipif(not available() or shutil.which("espeak-ng") is None,
                                 reason="needs pulseaudio and espeak-ng (tools/bootstrap.sh --dev installs both)")]

CLEAN = "We can see the sea from here."
TARGET_WITH_GAP = "I think we should leave early."
SPOKEN_WITH_GAP = "I think we leave early."  # "should" left out
STRESS_TARGET = "She bought a banana and a computer at the hotel."
# espeak-ng phoneme input: "banana" stressed on its first syllable, as a learner might say it.
SPOKEN_WITH_STRESS = "She bought a [[b'an@n@]] and a computer at the hotel."


@pytest.fixture(scope="module")
def reviews(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("microphone")
    speech = [
        {"sentence": CLEAN, "spoken_wav": str(espeak_wav(CLEAN, folder / "clean.wav")), "deck": "Mic::clean"},
        {"sentence": TARGET_WITH_GAP, "spoken_wav": str(espeak_wav(SPOKEN_WITH_GAP, folder / "gap.wav")),
         "deck": "Mic::missing-word"},
        {"sentence": STRESS_TARGET, "spoken_wav": str(espeak_wav(SPOKEN_WITH_STRESS, folder / "stress.wav")),
         "deck": "Mic::stress"},
    ]
    (folder / "speech.json").write_text(json.dumps(speech), encoding="utf-8")
    with running_virtual_microphone(folder) as microphone, running_daemon(backend="phonetic") as url:
        completed = subprocess.run(
            [sys.executable, "-m", "tests.anki_support.real_microphone_check", str(tmp_path_factory.mktemp("anki")),
             url, str(folder), str(folder / "speech.json")],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=360,
            env={**os.environ, "PULSE_SERVER": microphone.server})
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    report: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["inputs"], "Qt Multimedia found the virtual microphone"
    yield {item["deck"]: item for item in (dict(result, deck=spec["deck"])
                                            for result, spec in zip(report["results"], speech, strict=True))}


def test_a_clean_reading_through_the_microphone_keeps_good(reviews: dict[str, Any]) -> None:
    clean = reviews["Mic::clean"]
    assert clean["recording"].endswith(".mp3]"), "Anki's recording was stored compressed"
    assert [status for status, _ in clean["words"]] == [""] * 7, clean
    assert "pronunciation::needs-work" not in clean["tags"]
    assert clean["rating"] == 3


def test_a_missing_word_through_the_microphone_is_marked_and_the_card_fails(reviews: dict[str, Any]) -> None:
    gap = reviews["Mic::missing-word"]
    assert ["missing", "should"] in gap["words"], gap
    assert "This review will count as Again" in gap["status"]
    assert "pronunciation::needs-work" in gap["tags"]
    assert gap["rating"] == 1


def test_a_wrong_stress_through_the_microphone_is_shown_as_the_syllable_to_stress(reviews: dict[str, Any]) -> None:
    """Issue 15's word stress end to end: recorded by Anki, compressed to MP3, judged by the real backend."""
    stressed = reviews["Mic::stress"]
    assert ["mispronounced", "banana"] in stressed["words"], stressed
    assert stressed["stress_marked"], "the card marks the vowel that should carry the stress"
    assert stressed["rating"] == 1
