"""The two training stages, Qwen2-Audio LoRA and merging on tiny models, then the tuned model in the daemon's path.

The tiny speech LLM is tuned until it reproduces its targets; the result is served by the ``alm``
backend through ``tools/evaluate.py`` (the daemon's own ``prepare_request`` + ``assess_now``) and
scores perfectly on its training items.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")
pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

import torch  # noqa: E402

from inference_daemon.backends.alm.prompt import AnswerFormat  # noqa: E402
from inference_daemon.backends.alm.qwen_audio import AudioTextTransformer  # noqa: E402
from inference_daemon.backends.alm.speech_llm import SpeechLLM  # noqa: E402
from inference_daemon.training.audio_pairs import load_recording, read_pairs  # noqa: E402
from inference_daemon.training.audio_text_lora import AudioTextAnswerLoss  # noqa: E402
from inference_daemon.training.dataset_file import read_dataset  # noqa: E402
from inference_daemon.training.examples import training_examples  # noqa: E402
from inference_daemon.training.speech_llm_stages import SpeechLLMAnswerLoss, transcription_prompt  # noqa: E402
from tests.alm_support.models import random_model_dir  # noqa: E402
from tests.support.audio_files import espeak_wav  # noqa: E402
from tools import evaluate, merge_adapter, train_stage1, train_stage2  # noqa: E402

FAST = ["--batch-size", "2", "--per-device-batch-size", "2", "--dataloader-workers", "0", "--warmup-ratio", "0"]
ISSUE, SUGGESTION = "The T was dropped.", "Finish the word with a T."
TARGETS = {"A cat sat.": f"word: cat issue: {ISSUE} suggestion: {SUGGESTION}", "The dog ran home.": "No Problem"}


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """Two shared cores: one thread per process trains the tiny models several times faster."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny L2-Arctic-plus release (audio under SPEAKER/wav/) and a TSV of speech-transcript pairs."""
    root = tmp_path_factory.mktemp("plus")
    records = []
    for speaker, (sentence, annotation, feedback) in {
        "ABA": ("A cat sat.", {"a": ["AH"], "cat": ["K", "AE", "T, sil, d"], "sat": ["S", "AE", "T"]},
                {"cat": [{"issue": ISSUE, "suggestion": SUGGESTION}]}),
        "NJS": ("The dog ran home.", {"the": ["DH", "AH"], "dog": ["D", "AO", "G"], "ran": ["R", "AE", "N"],
                                      "home": ["HH", "OW", "M"]}, {}),
    }.items():
        (root / speaker / "wav").mkdir(parents=True)
        espeak_wav(sentence, root / speaker / "wav" / "arctic_a0001.wav")
        records.append({"audio_path": f"{speaker}/wav/arctic_a0001.wav", "text": sentence,
                        "annotation_info": annotation, "mis_exp_sug": feedback, "regeneration": False})
    (root / "train_data.json").write_text(json.dumps(records))
    (root / "pairs.tsv").write_text("".join(f"{r['audio_path']}\t{r['text']}\n" for r in records))
    return root


def _loss(module: torch.nn.Module, audio_paths: list[str], prompts: list, answers: list[str]) -> float:
    with torch.no_grad():
        return float(module([load_recording(p) for p in audio_paths], prompts, answers))


@pytest.fixture(scope="module")
def stage1(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stage1")
    assert train_stage1.main([str(data / "pairs.tsv"), "--model", str(random_model_dir("speech-llm")), "--out",
                              str(out), "--max-steps", "6", "--learning-rate", "1e-2", *FAST]) == 0
    return out


@pytest.fixture(scope="module")
def stage2(data: Path, stage1: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stage2")
    assert train_stage2.main([str(data / "train_data.json"), "--audio-root", str(data), "--split", "train",
                              "--model", str(stage1), "--out", str(out), "--formats", "text",
                              "--lora-r", "8", "--lora-dropout", "0", "--lora-modules-to-save", "lm_head",
                              "--learning-rate", "1e-2", "--max-steps", "70", *FAST]) == 0
    return out


def test_stage1_trains_only_the_projector_and_its_loss_falls(data: Path, stage1: Path) -> None:
    pairs = read_pairs(data / "pairs.tsv")
    before, after = SpeechLLM.load(random_model_dir("speech-llm")), SpeechLLM.load(stage1)
    arguments = ([p.audio_path for p in pairs], [transcription_prompt()] * len(pairs), [p.transcript for p in pairs])
    assert _loss(SpeechLLMAnswerLoss(after), *arguments) < _loss(SpeechLLMAnswerLoss(before), *arguments)
    unchanged = before.llm.state_dict()
    assert all(torch.equal(unchanged[k], v) for k, v in after.llm.state_dict().items())
    assert not torch.equal(next(before.projector.parameters()), next(after.projector.parameters()))


def test_stage2_reproduces_its_targets(data: Path, stage2: Path) -> None:
    items = read_dataset(data / "train_data.json", audio_root=data)
    examples = training_examples(items, [AnswerFormat.text])
    assert {e.sentence: e.answer for e in examples} == TARGETS
    assert [e.native_language for e in examples] == ["ar", "es"]
    model = SpeechLLM.load(stage2)
    assert model.config.answer_format == "text" and model.config.adapter == "adapter"
    answers = model.generate([load_recording(e.audio_path) for e in examples], [e.prompt for e in examples], 60)
    assert [a.text for a in answers] == [e.answer for e in examples]


def test_the_tuned_model_scores_perfectly_through_the_daemon_path(data: Path, stage2: Path, tmp_path: Path) -> None:
    result_path = tmp_path / "tuned.json"
    assert evaluate.main(["run", str(data / "train_data.json"), "--audio-root", str(data), "--split", "train",
                          "--backend", "alm", "--model", str(stage2), "--system", "tuned",
                          "--json-out", str(result_path)]) == 0
    result = json.loads(result_path.read_text())
    detection, feedback = result["summary"]["detection"], result["summary"]["feedback"]
    assert result["summary"]["utterances"] == 2 and result["summary"]["failed"] == 0
    assert (detection["precision"], detection["recall"], detection["accuracy"]) == (1.0, 1.0, 1.0)
    assert feedback["bleu2"] == pytest.approx(1.0) and feedback["rouge_l"] == pytest.approx(1.0)
    assert result["utterances"][0]["system_feedback"] == f"cat: {ISSUE} {SUGGESTION}"
    assert result["summary"]["mdd"] is None  # the text format names no phones


def test_merged_speech_llm_answers_like_the_adapter(data: Path, stage2: Path, tmp_path: Path) -> None:
    assert merge_adapter.main([str(stage2), "--out", str(tmp_path / "merged"), "--dtype", "float32"]) == 0
    merged = SpeechLLM.load(tmp_path / "merged")
    assert merged.config.adapter is None and not (tmp_path / "merged" / "adapter").exists()
    examples = training_examples(read_dataset(data / "train_data.json", audio_root=data), [AnswerFormat.text])
    answers = merged.generate([load_recording(e.audio_path) for e in examples], [e.prompt for e in examples], 60)
    assert [a.text for a in answers] == [e.answer for e in examples]


def test_qwen2_audio_lora_tunes_the_language_model_and_merges(data: Path, tmp_path: Path) -> None:
    base = str(random_model_dir("qwen2-audio"))
    adapter = tmp_path / "adapter"
    assert train_stage2.main([str(data / "train_data.json"), "--audio-root", str(data), "--model", base,
                              "--out", str(adapter), "--formats", "text", "--lora-r", "8",
                              "--learning-rate", "1e-2", "--max-steps", "8", *FAST]) == 0
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert "language_model" in config["target_modules"]
    examples = training_examples(read_dataset(data / "train_data.json", audio_root=data), [AnswerFormat.text])
    arguments = ([e.audio_path for e in examples], [e.prompt for e in examples], [e.answer for e in examples])
    tuned = AudioTextTransformer.load(base, adapter=adapter)
    assert _loss(AudioTextAnswerLoss(tuned), *arguments) < _loss(
        AudioTextAnswerLoss(AudioTextTransformer.load(base)), *arguments)
    assert merge_adapter.main([base, "--adapter", str(adapter), "--out", str(tmp_path / "merged"),
                               "--dtype", "float32"]) == 0
    merged = AudioTextTransformer.load(str(tmp_path / "merged"))
    audios = [load_recording(e.audio_path) for e in examples]
    prompts = [e.prompt for e in examples]
    assert [g.text for g in merged.generate(audios, prompts, 20)] == [g.text for g in tuned.generate(audios, prompts,
                                                                                                     20)]
