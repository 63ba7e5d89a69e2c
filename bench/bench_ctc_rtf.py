"""Measure the ``ctc`` backend's real-time factor: one by one, in batches, and how much of it is the network.

Without ``--model`` it builds the tiny random-weight model (``tools/make_tiny_ctc.py``), which times
everything but a real network: alignment, CTC-GOP, decoding and the document. With a real
checkpoint it measures what learners get. Speech is made with espeak-ng (several sentences and
voices); ``--corpus`` takes real recordings from a folder in speechocean762's layout instead.

    python bench/bench_ctc_rtf.py                        # tiny model, CPU
    python bench/bench_ctc_rtf.py --model facebook/wav2vec2-xlsr-53-espeak-cv-ft --device cpu
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

import torch
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.backends.ctc import CtcBackend
from inference_daemon.datasets.speechocean import read_split
from inference_daemon.pipeline import prepare_request
from tests.support.audio_files import espeak_wav

REPO_ROOT = Path(__file__).resolve().parents[1]
SENTENCES = [
    "I think this is a good idea.",
    "The quick brown fox jumps over the lazy dog.",
    "She sells sea shells by the sea shore every summer.",
    "Could you tell me the way to the railway station, please?",
    "We are going to the museum with three friends on Thursday.",
    "Very light rain fell on the village all through the night.",
]
VOICES = ["en-us", "en-gb", "en-us+f3"]
REAL_CHECKPOINT_COMMAND = (
    "python bench/bench_ctc_rtf.py --model facebook/wav2vec2-xlsr-53-espeak-cv-ft --device cpu --threads 4"
)


def espeak_requests() -> list[AssessmentRequest]:
    with tempfile.TemporaryDirectory() as folder:
        return [
            prepare_request(espeak_wav(text, Path(folder) / "speech.wav", voice).read_bytes(), text,
                            request_id=f"{voice}-{i}")
            for voice in VOICES for i, text in enumerate(SENTENCES)
        ]


def corpus_requests(corpus: Path, limit: int) -> list[AssessmentRequest]:
    utterances = sorted(read_split(corpus, "train"), key=lambda u: u.utterance_id)[:limit]
    return [prepare_request(u.audio_path.read_bytes(), u.text, request_id=u.utterance_id) for u in utterances]


def tiny_model(folder: Path) -> Path:
    spec = importlib.util.spec_from_file_location("make_tiny_ctc", REPO_ROOT / "tools" / "make_tiny_ctc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built: Path = module.build(folder)
    return built


def timed(function: object, *args: object) -> float:
    assert callable(function)
    began = time.perf_counter()
    function(*args)
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="CTC checkpoint (folder or Hugging Face id); default: the tiny model")
    parser.add_argument("--device", default="cpu", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default: 1, one core)")
    parser.add_argument("--corpus", type=Path, help="folder in speechocean762's layout, instead of espeak-ng speech")
    parser.add_argument("--limit", type=int, default=18, help="recordings from --corpus (default: 18)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    requests = corpus_requests(args.corpus, args.limit) if args.corpus else espeak_requests()
    with tempfile.TemporaryDirectory() as folder:
        model = args.model or str(tiny_model(Path(folder) / "tiny-ctc"))
        backend = CtcBackend(model, args.device)
        load_s = timed(backend.load)
        backend.assess(requests[0])  # warm-up
        audio_s = sum(r.duration_s for r in requests)
        single_s = sum(timed(backend.assess, r) for r in tqdm(requests, desc="one by one"))
        forward_s = sum(timed(backend.model.log_posteriors, [r.audio]) for r in tqdm(requests, desc="network only"))
        size = backend.max_batch_size
        batches = [requests[i : i + size] for i in range(0, len(requests), size)]
        batched_s = sum(timed(backend.assess_batch, batch) for batch in tqdm(batches, desc=f"batches of {size}"))
    print(json.dumps({
        "model": "tiny random-weight Wav2Vec2ForCTC (tools/make_tiny_ctc.py)" if args.model is None else model,
        "device": backend.describe().device,
        "torch_threads": args.threads,
        "recordings": len(requests),
        "audio_s": round(audio_s, 1),
        "load_s": round(load_s, 2),
        "rtf_one_by_one": round(single_s / audio_s, 4),
        "rtf_network_only": round(forward_s / audio_s, 4),
        "rtf_alignment_gop_document": round((single_s - forward_s) / audio_s, 4),
        f"rtf_batches_of_{size}": round(batched_s / audio_s, 4),
    }, indent=2))
    if args.model is None:
        print(f"\nThis timed everything but a real network. To measure a real checkpoint:\n  {REAL_CHECKPOINT_COMMAND}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
