"""The benchmark's metrics, each a small pure function or counter with its definition in the docstring.

* Word-level detection (the paper's): which words of the sentence a system names as mispronounced
  against the annotated ones; accuracy, precision, recall, F1 over the words of the sentences, and
  the share of the words a system named that are not in the sentence at all.
* Feedback text (the paper's): BLEU-2 (weights 0.5/0.5, no smoothing) and ROUGE-L F with Porter
  stemming between ``word: issue suggestion`` strings; BERTScore F1 with a local model when given.
* Phone-level mispronunciation detection and diagnosis (MDD), over canonical phones: true/false
  acceptance and rejection, precision TR/(TR+FR), recall TR/(TR+FA), F1 and diagnosis accuracy
  (share of true rejections whose heard phone the system named right; unclear ``err`` phones and
  deletions count as right only when the system also heard nothing / a deletion).
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

NO_PROBLEM = "No Problem"
_TOKEN = re.compile(r"\w+|[^\w\s]")


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _f1(true_positive: int, false_positive: int, false_negative: int) -> float | None:
    """2TP / (2TP + FP + FN): the harmonic mean of precision and recall, 0 when nothing was found."""
    return _ratio(2 * true_positive, 2 * true_positive + false_positive + false_negative)


@dataclass
class DetectionCounts:
    """Word-level detection counts, summed over utterances."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    named_not_in_sentence: int = 0

    def add(self, gold: frozenset[int] | set[int], named: frozenset[int] | set[int], words: int,
            named_not_in_sentence: int = 0) -> None:
        """One utterance: the word positions annotated and named as mispronounced, of ``words`` words."""
        self.true_positive += len(gold & named)
        self.false_positive += len(named - gold)
        self.false_negative += len(gold - named)
        self.true_negative += words - len(gold | named)
        self.named_not_in_sentence += named_not_in_sentence

    def metrics(self) -> dict[str, float | int | None]:
        precision = _ratio(self.true_positive, self.true_positive + self.false_positive)
        recall = _ratio(self.true_positive, self.true_positive + self.false_negative)
        words = self.true_positive + self.false_positive + self.false_negative + self.true_negative
        named = self.true_positive + self.false_positive + self.named_not_in_sentence
        return {
            "accuracy": _ratio(self.true_positive + self.true_negative, words),
            "precision": precision,
            "recall": recall,
            "f1": _f1(self.true_positive, self.false_positive, self.false_negative),
            "not_in_sentence_ratio": _ratio(self.named_not_in_sentence, named),
            "words": words,
            "annotated_mispronounced": self.true_positive + self.false_negative,
            "named": named,
        }


@dataclass
class MddCounts:
    """Phone-level detection and diagnosis counts over canonical phones, summed over words."""

    true_acceptance: int = 0
    false_rejection: int = 0
    false_acceptance: int = 0
    true_rejection: int = 0
    correct_diagnosis: int = 0
    diagnosis_error: int = 0

    def add_phone(self, mispronounced: bool, rejected: bool, diagnosed_right: bool | None = None) -> None:
        """One canonical phone: annotated wrong or not, rejected by the system or not, and for a true
        rejection whether the system named the heard phone right (None: not scorable)."""
        if not mispronounced:
            if rejected:
                self.false_rejection += 1
            else:
                self.true_acceptance += 1
        elif not rejected:
            self.false_acceptance += 1
        else:
            self.true_rejection += 1
            if diagnosed_right is True:
                self.correct_diagnosis += 1
            elif diagnosed_right is False:
                self.diagnosis_error += 1

    def __iadd__(self, other: MddCounts) -> MddCounts:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))
        return self

    def metrics(self) -> dict[str, float | int | None]:
        precision = _ratio(self.true_rejection, self.true_rejection + self.false_rejection)
        recall = _ratio(self.true_rejection, self.true_rejection + self.false_acceptance)
        return {
            "true_acceptance": self.true_acceptance,
            "false_rejection": self.false_rejection,
            "false_acceptance": self.false_acceptance,
            "true_rejection": self.true_rejection,
            "precision": precision,
            "recall": recall,
            "f1": _f1(self.true_rejection, self.false_rejection, self.false_acceptance),
            "diagnosis_accuracy": _ratio(self.correct_diagnosis, self.correct_diagnosis + self.diagnosis_error),
        }


def feedback_string(items: Sequence[tuple[str, str, str]]) -> str:
    """``word: issue suggestion`` per named word, one per line; ``No Problem`` when there is none."""
    if not items:
        return NO_PROBLEM
    return "\n".join(" ".join(f"{word}: {issue} {suggestion}".split()) for word, issue, suggestion in items)


def tokens(text: str) -> list[str]:
    """Lower-case words and punctuation marks, the tokens BLEU counts."""
    return _TOKEN.findall(text.lower())


def bleu2(reference: str, hypothesis: str) -> float:
    """Sentence BLEU with weights (0.5, 0.5) on unigrams and bigrams, brevity penalty, no smoothing."""
    from nltk.translate.bleu_score import sentence_bleu

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nltk warns when a hypothesis shares no bigram: the score is then 0
        return float(sentence_bleu([tokens(reference)], tokens(hypothesis), weights=(0.5, 0.5)))


@functools.cache
def _rouge_l_scorer() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


def rouge_l(reference: str, hypothesis: str) -> float:
    """ROUGE-L F-measure with Porter stemming (rouge-score's own tokenizer)."""
    return float(_rouge_l_scorer().score(reference, hypothesis)["rougeL"].fmeasure)


def bertscore_f1(references: Sequence[str], hypotheses: Sequence[str], model_path: Path,
                 layer: int | None = None, device: str = "cpu") -> list[float]:
    """BERTScore F1 per pair: greedy cosine matching of contextual token embeddings (no idf, no rescaling).

    ``model_path`` is any local transformers encoder (e.g. roberta-large, the BERTScore default);
    ``layer`` picks the hidden layer (default: the last).
    """
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_path))
    model = AutoModel.from_pretrained(str(model_path)).to(device).eval()

    def embed(text: str) -> Any:
        encoded = tokenizer(text, return_tensors="pt", return_special_tokens_mask=True, truncation=True)
        special = encoded.pop("special_tokens_mask")[0].bool()
        with torch.no_grad():
            hidden = model(**encoded.to(device), output_hidden_states=True).hidden_states
        states = hidden[-1 if layer is None else layer][0][~special.to(device)]
        return torch.nn.functional.normalize(states.float(), dim=-1)

    scores = []
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        ref, hyp = embed(reference), embed(hypothesis)
        if len(ref) == 0 or len(hyp) == 0:
            scores.append(0.0)
            continue
        similarity = hyp @ ref.T
        precision = float(similarity.max(dim=1).values.mean())
        recall = float(similarity.max(dim=0).values.mean())
        scores.append(2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0)
    return scores
