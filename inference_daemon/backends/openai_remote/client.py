"""A small client for OpenAI-compatible ``/v1/chat/completions`` servers (vLLM), with timeouts and retries.

Standard library only, so the ``openai`` backend needs nothing beyond the daemon's default install.
Connection failures, timeouts, 429 and 5xx answers are retried with exponential back-off; other
errors are not, because sending the same request again cannot fix them.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

_RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class ServerUnreachable(Exception):
    """No usable answer after all retries; ``timed_out`` tells whether the last try timed out."""

    def __init__(self, message: str, *, timed_out: bool) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class ServerRefused(Exception):
    """The server answered with an error that a retry cannot fix (400, 401, 404, ...)."""


@dataclass(frozen=True)
class ChatClient:
    base_url: str
    """Up to and including ``/v1``, e.g. ``http://127.0.0.1:8000/v1``."""
    api_key: str | None = None
    timeout_s: float = 60.0
    retries: int = 2
    backoff_s: float = 0.5

    def _request(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = None if body is None else json.dumps(body).encode()
        url = f"{self.base_url.rstrip('/')}{path}"
        problem = ""
        timed_out = False
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    answer: dict[str, Any] = json.loads(response.read())
                    return answer
            except urllib.error.HTTPError as exc:
                detail = exc.read()[:300].decode(errors="replace")
                if exc.code not in _RETRIED_STATUSES:
                    raise ServerRefused(f"{url} answered {exc.code}: {detail}") from exc
                problem, timed_out = f"{url} answered {exc.code}: {detail}", False
            except TimeoutError as exc:
                problem, timed_out = f"{url} did not answer within {self.timeout_s:g} s ({exc})", True
            except (urllib.error.URLError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                timed_out = isinstance(reason, TimeoutError)
                problem = f"{url} could not be reached ({reason})"
            except json.JSONDecodeError as exc:
                raise ServerRefused(f"{url} answered with something that is not JSON ({exc})") from exc
            log.warning("try %d of %d failed: %s", attempt + 1, self.retries + 1, problem)
        raise ServerUnreachable(problem, timed_out=timed_out)

    def chat_completion(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST ``/chat/completions`` and return the decoded answer."""
        return self._request("POST", "/chat/completions", payload)

    def list_models(self) -> list[str]:
        """The ids that ``GET /models`` lists."""
        answer = self._request("GET", "/models", None)
        return [str(entry.get("id")) for entry in answer.get("data", [])]
