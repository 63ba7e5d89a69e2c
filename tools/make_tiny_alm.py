"""Build a tiny, randomly initialised audio-language model offline, to try the ``alm`` path without a GPU.

The directory has the shape of a real checkpoint and loads as it is:

    .venv/bin/python tools/make_tiny_alm.py /tmp/tiny-alm                          # the paper's speech LLM
    .venv/bin/python tools/make_tiny_alm.py /tmp/tiny-qwen --family qwen2-audio
    .venv/bin/python -m inference_daemon serve --backend alm --model /tmp/tiny-alm

Its answers are noise until tuned (JSON answers stay valid when xgrammar constrains them).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inference_daemon.backends.alm.backend import FAMILIES

log = logging.getLogger("make_tiny_alm")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path, help="directory to create (must be empty or absent)")
    parser.add_argument("--family", choices=FAMILIES, default="speech-llm", help="model family (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the weights (default: 0)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.out_dir.exists() and any(args.out_dir.iterdir()):
        parser.error(f"{args.out_dir} is not empty")
    began = time.perf_counter()
    with tqdm(total=2, desc="tiny model", unit="step") as progress:
        from inference_daemon.backends.alm.tiny import build_tiny_model  # imports torch: seconds

        progress.update()
        build_tiny_model(args.out_dir, args.family, args.seed)
        progress.update()
    log.info("built a tiny %s model in %s (%.1f s)", args.family, args.out_dir, time.perf_counter() - began)
    print(f"serve it with: python -m inference_daemon serve --backend alm --model {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
