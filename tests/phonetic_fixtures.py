"""Shared, expensive objects for the ``phonetic`` tests: one loaded backend per test session."""

from __future__ import annotations

from functools import lru_cache

import pytest

from inference_daemon.backends.phonetic.backend import PhoneticBackend
from tests.espeak_audio import espeak_available

needs_espeak = pytest.mark.skipif(not espeak_available(), reason="espeak-ng and sox are needed to make speech")


@lru_cache(maxsize=1)
def loaded_backend() -> PhoneticBackend:
    """The backend, loaded once for all tests (decoders are cached per thread)."""
    backend = PhoneticBackend()
    backend.load()
    return backend
