"""The phonetic backend's decoders: reuse gives the same result as a fresh load, one set per thread."""

from __future__ import annotations

import threading
from pathlib import Path

from inference_daemon.audio import decode_audio
from inference_daemon.backends.phonetic.analysis import analyse
from inference_daemon.backends.phonetic.backend import word_pronunciations
from inference_daemon.backends.phonetic.decoders import DecoderSet, thread_decoders
from inference_daemon.pronunciation import target_words
from tests.espeak_audio import synthesize
from tests.phonetic_fixtures import needs_espeak


def _phones(sentence: str) -> list[list[list[str]]]:
    return [word_pronunciations(w) for w in target_words(sentence)]


@needs_espeak
def test_reused_decoders_give_the_same_evidence_as_fresh_ones(tmp_path: Path) -> None:
    target = "the weather is nice today"
    audio = decode_audio(synthesize(target, "en-us", tmp_path / "target.wav").read_bytes())
    reused = thread_decoders()
    for number, other in enumerate(["please call stella", "she sells sea shells", "one two three"]):
        other_audio = decode_audio(synthesize(other, "en-gb", tmp_path / f"other{number}.wav").read_bytes())
        assert analyse(reused, other_audio, _phones(other)) is not None
    after_reuse = analyse(reused, audio, _phones(target))
    fresh = analyse(DecoderSet.load(), audio, _phones(target))
    assert after_reuse is not None and fresh is not None
    assert after_reuse.words == fresh.words
    assert after_reuse.contests == fresh.contests


def test_each_thread_gets_its_own_decoders_and_keeps_them() -> None:
    mine = thread_decoders()
    assert thread_decoders() is mine
    seen: list[DecoderSet] = []
    worker = threading.Thread(target=lambda: seen.append(thread_decoders()))
    worker.start()
    worker.join()
    assert seen and seen[0] is not mine
