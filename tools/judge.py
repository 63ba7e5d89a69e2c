"""Rate feedback with an LLM judge: suggestion relevance (1-5) and pairwise win rate between two systems.

Stands in for the paper's human raters on answers files in the paper's shape (written by
``tools/evaluate.py run --answers-out``). The judge is any OpenAI-compatible chat server; answers are
cached (``--cache``, default beside the first answers file), so an interrupted run resumes and a rerun
asks nothing. ``compare`` asks every utterance in both orders and counts a win only when both agree.
The prompts are in ``inference_daemon/evaluation/judge.py``.

    python tools/judge.py relevance results/tuned.answers.json --url http://localhost:8000/v1 \\
        --model meta-llama/Llama-3.1-70B-Instruct --json-out results/tuned.relevance.json
    python tools/judge.py compare results/tuned.answers.json results/qwen-zero.answers.json \\
        --url http://localhost:8000/v1 --model meta-llama/Llama-3.1-70B-Instruct
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from inference_daemon.backends.openai_remote.client import ChatClient
from inference_daemon.evaluation.answers import read_answers
from inference_daemon.evaluation.judge import CachedJudge, compare_systems, rate_relevance

log = logging.getLogger("judge")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", required=True, help="OpenAI-compatible server up to /v1, e.g. http://localhost:8000/v1")
    common.add_argument("--model", required=True, help="the judge model the server serves")
    common.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY"),
                        help="bearer token of the server (default: $OPENAI_API_KEY)")
    common.add_argument("--timeout", type=float, default=60.0, help="seconds per try (default 60)")
    common.add_argument("--cache", type=Path, help="cache of the judge's answers (default: the first answers file "
                        "with .judge-cache.jsonl)")
    common.add_argument("--json-out", type=Path, help="write the summary and per-utterance results here")
    commands = parser.add_subparsers(dest="command", required=True)
    relevance = commands.add_parser("relevance", parents=[common], help="rate every suggestion's relevance 1-5")
    relevance.add_argument("answers", type=Path, help="answers file (tools/evaluate.py run --answers-out)")
    compare = commands.add_parser("compare", parents=[common], help="win rate of system A against system B")
    compare.add_argument("answers", type=Path, help="answers file of system A")
    compare.add_argument("other", type=Path, help="answers file of system B (the same utterances)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    judge = CachedJudge(ChatClient(args.url, api_key=args.api_key, timeout_s=args.timeout), args.model,
                        args.cache or args.answers.with_suffix(".judge-cache.jsonl"))
    result: dict[str, Any]
    if args.command == "relevance":
        result = {"answers": str(args.answers), "judge": args.model,
                  **rate_relevance(judge, read_answers(args.answers))}
    else:
        result = {"system_a": str(args.answers), "system_b": str(args.other), "judge": args.model,
                  **compare_systems(judge, read_answers(args.answers), read_answers(args.other))}
    print(json.dumps(result["summary"], indent=1))
    log.info("%d questions asked, the rest from the cache", judge.requests)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        log.info("wrote %s", args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
