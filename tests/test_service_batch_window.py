"""The batch window that the alm backend's dynamic batching relies on: waited only for callers that can come.

A lone client must not pay the window on every request, and concurrent clients must still be
gathered into full batches. The window here is far longer than any test may run, so a request that
waited it out would fail with a timeout instead of passing slowly.
"""

from __future__ import annotations

import asyncio

import numpy as np

from inference_daemon.backends.base import AssessmentRequest
from inference_daemon.feedback import FeedbackDocument
from inference_daemon.service import AssessmentService
from tests.support.scripted_backend import ScriptedBackend

FOREVER_MS = 600_000.0
REQUEST_TIMEOUT_S = 20.0


def request(rid: str) -> AssessmentRequest:
    return AssessmentRequest(audio=np.zeros(16_000, dtype=np.float32), text="one two", request_id=rid)


async def closed_loop(service: AssessmentService, clients: int, rounds: int) -> list[FeedbackDocument]:
    """``clients`` callers each sending ``rounds`` requests, the next as soon as the previous is answered.

    Each caller's first request is queued before the service starts, so that they all arrive together.
    """
    firsts = [service.submit(request(f"{n}-0")) for n in range(clients)]
    service.start()

    async def client(number: int) -> list[FeedbackDocument]:
        documents = [await asyncio.wait_for(asyncio.wrap_future(firsts[number]), REQUEST_TIMEOUT_S)]
        return documents + [await service.assess(request(f"{number}-{r}")) for r in range(1, rounds)]

    answered = await asyncio.gather(*(client(n) for n in range(clients)))
    return [document for documents in answered for document in documents]


def serve(backend: ScriptedBackend, window_ms: float, clients: int, rounds: int) -> list[FeedbackDocument]:
    service = AssessmentService(backend, batch_window_ms=window_ms, request_timeout_s=REQUEST_TIMEOUT_S)
    try:
        return asyncio.run(closed_loop(service, clients, rounds))
    finally:
        service.stop()


def test_a_lone_client_is_served_without_waiting_for_the_window() -> None:
    backend = ScriptedBackend(batch_size=8)
    documents = serve(backend, FOREVER_MS, clients=1, rounds=4)
    assert [d.request_id for d in documents] == ["0-0", "0-1", "0-2", "0-3"]
    assert backend.batches == [1, 1, 1, 1]


def test_clients_answered_together_are_gathered_again_without_waiting_for_a_full_batch() -> None:
    backend = ScriptedBackend(batch_size=8, delay_s=0.05)
    documents = serve(backend, FOREVER_MS, clients=4, rounds=3)
    assert sorted(d.request_id for d in documents) == sorted(f"{n}-{r}" for n in range(4) for r in range(3))
    assert backend.batches == [4, 4, 4]


def test_concurrent_clients_fill_the_batches() -> None:
    backend = ScriptedBackend(batch_size=4, delay_s=0.05)
    documents = serve(backend, 2_000.0, clients=4, rounds=4)
    assert len({d.request_id for d in documents}) == 16
    assert sum(backend.batches) == 16
    assert backend.batches.count(4) >= 2, backend.batches
