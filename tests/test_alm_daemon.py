"""The daemon serves the alm backend end to end over HTTP, for each model family (tiny models, CPU)."""

from __future__ import annotations

import concurrent.futures

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")

import requests

from tests.alm_support.models import SENTENCE, random_model_dir, tuned_model
from tests.support.audio_files import signal_bytes
from tests.support.daemon_process import running_daemon


def post(url: str, audio: bytes, text: str = SENTENCE) -> requests.Response:
    return requests.post(f"{url}/v1/assess", files={"audio": ("a.wav", audio, "audio/wav")}, data={"text": text},
                         timeout=120)


def test_tuned_speech_llm_answers_over_http_also_when_batched() -> None:
    tuned = tuned_model("speech-llm")
    audio = tuned.wav.read_bytes()
    with running_daemon("--model", str(tuned.model_dir), "--device", "cpu", "--batch-size", "4",
                        "--batch-window-ms", "300", "--max-new-tokens", "64", backend="alm",
                        startup_timeout=120) as url:
        info = requests.get(f"{url}/v1/info", timeout=10).json()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            responses = list(pool.map(lambda _: post(url, audio), range(4)))
    assert info["backend"] == "alm" and info["device"] == "cpu"
    assert info["details"]["family"] == "speech-llm" and info["details"]["parameters"] > 0
    assert info["details"]["answer_format"] == "text"
    assert [r.status_code for r in responses] == [200] * 4
    documents = [r.json() for r in responses]
    assert [w["status"] for w in documents[0]["words"]] == ["ok", "mispronounced", "ok"]
    assert documents[0]["words"][1]["explanation"] == "TH sounded like S"
    assert all(d["words"] == documents[0]["words"] for d in documents)


def test_tuned_qwen2_audio_with_adapter_answers_over_http() -> None:
    tuned = tuned_model("qwen2-audio")
    assert tuned.adapter_dir is not None
    with running_daemon("--model", str(tuned.model_dir), "--adapter", str(tuned.adapter_dir), "--device", "cpu",
                        "--answer-format", "text", "--max-new-tokens", "64", backend="alm",
                        startup_timeout=120) as url:
        info = requests.get(f"{url}/v1/info", timeout=10).json()
        response = post(url, tuned.wav.read_bytes())
    assert info["details"]["family"] == "qwen2-audio"
    assert response.status_code == 200, response.text
    assert [w["text"] for w in response.json()["words"]] == ["I", "think", "so"]
    assert response.json()["words"][1]["status"] == "mispronounced"


def test_cut_off_answers_are_502_and_recordings_over_30_s_are_413() -> None:
    with running_daemon("--model", str(random_model_dir("speech-llm")), "--device", "cpu", "--answer-format", "json",
                        "--max-new-tokens", "4", "--max-audio-seconds", "40", backend="alm",
                        startup_timeout=120) as url:
        cut_off = post(url, signal_bytes(2.0))
        too_long = post(url, signal_bytes(31.0))
    assert cut_off.status_code == 502 and cut_off.json()["error"]["code"] == "invalid_model_output"
    assert too_long.status_code == 413 and too_long.json()["error"]["code"] == "audio_too_long"
