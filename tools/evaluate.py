"""Benchmark any backend on an annotated test split, through the daemon's own code path; compare systems.

``run`` assesses every utterance of a dataset file (from ``tools/build_dataset.py``, or a released
L2-Arctic-plus ``test_data.json``) with the chosen backend and its own options, scores the answers
(word-level detection, BLEU-2, ROUGE-L, optional BERTScore, phone-level MDD where the backend gives
phones), prints a table and writes a result JSON; ``--answers-out`` also keeps the raw answers in
the paper's inference-output shape. ``score`` scores such an answers file (the paper's own outputs
too) without running a model. ``--protocol paper`` scores with the paper's released definitions,
``project`` (default) with the project's; ``--preset paper`` runs with the paper's inference
settings and protocol. ``compare`` prints several result JSONs side by side and draws a comparison
plot (PNG).

    python tools/evaluate.py run data/l2arctic.json --split test --backend phonetic --json-out results/phonetic.json
    python tools/evaluate.py run data/l2arctic.json --backend alm --model runs/stage2 --json-out results/tuned.json
    python tools/evaluate.py run test_data.json --preset paper --backend alm --model runs/stage2 \\
        --audio-root /data/l2arctic_release_v5 --answers-out results/tuned.answers.json
    python tools/evaluate.py score results/tuned.answers.json --protocol paper --bertscore-model /models/roberta-large
    python tools/evaluate.py compare results/*.json --png results/benchmark.png
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from inference_daemon.backends import DEFAULT_BACKEND, backend_class
from inference_daemon.evaluation import paper_protocol
from inference_daemon.evaluation.answers import answer_record, read_answers, score_answers_project, write_answers
from inference_daemon.evaluation.report import plot, table
from inference_daemon.evaluation.runner import evaluate_backend
from inference_daemon.training.dataset_file import read_dataset
from inference_daemon.training.presets import PAPER_EVALUATION, add_preset_argument, apply_preset

log = logging.getLogger("evaluate")

PROTOCOLS = ("project", "paper")


def _add_scoring_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--protocol", choices=PROTOCOLS, default="project",
                        help="'paper': the paper's released definitions (lenient parsing, word sets, whitespace "
                             "BLEU-2, bert_score); 'project' (default): the project's own (see docs/training.md)")
    parser.add_argument("--bertscore-layer", type=int, default=paper_protocol.BERTSCORE_LAYER,
                        help="paper protocol: the encoder layer BERTScore reads (default 17, roberta-large's)")
    parser.add_argument("--paper-parser", choices=paper_protocol.PARSERS, default="tuned",
                        help="paper protocol: the release's parser for the tuned model ('tuned', default) or the "
                             "one its zero-shot runs (Qwen-Audio, Qwen2-Audio, GPT-4o) were parsed with")


def build_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="evaluate one backend on a dataset split")
    run.add_argument("dataset", type=Path, help="dataset file (tools/build_dataset.py) or release test_data.json")
    run.add_argument("--split", default="test", help="split to evaluate (default test; unsplit records always count)")
    run.add_argument("--audio-root", type=Path, help="folder that relative audio paths start from")
    run.add_argument("--backend", default=DEFAULT_BACKEND, help="backend name or module:Class; its options follow")
    run.add_argument("--system", help="name of this system in tables and plots (default: backend and model)")
    run.add_argument("--limit", type=int, help="evaluate only the first N utterances")
    run.add_argument("--no-native-language", action="store_true",
                     help="do not send the speaker's first language with the requests")
    run.add_argument("--bertscore-model", type=Path, help="local encoder for BERTScore (e.g. roberta-large); "
                     "without it BERTScore is reported as not computed")
    run.add_argument("--json-out", type=Path, help="write the summary and per-utterance scores here")
    run.add_argument("--answers-out", type=Path, help="write the raw answers here, in the paper's inference-output "
                     "shape (rescore them with 'score')")
    _add_scoring_arguments(run)
    add_preset_argument(run)
    score = commands.add_parser("score", help="score raw answers (the paper's inference-output shape) without a model")
    score.add_argument("answers", type=Path, help="JSON list of {audio_path, text, mis_exp_sug, "
                       "speculative_mispronunciations}, e.g. written by 'run --answers-out'")
    score.add_argument("--bertscore-model", type=Path, help="local encoder for BERTScore (the paper: roberta-large)")
    score.add_argument("--system", help="name of this system in tables (default: the file's name)")
    score.add_argument("--json-out", type=Path, help="write the summary and per-utterance scores here")
    _add_scoring_arguments(score)
    compare = commands.add_parser("compare", help="tabulate and plot several result JSONs")
    compare.add_argument("results", type=Path, nargs="+", help="result JSONs written by 'run --json-out'")
    compare.add_argument("--png", type=Path, help="write the comparison plot here")
    return parser, run


def score_answers(answers: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    """``{"summary", "utterances"}`` of raw answers under ``args.protocol``."""
    if args.protocol == "paper":
        return paper_protocol.score_answers(answers, args.bertscore_model, args.bertscore_layer, args.paper_parser)
    return score_answers_project(answers, args.bertscore_model)


def run_command(args: argparse.Namespace) -> dict[str, Any]:
    items = read_dataset(args.dataset, args.split, args.audio_root)[: args.limit]
    if not items:
        raise SystemExit(f"{args.dataset} has no records in split {args.split!r}")
    backend = backend_class(args.backend).from_arguments(args)
    evaluation = evaluate_backend(
        backend, [(i.utterance, None if args.no_native_language else i.native_language) for i in items]
    )
    answers = [answer_record(item.record or item.utterance.to_release(), raw)
               for item, raw in zip(items, evaluation.raw_answers, strict=True)]
    if args.answers_out:
        write_answers(answers, args.answers_out)
        log.info("wrote %d answers to %s", len(answers), args.answers_out)
    info = backend.describe()
    if args.protocol == "paper":
        scored = paper_protocol.score_answers(answers, args.bertscore_model, args.bertscore_layer, args.paper_parser)
        summary, utterances = scored["summary"], scored["utterances"]
        summary["failed"] = evaluation.benchmark.failed
    else:
        summary = evaluation.benchmark.summary(args.bertscore_model)
        utterances = [score.to_json() for score in evaluation.benchmark.scores]
    summary["real_time_factor"] = evaluation.processing_s / evaluation.audio_s if evaluation.audio_s else None
    return {
        "system": args.system or f"{info.name}:{Path(info.model).name or info.model}"[:40],
        "backend": info.name, "model": info.model, "dataset": str(args.dataset), "split": args.split,
        "protocol": args.protocol, "preset": args.preset, "summary": summary, "utterances": utterances,
    }


def score_command(args: argparse.Namespace) -> dict[str, Any]:
    answers = read_answers(args.answers)
    scored = score_answers(answers, args)
    return {"system": args.system or args.answers.stem[:40], "answers": str(args.answers), "protocol": args.protocol,
            **scored}


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line, with the chosen backend's own options and the preset's defaults for ``run``."""
    parser, run_parser = build_parser()
    known, _ = parser.parse_known_args(argv)
    if known.command == "run":
        backend_class(known.backend).add_arguments(run_parser)
        apply_preset(parser, argv, PAPER_EVALUATION, [run_parser])
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command in ("run", "score"):
        result = run_command(args) if args.command == "run" else score_command(args)
        print(table([result]))
        if args.json_out:
            args.json_out.parent.mkdir(parents=True, exist_ok=True)
            args.json_out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            log.info("wrote %s", args.json_out)
        return 0
    results = [json.loads(path.read_text(encoding="utf-8")) for path in args.results]
    print(table(results))
    if args.png:
        log.info("wrote %s", plot(results, args.png))
    return 0


if __name__ == "__main__":
    sys.exit(main())
