"""Both alm model families load (with and without an adapter), batch like one-by-one, and obey the schema."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")

from inference_daemon.backends.alm.backend import AlmBackend, AlmOptions
from inference_daemon.backends.alm.generation import Generation
from inference_daemon.backends.alm.prompt import AnswerFormat, build_prompt, parse_answer
from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.errors import AudioTooLong, InvalidModelOutput
from inference_daemon.feedback import WordStatus
from tests.alm_support.models import SENTENCE, random_model_dir, speech_samples, tuned_model

SENTENCES = ("I think so.", "She sells sea shells.", "Yes.")
FAMILIES = ("speech-llm", "qwen2-audio")


def recordings() -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    return [speech_samples(), (0.1 * rng.standard_normal(16_000 * 3)).astype(np.float32),
            speech_samples()[: 16_000]]


def backend(model: str, **options: object) -> AlmBackend:
    loaded = AlmBackend(AlmOptions(model=model, device="cpu", **options))  # type: ignore[arg-type]
    loaded.load()
    return loaded


@pytest.mark.parametrize("family", FAMILIES)
def test_batched_generation_equals_one_by_one(family: str) -> None:
    alm = backend(str(random_model_dir(family)), answer_format=AnswerFormat.text, max_new_tokens=12)
    assert alm._model is not None and alm._model.family == family
    prompts = [build_prompt(s, AnswerFormat.text) for s in SENTENCES]
    batched = alm._model.generate(recordings(), prompts, 12)
    one_by_one = [alm._model.generate([audio], [prompt], 12)[0]
                  for audio, prompt in zip(recordings(), prompts, strict=True)]
    assert batched == one_by_one
    assert all(g.new_tokens > 0 for g in batched)


def test_schema_constrained_output_of_a_random_model_parses() -> None:
    alm = backend(str(random_model_dir("speech-llm")), answer_format=AnswerFormat.json, max_new_tokens=600)
    assert alm.describe().details["structured_output"] == "xgrammar"
    requests = [AssessmentRequest(audio=a, text=s, request_id=str(i))
                for i, (a, s) in enumerate(zip(recordings(), SENTENCES, strict=True))]
    generations = alm._generate(requests)
    assert generations == [alm._generate([r])[0] for r in requests]
    for request, generation in zip(requests, generations, strict=True):
        assert generation.finished
        answer = parse_answer(generation.text, AnswerFormat.json)
        assert {w.text for w in answer.words} <= set(request.text.rstrip(".").split())


@pytest.mark.parametrize("family", FAMILIES)
def test_tuned_adapter_loads_and_answers_in_the_text_format(family: str) -> None:
    tuned = tuned_model(family)
    if tuned.adapter_dir is None:  # the speech LLM directory names its adapter and its tuned answer format
        alm = backend(str(tuned.model_dir), max_new_tokens=64)
    else:
        alm = backend(str(tuned.model_dir), max_new_tokens=64, adapter=tuned.adapter_dir,
                      answer_format=AnswerFormat.text)
    assert alm.describe().details["answer_format"] == "text"
    document = alm.assess(AssessmentRequest(audio=speech_samples(), text=SENTENCE, request_id="x"))
    assert [w.status for w in document.words] == [WordStatus.ok, WordStatus.mispronounced, WordStatus.ok]
    assert document.words[1].explanation == "TH sounded like S"


def test_without_its_adapter_the_tuned_qwen_model_answers_differently() -> None:
    tuned = tuned_model("qwen2-audio")
    prompt = [build_prompt(SENTENCE, AnswerFormat.text)]
    base = backend(str(tuned.model_dir), answer_format=AnswerFormat.text)
    with_adapter = backend(str(tuned.model_dir), answer_format=AnswerFormat.text, adapter=tuned.adapter_dir)
    assert base._model is not None and with_adapter._model is not None
    assert base._model.generate([speech_samples()], prompt, 30) != with_adapter._model.generate(
        [speech_samples()], prompt, 30)


def test_long_and_invalid_items_fail_alone_in_a_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    alm = backend(str(random_model_dir("speech-llm")), answer_format=AnswerFormat.text)
    answers = iter([Generation("No Problem", True, 2), Generation("I cannot tell.", True, 4)])
    monkeypatch.setattr(alm, "_generate", lambda requests: [next(answers) for _ in requests])
    long_audio = np.zeros(16_000 * 31, dtype=np.float32)
    requests = [AssessmentRequest(audio=speech_samples(), text=SENTENCE, request_id="a"),
                AssessmentRequest(audio=long_audio, text=SENTENCE, request_id="b"),
                AssessmentRequest(audio=speech_samples(), text=SENTENCE, request_id="c")]
    ok, too_long, invalid = alm.assess_batch(requests)
    assert not isinstance(ok, Exception) and ok.score == 100.0
    assert isinstance(too_long, AudioTooLong) and too_long.status == 413
    assert isinstance(invalid, InvalidModelOutput) and invalid.status == 502
    assert alm.describe().details["invalid_answers"] == 1
    assert alm.describe().details["generated_tokens"] == 2 + 4


def test_a_generation_failure_leaves_the_other_items_their_own_results(monkeypatch: pytest.MonkeyPatch) -> None:
    alm = backend(str(random_model_dir("speech-llm")), answer_format=AnswerFormat.text)

    def generate(requests: list[AssessmentRequest]) -> list[Generation]:
        if any(request.request_id == "broken" for request in requests):
            raise RuntimeError("out of memory")
        return [Generation("No Problem", True, 2) for _ in requests]

    monkeypatch.setattr(alm, "_generate", generate)
    long_audio = np.zeros(16_000 * 31, dtype=np.float32)
    too_long, broken = alm.assess_batch([AssessmentRequest(audio=long_audio, text=SENTENCE, request_id="long"),
                                         AssessmentRequest(audio=speech_samples(), text=SENTENCE, request_id="broken")])
    assert isinstance(too_long, AudioTooLong)
    assert isinstance(broken, RuntimeError) and str(broken) == "out of memory"
    ok, broken, also_ok = alm.assess_batch([
        AssessmentRequest(audio=speech_samples(), text=SENTENCE, request_id=request_id)
        for request_id in ("a", "broken", "c")
    ])
    assert not isinstance(ok, Exception) and not isinstance(also_ok, Exception)
    assert isinstance(broken, RuntimeError)
