"""Load the PocketSphinx decoders once per worker thread, because loading costs more than decoding.

PocketSphinx decoders are not thread-safe, so each thread that assesses gets its own set
(:func:`thread_decoders`). Feature state (cepstral mean normalisation) carries over from one
utterance to the next, so every decoding pass goes through :func:`decode`, which resets it: a reused
decoder then gives exactly the result of a fresh one (``tests/test_phonetic_decoders.py`` guards this).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pocketsphinx

from inference_daemon.audio import SAMPLE_RATE

log = logging.getLogger(__name__)

FRAME_S = 0.01
MODEL_NAME = "pocketsphinx en-us (cmusphinx-en-us-5.2 PTM)"

# Beams wide enough that alignment of poor speech rarely fails; used only after the default ones did.
WIDE_BEAMS = {"beam": 1e-60, "wbeam": 1e-40, "pbeam": 1e-60}
# The last aligner, only after both others failed: no filler words (silence, noise, spoken noise) in
# the grammar. With them, a stretch of poorly matched speech can be explained better by a filler loop
# than by the word, whose path then falls out of even the wide beams and the sentence cannot be
# aligned: espeak-ng's British, Scottish and Caribbean voices lost words in 12 of 35 readings of 7
# sentences, none without fillers. Pauses are then absorbed by the neighbouring words' phones, so
# it is a last resort; on speechocean762 one utterance in 2,500 needs more than the wide beams.
FILLERLESS = {"fsgusefiller": False}
# The competition pass keeps a word in its lattice only if the word ends within the word beam: this
# one keeps both sides of the contest for about 3 words in 4 (the default word beam: 4 in 9), and
# speaker-CV F1 rose from 0.45 to 0.46 over a word beam of 1e-48; wider beams break the RTF budget.
CONTEST_BEAMS = {"wbeam": 1e-60}
# Dictionary entries that this package adds carry this prefix, so alignment output can be told apart
# from fillers such as <sil>.
WORD_PREFIX = "w_"
# A grammar transition: (from state, to state, probability), with the dictionary word it reads, if any.
Transition = tuple[int, int, float] | tuple[int, int, float, str]


def _new_decoder(**options: object) -> pocketsphinx.Decoder:
    # bestpath=False: the lattice pass after FSG alignment often loses the path to the final state
    # (empty or truncated hypotheses on short sentences); the Viterbi backtrace does not.
    return pocketsphinx.Decoder(samprate=SAMPLE_RATE, loglevel="FATAL", lm=None, bestpath=False, **options)


def pronunciation_key(phones: list[str]) -> str:
    """The dictionary word that stands for a pronunciation (the same phones always map to one entry)."""
    return WORD_PREFIX + "_".join(phone.lower() for phone in phones)


@dataclass
class DecoderSet:
    """The decoders one thread uses: default beams, the competition pass's, and the fallback aligners
    (wide beams, no fillers) loaded on demand."""

    aligner: pocketsphinx.Decoder
    contest: pocketsphinx.Decoder
    _wide_aligner: pocketsphinx.Decoder | None = field(default=None, repr=False)
    _fillerless_aligner: pocketsphinx.Decoder | None = field(default=None, repr=False)

    @classmethod
    def load(cls) -> DecoderSet:
        log.debug("loading PocketSphinx decoders in thread %s", threading.current_thread().name)
        return cls(aligner=_new_decoder(), contest=_new_decoder(**CONTEST_BEAMS))

    @property
    def wide_aligner(self) -> pocketsphinx.Decoder:
        if self._wide_aligner is None:
            self._wide_aligner = _new_decoder(**WIDE_BEAMS)
        return self._wide_aligner

    @property
    def fillerless_aligner(self) -> pocketsphinx.Decoder:
        if self._fillerless_aligner is None:
            self._fillerless_aligner = _new_decoder(**FILLERLESS)
        return self._fillerless_aligner

    def aligners(self) -> Iterator[pocketsphinx.Decoder]:
        """Aligners in the order to try them: default beams first, wide beams, then no fillers (each
        fallback loaded only when reached)."""
        yield self.aligner
        yield self.wide_aligner
        yield self.fillerless_aligner

    def is_last_resort(self, decoder: pocketsphinx.Decoder) -> bool:
        """Whether ``decoder`` is the aligner without fillers."""
        return decoder is self._fillerless_aligner


def ensure_pronunciation(decoder: pocketsphinx.Decoder, phones: list[str]) -> str:
    """Add the pronunciation to the decoder's dictionary if needed; return the word that spells it."""
    key = pronunciation_key(phones)
    if decoder.lookup_word(key) is None:
        decoder.add_word(key, " ".join(phones), True)
    return key


def activate_grammar(decoder: pocketsphinx.Decoder, name: str, final: int, transitions: list[Transition]) -> None:
    """Search with the grammar from state 0 to ``final`` made of ``transitions``."""
    decoder.add_fsg(name, decoder.create_fsg(name, 0, final, transitions))
    decoder.activate_search(name)


def decode(decoder: pocketsphinx.Decoder, raw: bytes) -> None:
    """Decode 16 kHz 16-bit audio as one utterance with the active search, from fresh feature state
    (so that the result does not depend on the utterance decoded before)."""
    decoder.reinit_feat()
    decoder.start_utt()
    decoder.process_raw(raw, full_utt=True)
    decoder.end_utt()


_local = threading.local()


def thread_decoders() -> DecoderSet:
    """This thread's decoders, loaded on first use and reused for every later request."""
    decoders: DecoderSet | None = getattr(_local, "decoders", None)
    if decoders is None:
        decoders = DecoderSet.load()
        _local.decoders = decoders
    return decoders
