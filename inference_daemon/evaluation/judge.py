"""An LLM judge for what the paper reports from human raters: suggestion relevance (1-5) and pairwise win rate.

The paper had people rate each suggestion's relevance and choose the better of two systems'
feedback. Without raters, an LLM behind any OpenAI-compatible chat server stands in for them, on
answers files in the paper's shape (``tools/evaluate.py run --answers-out``). The prompts are below,
so that every figure can be traced to the question asked. Answers are cached on disk (one JSON line
per question, keyed by model and messages): a rerun asks nothing twice. Position bias is
controlled by asking every comparison in both orders; a system wins only when both orders agree,
and anything else is a tie.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from inference_daemon.backends.openai_remote.client import ChatClient
from inference_daemon.evaluation.paper_protocol import Feedback, feedback_text, parse_answer

log = logging.getLogger(__name__)

RELEVANCE_SYSTEM = (
    "You are an experienced teacher of English pronunciation who rates feedback that an automatic tutor gave a "
    "learner. You cannot hear the recording; expert annotators listened to it, and their findings are given."
)
RELEVANCE_PROMPT = """The learner read this sentence aloud: "{sentence}"
The annotators' findings for the word "{word}": {annotation}

The tutor's feedback on "{word}":
Issue: {issue}
Suggestion: {suggestion}

How relevant is this suggestion to what the learner actually needs for this word? Use this scale:
1 = irrelevant or wrong, 2 = mostly irrelevant, 3 = partly relevant, 4 = relevant, 5 = highly relevant and precise.
Answer with the number only."""

PAIRWISE_SYSTEM = (
    "You are an experienced teacher of English pronunciation who compares the feedback two automatic tutors gave "
    "the same learner. You cannot hear the recording; expert annotators listened to it, and their findings are given."
)
PAIRWISE_PROMPT = """The learner read this sentence aloud: "{sentence}"
The annotators' findings: {annotation}

Feedback 1:
{first}

Feedback 2:
{second}

Which feedback better tells this learner which words were mispronounced, what went wrong and how to fix it?
Answer with 1, 2, or tie only."""

NO_FINDINGS = "no pronunciation problem"
_RATING = re.compile(r"[1-5]")
_CHOICE = re.compile(r"\b(1|2|tie)\b", re.IGNORECASE)


def _findings(items: Sequence[Mapping[str, str]] | None) -> str:
    if not items:
        return NO_FINDINGS
    return " ".join(f"{item.get('issue', '')} {item.get('suggestion', '')}".strip() for item in items)


def _feedback_lines(named: Feedback) -> str:
    lines = [f"word: {word} issue: {item.get('issue', '')} suggestion: {item.get('suggestion', '')}"
             for word, items in sorted(named.items()) for item in items]
    return "\n".join(lines) or "No Problem"


class CachedJudge:
    """Asks a chat server one question at a time, remembering every answer in a JSON-lines file."""

    def __init__(self, client: ChatClient, model: str, cache_path: Path, *, max_tokens: int = 8) -> None:
        self.client = client
        self.model = model
        self.cache_path = cache_path
        self.max_tokens = max_tokens
        self.requests = 0
        self._answers: dict[str, str] = {}
        if cache_path.exists():
            for line in cache_path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    entry = json.loads(line)
                    self._answers[entry["key"]] = entry["answer"]

    def _key(self, messages: list[dict[str, str]]) -> str:
        payload = json.dumps({"model": self.model, "messages": messages}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()

    def ask(self, system: str, user: str) -> str:
        """The server's answer to one question (from the cache when it was asked before)."""
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        key = self._key(messages)
        if key not in self._answers:
            self.requests += 1
            answer = self.client.chat_completion({"model": self.model, "messages": messages, "temperature": 0.0,
                                                  "max_tokens": self.max_tokens})
            content = str(answer["choices"][0]["message"]["content"] or "").strip()
            self._answers[key] = content
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            with self.cache_path.open("a", encoding="utf-8") as cache:
                cache.write(json.dumps({"key": key, "answer": content}, ensure_ascii=False) + "\n")
        return self._answers[key]


def rate_relevance(judge: CachedJudge, answers: Sequence[Mapping[str, Any]], progress: bool = True
                   ) -> dict[str, Any]:
    """Every suggestion of every answer rated 1-5; the mean, the distribution and the unreadable ratings."""
    ratings: list[int] = []
    unreadable = 0
    per_utterance = []
    for answer in tqdm(answers, desc="rating suggestions", unit="utt", disable=not progress):
        truth: Mapping[str, Sequence[Mapping[str, str]]] = answer.get("mis_exp_sug") or {}
        named = parse_answer(str(answer.get("speculative_mispronunciations") or ""))
        rated = []
        for word, items in named.items():
            for item in items:
                reply = judge.ask(RELEVANCE_SYSTEM, RELEVANCE_PROMPT.format(
                    sentence=answer["text"], word=word, annotation=_findings(truth.get(word.lower())),
                    issue=item["issue"], suggestion=item["suggestion"]))
                match = _RATING.search(reply)
                if match is None:
                    unreadable += 1
                    log.warning("unreadable rating %r", reply)
                    continue
                ratings.append(int(match.group()))
                rated.append({"word": word, "rating": ratings[-1]})
        per_utterance.append({"audio_path": answer.get("audio_path"), "ratings": rated})
    return {
        "summary": {"suggestions": len(ratings), "unreadable": unreadable,
                    "mean_relevance": sum(ratings) / len(ratings) if ratings else None,
                    "distribution": {str(score): ratings.count(score) for score in range(1, 6)}},
        "utterances": per_utterance,
    }


@dataclass
class PairwiseTally:
    """Wins, losses and ties of system A against system B, and how often the two orders disagreed."""

    wins: int = 0
    losses: int = 0
    ties: int = 0
    inconsistent: int = 0
    outcomes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        total = self.wins + self.losses + self.ties
        return {"utterances": total, "wins": self.wins, "losses": self.losses, "ties": self.ties,
                "win_rate": self.wins / total if total else None, "loss_rate": self.losses / total if total else None,
                "order_disagreements": self.inconsistent}


def _choice(reply: str) -> str | None:
    match = _CHOICE.search(reply)
    return match.group(1).lower() if match else None


def compare_systems(judge: CachedJudge, answers_a: Sequence[Mapping[str, Any]],
                    answers_b: Sequence[Mapping[str, Any]], progress: bool = True) -> dict[str, Any]:
    """Per utterance, which system's feedback is better, asked in both orders (A first, then B first)."""
    if [a["text"] for a in answers_a] != [b["text"] for b in answers_b]:
        raise ValueError("the two answers files are not about the same utterances in the same order")
    tally = PairwiseTally()
    for answer_a, answer_b in tqdm(list(zip(answers_a, answers_b, strict=True)), desc="comparing", unit="utt",
                                   disable=not progress):
        feedback_a = _feedback_lines(parse_answer(str(answer_a.get("speculative_mispronunciations") or "")))
        feedback_b = _feedback_lines(parse_answer(str(answer_b.get("speculative_mispronunciations") or "")))
        truth: Feedback = answer_a.get("mis_exp_sug") or {}
        annotation = NO_FINDINGS if not truth else feedback_text(truth)

        def ask(first: str, second: str, sentence: str = str(answer_a["text"]),
                annotation: str = annotation) -> str | None:
            return _choice(judge.ask(PAIRWISE_SYSTEM, PAIRWISE_PROMPT.format(
                sentence=sentence, annotation=annotation, first=first, second=second)))

        a_first, b_first = ask(feedback_a, feedback_b), ask(feedback_b, feedback_a)
        if a_first == "1" and b_first == "2":
            outcome = "win"
            tally.wins += 1
        elif a_first == "2" and b_first == "1":
            outcome = "loss"
            tally.losses += 1
        else:
            outcome = "tie"
            tally.ties += 1
            tally.inconsistent += not (a_first == b_first == "tie")
        tally.outcomes.append(outcome)
    return {"summary": tally.summary(),
            "utterances": [{"audio_path": a.get("audio_path"), "outcome": o}
                           for a, o in zip(answers_a, tally.outcomes, strict=True)]}
