"""The service gathers concurrent requests into batches and returns each result to its own caller."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.errors import AssessmentError, QueueFull
from inference_daemon.feedback import FeedbackDocument
from inference_daemon.service import AssessmentService
from tests.support.scripted_backend import ScriptedBackend


def request(text: str, rid: str) -> AssessmentRequest:
    return AssessmentRequest(audio=np.zeros(16_000, dtype=np.float32), text=text, request_id=rid)


async def assess_all(service: AssessmentService, requests: list[AssessmentRequest]) -> list[object]:
    return await asyncio.gather(*(service.assess(r) for r in requests), return_exceptions=True)


def test_concurrent_requests_are_batched_and_answered_in_order() -> None:
    backend = ScriptedBackend(mispronounce=["two"], delay_s=0.05, batch_size=4)
    service = AssessmentService(backend, batch_window_ms=200, queue_size=8)
    service.start()
    texts = ["one two", "three", "two four", "five"]
    try:
        results = asyncio.run(assess_all(service, [request(t, f"r{i}") for i, t in enumerate(texts)]))
    finally:
        service.stop()
    assert max(backend.batches) > 1, backend.batches
    assert [r.request_id for r in results] == ["r0", "r1", "r2", "r3"]  # type: ignore[attr-defined]
    assert [r.text for r in results] == texts  # type: ignore[attr-defined]
    assert [[w.text for w in r.mispronounced_words] for r in results] == [  # type: ignore[attr-defined]
        ["two"], [], ["two"], []]


def test_one_bad_item_fails_alone() -> None:
    backend = ScriptedBackend(batch_size=3)
    service = AssessmentService(backend, batch_window_ms=200)
    service.start()
    try:
        results = asyncio.run(assess_all(service, [request("fine", "a"), request("explode now", "b"),
                                                   request("fine too", "c")]))
    finally:
        service.stop()
    assert isinstance(results[1], AssessmentError) and results[1].code == "scripted_failure"
    assert [r.request_id for r in (results[0], results[2])] == ["a", "c"]  # type: ignore[attr-defined]


class _ShortAnswerBackend(ScriptedBackend):
    """A buggy batching backend: it answers one request fewer than it was given."""

    def assess_batch(self, requests: list[AssessmentRequest]) -> list[FeedbackDocument | Exception]:
        return super().assess_batch(requests)[:-1]


def test_a_batch_answered_short_fails_its_callers_and_the_worker_lives_on() -> None:
    service = AssessmentService(_ShortAnswerBackend(), request_timeout_s=30)
    service.start()

    async def one_after_the_other() -> list[object]:
        return [*await assess_all(service, [request("one", "a")]), *await assess_all(service, [request("two", "b")])]

    try:
        answers = asyncio.run(one_after_the_other())
    finally:
        service.stop()
    assert len(answers) == 2
    for answer in answers:  # the second is answered too: the worker survived the first
        assert isinstance(answer, RuntimeError) and "0 results for 1 requests" in str(answer), answer


def test_submit_refuses_when_the_queue_is_full() -> None:
    backend = ScriptedBackend()
    service = AssessmentService(backend, queue_size=2)  # not started: nothing drains the queue
    service.submit(request("a", "1"))
    service.submit(request("b", "2"))
    with pytest.raises(QueueFull) as caught:
        service.submit(request("c", "3"))
    assert caught.value.status == 503 and "Retry-After" in caught.value.headers
