"""Show benchmark results: a table on the terminal and a comparison plot (PNG) across systems.

Both read result documents as ``tools/evaluate.py`` writes them (``{"system", "summary", ...}``),
so runs made at different times or on different machines compare side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: (label, section, key) of the figures shown, in the paper's order; a figure one protocol does not
#: define (the project's "named, not in sentence", the paper's extra word ratio) shows as "-"
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("word accuracy", "detection", "accuracy"),
    ("word precision", "detection", "precision"),
    ("word recall", "detection", "recall"),
    ("word F1", "detection", "f1"),
    ("named, not in sentence", "detection", "not_in_sentence_ratio"),
    ("extra word ratio", "detection", "extra_word_ratio"),
    ("BLEU-2", "feedback", "bleu2"),
    ("ROUGE-L", "feedback", "rouge_l"),
    ("BERTScore precision", "feedback", "bertscore_precision"),
    ("BERTScore recall", "feedback", "bertscore_recall"),
    ("BERTScore F1", "feedback", "bertscore_f1"),
    ("phone precision", "mdd", "precision"),
    ("phone recall", "mdd", "recall"),
    ("phone F1", "mdd", "f1"),
    ("diagnosis accuracy", "mdd", "diagnosis_accuracy"),
)


def figure(summary: dict[str, Any], section: str, key: str) -> float | None:
    """One figure of a summary; None when it was not computed (no phones, no BERTScore model)."""
    part = summary.get(section)
    value = part.get(key) if isinstance(part, dict) else None
    return float(value) if isinstance(value, (int, float)) else None


def table(results: Sequence[dict[str, Any]]) -> str:
    """A plain-text table: one row per figure, one column per system ("-": not computed)."""
    names = [str(r["system"]) for r in results]
    label_width = max(len(label) for label, _, _ in FIGURES)
    widths = [max(len(name), 6) for name in names]
    lines = ["  ".join([" " * label_width, *(n.rjust(w) for n, w in zip(names, widths, strict=True))])]
    rows = [("utterances", [str(r["summary"]["utterances"]) for r in results]),
            ("failed", [str(r["summary"]["failed"]) for r in results])]
    for label, section, key in FIGURES:
        values = [figure(r["summary"], section, key) for r in results]
        rows.append((label, ["-" if v is None else f"{v:.3f}" for v in values]))
    for label, cells in rows:
        lines.append("  ".join([label.ljust(label_width), *(c.rjust(w) for c, w in zip(cells, widths, strict=True))]))
    return "\n".join(lines)


def plot(results: Sequence[dict[str, Any]], path: Path) -> Path:
    """Grouped bars of every figure computed for at least one system, one colour per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [(label, section, key) for label, section, key in FIGURES
             if any(figure(r["summary"], section, key) is not None for r in results)]
    width = 0.8 / max(len(results), 1)
    fig, axes = plt.subplots(figsize=(max(8.0, 1.1 * len(shown) * max(1, len(results)) ** 0.5), 4.5))
    for number, result in enumerate(results):
        values = [figure(result["summary"], section, key) or 0.0 for _, section, key in shown]
        positions = [i + (number - (len(results) - 1) / 2) * width for i in range(len(shown))]
        axes.bar(positions, values, width, label=str(result["system"]))
    axes.set_xticks(range(len(shown)), [label for label, _, _ in shown], rotation=35, ha="right")
    axes.set_ylim(0, 1)
    axes.set_ylabel("score")
    axes.set_title("Pronunciation feedback benchmark")
    axes.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
