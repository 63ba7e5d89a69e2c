"""Build the L2-Arctic-plus-style dataset (and its training examples) from L2-ARCTIC, speechocean762 or a release.

Every subcommand writes one JSON list of records in the L2-Arctic-plus release's shape
(``audio_path, text, annotation_info, mis_exp_sug, regeneration``) plus ``words`` (every word in
sentence order with its phones), ``split`` (train/dev/test, speaker-disjoint: the standard
L2-ARCTIC test speakers NJS TLV TNI TXHC YKWK ZHAA are always test) and ``native_language``.
Each mispronounced word gets an issue and a suggestion from the phonetics knowledge base, or
rewritten by an LLM behind an OpenAI-compatible endpoint (``--llm-url``; cached, with the
knowledge base's text as fallback); a release's own feedback is kept. ``--examples`` also writes
the training examples (prompt and answer, in the prompt module's JSON and text formats) as JSON
lines of chat messages.

    python tools/build_dataset.py l2arctic /data/l2arctic_release_v5 --out data/l2arctic.json
    python tools/build_dataset.py speechocean /data/speechocean762 --split test --out data/so_test.json
    python tools/build_dataset.py release train_data.json --audio-root /data/l2arctic_release_v5 \\
        --out data/plus_train.json --examples data/plus_train_examples.jsonl
"""

from __future__ import annotations

import argparse
import collections
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from inference_daemon.backends.alm.prompt import AnswerFormat, PromptStyle
from inference_daemon.datasets import l2arctic, speechocean
from inference_daemon.datasets.records import AnnotatedUtterance
from inference_daemon.training.dataset_file import (
    SPLITS,
    DatasetItem,
    native_language_of,
    read_dataset,
    speaker_split,
    write_dataset,
)
from inference_daemon.training.examples import training_examples, write_examples
from inference_daemon.training.feedback_text import FeedbackRewriter, add_feedback
from inference_daemon.training.llm_rewrite import LLMRewriter
from inference_daemon.training.presets import PAPER_DATASET, add_preset_argument, apply_preset
from inference_daemon.training.settings import answer_formats_argument

log = logging.getLogger("build_dataset")


def _speakers(value: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in value.split(",") if s.strip())


def build_parser() -> tuple[argparse.ArgumentParser, list[argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", type=Path, required=True, help="dataset file to write (a JSON list of records)")
    common.add_argument("--examples", type=Path, help="also write the training examples here (JSON lines)")
    common.add_argument("--formats", type=answer_formats_argument, default=tuple(AnswerFormat),
                        help="answer formats of the examples, comma-separated (default: json,text)")
    common.add_argument("--no-native-language-in-prompt", action="store_true",
                        help="leave the speaker's first language out of the examples' prompts")
    common.add_argument("--prompt-style", choices=[s.value for s in PromptStyle if s is not PromptStyle.paper_gpt4o],
                        default=PromptStyle.project.value,
                        help="prompt of the examples: the project's (default) or the paper's (paper-tuned)")
    add_preset_argument(common)
    common.add_argument("--llm-url", help="OpenAI-compatible endpoint that rewrites the feedback, e.g. "
                        "http://localhost:8000/v1 (default: the knowledge base's text as it is)")
    common.add_argument("--llm-model", help="model name to ask at --llm-url")
    common.add_argument("--llm-api-key", default=os.environ.get("OPENAI_API_KEY"),
                        help="bearer token for --llm-url (default: $OPENAI_API_KEY)")
    common.add_argument("--llm-cache", type=Path, help="cache of LLM answers (default: OUT with .llm-cache.jsonl)")
    common.add_argument("--llm-timeout", type=float, default=60.0, help="seconds per LLM request (default 60)")
    commands = parser.add_subparsers(dest="command", required=True)

    arctic = commands.add_parser("l2arctic", parents=[common], help="all annotated L2-ARCTIC utterances")
    arctic.add_argument("corpus", type=Path, help="L2-ARCTIC v5 folder (SPEAKER/{wav,transcript,annotation})")
    arctic.add_argument("--test-speakers", type=_speakers, default=l2arctic.TEST_SPEAKERS,
                        help="comma-separated held-out speakers (default: the standard six)")
    arctic.add_argument("--dev-speakers", type=_speakers, default=(),
                        help="comma-separated development speakers, e.g. YBAA,NCC (default: none)")

    ocean = commands.add_parser("speechocean", parents=[common], help="speechocean762 with its expert scores")
    ocean.add_argument("corpus", type=Path, help="speechocean762 folder (SPLIT/text, wav.scp, resource/scores.json)")
    ocean.add_argument("--split", default="train", help="corpus split folder to read: train or test (default train)")

    release = commands.add_parser("release", parents=[common], help="a released L2-Arctic-plus JSON file")
    release.add_argument("release", type=Path, help="train_data.json or test_data.json of the release")
    release.add_argument("--audio-root", type=Path, help="folder that the records' relative audio paths start from")
    release.add_argument("--split", choices=("by-speaker", *SPLITS), default="by-speaker",
                         help="split of every record, or by speaker (test speakers: test; default; --preset paper: "
                              "train, as the paper trains on every record of train_data.json)")
    return parser, [arctic, ocean, release]


def _rewriter(args: argparse.Namespace) -> FeedbackRewriter | None:
    if not args.llm_url:
        return None
    if not args.llm_model:
        raise SystemExit("--llm-url needs --llm-model")
    cache = args.llm_cache or args.out.with_suffix(".llm-cache.jsonl")
    return LLMRewriter(args.llm_url, args.llm_model, cache, api_key=args.llm_api_key, timeout_s=args.llm_timeout)


def _collect(args: argparse.Namespace) -> Iterable[tuple[AnnotatedUtterance, str | None, str | None]]:
    """(utterance, split, native language) for the chosen source."""
    if args.command == "l2arctic":
        for utterance in l2arctic.iter_annotated(args.corpus):
            split = speaker_split(utterance.speaker, args.test_speakers, args.dev_speakers)
            yield utterance, split, native_language_of(utterance)
    elif args.command == "speechocean":
        split = "train" if args.split == "train" else "test"
        for scored in speechocean.read_split(args.corpus, args.split):
            utterance = speechocean.to_annotated(scored)
            yield utterance, split, native_language_of(utterance)
    else:
        for item in read_dataset(args.release, audio_root=args.audio_root):
            split = (speaker_split(item.utterance.speaker, l2arctic.TEST_SPEAKERS)
                     if args.split == "by-speaker" else args.split)
            yield item.utterance, split, item.native_language


def main(argv: list[str] | None = None) -> int:
    parser, commands = build_parser()
    apply_preset(parser, argv, PAPER_DATASET, commands)
    apply_preset(parser, argv, {"split": "train"}, commands[2:])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    rewriter = _rewriter(args)
    items: list[DatasetItem] = []
    feedback_added = 0
    for utterance, split, language in tqdm(_collect(args), desc=f"reading {args.command}", unit="utt"):
        feedback_added += add_feedback(utterance, language, rewriter)
        items.append(DatasetItem(utterance, split, language))
    written = write_dataset(items, args.out)
    per_split = collections.Counter(item.split for item in items)
    words = sum(len(item.utterance.mispronounced_words) for item in items)
    log.info("wrote %d records to %s (%s); %d mispronounced words, %d given feedback here", written, args.out,
             ", ".join(f"{k}: {v}" for k, v in sorted(per_split.items(), key=lambda kv: str(kv[0]))), words,
             feedback_added)
    if isinstance(rewriter, LLMRewriter):
        log.info("LLM: %d requests, %d fell back to the knowledge base's text", rewriter.requests, rewriter.fallbacks)
    if args.examples:
        examples = training_examples(tqdm(items, desc="examples", unit="utt"), args.formats,
                                     native_language_in_prompt=not args.no_native_language_in_prompt,
                                     prompt_style=PromptStyle(args.prompt_style))
        log.info("wrote %d training examples to %s", write_examples(examples, args.examples), args.examples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
