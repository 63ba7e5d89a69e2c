"""The paper's prompts, selectable beside the project's: where the recording goes, and what each family sends."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest

from inference_daemon.audio import SAMPLE_RATE, encode_wav
from inference_daemon.backends.alm.prompt import (
    AUDIO_PLACEHOLDER,
    AnswerFormat,
    PromptStyle,
    build_prompt,
    resolve_prompt_style,
)
from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.backends.openai_remote.backend import OpenAIBackend
from inference_daemon.backends.openai_remote.client import ChatClient

SENTENCE = "It's not an attempt"
AUDIO = {"type": "audio", "audio_url": "learner.wav"}


def test_the_project_prompt_still_opens_with_the_recording() -> None:
    prompt = build_prompt(SENTENCE, AnswerFormat.text, "zh")
    user = prompt.chat_messages_with_placeholder()[1]["content"]
    assert user.startswith(f"{AUDIO_PLACEHOLDER}\nGround Truth: {SENTENCE}\n") and "(ISO 639-1): zh" in user
    assert prompt.chat_messages(AUDIO)[1]["content"][0] == AUDIO


def test_the_tuned_prompt_puts_the_recording_where_the_paper_wrote_speech() -> None:
    prompt = build_prompt(SENTENCE, AnswerFormat.text, "zh", PromptStyle.paper_tuned)
    system, user = prompt.chat_messages_with_placeholder()
    assert system["content"].startswith("You are a phonetics expert tasked with identifying")
    assert f"The audio in {AUDIO_PLACEHOLDER} contains a recording by a non-native English speaker." in user["content"]
    assert f'Ground Truth: "{SENTENCE}"' in user["content"] and "zh" not in user["content"]
    assert user["content"].endswith("7. Use ARPAbet symbols to describe phonetic issues.\n")


def test_the_qwen2_audio_prompt_sends_the_recording_after_the_ground_truth() -> None:
    prompt = build_prompt(SENTENCE, AnswerFormat.text, None, PromptStyle.paper_qwen2_audio)
    system, user = prompt.chat_messages(AUDIO)
    assert system["content"].startswith("\n    You are a phonetics expert tasked with analyzing")
    before, audio, after = user["content"]
    assert before["text"].endswith(f'\n    Input:\n    Ground Truth: "{SENTENCE}"')
    assert "word: joking issue:" in before["text"]  # the one-shot worked example
    assert audio == AUDIO and after == {"type": "text", "text": "Output:"}


def test_the_paper_prompts_ask_for_the_text_format_only() -> None:
    with pytest.raises(ValueError, match="text answer format"):
        build_prompt(SENTENCE, AnswerFormat.json, None, PromptStyle.paper_tuned)


def test_paper_picks_the_prompt_of_the_family() -> None:
    assert resolve_prompt_style("paper", "speech-llm") is PromptStyle.paper_tuned
    assert resolve_prompt_style("paper", "qwen2-audio") is PromptStyle.paper_qwen2_audio
    assert resolve_prompt_style("paper", "openai") is PromptStyle.paper_gpt4o
    assert resolve_prompt_style("project", "openai") is PromptStyle.project


def test_the_gpt4o_prompt_sends_the_worked_examples_recording_first(tmp_path: Path) -> None:
    client = ChatClient("http://127.0.0.1:9/v1")
    with pytest.raises(ValueError, match="--example-audio"):
        OpenAIBackend(client, "gpt-4o-audio", answer_format=AnswerFormat.text, prompt_style=PromptStyle.paper_gpt4o)
    example = tmp_path / "arctic_a0501.wav"
    example.write_bytes(encode_wav(np.zeros(SAMPLE_RATE // 10, dtype=np.float32)))
    backend = OpenAIBackend(client, "gpt-4o-audio", answer_format=AnswerFormat.text, temperature=0.01,
                            prompt_style=PromptStyle.paper_gpt4o, example_audio=example)
    learner = np.full(SAMPLE_RATE // 5, 0.1, dtype=np.float32)
    body = backend.payload(AssessmentRequest(audio=learner, text=SENTENCE, request_id="r1"))
    parts = body["messages"][1]["content"]
    assert [p["type"] for p in parts] == ["text", "input_audio", "text", "input_audio", "text"]
    assert base64.b64decode(parts[1]["input_audio"]["data"]) == example.read_bytes()
    assert base64.b64decode(parts[3]["input_audio"]["data"]) == encode_wav(learner)
    assert parts[2]["text"].endswith(f"Ground Truth: {SENTENCE}\nAudio: ") and parts[4]["text"] == "\nOutput:\n"
    assert body["temperature"] == 0.01 and "response_format" not in body
