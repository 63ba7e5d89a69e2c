"""The one interface every scoring backend implements, so the API never changes when a model does.

A backend is created from its command-line options, loaded once (models are expensive to load),
then asked to assess single requests or batches. It returns complete feedback documents; the
service around it only stamps the processing time.
"""

from __future__ import annotations

import abc
import argparse
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from inference_daemon.audio import SAMPLE_RATE
from inference_daemon.feedback import FeedbackDocument


@dataclass(frozen=True)
class AssessmentRequest:
    """One recording and the sentence the learner meant to read.

    ``audio`` is 16 kHz mono float32 in [-1, 1] (see :mod:`inference_daemon.audio`); ``text`` has
    passed :func:`inference_daemon.sentence.validate_target_text`.
    """

    audio: np.ndarray
    text: str
    request_id: str
    native_language: str | None = None

    @property
    def duration_s(self) -> float:
        return len(self.audio) / SAMPLE_RATE


@dataclass
class BackendInfo:
    """What ``GET /v1/info`` tells about the backend."""

    name: str
    model: str
    version: str
    device: str = "cpu"
    details: dict[str, Any] = field(default_factory=dict)


class Backend(abc.ABC):
    """Base class of all backends. Subclasses set ``name`` and implement load, assess and describe."""

    name: ClassVar[str]
    #: how many requests the service may hand to :meth:`assess_batch` at once
    max_batch_size: ClassVar[int] = 1

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Add this backend's own command-line options (``--model`` and the like); none by default."""
        return None

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> Backend:
        """Create the backend from parsed command-line options."""
        return cls()

    @property
    @abc.abstractmethod
    def loaded(self) -> bool:
        """Whether :meth:`load` has finished and requests can be assessed."""

    @abc.abstractmethod
    def load(self) -> None:
        """Load models; called once, before the first request, in the thread that will assess."""

    @abc.abstractmethod
    def assess(self, request: AssessmentRequest) -> FeedbackDocument:
        """Assess one recording; raise :class:`inference_daemon.errors.AssessmentError` for bad input."""

    def assess_batch(self, requests: list[AssessmentRequest]) -> list[FeedbackDocument | Exception]:
        """Assess several recordings; one failing item must not fail the others."""
        results: list[FeedbackDocument | Exception] = []
        for request in requests:
            try:
                results.append(self.assess(request))
            except Exception as exc:
                results.append(exc)
        return results

    @abc.abstractmethod
    def describe(self) -> BackendInfo:
        """Name, model, version and device, for ``/v1/info`` and the logs."""


class BatchingBackend(Backend):
    """A backend whose natural unit is a batch (one forward pass for several recordings).

    It implements :meth:`assess_batch`; a single request is a batch of one.
    """

    @abc.abstractmethod
    def assess_batch(self, requests: list[AssessmentRequest]) -> list[FeedbackDocument | Exception]:
        """Assess several recordings at once; a failing item is returned as its exception."""

    def assess(self, request: AssessmentRequest) -> FeedbackDocument:
        result = self.assess_batch([request])[0]
        if isinstance(result, Exception):
            raise result
        return result
