"""The checks every HTTP request passes before the daemon reads its body: who may ask, and how much.

Why a raw ASGI middleware: Starlette reads a multipart body to the end (spooling it to disk) before
any route or dependency runs, so a check made in a route comes after an attacker's 500 MB have been
read. Here the checks run on the request line and headers alone, in this order:

1. ``Host``, on a loopback bind: a browser led to the daemon by DNS rebinding sends the attacker's
   name. Only ``localhost``, ``127.0.0.1``, ``[::1]`` and ``--allowed-host`` names pass (421).
2. ``Origin``: a page on another site posting a form to the daemon. Requests without ``Origin``
   (the add-on, curl) pass; with one, only loopback origins and ``--allow-origin`` ones (403).
3. The bearer token, on every route but ``/health``, the docs and the schema included (401).
4. The declared body size (413).
5. Admission: when the daemon already holds as many assessments as it can, a new one is answered
   503 at once, before its body is read or decoded.

Then, while the app reads the body, a byte budget (413, chunked uploads included) and a deadline
for the whole body (408). A refused request gets the daemon's error body and its connection is
closed, so the rest of its upload is never read. Why each refusal happened goes to the access log.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inference_daemon.errors import AssessmentError, FileTooLarge
from inference_daemon.settings import DaemonSettings, is_loopback

# Room for the multipart framing, the text and the other form fields around the recording itself.
MULTIPART_ALLOWANCE_BYTES = 64 * 1024
# Host names a loopback daemon answers to, whatever the port.
LOOPBACK_HOST_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
# Routes open without the token: liveness only.
OPEN_PATHS = frozenset({"/health"})

Admission = Callable[[], AbstractContextManager[None]]


def loggable(text: str, limit: int = 200) -> str:
    """``text`` safe for a one-line log record: control and non-printable characters escaped, length capped.

    Why: request paths and header values come from the client; a newline in one would forge a line.
    """
    escaped = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return escaped if len(escaped) <= limit else escaped[:limit] + "..."


def host_name(host_header: str) -> str:
    """The host part of a ``Host`` header, lower-cased, without its port (``[::1]:8770`` -> ``[::1]``)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end > 0 else host
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host


def normalize_origin(origin: str) -> str:
    """``scheme://host[:port]`` lower-cased without a trailing slash, as browsers send ``Origin``."""
    return origin.strip().lower().rstrip("/")


def origin_is_loopback(origin: str) -> bool:
    try:
        parts = urlsplit(origin)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and host is not None and is_loopback(host)


class _Refused(Exception):
    """Raised from inside ``receive`` to stop the app reading a body the guard has refused."""

    def __init__(self, error: AssessmentError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True)
class GuardPolicy:
    """What the guard enforces, derived once from the daemon's settings."""

    token: bytes | None
    check_host: bool
    allowed_hosts: frozenset[str]
    allowed_origins: frozenset[str]
    max_audio_bytes: int
    body_timeout_s: float

    @property
    def max_body_bytes(self) -> int:
        return self.max_audio_bytes + MULTIPART_ALLOWANCE_BYTES

    @classmethod
    def from_settings(cls, settings: DaemonSettings) -> GuardPolicy:
        return cls(
            token=settings.token.encode("ascii") if settings.token else None,
            check_host=is_loopback(settings.host),
            allowed_hosts=LOOPBACK_HOST_NAMES | {host_name(h) for h in settings.allowed_hosts},
            allowed_origins=frozenset(normalize_origin(o) for o in settings.allowed_origins),
            max_audio_bytes=settings.audio.max_bytes,
            body_timeout_s=settings.body_timeout_s,
        )


class RequestGuard:
    """ASGI middleware: refuses unwelcome, unauthenticated, oversized, slow or surplus requests early.

    ``admit`` is called for requests to ``admitted_paths`` (with method POST) once they passed the
    header checks; it raises an :class:`AssessmentError` (503) when the daemon is full, and the
    context it returns is held until the response is sent.
    """

    def __init__(self, app: ASGIApp, policy: GuardPolicy, admit: Admission | None = None,
                 admitted_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.policy = policy
        self.admit = admit
        self.admitted_paths = frozenset(admitted_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            self._check_headers(scope)
            admission = (self.admit() if self.admit is not None and scope["method"] == "POST"
                         and scope["path"] in self.admitted_paths else nullcontext())
        except AssessmentError as error:
            await self._refuse(scope, send, error)
            return
        with admission:
            await self._run_with_body_limits(scope, receive, send)

    # -- header checks ---------------------------------------------------------------------------
    def _check_headers(self, scope: Scope) -> None:
        headers = _Headers(scope)
        policy = self.policy
        host = headers.get(b"host")
        if policy.check_host and host is not None and host_name(host) not in policy.allowed_hosts:
            _note(scope, f"host {loggable(host)!r} not allowed")
            raise AssessmentError(
                "This daemon answers only to localhost. If it is reached under another name, start it "
                "with --allowed-host NAME.", code="host_not_allowed", status=421)
        origin = headers.get(b"origin")
        if origin is not None and not (normalize_origin(origin) in policy.allowed_origins
                                       or origin_is_loopback(origin)):
            _note(scope, f"origin {loggable(origin)!r} not allowed")
            raise AssessmentError(
                "Requests from web pages of other sites are refused. To allow a site, start the daemon "
                "with --allow-origin ORIGIN.", code="origin_not_allowed", status=403)
        if policy.token is not None and scope["path"] not in OPEN_PATHS and not self._authorized(headers):
            _note(scope, "missing or wrong token")
            raise AssessmentError(
                "A valid bearer token is required (Authorization: Bearer <token>).",
                code="unauthorized", status=401, headers={"WWW-Authenticate": "Bearer"})
        declared = headers.get(b"content-length") or ""
        if declared.isdigit() and int(declared) > policy.max_body_bytes:
            raise FileTooLarge(
                f"The upload is {int(declared) / 1e6:.1f} MB; the daemon accepts recordings of at most "
                f"{policy.max_audio_bytes / 1e6:.1f} MB.")

    def _authorized(self, headers: _Headers) -> bool:
        raw = headers.raw(b"authorization")
        if raw is None or not raw.isascii():
            return False
        scheme, _, supplied = raw.partition(b" ")
        assert self.policy.token is not None
        return scheme.lower() == b"bearer" and hmac.compare_digest(supplied.strip(), self.policy.token)

    # -- the body ----------------------------------------------------------------------------------
    async def _run_with_body_limits(self, scope: Scope, receive: Receive, send: Send) -> None:
        policy = self.policy
        deadline = time.monotonic() + policy.body_timeout_s
        received = 0
        body_done = False
        refusal: AssessmentError | None = None
        replaced = False

        async def limited_receive() -> Message:
            nonlocal received, body_done, refusal
            if body_done:  # after the body: the app only listens for a disconnect
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                _note(scope, f"body incomplete after {policy.body_timeout_s:g} s ({received} bytes)")
                refusal = AssessmentError(
                    f"The upload did not arrive within {policy.body_timeout_s:g} s. Check the network "
                    "connection and try again.", code="body_timeout", status=408)
                raise _Refused(refusal) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > policy.max_body_bytes:
                    _note(scope, f"body over {policy.max_body_bytes} bytes")
                    refusal = FileTooLarge(
                        f"The upload is larger than the {policy.max_audio_bytes / 1e6:.1f} MB the daemon accepts.")
                    raise _Refused(refusal)
            else:
                body_done = True
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and refusal is not None:
                replaced = True  # the app answered the aborted read (as a 400): answer the refusal instead
                await send_error(send, refusal)
                return
            if not replaced:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _Refused as refused:
            if not replaced:
                await send_error(send, refused.error)

    async def _refuse(self, scope: Scope, send: Send, error: AssessmentError) -> None:
        if not scope.get("state", {}).get("outcome"):
            _note(scope, error.code)
        await send_error(send, error)


class _Headers:
    """The request's headers by lower-case name (first value), raw or decoded as Latin-1 like Starlette."""

    def __init__(self, scope: Scope) -> None:
        self._values: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            self._values.setdefault(name.lower(), value)

    def raw(self, name: bytes) -> bytes | None:
        return self._values.get(name)

    def get(self, name: bytes) -> str | None:
        value = self._values.get(name)
        return None if value is None else value.decode("latin-1")


def _note(scope: Scope, outcome: str) -> None:
    """Leave why a request was refused for the access log line."""
    state = scope.setdefault("state", {})
    if isinstance(state, dict):
        state["outcome"] = f"refused: {outcome}"


async def send_error(send: Send, error: AssessmentError) -> None:
    """Send the daemon's error body and close the connection: the unread rest of the body is dropped."""
    body = json.dumps({"error": {"code": error.code, "message": error.message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
