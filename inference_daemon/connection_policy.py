"""What each connection may hold: a deadline on every request head, and the cap on open connections.

uvicorn (0.55, h11) times a connection out only between requests, after a response, and any byte
received cancels that timer. A socket opened and left silent, or one sending its headers a byte at a
time, was held open for good: 256 of them (the connection cap) made every other client 503, a
token-protected daemon included, since nothing is authenticated before the headers are complete.
The request guard bounds the body (``--body-timeout``); this bounds what comes before it: each
connection gets ``header_timeout_s`` to deliver a complete request head from the moment it opens,
and again after each response.

Over the cap (``--max-connections``, uvicorn's ``limit_concurrency`` rule: open connections or
running requests), a request is answered 503 with the daemon's error body and ``Retry-After``
instead of uvicorn's plain-text "Service Unavailable", so clients read one error shape.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from inference_daemon.errors import AssessmentError
from inference_daemon.request_guard import send_error

log = logging.getLogger(__name__)

TOO_MANY_CONNECTIONS = AssessmentError(
    "The daemon has too many open connections right now; try again in a moment.",
    code="too_many_connections", status=503, headers={"Retry-After": "1"},
)


async def _too_many_connections(scope: Scope, receive: Receive, send: Send) -> None:
    await send_error(send, TOO_MANY_CONNECTIONS)


class LimitedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on every request head and a JSON 503 over the cap."""

    header_timeout_s: float = 10.0
    max_connections: int | None = None
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()

    def handle_events(self) -> None:
        cycle = self.cycle
        # The app a request head arriving now is given (uvicorn reads self.app when it starts the cycle).
        self.app = _too_many_connections if self._over_capacity() else self.config.loaded_app
        super().handle_events()
        if self.cycle is not cycle:  # a request head arrived and its cycle started
            self._disarm_head_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)

    def _over_capacity(self) -> bool:
        cap = self.max_connections
        return cap is not None and (len(self.connections) >= cap or len(self.tasks) >= cap)

    def _arm_head_deadline(self) -> None:
        self._disarm_head_deadline()
        self._head_deadline = self.loop.call_later(self.header_timeout_s, self._head_too_slow)

    def _disarm_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            log.info("closed a connection that sent no complete request within %g s", self.header_timeout_s)
            self.transport.close()


def limited_protocol(header_timeout_s: float, max_connections: int | None) -> type[LimitedH11Protocol]:
    """The protocol class for ``uvicorn.run(http=...)`` (uvicorn builds one per connection); pass no
    ``limit_concurrency`` to uvicorn, this class applies the cap."""
    return type("LimitedH11Protocol", (LimitedH11Protocol,),
                {"header_timeout_s": header_timeout_s, "max_connections": max_connections})
