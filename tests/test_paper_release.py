"""The release's own files and path shape: reading them, running a backend with ``--preset paper``, rescoring.

``tests/fixtures/l2arctic_plus_test_slice.json`` is the first three records of the paper's
``data/L2-Arctic-plus/test_data.json`` (github zoeyada/ALMs4Learning, MIT), with their real
``audio_path`` values: ``./data/L2-Arctic-plus/l2arctic_release_v5.0/NJS/wav/FILE.wav``, relative
to the paper repository's root.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from inference_daemon.training.dataset_file import read_dataset
from tests.support.audio_files import espeak_wav
from tools import evaluate

SLICE = Path(__file__).parent / "fixtures" / "l2arctic_plus_test_slice.json"
SCRIPTED = "tests.support.scripted_backend:ScriptedBackend"


@pytest.fixture(scope="module")
def l2arctic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An L2-ARCTIC folder (``NJS/wav/``) with the slice's recordings, spoken by espeak-ng."""
    root = tmp_path_factory.mktemp("l2arctic_release_v5")
    (root / "NJS" / "wav").mkdir(parents=True)
    for record in json.loads(SLICE.read_text(encoding="utf-8")):
        espeak_wav(record["text"], root / "NJS" / "wav" / Path(record["audio_path"]).name)
    return root


def test_release_paths_resolve_below_the_l2arctic_folder_and_below_the_paper_repository(
        l2arctic: Path, tmp_path: Path) -> None:
    from_corpus = read_dataset(SLICE, audio_root=l2arctic)
    assert [Path(i.utterance.audio_path) for i in from_corpus] == [
        l2arctic / "NJS" / "wav" / name for name in ("arctic_a0363.wav", "arctic_a0022.wav", "arctic_a0067.wav")]
    repository = tmp_path / "ALMs4Learning"
    shutil.copytree(l2arctic, repository / "data" / "L2-Arctic-plus" / "l2arctic_release_v5.0")
    from_repository = read_dataset(SLICE, audio_root=repository)
    assert all(Path(i.utterance.audio_path).is_file() for i in from_repository)
    assert [i.utterance.speaker for i in from_repository] == ["NJS"] * 3


def test_a_paper_preset_run_writes_answers_that_rescore_to_the_same_figures(l2arctic: Path, tmp_path: Path) -> None:
    answers, result = tmp_path / "answers.json", tmp_path / "result.json"
    assert evaluate.main(["run", str(SLICE), "--audio-root", str(l2arctic), "--backend", SCRIPTED,
                          "--mispronounce", "market", "--mispronounce", "made", "--preset", "paper",
                          "--answers-out", str(answers), "--json-out", str(result)]) == 0
    written = json.loads(answers.read_text(encoding="utf-8"))
    release = json.loads(SLICE.read_text(encoding="utf-8"))
    assert [a["audio_path"] for a in written] == [r["audio_path"] for r in release]
    assert [a["mis_exp_sug"] for a in written] == [r["mis_exp_sug"] for r in release]
    assert written[0]["speculative_mispronunciations"] == (
        "word: market issue: The test backend was told to mark 'market'. suggestion: Say 'market' again slowly.")
    assert written[2]["speculative_mispronunciations"] == "No Problem"

    summary = json.loads(result.read_text(encoding="utf-8"))["summary"]
    assert summary["protocol"] == "paper"
    # a0363: truth {market}, named {market}, 8 words: TP 1, TN 7. a0022: truth {hardly, plans, made, public,
    # opposition}, named {made}, 12 distinct words ("were" twice): TP 1, FN 4, TN 7. a0067: 7 words, TN 7.
    tp, fp, fn, tn = 2, 0, 4, 21
    assert summary["detection"]["precision"] == pytest.approx(tp / (tp + fp))
    assert summary["detection"]["recall"] == pytest.approx(tp / (tp + fn))
    assert summary["detection"]["accuracy"] == pytest.approx((tp + tn) / (tp + fp + fn + tn))
    assert summary["detection"]["extra_word_ratio"] == 0.0

    rescored = tmp_path / "rescored.json"
    assert evaluate.main(["score", str(answers), "--protocol", "paper", "--json-out", str(rescored)]) == 0
    again = json.loads(rescored.read_text(encoding="utf-8"))["summary"]
    assert again["detection"] == summary["detection"] and again["feedback"] == summary["feedback"]
