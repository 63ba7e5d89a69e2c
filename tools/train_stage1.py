"""Stage 1 of the paper's training: teach the speech LLM's projector to map Whisper states into the LM.

Only the projector learns (the Whisper encoder and the LM stay frozen), on speech-transcript
pairs from a Kaldi-style data folder (``wav.scp`` + ``text``) or a TSV file (``path<TAB>text``).
Defaults: 1 epoch, learning rate 1e-3, batch 128 by gradient accumulation, cosine schedule, 3 %
warm-up, bf16 on GPUs that support it. ``--preset paper`` takes the paper's: batch 256, Whisper-large
(v1) into Llama-3.1-8B-Instruct, its 16 instruction phrasings, at most 200k pairs (it used Common
Voice 15.0 English). The output is a complete speech LLM
directory (``--model`` for stage 2 and for ``serve --backend alm``).

    python tools/train_stage1.py /data/librispeech/train-clean-100 --encoder openai/whisper-large-v3 \\
        --llm meta-llama/Llama-3.1-8B-Instruct --out runs/stage1
    accelerate launch --num_processes 8 tools/train_stage1.py pairs.tsv --model runs/stage1 --out runs/stage1b \\
        --deepspeed tools/configs/zero2.json
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
from pathlib import Path

from inference_daemon.training.presets import PAPER_STAGE1, add_preset_argument, apply_preset
from inference_daemon.training.settings import (
    STAGE1_EPOCHS,
    STAGE1_LEARNING_RATE,
    add_training_arguments,
    settings_from_arguments,
)

log = logging.getLogger("train_stage1")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pairs", type=Path, help="Kaldi-style folder (wav.scp, text) or TSV file (path<TAB>text)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the speech LLM with its trained projector")
    parser.add_argument("--audio-root", type=Path, help="folder that relative audio paths start from "
                        "(default: above the Kaldi folder, or the TSV file's folder)")
    parser.add_argument("--model", type=Path, help="speech LLM directory to start from (e.g. tools/make_tiny_alm.py's)")
    parser.add_argument("--encoder", help="or assemble one: Whisper checkpoint (directory or hub id)")
    parser.add_argument("--llm", help="... and causal LM (directory or hub id)")
    parser.add_argument("--instructions", choices=("project", "paper"), default="project",
                        help="the project's transcription prompt (default), or one of the paper's 16 phrasings per "
                             "example, drawn at random, with no system message")
    parser.add_argument("--max-pairs", type=int, help="train on at most this many pairs, drawn at random (seeded)")
    add_preset_argument(parser)
    add_training_arguments(parser, learning_rate=STAGE1_LEARNING_RATE, epochs=STAGE1_EPOCHS, lora=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    apply_preset(parser, argv, PAPER_STAGE1)
    args = parser.parse_args(argv)
    if args.model is None and not (args.encoder and args.llm):
        raise SystemExit("give --model DIR, or --encoder and --llm")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from inference_daemon.backends.alm.speech_llm import SpeechLLM
    from inference_daemon.training.audio_pairs import read_pairs
    from inference_daemon.training.speech_llm_stages import load_dtype, train_projector

    settings = settings_from_arguments(args)
    pairs = read_pairs(args.pairs, args.audio_root)
    if args.max_pairs is not None and len(pairs) > args.max_pairs:
        pairs = random.Random(settings.seed).sample(pairs, args.max_pairs)
    log.info("%d speech-transcript pairs from %s", len(pairs), args.pairs)
    dtype = load_dtype(settings)
    model = (SpeechLLM.load(args.model, dtype=dtype) if args.model is not None
             else SpeechLLM.from_parts(args.encoder, args.llm, dtype=dtype))
    report = train_projector(model, pairs, settings, args.out, instructions=args.instructions)
    log.info("loss %.4f -> %.4f over %d steps", report.losses[0], report.losses[-1], report.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
