"""``tools/calibrate_phonetic.py`` reproduces the shipped calibration from the shared corpus: the
evidence it extracts now is what the shipped models were fitted on (spot checks recorded in the
calibration), and it fits and writes both calibration files (skipped without ../shared)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pytest

from inference_daemon.backends.phonetic.features import feature_names
from inference_daemon.backends.phonetic.scoring import RIVAL_MARGIN_KEY, calibration_path, default_calibration
from inference_daemon.backends.phonetic.word_stress import WordStressModel
from inference_daemon.calibration import Calibration
from tools import calibrate_phonetic, calibrate_word_stress

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CORPORA = (DATA / "speechocean762-dev", DATA / "speechocean762-train-rest")

pytestmark = pytest.mark.skipif(
    not all((corpus / "resource" / "scores.json").exists() for corpus in CORPORA),
    reason=f"speechocean762's train split (speechocean762-dev, speechocean762-train-rest) not found in {DATA}",
)


@pytest.mark.parametrize("with_whisper", [True, False], ids=["whisper", "pocketsphinx"])
def test_the_evidence_extracted_now_is_what_the_shipped_models_were_fitted_on(with_whisper: bool) -> None:
    calibration = default_calibration(with_whisper).models
    checks = calibration.provenance["spot_checks"]
    assert len(checks) == calibrate_phonetic.SPOT_CHECKS
    extracted = calibrate_phonetic.extract_folder(CORPORA[0], "train", calibrate_phonetic.SPOT_CHECKS, 1, None, None,
                                                  with_whisper)
    utterances = calibrate_phonetic.scored_utterances(CORPORA[0], "train", extracted)
    features = calibrate_phonetic.feature_set(with_whisper, calibration.decisions.get(RIVAL_MARGIN_KEY))
    for check, utterance in zip(checks, utterances, strict=True):
        assert check["utterance"] == utterance.utt_id
        rows, _ = features.word_rows([utterance], calibration.phone_model)
        # Whisper's int8 kernels may round differently on another CPU: a small tolerance.
        np.testing.assert_allclose(rows, np.asarray(check["word_rows"]), atol=0.05)


def test_the_tool_fits_both_calibrations_and_records_how(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert calibrate_phonetic.main([str(corpus) for corpus in CORPORA] + [
        "--limit", "6", "--folds", "2", "--output-dir", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"pocketsphinx", "pocketsphinx+whisper"}
    for with_whisper in (True, False):
        written = tmp_path / calibration_path(with_whisper).name
        calibration = Calibration.load(written, *feature_names(with_whisper))
        assert calibration.provenance["utterances"] == 12
        assert "speechocean762-train-rest" in calibration.provenance["corpus"]
        assert (RIVAL_MARGIN_KEY in calibration.decisions) is with_whisper
        assert 0 < calibration.word_threshold < 100


def test_the_word_stress_tool_fits_and_records_how(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "word_stress.json"
    assert calibrate_word_stress.main([str(corpus) for corpus in CORPORA] + [
        "--limit", "8", "--folds", "2", "--cache", str(tmp_path / "cache"), "--output", str(output)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"threshold", "shipped", "acoustic_cues_only"} <= set(report)
    model = WordStressModel.load(output)
    assert model.provenance["words"] > 0 and "speechocean762-dev" in model.provenance["corpus"]
    assert 0 < model.threshold < 1


@pytest.mark.parametrize("tool", ["calibrate_phonetic", "calibrate_sentence_scores", "calibrate_word_stress",
                                  "calibrate_ctc"])
def test_the_fitting_tools_refuse_the_test_split_before_any_work(tool: str, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The corpus's test split is kept for evaluation: fitting on it would make every figure a lie."""
    main = importlib.import_module(f"tools.{tool}").main
    extra = ["--model", str(tmp_path / "none")] if tool == "calibrate_ctc" else []
    with pytest.raises(SystemExit) as exited:
        main([str(tmp_path), *extra, "--split", "test"])
    assert exited.value.code == 2
    assert "the test split is reserved for evaluation" in capsys.readouterr().err
