"""The bounded queue and worker threads between the HTTP routes and the backend.

Why: a backend holds a model that takes seconds per request and is not safe to call from many
threads at once. The event loop must never block on it, a burst of learners must get a clear
"busy, retry later" instead of piling up, and a backend that can batch (GPU models) should see
concurrent requests together. Workers gather up to ``backend.max_batch_size`` queued requests
within a short window and hand them over as one batch; each result goes back to its own caller.
The window is waited only for callers that can be expected (see :meth:`AssessmentService._next_batch`),
so that a lone learner never pays it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
import time
from dataclasses import dataclass
from types import TracebackType

from inference_daemon.backends.base import AssessmentRequest, Backend
from inference_daemon.errors import AssessmentTimeout, BackendUnavailable, QueueFull
from inference_daemon.feedback import FeedbackDocument
from inference_daemon.pipeline import stamp

log = logging.getLogger(__name__)


@dataclass
class _Job:
    request: AssessmentRequest
    started: float
    future: concurrent.futures.Future[FeedbackDocument]


class AssessmentService:
    """Runs a backend in worker threads behind a bounded queue."""

    def __init__(
        self,
        backend: Backend,
        *,
        queue_size: int = 16,
        request_timeout_s: float = 60.0,
        workers: int = 1,
        batch_window_ms: float = 20.0,
    ) -> None:
        self.backend = backend
        self.request_timeout_s = request_timeout_s
        self.batch_window_s = batch_window_ms / 1000
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=queue_size)
        self._workers = [
            threading.Thread(target=self._work, name=f"assess-worker-{i}", daemon=True) for i in range(workers)
        ]
        self._load_error: BaseException | None = None
        self._load_lock = threading.Lock()
        self._started = False
        # What the worker knew when it answered its last batch: how many callers it answered (they
        # may come straight back) and how many others were already queued.
        self._last_batch_size = 0
        self._queued_during_last_batch = 0
        # Requests admitted and not yet answered: decoding, queued or in the backend.
        self._admitted = 0
        self._admitted_lock = threading.Lock()

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        for worker in self._workers:
            worker.start()

    def stop(self) -> None:
        for _ in self._workers:
            try:
                self._queue.put(None, timeout=1)
            except queue.Full:
                break
        for worker in self._workers:
            worker.join(timeout=5)

    @property
    def ready(self) -> bool:
        return self.backend.loaded and self._load_error is None

    @property
    def load_error(self) -> str | None:
        return None if self._load_error is None else str(self._load_error)

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    @property
    def queue_size(self) -> int:
        return self._queue.maxsize

    @property
    def capacity(self) -> int:
        """Requests the daemon holds at once: the queue plus what the workers take in one batch each."""
        return self.queue_size + len(self._workers) * max(1, self.backend.max_batch_size)

    @property
    def admitted(self) -> int:
        return self._admitted

    # -- admission ------------------------------------------------------------------------------
    def admit(self) -> _Admitted:
        """Take a place for a request before its body is read; raises :class:`QueueFull` when none is left.

        Why here and not at :meth:`submit`: reading and decoding an upload costs more than refusing it,
        so a full daemon refuses at once. The place is released when the returned context exits.
        """
        with self._admitted_lock:
            if self._admitted >= self.capacity:
                raise self._queue_full()
            self._admitted += 1
        return _Admitted(self)

    def _release(self) -> None:
        with self._admitted_lock:
            self._admitted -= 1

    def _queue_full(self) -> QueueFull:
        retry_after = max(1, round(self.request_timeout_s / 10))
        return QueueFull(
            "The daemon is busy with other recordings. Please retry in a moment.",
            headers={"Retry-After": str(retry_after)},
        )

    # -- submitting -----------------------------------------------------------------------------
    def submit(self, request: AssessmentRequest, started: float | None = None) -> concurrent.futures.Future[
        FeedbackDocument
    ]:
        """Queue a request; raises :class:`QueueFull` at once when the queue is full."""
        if self._load_error is not None:
            raise BackendUnavailable(f"The backend failed to load: {self._load_error}")
        job = _Job(request, started if started is not None else time.perf_counter(), concurrent.futures.Future())
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            raise self._queue_full() from None
        return job.future

    async def assess(self, request: AssessmentRequest, started: float | None = None) -> FeedbackDocument:
        """Queue a request and wait for its document, at most ``request_timeout_s``."""
        future = self.submit(request, started)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout=self.request_timeout_s)
        except asyncio.TimeoutError:
            future.cancel()
            raise AssessmentTimeout(
                f"Assessing the recording took longer than {self.request_timeout_s:g} s and was abandoned. "
                "Please try again; if this keeps happening, the daemon's machine is overloaded."
            ) from None

    # -- workers --------------------------------------------------------------------------------
    def _ensure_loaded(self) -> bool:
        with self._load_lock:
            if self._load_error is not None:
                return False
            if not self.backend.loaded:
                began = time.perf_counter()
                try:
                    self.backend.load()
                except Exception as exc:
                    log.exception("backend %s failed to load", self.backend.name)
                    self._load_error = exc
                    return False
                log.info("backend %s loaded in %.1f s", self.backend.name, time.perf_counter() - began)
        return True

    def _next_batch(self, first: _Job) -> list[_Job]:
        """``first`` and the jobs that join it, at most ``backend.max_batch_size``.

        Jobs already queued always join. The worker waits, at most ``batch_window_s``, only for the
        callers it can expect soon: those queued while it ran the previous batch, plus that batch's
        own callers, who may come straight back. So a lone client is served at once, and concurrent
        clients are gathered again as soon as they are back, without waiting out the whole window.
        """
        limit = max(1, self.backend.max_batch_size)
        batch = [first]
        stopping = self._take_queued(batch, limit)
        expected = min(limit, max(1, self._queued_during_last_batch + self._last_batch_size))
        deadline = time.perf_counter() + self.batch_window_s
        while not stopping and len(batch) < expected:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                break
            try:
                job = self._queue.get(timeout=remaining)
            except queue.Empty:
                break
            if job is None:
                stopping = True
            else:
                batch.append(job)
                stopping = self._take_queued(batch, limit)
        if stopping:  # stop signal: put it back for this worker's next loop
            self._queue.put(None)
        return batch

    def _remember_batch(self, answered: int) -> None:
        """Note, before answering a batch, what :meth:`_next_batch` may expect next."""
        self._last_batch_size = answered
        self._queued_during_last_batch = self._queue.qsize()

    def _take_queued(self, batch: list[_Job], limit: int) -> bool:
        """Move queued jobs into ``batch`` without waiting, up to ``limit``; True if a stop signal came instead."""
        while len(batch) < limit:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return False
            if job is None:
                return True
            batch.append(job)
        return False

    def _work(self) -> None:
        loaded = self._ensure_loaded()
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = self._next_batch(first)
            live = [job for job in batch if job.future.set_running_or_notify_cancel()]
            if not live:
                continue
            if not loaded:
                self._remember_batch(len(live))
                for job in live:
                    job.future.set_exception(BackendUnavailable(f"The backend failed to load: {self._load_error}"))
                continue
            try:
                results = self.backend.assess_batch([job.request for job in live])
                if len(results) != len(live):
                    raise RuntimeError(f"assess_batch returned {len(results)} results for {len(live)} requests")
            except Exception as exc:  # a backend bug must not kill the worker
                log.exception("backend %s failed on a batch of %d", self.backend.name, len(live))
                results = [exc] * len(live)
            self._remember_batch(len(live))
            for job, result in zip(live, results, strict=True):
                if isinstance(result, BaseException):
                    job.future.set_exception(result)
                else:
                    job.future.set_result(stamp(result, job.request, job.started))


class _Admitted:
    """An admitted request's place in the service, given back on exit."""

    def __init__(self, service: AssessmentService) -> None:
        self._service = service

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._service._release()
