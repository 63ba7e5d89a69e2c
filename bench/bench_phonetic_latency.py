"""Latency of the default ``phonetic`` backend per recording, 1-8 s, with all evidence on, and the
share of each stage.

End to end: each recording goes through the daemon's code path (checks, decoding, backend, which
runs Whisper in a second thread while PocketSphinx aligns), with Whisper's prior cache emptied first
unless ``--warm-priors`` (a learner's first review of a card; later reviews of the same sentence
reuse the prior). Stages: the same work done one stage at a time, to see where the time goes
(``sentence_scores+stress``: the pitch track, the delivery features, the overall score, fluency,
prosody and word-stress models, what they add to a request).
Recordings: speechocean762 utterances binned by duration when the corpus is given, otherwise
espeak-ng sentences of growing length.

    python bench/bench_phonetic_latency.py --corpus ../shared/data/speechocean762-dev --per-bin 12
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package lives at the root

from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.backends.phonetic.analysis import analyse
from inference_daemon.backends.phonetic.backend import PhoneticBackend, whisper_evidence, word_pronunciations
from inference_daemon.backends.phonetic.decoders import thread_decoders
from inference_daemon.backends.phonetic.delivery import delivery_features, speech_tracks
from inference_daemon.backends.phonetic.sentence_scores import default_sentence_scorer
from inference_daemon.datasets.speechocean import read_split
from inference_daemon.pipeline import assess_now, prepare_request
from inference_daemon.pronunciation import target_words
from inference_daemon.whisper_evidence import WhisperModel

ESPEAK_SENTENCES = (
    "I think so.",
    "We took the van home.",
    "She has three cats and a dog.",
    "The children play in the park every morning.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "The quick brown fox jumps over the lazy dog while the farmer watches from the old wooden gate.",
    "When the sunlight strikes raindrops in the air, they act as a prism and form a rainbow across the sky.",
    "My brother works in a big hospital near the river, and he walks to work every day even when it rains hard.",
)
BINS = range(1, 9)


def recordings(corpus: Path | None, per_bin: int) -> list[tuple[bytes, str]]:
    """(audio bytes, sentence) per recording, up to ``per_bin`` per whole-second duration bin 1-8 s."""
    found: dict[int, list[tuple[bytes, str]]] = defaultdict(list)
    if corpus is not None:
        for utterance in read_split(corpus):
            data = utterance.audio_path.read_bytes()
            seconds = int(prepare_request(data, utterance.text).duration_s)
            if seconds in BINS and len(found[seconds]) < per_bin:
                found[seconds].append((data, utterance.text))
    else:
        from tests.espeak_audio import synthesize

        with tempfile.TemporaryDirectory() as folder:
            for number, sentence in enumerate(ESPEAK_SENTENCES):
                wav = synthesize(sentence, "en-us", Path(folder) / f"{number}.wav").read_bytes()
                found[int(prepare_request(wav, sentence).duration_s)].append((wav, sentence))
    return [item for seconds in BINS for item in found[seconds]]


def stage_times(backend: PhoneticBackend, model: WhisperModel, request: AssessmentRequest,
                data: bytes) -> dict[str, float]:
    """Each stage alone, one after the other (the backend overlaps PocketSphinx and Whisper)."""
    times: dict[str, float] = {}
    started = time.perf_counter()
    prepare_request(data, request.text)
    times["decode"] = time.perf_counter() - started
    words = target_words(request.text)
    pronunciations = [word_pronunciations(w) for w in words]
    started = time.perf_counter()
    analysis = analyse(thread_decoders(), request.audio, pronunciations)
    times["pocketsphinx"] = time.perf_counter() - started
    scorer = default_sentence_scorer()
    if analysis is not None and scorer is not None:
        # What fluency, prosody and word stress add to a request: the pitch track, the delivery
        # features, each word's syllable cues and the models.
        started = time.perf_counter()
        tracks = speech_tracks(analysis, request.audio)
        scorer.scores(delivery_features(analysis, request.audio, len(words), [90.0] * len(words), tracks))
        for aligned in analysis.words:
            PhoneticBackend.word_stress_error(words[aligned.index], aligned, analysis, tracks, 90.0)
        times["sentence_scores+stress"] = time.perf_counter() - started
    started = time.perf_counter()
    encoded = model.encode(request.audio)
    times["whisper_encoder"] = time.perf_counter() - started
    model.clear_priors()
    started = time.perf_counter()
    whisper_evidence(model, encoded, words, pronunciations)
    times["whisper_decoder+prior"] = time.perf_counter() - started
    started = time.perf_counter()
    whisper_evidence(model, encoded, words, pronunciations)
    times["whisper_decoder"] = time.perf_counter() - started
    times["whisper_prior"] = max(times.pop("whisper_decoder+prior") - times["whisper_decoder"], 0.0)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="speechocean762-layout folder (default: espeak-ng sentences)")
    parser.add_argument("--per-bin", type=int, default=10, help="recordings per 1-second duration bin")
    parser.add_argument("--warm-priors", action="store_true", help="keep Whisper's prior cache between requests")
    parser.add_argument("--whisper-threads", type=int, default=2)
    args = parser.parse_args(argv)

    backend = PhoneticBackend(whisper_threads=args.whisper_threads)
    backend.load()
    model = backend.whisper_model
    if model is None:
        print("Whisper is not available: measuring PocketSphinx alone", file=sys.stderr)
    items = recordings(args.corpus, args.per_bin)
    assess_now(backend, prepare_request(*items[0]))  # warm-up: first-call allocations
    latency: dict[int, list[float]] = defaultdict(list)
    stages: dict[str, list[float]] = defaultdict(list)
    for data, sentence in tqdm(items, desc="assessing"):
        if model is not None and not args.warm_priors:
            model.clear_priors()
        started = time.perf_counter()
        request = prepare_request(data, sentence)
        assess_now(backend, request)
        latency[min(int(request.duration_s), 8)].append(time.perf_counter() - started)
        if model is not None:
            for name, seconds in stage_times(backend, model, request, data).items():
                stages[name].append(seconds)
    report: dict[str, object] = {
        "evidence": backend.evidence,
        "priors": "warm" if args.warm_priors else "cold (first review of each sentence)",
        "latency_s": {
            f"{seconds}-{seconds + 1}s": {
                "n": len(values),
                "median": round(float(np.median(values)), 3),
                "p95": round(float(np.percentile(values, 95)), 3),
            }
            for seconds, values in sorted(latency.items())
        },
    }
    if stages:
        total = sum(float(np.sum(values)) for values in stages.values())
        report["stage_share"] = {name: round(float(np.sum(values)) / total, 3) for name, values in stages.items()}
        report["stage_median_s"] = {name: round(float(np.median(values)), 3) for name, values in stages.items()}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
