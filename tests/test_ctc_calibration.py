"""Per-checkpoint calibration of the `ctc` backend end to end on tiny random-weight models.

``tools/calibrate_ctc.py`` runs on a tiny speechocean762-layout corpus (espeak-ng speech, made-up
expert scores): the fitted numbers mean nothing, the machinery is what is tested: the file is
written for the checkpoint, the backend finds it for that checkpoint only, and scores by it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from inference_daemon.audio import decode_audio
from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.calibration import Calibration, CalibrationMismatch
from inference_daemon.pronunciation import target_words
from tests.support.audio_files import espeak_wav
from tests.support.corpora import write_speechocean

pytest.importorskip("torch")
pytest.importorskip("transformers")

from inference_daemon.backends.ctc import CtcBackend
from inference_daemon.backends.ctc.analysis import analyse, choose_pronunciations
from inference_daemon.backends.ctc.backend import pronunciation_options
from inference_daemon.backends.ctc.features import PHONE_FEATURES, WORD_FEATURES
from inference_daemon.backends.ctc.model import CtcPhoneModel
from inference_daemon.backends.ctc.scoring import judge_words
from tools import calibrate_ctc, make_tiny_ctc

SENTENCES = ["The cat sat on the mat.", "I think this is a good idea.", "She sells sea shells.",
             "We read a book today.", "My brother likes green apples.", "Please open the window."]
TEST_SENTENCE = "The dog ran in the park."


def _scored_words(sentence: str, number: int) -> list[dict[str, object]]:
    """Made-up expert scores in the corpus's shape, varied so that both classes occur."""
    words = []
    for position, word in enumerate(target_words(sentence)):
        accuracy = [10, 4, 8, 2, 9, 6][(number + position) % 6]
        words.append({"text": word.text.upper(), "accuracy": accuracy, "phones": list(word.phones),
                      "phones-accuracy": [2.0 if accuracy > 6 else float(i % 2) for i in range(len(word.phones))]})
    return words


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two checkpoints of the same architecture and vocabulary (other seeds) and a copy of the first."""
    root = tmp_path_factory.mktemp("ctc-models")
    first = make_tiny_ctc.build(root / "first", seed=0)
    return {"first": first, "other": make_tiny_ctc.build(root / "other", seed=1),
            "copy": Path(shutil.copytree(first, root / "copy-of-first"))}


@pytest.fixture(scope="module")
def calibrated(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the tool on a six-utterance, three-speaker corpus for the first model."""
    root = tmp_path_factory.mktemp("calibration")
    corpus = write_speechocean(root / "corpus", {
        f"{1000 + n}": (f"{n % 3:04d}", sentence, _scored_words(sentence, n)) for n, sentence in enumerate(SENTENCES)
    })
    folder = root / "calibrations"
    folder.mkdir()
    output = folder / "first.json"
    assert calibrate_ctc.main([str(corpus), "--model", str(models["first"]), "--device", "cpu", "--folds", "3",
                      "--l2", "1", "--output", str(output)]) == 0
    return {"folder": folder, "file": output, "calibration": Calibration.load(output, PHONE_FEATURES, WORD_FEATURES)}


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> AssessmentRequest:
    path = espeak_wav(TEST_SENTENCE, tmp_path_factory.mktemp("ctc-cal-audio") / "dog.wav")
    return AssessmentRequest(audio=decode_audio(path.read_bytes()), text=TEST_SENTENCE, request_id="r")


def _backend(model: Path, calibrations: Path) -> CtcBackend:
    backend = CtcBackend(str(model), device="cpu", calibrations=calibrations)
    backend.load()
    return backend


def test_fingerprint_follows_the_weights_not_the_folder(models: dict[str, Path]) -> None:
    first, other, copy = (CtcPhoneModel.load(str(models[name]), "cpu").fingerprint
                          for name in ("first", "other", "copy"))
    assert first == copy and first != other


def test_the_tool_writes_a_calibration_for_its_checkpoint(calibrated: dict[str, Any], models: dict[str, Path],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    calibration: Calibration = calibrated["calibration"]
    checkpoint = calibration.provenance["checkpoint"]
    assert checkpoint == {"model": str(models["first"]),
                          "fingerprint": CtcPhoneModel.load(str(models["first"]), "cpu").fingerprint}
    assert calibration.provenance["utterances"] == len(SENTENCES)
    assert {"f0.5_threshold", "f1_threshold"} == set(calibration.provenance["speaker_cv"])
    assert {"rules", "rules_word_score_with_cv_threshold"} == set(calibration.provenance["fixed_rules"])
    assert 0 <= calibration.word_threshold <= 100 and 0 <= calibration.phone_threshold <= 100


def test_the_backend_scores_with_the_calibration_of_its_checkpoint(
    calibrated: dict[str, Any], models: dict[str, Path], recording: AssessmentRequest
) -> None:
    fitted = _backend(models["copy"], calibrated["folder"])
    info = fitted.describe().details
    assert (info["scoring"], info["calibration"]) == ("fitted", str(calibrated["file"]))
    model = fitted.model
    log_probs = model.log_posteriors([recording.audio])[0]
    options = [pronunciation_options(word) for word in target_words(TEST_SENTENCE)]
    words = analyse(log_probs, model.inventory, choose_pronunciations(log_probs, model.inventory, options)).words
    document = fitted.assess(recording)
    expected = judge_words(words, calibrated["calibration"])
    assert [w.score for w in document.words] == [round(j.score, 1) for j in expected if j.score is not None]
    assert [w.status for w in document.words] == [j.status for j in expected]

    by_rules = _backend(models["first"], calibrated["folder"].parent)  # a folder without any calibration
    assert by_rules.describe().details["calibration"] is None
    rules_document = by_rules.assess(recording)
    assert [w.score for w in rules_document.words] == [
        round(j.score, 1) for j in judge_words(words, None) if j.score is not None]
    assert [w.score for w in rules_document.words] != [w.score for w in document.words]


def test_another_checkpoint_falls_back_to_the_rules_and_says_so(
    calibrated: dict[str, Any], models: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING"):
        other = _backend(models["other"], calibrated["folder"])
    assert "no calibration fitted on checkpoint" in caplog.text
    details = other.describe().details
    assert details["calibration"] is None and str(details["scoring"]).startswith("fixed rules")
    with pytest.raises(CalibrationMismatch, match="another checkpoint"):
        _backend(models["other"], calibrated["file"])


def test_info_of_the_default_install_reports_the_rules(models: dict[str, Path]) -> None:
    backend = CtcBackend(str(models["first"]), device="cpu")
    backend.load()
    assert json.dumps(backend.describe().details["scoring"]).startswith('"fixed rules')
