"""Drive a headless Anki that records from the (virtual) default microphone with Anki's own Qt recorder.

Run as a separate process, with ``PULSE_SERVER`` naming the virtual microphone's server, so that Qt
Multimedia finds it when it first looks (one Anki per process):

    PULSE_SERVER=unix:/tmp/x/native python -m tests.anki_support.real_microphone_check BASE URL SPEECH.json

``SPEECH.json`` lists ``{"sentence", "spoken_wav", "deck"}``; for each, a practice card is reviewed, the
recording is made by speaking the WAV into the microphone, the daemon's verdict is awaited and Good
is pressed. It prints one JSON line: per card the tags, the feedback's word classes, the rating.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import time
from pathlib import Path
from typing import Any

from tests.anki_support.addon_import import ADDON_PACKAGE, REPO_ROOT
from tests.anki_support.main_window import AnkiSession, install_addon_copy, running_anki
from tests.anki_support.virtual_microphone import VirtualMicrophone

ARTIFACTS = REPO_ROOT / "test-artifacts"


def review(session: AnkiSession, microphone: VirtualMicrophone, sentence: str, spoken: Path,
           deck: str) -> dict[str, Any]:
    from aqt.qt import QKeySequence

    coach = importlib.import_module(ADDON_PACKAGE).coach
    col = session.mw.col
    note = col.new_note(importlib.import_module(f"{ADDON_PACKAGE}.note_type").ensure_practice_note_type(col))
    note["Sentence"] = sentence
    deck_id = col.decks.id(deck)
    col.add_note(note, deck_id)
    col.decks.select(deck_id)
    session.mw.moveToState("review")
    session.wait_until(lambda: session.mw.reviewer.card is not None and session.mw.reviewer.card.nid == note.id,
                       what="the card")
    session.wait_until(lambda: session.eval_js(session.mw.reviewer.web, "!!document.getElementById('pc-record')"),
                       what="the record button")
    card = session.mw.reviewer.card

    def status() -> str:
        return str(session.eval_js(session.mw.reviewer.web, "document.getElementById('pc-status').textContent"))

    shortcut = QKeySequence(coach.config().shortcut)
    next(s for s in session.mw.stateShortcuts if s.key() == shortcut).activated.emit()
    session.wait_until(lambda: "Recording" in status(), what="the recording indicator")
    speaking = microphone.speak(spoken)
    session.wait_until(lambda: speaking.poll() is not None, timeout=30, what="the sentence to be spoken")
    session.pump(0.3)
    session.eval_js(session.mw.reviewer.web, "document.getElementById('pc-record').click(); true")
    session.wait_until(lambda: col.get_note(note.id)["Feedback"] and not coach.flow.queue.items(), timeout=60,
                       what="the verdict on the card")
    verdict = status()
    session.mw.reviewer._showAnswer()
    session.wait_until(lambda: session.mw.reviewer.state == "answer", what="the answer side")
    ARTIFACTS.mkdir(exist_ok=True)
    session.mw.resize(900, 1000)
    session.pump(0.8)
    session.mw.grab().save(str(ARTIFACTS / f"real-microphone-{deck.split('::')[-1]}.png"))
    session.mw.reviewer._answerCard(3)
    rating = session.wait_until(lambda: col.db.scalar("select ease from revlog where cid = ?", card.id),
                                what="the review log")
    feedback = col.get_note(note.id)["Feedback"]
    return {
        "tags": col.get_note(note.id).tags,
        "words": re.findall(r'class="pc-word(?: pc-(\w+))?"[^>]*>([^<]+)', feedback),
        "stress_marked": "pc-stress-vowel" in feedback,
        "recording": col.get_note(note.id)["Recording"],
        "status": verdict,
        "rating": rating,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("daemon_url")
    parser.add_argument("microphone_folder", type=Path)
    parser.add_argument("speech", type=Path, help="JSON list of {sentence, spoken_wav, deck}")
    args = parser.parse_args()
    install_addon_copy(args.base, {"daemon_url": args.daemon_url, "retry_interval_s": 600})
    microphone = VirtualMicrophone(args.microphone_folder)
    results = []
    with running_anki(args.base) as session:
        from PyQt6.QtMultimedia import QMediaDevices

        inputs = [device.description() for device in QMediaDevices.audioInputs()]
        for item in json.loads(args.speech.read_text(encoding="utf-8")):
            started = time.monotonic()
            result = review(session, microphone, item["sentence"], Path(item["spoken_wav"]), item["deck"])
            results.append({**result, "seconds": round(time.monotonic() - started, 1)})
        errors = session.errors
    print(json.dumps({"inputs": inputs, "results": results, "errors": errors}), flush=True)


if __name__ == "__main__":
    main()
