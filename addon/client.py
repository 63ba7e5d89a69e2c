"""Talk to the inference daemon over HTTP and turn every failure into one short, actionable message.

Uses ``requests`` (it ships with Anki). Runs off the main thread; nothing here touches Qt or the
collection. :class:`DaemonError` says whether trying again later can help (daemon down, busy, slow)
or not (the daemon refused this recording: silence, too long, bad format).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from .document import Feedback, InvalidFeedback, parse_feedback

PERMANENT_STATUSES = frozenset({400, 413, 415, 422})


class DaemonError(Exception):
    """An assessment that did not come back; ``message`` is meant for the learner."""

    def __init__(self, message: str, *, retryable: bool, retry_after_s: float | None = None,
                 not_running: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after_s = retry_after_s
        #: nothing listens at the URL: the caller adds how to start the daemon on this machine
        self.not_running = not_running


@dataclass(frozen=True)
class DaemonStatus:
    url: str
    backend: str
    model: str
    loaded: bool
    latency_ms: float
    load_error: str | None = None


class DaemonClient:
    def __init__(self, base_url: str, token: str = "", timeout_s: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    def assess(self, audio_path: Path, text: str, *, native_language: str | None = None,
               request_id: str | None = None) -> tuple[Feedback, dict[str, Any]]:
        """Send one recording; returns the parsed feedback and the raw document (for the history)."""
        form = {"text": text}
        if native_language:
            form["native_language"] = native_language
        if request_id:
            form["request_id"] = request_id
        with audio_path.open("rb") as audio:
            response = self._request("POST", "/v1/assess", files={"audio": (audio_path.name, audio)}, data=form)
        raw = self._json(response)
        try:
            return parse_feedback(raw), raw
        except InvalidFeedback as exc:
            raise DaemonError(f"the daemon's answer could not be read: {exc}", retryable=True) from exc

    def status(self) -> DaemonStatus:
        """Health and model of the daemon, with the round-trip time of the health check."""
        began = time.perf_counter()
        health = self._json(self._request("GET", "/health"))
        latency_ms = (time.perf_counter() - began) * 1000
        info = self._json(self._request("GET", "/v1/info"))
        return DaemonStatus(url=self.base_url, backend=str(info.get("backend", health.get("backend", "?"))),
                            model=str(info.get("model", "?")), loaded=bool(health.get("loaded")),
                            latency_ms=latency_ms, load_error=health.get("load_error"))

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = self.base_url + path
        try:
            response = requests.request(method, url, headers=self._headers, timeout=self.timeout_s, **kwargs)
        except requests.Timeout as exc:
            raise DaemonError(f"the daemon at {self.base_url} did not answer within {self.timeout_s:.0f} s",
                              retryable=True) from exc
        except requests.ConnectionError as exc:
            raise DaemonError(f"the daemon is not running at {self.base_url}", retryable=True,
                              not_running=True) from exc
        if response.status_code >= 400:
            raise _http_error(response)
        return response

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise DaemonError(f"{self.base_url} answered with something that is not JSON; is it the daemon?",
                              retryable=True) from exc


def _http_error(response: requests.Response) -> DaemonError:
    status = response.status_code
    try:
        detail = str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        detail = f"HTTP {status}"
    if status == 401:
        return DaemonError("the daemon refused the token; set 'token' in the add-on's config", retryable=True)
    if status in PERMANENT_STATUSES:
        return DaemonError(detail, retryable=False)
    if status == 503:
        retry_after = response.headers.get("Retry-After", "")
        return DaemonError(f"the daemon is busy or not ready ({detail})", retryable=True,
                           retry_after_s=float(retry_after) if retry_after.isdigit() else None)
    if status == 504:
        return DaemonError(f"the daemon took too long ({detail})", retryable=True)
    return DaemonError(f"the daemon failed: {detail}", retryable=status >= 500)
