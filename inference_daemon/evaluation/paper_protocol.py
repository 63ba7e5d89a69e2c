"""The paper's benchmark protocol, definition for definition, so that figures can stand beside the paper's.

The paper (Unlocking Large Audio-Language Models for Interactive Language Learning, EACL Findings
2026) scores raw model answers with its released ``pipelines/instruction_tuning/parse/parse.py`` and
``eval/eval.py`` (github zoeyada/ALMs4Learning, MIT). Its definitions differ from the project's
own (:mod:`inference_daemon.evaluation.metrics`) in ways that move the numbers, so they are kept
apart and reproduced here exactly:

* **Parsing**: the exact string ``No Problem`` names nothing; otherwise every
  ``word: W issue: I suggestion: S`` match counts (case-insensitive, across lines, text outside the
  matches ignored); a W containing a space is skipped; a word's duplicate (I, S) pairs are dropped.
  The zero-shot runs (Qwen-Audio, Qwen2-Audio, GPT-4o) were parsed by the release's other parser,
  ``pipelines/existing_alms/parse/parse.py`` (:func:`parse_zero_shot_answer`, ``--paper-parser
  zero-shot``): ``issue:`` and ``suggestion:`` are optional in the match, but an item whose issue or
  suggestion is empty, whose issue says "no issues" or whose suggestion says "No Problem" is
  dropped, and a trailing "No Problem" line is cut from a suggestion (the release cuts one
  character more than the line in two of its three cases; reproduced).
* **Detection**, summed over utterances, on sets of lower-cased, whitespace-split words (punctuation
  stays attached): TP = |truth ∩ pred|, FP = |pred − truth| (a named word that is not in the
  sentence is a false positive), FN = |truth − pred|, TN = |words − truth − pred|; the Extra Word
  Ratio is Σ|pred − words| / Σ|words|. An undefined ratio is 0, as in the paper.
* **Feedback text**: per utterance the items ``"W:I S"`` joined by spaces, or ``"no problem"`` when
  there are none. The paper joins a Python set, whose order (and so its ROUGE-L) changes from run to
  run; here the items are sorted, the one deterministic choice. BLEU-2 is nltk's ``sentence_bleu``
  on whitespace tokens, weights (0.5, 0.5), no smoothing, case-sensitive; ROUGE-L the
  ``rouge_score`` F-measure with the stemmer; BERTScore ``bert_score``'s English defaults
  (roberta-large, layer 17, no idf, no rescaling). Everything is averaged over utterances.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference_daemon.evaluation.metrics import rouge_l

#: The answer that names nothing, compared exactly (no stripping, no case folding).
NO_PROBLEM_ANSWER = "No Problem"
#: The feedback text of an utterance without items.
NO_PROBLEM_TEXT = "no problem"
#: bert_score's layer for roberta-large, its default English model.
BERTSCORE_LAYER = 17

# One ``word: W issue: I suggestion: S`` item; S runs lazily up to the next ``word:`` or the end.
_ITEM = re.compile(
    r"word:\s*(?P<word>.*?)\s*issue:\s*(?P<issue>.*?)\s*suggestion:\s*(?P<suggestion>.*?)\s*(?=word:|$)",
    re.DOTALL | re.IGNORECASE,
)

# The zero-shot parser's item: issue and suggestion optional, each running lazily up to what follows.
_ZERO_SHOT_ITEM = re.compile(
    r"word:\s*(?P<word>.*?)\s*(?:issue:\s*(?P<issue>.*?)\s*)?(?:suggestion:\s*(?P<suggestion>.*?)\s*)?"
    r"(?=\s*word:|$)",
    re.DOTALL | re.IGNORECASE,
)
# Trailing lines the zero-shot parser cuts from a suggestion, with how many characters it cuts for each
# (one more than the line for two of them, as the release's slicing does).
_ZERO_SHOT_TAILS = (("\nNo Problem.", 13), ("\nNo Problem", 11), ("\nNo Problem. indent", 20))
#: Which release parser reads the answers: the tuned model's or the zero-shot runs'.
PARSERS = ("tuned", "zero-shot")

#: What an answer or an annotation says: word -> [{"issue", "suggestion"}] (the release's ``mis_exp_sug``).
Feedback = Mapping[str, Sequence[Mapping[str, str]]]


def parse_answer(raw: str) -> dict[str, list[dict[str, str]]]:
    """The words a raw answer names, with their (issue, suggestion) items, as the paper parses them."""
    named: dict[str, list[dict[str, str]]] = {}
    if raw == NO_PROBLEM_ANSWER:
        return named
    for match in _ITEM.finditer(raw):
        word, issue, suggestion = (match[name].strip() for name in ("word", "issue", "suggestion"))
        if " " in word:
            continue
        items = named.setdefault(word, [])
        if not any(item["issue"] == issue and item["suggestion"] == suggestion for item in items):
            items.append({"issue": issue, "suggestion": suggestion})
    return {word: items for word, items in named.items() if items}


def parse_zero_shot_answer(raw: str) -> dict[str, list[dict[str, str]]]:
    """The words a raw answer names as the release's zero-shot parser reads them (see the module notes)."""
    named: dict[str, list[dict[str, str]]] = {}
    if raw == NO_PROBLEM_ANSWER:
        return named
    for match in _ZERO_SHOT_ITEM.finditer(raw):
        word = match["word"].strip()
        issue = (match["issue"] or "").strip()
        suggestion = (match["suggestion"] or "").strip()
        for tail, cut in _ZERO_SHOT_TAILS:
            if suggestion.endswith(tail):
                suggestion = suggestion[:-cut].strip()
        if "No issues" in issue or "no issues" in issue:  # these two spellings only, as the release
            continue
        if "No Problem" in suggestion or " " in word or not issue or not suggestion:
            continue
        items = named.setdefault(word, [])
        if not any(item["issue"] == issue and item["suggestion"] == suggestion for item in items):
            items.append({"issue": issue, "suggestion": suggestion})
    return {word: items for word, items in named.items() if items}


def answer_parser(name: str) -> Callable[[str], dict[str, list[dict[str, str]]]]:
    """The parser of :data:`PARSERS` by name."""
    if name not in PARSERS:
        raise ValueError(f"unknown parser {name!r}; one of {', '.join(PARSERS)}")
    return parse_answer if name == "tuned" else parse_zero_shot_answer


@dataclass
class PaperDetectionCounts:
    """The paper's word-level detection counts, summed over utterances."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    extra_words: int = 0
    sentence_words: int = 0

    def add(self, text: str, truth: Feedback, predicted: Feedback) -> None:
        """One utterance: its sentence, the annotation's ``mis_exp_sug`` and the parsed answer."""
        words = {word.lower() for word in text.split()}
        gold = set(truth)
        named = {word.lower() for word in predicted}
        self.true_positive += len(gold & named)
        self.false_positive += len(named - gold)
        self.false_negative += len(gold - named)
        self.true_negative += len(words - gold - named)
        self.extra_words += len(named - words)
        self.sentence_words += len(words)

    def metrics(self) -> dict[str, float | int]:
        total = self.true_positive + self.false_positive + self.false_negative + self.true_negative
        precision = _ratio(self.true_positive, self.true_positive + self.false_positive)
        recall = _ratio(self.true_positive, self.true_positive + self.false_negative)
        return {
            "accuracy": _ratio(self.true_positive + self.true_negative, total),
            "precision": precision,
            "recall": recall,
            "f1": _ratio(2 * precision * recall, precision + recall),
            "extra_word_ratio": _ratio(self.extra_words, self.sentence_words),
            "true_positive": self.true_positive,
            "false_positive": self.false_positive,
            "false_negative": self.false_negative,
            "true_negative": self.true_negative,
        }


def _ratio(numerator: float, denominator: float) -> float:
    """The paper's ratios: 0 when the denominator is 0."""
    return numerator / denominator if denominator > 0 else 0.0


def feedback_text(feedback: Feedback) -> str:
    """``"W:I S"`` per item, sorted and joined by spaces; ``"no problem"`` when there is no word at all."""
    if not feedback:
        return NO_PROBLEM_TEXT
    items = {
        f"{word}:{item.get('issue', '')} {item.get('suggestion', '')}"
        for word, details in feedback.items()
        for item in (details if isinstance(details, list) else [])
    }
    return " ".join(sorted(items))


def bleu2(reference: str, hypothesis: str) -> float:
    """nltk ``sentence_bleu`` on whitespace tokens, weights (0.5, 0.5), no smoothing, case-sensitive."""
    from nltk.translate.bleu_score import sentence_bleu

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nltk warns when a hypothesis shares no bigram with the reference
        return float(sentence_bleu([reference.split()], hypothesis.split(), weights=(0.5, 0.5)))


def bertscore(references: Sequence[str], hypotheses: Sequence[str], model_dir: Path,
              layer: int = BERTSCORE_LAYER) -> tuple[list[float], list[float], list[float]]:
    """BERTScore precision, recall and F1 per pair with ``bert_score`` (no idf, no rescaling).

    ``model_dir`` is a local copy of roberta-large (the paper's model, by ``lang="en"``), or any
    RoBERTa-style encoder for tests. The tokenizer is loaded with ``add_prefix_space=True``: that is
    how ``bert_score`` encoded RoBERTa text under transformers 4 (the paper's environment), and
    transformers 5's tokenizer no longer gets it from ``bert_score`` itself.
    """
    from bert_score import BERTScorer
    from transformers import AutoTokenizer

    scorer = BERTScorer(model_type=str(model_dir), num_layers=layer, lang="en", idf=False,
                        rescale_with_baseline=False)
    scorer._tokenizer = AutoTokenizer.from_pretrained(str(model_dir), add_prefix_space=True)
    precision, recall, f1 = scorer.score(list(hypotheses), list(references))
    return precision.tolist(), recall.tolist(), f1.tolist()


@dataclass(frozen=True)
class PaperUtteranceScore:
    """One answer scored the paper's way."""

    audio_path: str
    named: dict[str, list[dict[str, str]]]
    reference_feedback: str
    system_feedback: str
    bleu2: float
    rouge_l: float

    def to_json(self) -> dict[str, Any]:
        return {"audio_path": self.audio_path, "named": sorted(self.named), "reference_feedback":
                self.reference_feedback, "system_feedback": self.system_feedback, "bleu2": self.bleu2,
                "rouge_l": self.rouge_l}


def score_answers(answers: Sequence[Mapping[str, Any]], bertscore_model: Path | None = None,
                  bertscore_layer: int = BERTSCORE_LAYER, parser: str = "tuned") -> dict[str, Any]:
    """Score answers in the paper's inference-output shape; returns ``{"summary", "utterances"}``.

    Each answer has ``text``, ``mis_exp_sug`` (the annotation) and ``speculative_mispronunciations``
    (the model's raw answer); ``audio_path`` only names it. ``parser``: one of :data:`PARSERS`.
    """
    parse = answer_parser(parser)
    detection = PaperDetectionCounts()
    scores = []
    for answer in answers:
        truth: Feedback = answer.get("mis_exp_sug") or {}
        named = parse(str(answer.get("speculative_mispronunciations") or ""))
        detection.add(str(answer.get("text") or ""), truth, named)
        reference, system = feedback_text(truth), feedback_text(named)
        scores.append(PaperUtteranceScore(
            audio_path=str(answer.get("audio_path", "")), named=named, reference_feedback=reference,
            system_feedback=system, bleu2=bleu2(reference, system), rouge_l=rouge_l(reference, system),
        ))
    count = max(len(scores), 1)
    feedback: dict[str, float | None] = {
        "bleu2": sum(s.bleu2 for s in scores) / count,
        "rouge_l": sum(s.rouge_l for s in scores) / count,
        "bertscore_precision": None, "bertscore_recall": None, "bertscore_f1": None,
    }
    if bertscore_model is not None and scores:
        precision, recall, f1 = bertscore([s.reference_feedback for s in scores],
                                          [s.system_feedback for s in scores], bertscore_model, bertscore_layer)
        feedback.update(bertscore_precision=sum(precision) / count, bertscore_recall=sum(recall) / count,
                        bertscore_f1=sum(f1) / count)
    return {
        "summary": {"protocol": "paper", "parser": parser, "utterances": len(scores), "failed": 0,
                    "detection": detection.metrics(), "feedback": feedback},
        "utterances": [s.to_json() for s in scores],
    }
