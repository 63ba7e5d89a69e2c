"""Merge a LoRA adapter into its model: one plain checkpoint for vLLM (which has no LoRA for Qwen2-Audio) or sharing.

A speech LLM directory with an adapter becomes a speech LLM directory without one (same answers);
a Qwen2-Audio-family model plus ``--adapter`` becomes a plain transformers checkpoint with its
processor, ready for ``vllm serve OUT``.

    python tools/merge_adapter.py runs/stage2 --out runs/stage2-merged
    python tools/merge_adapter.py Qwen/Qwen2-Audio-7B-Instruct --adapter runs/qwen-lora --out runs/qwen-merged
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

log = logging.getLogger("merge_adapter")
DTYPES = ("float32", "bfloat16", "float16")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="speech LLM directory, or Qwen2-Audio-family path or hub id")
    parser.add_argument("--adapter", type=Path, help="adapter folder (default: the speech LLM directory's own)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the merged model")
    parser.add_argument("--dtype", choices=DTYPES, default="bfloat16",
                        help="dtype of the saved weights (default bfloat16)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    import torch

    from inference_daemon.training.merge import merge_adapter

    merge_adapter(args.model, args.out, args.adapter, getattr(torch, args.dtype))
    log.info("merged model written to %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
