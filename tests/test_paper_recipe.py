"""``--preset paper`` of the dataset and tuning tools: the paper's data layout, prompts and settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inference_daemon.backends.alm.generation import sampling_arguments
from inference_daemon.backends.alm.paper_prompts import STAGE1_PHRASES
from inference_daemon.backends.alm.prompt import AUDIO_PLACEHOLDER, AnswerFormat, PromptStyle
from inference_daemon.training.presets import PAPER_STAGE2, apply_preset
from inference_daemon.training.targets import paper_text_target
from tools import build_dataset, evaluate, train_stage1, train_stage2

SLICE = Path(__file__).parent / "fixtures" / "l2arctic_plus_test_slice.json"


def test_the_paper_answer_layout_ends_every_issue_and_suggestion_with_a_full_stop() -> None:
    answer = paper_text_target({
        "the": [{"issue": "DH became D", "suggestion": "Tongue out"}, {"issue": "AH became EH.", "suggestion": ""}],
        "cat": [{"issue": "T dropped", "suggestion": "Say T."}],
    })
    assert answer == ("word: the issue: DH became D. AH became EH. suggestion: Tongue out.\n"
                      "word: cat issue: T dropped. suggestion: Say T.")
    assert paper_text_target({}) == "No Problem"


def test_build_dataset_with_the_paper_preset_writes_the_papers_examples(tmp_path: Path) -> None:
    out, examples = tmp_path / "plus.json", tmp_path / "plus.jsonl"
    assert build_dataset.main(["release", str(SLICE), "--out", str(out), "--examples", str(examples),
                               "--preset", "paper"]) == 0
    assert {record["split"] for record in json.loads(out.read_text(encoding="utf-8"))} == {"train"}  # NJS: a test
    rows = [json.loads(line) for line in examples.read_text(encoding="utf-8").splitlines()]
    assert [(r["answer_format"], r["prompt_style"]) for r in rows] == [("text", "paper-tuned")] * 3
    first = rows[0]["messages"]
    assert first[0]["content"].startswith("You are a phonetics expert")
    assert f"The audio in {AUDIO_PLACEHOLDER} contains" in first[1]["content"]
    assert "ISO 639-1" not in first[1]["content"]  # no first language in the paper's prompt
    assert first[2]["content"] == (
        'word: market issue: "IH" was replaced with "EH", indicating a vowel substitution. suggestion: Practice '
        '/IH/ versus /EH/ distinction using words like "BIT" (/B IH T/) vs. "BET" (/B EH T/).')
    assert rows[2]["messages"][2]["content"] == "No Problem"


def test_stage2_preset_changes_defaults_but_explicit_options_win() -> None:
    parser = train_stage2.build_parser()
    argv = ["data.json", "--model", "m", "--out", "o", "--preset", "paper", "--lora-r", "8"]
    apply_preset(parser, argv, PAPER_STAGE2)
    args = parser.parse_args(argv)
    assert args.formats == (AnswerFormat.text,) and args.no_native_language_in_prompt
    assert args.prompt_style == PromptStyle.paper_tuned.value and args.lora_r == 8
    plain = train_stage2.build_parser().parse_args(argv[:5])
    assert plain.formats == (AnswerFormat.json, AnswerFormat.text) and plain.prompt_style == "project"


def test_stage1_paper_instructions_draw_the_papers_phrasings_without_a_system_message() -> None:
    from inference_daemon.training.speech_llm_stages import paper_transcription_prompts

    prompts = paper_transcription_prompts(64, seed=0)
    users = [p.chat_messages_with_placeholder() for p in prompts]
    assert all(len(messages) == 1 and messages[0]["role"] == "user" for messages in users)
    used = {messages[0]["content"].replace(AUDIO_PLACEHOLDER, "<speech>") for messages in users}
    assert used <= set(STAGE1_PHRASES) and len(used) > 8
    assert paper_transcription_prompts(64, seed=0) == prompts
    parser = train_stage1.build_parser()
    argv = ["pairs.tsv", "--out", "o", "--preset", "paper"]
    from inference_daemon.training.presets import PAPER_STAGE1

    apply_preset(parser, argv, PAPER_STAGE1)
    args = parser.parse_args(argv)
    assert (args.encoder, args.batch_size, args.instructions, args.max_pairs) == (
        "openai/whisper-large", 256, "paper", 200_000)


@pytest.mark.parametrize("backend", ["alm", "openai"])
def test_run_with_the_paper_preset_reaches_the_model_backends_options(backend: str) -> None:
    """``run --preset paper`` must give the model the paper's decoding, not only the tool's scoring."""
    common = ["run", "test_data.json", "--backend", backend, "--model", "some/model"]
    if backend == "openai":
        common += ["--url", "http://127.0.0.1:8000/v1"]
    paper = evaluate.parse_arguments([*common, "--preset", "paper"])
    assert (paper.protocol, paper.answer_format, paper.prompt_style) == ("paper", "text", "paper")
    assert (paper.temperature, paper.max_new_tokens) == (0.01, 1024)
    project = evaluate.parse_arguments(common)
    assert (project.protocol, project.temperature, project.max_new_tokens) == ("project", 0.0, 512)
    explicit = evaluate.parse_arguments([*common, "--preset", "paper", "--temperature", "0"])
    assert explicit.temperature == 0.0


def test_a_temperature_above_zero_samples_and_zero_decodes_greedily() -> None:
    assert sampling_arguments(0.01) == {"do_sample": True, "temperature": 0.01}
    assert sampling_arguments(0.0) == {"do_sample": False}
    with pytest.raises(ValueError):
        sampling_arguments(-1.0)
