"""The `ctc` backend end to end on a tiny random-weight CTC model: loading, the document over HTTP, batching.

The model is built once for this module by ``tools/make_tiny_ctc.py``; its posteriors are random,
so these tests pin the contract (words, times, score ranges, batching), not the verdicts.
"""

from __future__ import annotations

import concurrent.futures
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import requests

from inference_daemon.audio import decode_audio
from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.errors import InvalidText
from inference_daemon.feedback import FeedbackDocument, WordStatus
from inference_daemon.pronunciation import TargetWord, target_words
from inference_daemon.sentence import split_words
from inference_daemon.sentence_scores import WordTiming, timing_scores
from tests.support.audio_files import espeak_wav
from tests.support.daemon_process import running_daemon

pytest.importorskip("torch")
pytest.importorskip("transformers")

from inference_daemon.backends.ctc import CtcBackend
from inference_daemon.backends.ctc import backend as ctc_backend_module
from inference_daemon.backends.ctc.backend import pronunciation_options
from tools import evaluate_speechocean, make_tiny_ctc

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SPEECHOCEAN = SHARED / "data" / "speechocean762-dev"
SENTENCES = ["I think this is a good idea.", "The cat sat on the mat.", "She sells sea shells by the shore."]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir: Path = make_tiny_ctc.build(tmp_path_factory.mktemp("tiny-ctc"))
    return out_dir


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("ctc-audio")
    return {text: espeak_wav(text, folder / f"{i}.wav").read_bytes() for i, text in enumerate(SENTENCES)}


@pytest.fixture(scope="module")
def backend(tiny_model: Path) -> CtcBackend:
    loaded = CtcBackend(str(tiny_model), device="cpu")
    loaded.load()
    return loaded


def _request(text: str, audio: bytes, request_id: str = "r") -> AssessmentRequest:
    return AssessmentRequest(audio=decode_audio(audio), text=text, request_id=request_id)


def _assert_well_formed(document: FeedbackDocument, text: str) -> None:
    assert document.backend == "ctc"
    assert [word.text for word in document.words] == split_words(text)
    assert [word.index for word in document.words] == list(range(len(document.words)))
    read = sum(word.status is not WordStatus.missing for word in document.words)
    assert document.completeness == pytest.approx(100 * read / len(document.words), abs=0.05)
    for value in (document.fluency, document.prosody):
        # From the timings of the words read; nothing to time when none was.
        assert (value is None) if read == 0 else (value is not None and 0 <= value <= 100), (read, value)
    previous_end = 0.0
    for word in document.words:
        assert 0 <= word.score <= 100
        assert word.start is not None and word.end is not None
        assert previous_end <= word.start <= word.end <= document.duration_s
        previous_end = word.end
        assert word.phones is not None
        assert [p.phone for p in word.phones] == word.expected_phones
        for phone in word.phones:
            assert phone.start is not None and phone.end is not None
            assert word.start <= phone.start <= phone.end <= word.end
        if word.status is WordStatus.ok:
            assert word.errors == []
        else:
            assert word.errors and word.explanation and word.suggestion
        for error in word.errors:
            assert 0 <= error.position <= len(word.expected_phones)
    assert 0 <= document.score <= 100
    assert document.summary


@pytest.fixture(scope="module")
def daemon_url(tiny_model: Path) -> Iterator[str]:
    """The real daemon serving the tiny model, gathering concurrent requests for 300 ms into one batch."""
    with running_daemon("--model", str(tiny_model), "--device", "cpu", "--batch-window-ms", "300",
                        backend="ctc") as url:
        yield url


def _post(url: str, text: str, audio: bytes, **fields: str) -> requests.Response:
    return requests.post(f"{url}/v1/assess", files={"audio": ("a.wav", audio, "audio/wav")},
                         data={"text": text, **fields}, timeout=60)


def test_tiny_model_is_served_over_http_with_a_well_formed_document(
    daemon_url: str, tiny_model: Path, recordings: dict[str, bytes]
) -> None:
    text = SENTENCES[0]
    response = _post(daemon_url, text, recordings[text], native_language="zh")
    assert response.status_code == 200, response.text
    document = FeedbackDocument.model_validate(response.json())
    _assert_well_formed(document, text)
    assert document.model == str(tiny_model)
    info = requests.get(f"{daemon_url}/v1/info", timeout=10).json()
    assert "ctc" in json.dumps(info) and str(tiny_model) in json.dumps(info)


def test_concurrent_requests_over_http_match_requests_one_by_one(
    daemon_url: str, recordings: dict[str, bytes]
) -> None:
    def answer(text: str) -> dict[str, object]:
        response = _post(daemon_url, text, recordings[text])
        assert response.status_code == 200, response.text
        return {key: value for key, value in response.json().items() if key not in ("request_id", "processing_s")}

    one_by_one = [answer(text) for text in SENTENCES]
    with concurrent.futures.ThreadPoolExecutor(len(SENTENCES)) as pool:
        together = list(pool.map(answer, SENTENCES))
    assert together == one_by_one


def test_a_batch_gives_what_single_requests_give(backend: CtcBackend, recordings: dict[str, bytes]) -> None:
    requests_ = [_request(text, audio, str(i)) for i, (text, audio) in enumerate(recordings.items())]
    batched = backend.assess_batch(requests_)
    for request, result in zip(requests_, batched, strict=True):
        assert isinstance(result, FeedbackDocument)
        _assert_well_formed(result, request.text)
        assert result == backend.assess(request)


def test_batched_posteriors_equal_single_ones_despite_padding(backend: CtcBackend,
                                                              recordings: dict[str, bytes]) -> None:
    audios = [decode_audio(audio) for audio in recordings.values()]
    batched = backend.model.log_posteriors(audios)
    for audio, together in zip(audios, batched, strict=True):
        alone = backend.model.log_posteriors([audio])[0]
        assert together.shape == alone.shape
        np.testing.assert_allclose(together, alone, atol=1e-3)


def test_one_failing_request_does_not_fail_the_batch(backend: CtcBackend, recordings: dict[str, bytes],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def words_or_failure(sentence: str) -> list[TargetWord]:
        if sentence == SENTENCES[0]:  # a fault injected into one item of the batch
            raise InvalidText("this item fails")
        return target_words(sentence)

    monkeypatch.setattr(ctc_backend_module, "target_words", words_or_failure)
    good = _request(SENTENCES[1], recordings[SENTENCES[1]])
    results = backend.assess_batch([_request(SENTENCES[0], recordings[SENTENCES[0]]), good])
    assert isinstance(results[0], InvalidText)
    assert isinstance(results[1], FeedbackDocument)


def test_recording_too_short_for_the_sentence_marks_every_word_missing(backend: CtcBackend,
                                                                       recordings: dict[str, bytes]) -> None:
    audio = decode_audio(recordings[SENTENCES[0]])[:4000]  # a quarter of a second: about 12 frames
    text = "Peter Piper picked a peck of pickled peppers"
    document = backend.assess(AssessmentRequest(audio=audio, text=text, request_id="short"))
    assert [w.status for w in document.words] == [WordStatus.missing] * len(split_words(text))
    assert document.warnings and document.score == 0
    assert document.completeness is None  # too short to tell what was read
    assert document.fluency is None and document.prosody is None  # ... or how


def test_phones_the_model_lacks_are_reported_at_load_and_in_the_document(
    tmp_path: Path, recordings: dict[str, bytes], caplog: pytest.LogCaptureFixture
) -> None:
    phones = [p for p in make_tiny_ctc.IPA_PHONES if p not in {"ʒ", "dʒ"}]
    folder = make_tiny_ctc.build(tmp_path / "no-zh", phones=phones)
    lacking = CtcBackend(str(folder), device="cpu")
    with caplog.at_level("WARNING"):
        lacking.load()
    assert "JH ZH" in caplog.text
    text = "I measure it."
    document = lacking.assess(_request(text, espeak_wav(text, tmp_path / "measure.wav").read_bytes()))
    assert any("/ZH/" in warning and "measure" in warning for warning in document.warnings)
    measure = document.words[1]
    assert measure.phones is not None
    unscored = [p for p in measure.phones if p.phone == "ZH"]
    assert len(unscored) == 1 and unscored[0].start is None
    assert lacking.describe().details["unscored_phones"] == ["JH", "ZH"]


def test_fluency_and_prosody_come_from_the_timings_of_the_words_read(backend: CtcBackend,
                                                                    recordings: dict[str, bytes]) -> None:
    """The ctc document's fluency and prosody are the shared timing-only models applied to its own word
    times and phone counts (random posteriors here, so the values themselves mean nothing)."""
    text = SENTENCES[0]
    request = _request(text, recordings[text])
    document = backend.assess(request)
    read = [w for w in document.words if w.status is not WordStatus.missing]
    assert read, "the tiny model found no word: pick another recording"
    expected = timing_scores([WordTiming(w.start or 0.0, w.end or 0.0, len(w.expected_phones)) for w in read],
                             request.audio, len(document.words))
    assert document.fluency == pytest.approx(expected["fluency"], abs=0.051)
    assert document.prosody == pytest.approx(expected["prosody"], abs=0.051)


def test_pronunciation_options_combine_the_dictionary_variants() -> None:
    the, cat = target_words("the cat")
    assert pronunciation_options(the)[0] == the.phones
    assert ["DH", "IY"] in pronunciation_options(the)
    assert pronunciation_options(cat) == [cat.phones]


def test_describe_reports_model_device_and_unscored_phones(backend: CtcBackend, tiny_model: Path) -> None:
    info = backend.describe()
    assert (info.name, info.model, info.device) == ("ctc", str(tiny_model), "cpu")
    assert info.details["unscored_phones"] == []
    assert info.details["frame_seconds"] == pytest.approx(0.02)


@pytest.mark.skipif(not SPEECHOCEAN.is_dir(), reason=f"speechocean762 development subset not found at {SPEECHOCEAN}")
def test_speechocean_evaluation_runs_the_ctc_backend(tiny_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "metrics.json"
    evaluate_speechocean.main([str(SPEECHOCEAN), "--split", "train", "--backend", "ctc", "--model", str(tiny_model),
                   "--device", "cpu", "--limit", "3", "--json-out", str(out)])
    metrics = json.loads(out.read_text())["metrics"]
    assert (metrics["backend"], metrics["utterances"], metrics["failed"]) == ("ctc", 3, 0)
    assert metrics["utterances_with_other_words"] == 0 and metrics["phones"] > 0
