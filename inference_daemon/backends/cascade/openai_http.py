"""Talk to OpenAI-compatible servers (Ollama, vLLM, llama.cpp, faster-whisper servers) with the standard library.

Only two calls are needed, a JSON POST and a multipart upload, so no HTTP client dependency is
added to the daemon. Failures become errors the daemon maps to HTTP statuses: an unreachable
server, or one that hangs up without answering, is 503 (``backend_unavailable``), a server that
answers with an error status is 502 (``upstream_error``), one that answers something other than
JSON is 502 (``invalid_model_output``), and a server that does not answer in time is 504.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid
from typing import Any

from inference_daemon.errors import AssessmentError, AssessmentTimeout, BackendUnavailable, InvalidModelOutput

log = logging.getLogger(__name__)

_SHOWN_ERROR_CHARS = 300
CHAT_COMPLETIONS_PATH = "/chat/completions"


class UpstreamError(AssessmentError):
    """The model server answered with an error status."""

    status, code = 502, "upstream_error"


def endpoint(base_url: str, path: str) -> str:
    """``base_url`` may be the API root (``http://host:11434/v1``) or already the full endpoint."""
    stripped = base_url.rstrip("/")
    return stripped if stripped.endswith(path) else f"{stripped}{path}"


def post_json(url: str, payload: dict[str, Any], *, api_key: str | None, timeout_s: float) -> dict[str, Any]:
    """POST ``payload`` as JSON; the parsed JSON object answered."""
    body = json.dumps(payload).encode("utf-8")
    return _send(url, body, "application/json", api_key=api_key, timeout_s=timeout_s)


def post_multipart(
    url: str,
    fields: list[tuple[str, str]],
    file_field: str,
    file_name: str,
    file_bytes: bytes,
    file_type: str,
    *,
    api_key: str | None,
    timeout_s: float,
) -> dict[str, Any]:
    """POST a ``multipart/form-data`` form with text ``fields`` (repeatable names) and one file."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
        f"Content-Type: {file_type}\r\n\r\n".encode()
        + file_bytes
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return _send(url, b"".join(parts), f"multipart/form-data; boundary={boundary}", api_key=api_key,
                 timeout_s=timeout_s)


def _send(url: str, body: bytes, content_type: str, *, api_key: str | None, timeout_s: float) -> dict[str, Any]:
    headers = {"Content-Type": content_type, "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", errors="replace")[:_SHOWN_ERROR_CHARS]
        log.warning("%s answered HTTP %d: %s", url, exc.code, detail)
        raise UpstreamError(f"The model server at {url} answered HTTP {exc.code}: {detail}") from exc
    except TimeoutError as exc:
        raise AssessmentTimeout(f"The model server at {url} did not answer within {timeout_s:g} s.") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise AssessmentTimeout(f"The model server at {url} did not answer within {timeout_s:g} s.") from exc
        raise BackendUnavailable(f"The model server at {url} is not reachable: {exc.reason}") from exc
    except ConnectionError as exc:  # accepted the request, then hung up (crashed or restarting)
        raise BackendUnavailable(f"The model server at {url} closed the connection without answering.") from exc
    try:
        answer = json.loads(raw)
    except json.JSONDecodeError as exc:
        log.warning("%s answered something that is not JSON: %r", url, raw[:_SHOWN_ERROR_CHARS])
        raise InvalidModelOutput(f"The model server at {url} did not answer with JSON.") from exc
    if not isinstance(answer, dict):
        raise InvalidModelOutput(f"The model server at {url} answered JSON that is not an object.")
    return answer
