"""``--preset paper``: the paper's settings in one switch, for the evaluation, dataset and tuning tools.

The project's defaults differ from the paper's where the project serves learners better (JSON
answers with phones, the learner's first language in the prompt, greedy decoding, its own prompt,
both answer formats). To reproduce the paper's figures, each tool takes ``--preset paper``, which
changes the defaults listed here; any option given explicitly still wins. The values come from the
paper's released code (github zoeyada/ALMs4Learning: ``pipelines/instruction_tuning/``,
``pipelines/existing_alms/``, ``data/training_datasets/build/``); ``docs/training.md`` sets them
side by side with the project's and says why they differ.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from inference_daemon.backends.alm.prompt import AnswerFormat

PRESETS = ("project", "paper")

#: ``tools/evaluate.py run``: the paper's inference settings and its scoring.
PAPER_EVALUATION: Mapping[str, Any] = {
    "protocol": "paper",
    "answer_format": AnswerFormat.text.value,
    "prompt_style": "paper",  # the tuned prompt for a speech LLM, the zero-shot ones for Qwen2-Audio and GPT-4o
    "no_native_language": True,
    "max_new_tokens": 1024,
    "temperature": 0.01,  # sampled, as the paper's inference did (do_sample, temperature 0.01)
}

#: ``tools/train_stage1.py``: Whisper-large v1 (80 mel bins) into Llama-3.1-8B-Instruct, batch 256, the
#: paper's 16 instruction phrasings with no system prompt, at most 200k clips (of Common Voice 15.0 English).
PAPER_STAGE1: Mapping[str, Any] = {
    "encoder": "openai/whisper-large",
    "llm": "meta-llama/Llama-3.1-8B-Instruct",
    "batch_size": 256,
    "instructions": "paper",
    "max_pairs": 200_000,
}

#: ``tools/train_stage2.py``: the release's text format only, without the first language, with the
#: prompt and answer layout of the paper's fine-tuning data.
PAPER_STAGE2: Mapping[str, Any] = {
    "formats": (AnswerFormat.text,),
    "no_native_language_in_prompt": True,
    "prompt_style": "paper-tuned",
}

#: ``tools/build_dataset.py``: the same examples as stage 2; a release file is all one split (the
#: paper trains on every record of ``train_data.json``).
PAPER_DATASET: Mapping[str, Any] = {
    "formats": (AnswerFormat.text,),
    "no_native_language_in_prompt": True,
    "prompt_style": "paper-tuned",
}


def add_preset_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", choices=PRESETS, default="project",
                        help="'paper': the paper's settings as defaults (see docs/training.md); explicit options "
                             "still win (default: project)")


def apply_preset(parser: argparse.ArgumentParser, argv: Sequence[str] | None, defaults: Mapping[str, Any],
                 targets: Sequence[argparse.ArgumentParser] = ()) -> None:
    """With ``--preset paper`` in ``argv``, make ``defaults`` the defaults of ``targets`` (default: ``parser``)."""
    known, _ = parser.parse_known_args(argv)
    if getattr(known, "preset", "project") == "paper":
        for target in targets or (parser,):
            target.set_defaults(**defaults)
