"""Stage 2: LoRA instruction tuning on the feedback task, for the speech LLM or a Qwen2-Audio-family model.

Reads a dataset file (``tools/build_dataset.py``, or a released L2-Arctic-plus JSON) and turns
each utterance into examples with the ``alm`` backend's own prompt and answer formats. Defaults
are the paper's: LoRA r 4, alpha 16, dropout 0.05 on every linear layer of the LM except
``lm_head``, learning rate 9e-4, 5 epochs, batch 128 by gradient accumulation, cosine schedule,
3 % warm-up, bf16 where supported. ``--preset paper`` also takes the paper's data layout: the text
format only, no first language, its fine-tuning prompt (``--prompt-style paper-tuned``). A speech
LLM directory (stage 1's output) gives a tuned directory for ``serve --backend alm --model OUT``
(adapter and projector inside); any other model (Qwen2-Audio-7B-Instruct and compatible) gives an
adapter for ``--model BASE --adapter OUT``.

    python tools/train_stage2.py data/l2arctic.json --model runs/stage1 --out runs/stage2
    accelerate launch --num_processes 8 tools/train_stage2.py data/l2arctic.json --model runs/stage1 \\
        --out runs/stage2 --per-device-batch-size 4 --deepspeed tools/configs/zero2.json
    python tools/train_stage2.py data/l2arctic.json --model Qwen/Qwen2-Audio-7B-Instruct --out runs/qwen-lora
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from inference_daemon.backends.alm.prompt import AnswerFormat, PromptStyle
from inference_daemon.training.dataset_file import read_dataset
from inference_daemon.training.examples import training_examples
from inference_daemon.training.presets import PAPER_STAGE2, add_preset_argument, apply_preset
from inference_daemon.training.settings import (
    STAGE2_EPOCHS,
    STAGE2_LEARNING_RATE,
    add_training_arguments,
    answer_formats_argument,
    settings_from_arguments,
)

log = logging.getLogger("train_stage2")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path, help="dataset file or released L2-Arctic-plus JSON")
    parser.add_argument("--model", required=True, help="speech LLM directory (stage 1), or Qwen2-Audio path/id")
    parser.add_argument("--out", type=Path, required=True, help="tuned model folder (speech LLM) or adapter folder")
    parser.add_argument("--split", default="train", help="records of this split (default train)")
    parser.add_argument("--audio-root", type=Path, help="folder that relative audio paths start from")
    parser.add_argument("--formats", type=answer_formats_argument, default=(AnswerFormat.json, AnswerFormat.text),
                        help="answer formats to learn, comma-separated; the first becomes the model's default "
                        "(default: json,text)")
    parser.add_argument("--no-native-language-in-prompt", action="store_true",
                        help="leave the speaker's first language out of the prompts")
    parser.add_argument("--prompt-style", choices=[s.value for s in PromptStyle if s is not PromptStyle.paper_gpt4o],
                        default=PromptStyle.project.value,
                        help="the project's prompt (default) or the paper's (paper-tuned: its fine-tuning prompt "
                             "and answer layout; serve the model with the same --prompt-style)")
    add_preset_argument(parser)
    parser.add_argument("--freeze-projector", action="store_true",
                        help="speech LLM: train the adapter only (default: the projector too)")
    add_training_arguments(parser, learning_rate=STAGE2_LEARNING_RATE, epochs=STAGE2_EPOCHS, lora=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    apply_preset(parser, argv, PAPER_STAGE2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from inference_daemon.backends.alm.qwen_audio import AudioTextTransformer
    from inference_daemon.backends.alm.speech_llm import SpeechLLM, is_speech_llm_directory
    from inference_daemon.training.audio_text_lora import tune_audio_text_lora
    from inference_daemon.training.speech_llm_stages import load_dtype, tune_lora

    settings = settings_from_arguments(args)
    items = read_dataset(args.dataset, args.split, args.audio_root)
    examples = training_examples(items, args.formats, native_language_in_prompt=not args.no_native_language_in_prompt,
                                 prompt_style=PromptStyle(args.prompt_style))
    log.info("%d utterances of split %s -> %d examples", len(items), args.split, len(examples))
    dtype = load_dtype(settings)
    if is_speech_llm_directory(Path(args.model)):
        model = SpeechLLM.load(Path(args.model), dtype=dtype)
        report = tune_lora(model, Path(args.model), examples, settings, args.out,
                           train_projector_too=not args.freeze_projector)
    else:
        family_model = AudioTextTransformer.load(args.model, dtype=dtype)
        report = tune_audio_text_lora(family_model, examples, settings, args.out)
    log.info("loss %.4f -> %.4f over %d steps", report.losses[0], report.losses[-1], report.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
