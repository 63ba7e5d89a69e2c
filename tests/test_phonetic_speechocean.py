"""The phonetic backend on real learner speech from speechocean762 (../shared, skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from inference_daemon.feedback import WordStatus
from tests.minimal_pairs import assess_wav
from tests.phonetic_fixtures import loaded_backend
from tools import evaluate_speechocean

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "speechocean762-dev"
UTTERANCES = 30

pytestmark = pytest.mark.skipif(
    not (CORPUS / "resource" / "scores.json").exists(),
    reason=f"speechocean762 development subset not found at {CORPUS}",
)


def _first_utterances() -> list[tuple[str, str, Path]]:
    texts = dict(
        line.split(None, 1) for line in (CORPUS / "train" / "text").read_text().splitlines() if line.strip()
    )
    wavs = dict(line.split(None, 1) for line in (CORPUS / "train" / "wav.scp").read_text().splitlines())
    return [(u, texts[u].strip(), CORPUS / wavs[u].strip()) for u in sorted(texts)[:UTTERANCES]]


def test_word_scores_follow_the_experts() -> None:
    labels = json.loads((CORPUS / "resource" / "scores.json").read_text())
    scores, accuracy, flagged, gold = [], [], [], []
    for utt_id, text, wav in _first_utterances():
        document = assess_wav(loaded_backend(), wav, text)
        assert len(document.words) == len(labels[utt_id]["words"])
        for word, label in zip(document.words, labels[utt_id]["words"], strict=True):
            scores.append(word.score)
            accuracy.append(label["accuracy"])
            flagged.append(word.status is not WordStatus.ok)
            gold.append(label["accuracy"] <= 6)
    assert np.corrcoef(scores, accuracy)[0, 1] > 0.2
    flagged_array, gold_array = np.asarray(flagged), np.asarray(gold)
    # Flagged words are mispronounced far more often than the corpus's base rate.
    assert gold_array[flagged_array].mean() > 2 * gold_array.mean()


def test_evaluation_tool_writes_its_metrics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "metrics.json"
    assert evaluate_speechocean.main([str(CORPUS), "--split", "train", "--limit", "3", "--json-out", str(out)]) == 0
    metrics = json.loads(out.read_text())["metrics"]
    assert metrics["utterances"] == 3 and metrics["words"] > 0
    assert {"precision", "recall", "f1", "word_pearson", "phone_pearson", "real_time_factor"} <= set(metrics)
    # The corpus's sentence labels are read and paired with the backend's sentence scores.
    assert metrics["fluency_utterances"] == metrics["prosody_utterances"] == 3
    assert metrics["fluency_pearson"] is None or -1 <= metrics["fluency_pearson"] <= 1
    # Every word of the corpus carries the experts' stress label; the agreement counts all of them.
    assert metrics["stress_words"] == metrics["words"]
    assert 0 <= metrics["stress_agreement"] <= 1
    assert '"f1"' in capsys.readouterr().out
