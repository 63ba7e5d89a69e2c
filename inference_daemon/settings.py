"""Start-up settings of the daemon, gathered in one place so the CLI, the app and tests agree."""

from __future__ import annotations

import ipaddress
import logging
import os
from dataclasses import dataclass, field

from inference_daemon.audio import AudioLimits
from inference_daemon.sentence import MAX_TEXT_CHARS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8770  # 8765 belongs to AnkiConnect
TOKEN_ENV = "PRONUNCIATION_COACH_TOKEN"
# A shorter token can be guessed by a client allowed to try often enough.
MIN_TOKEN_CHARS = 16

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DaemonSettings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None
    audio: AudioLimits = field(default_factory=AudioLimits)
    max_text_chars: int = MAX_TEXT_CHARS
    queue_size: int = 16
    request_timeout_s: float = 60.0
    workers: int = 1
    batch_window_ms: float = 20.0
    # Names besides localhost a loopback daemon answers to (the Host check against DNS rebinding).
    allowed_hosts: tuple[str, ...] = ()
    # Web origins (scheme://host[:port]) besides loopback ones whose pages may call the daemon.
    allowed_origins: tuple[str, ...] = ()
    # Seconds a client has to send a whole request body; a trickling upload is cut off after it.
    body_timeout_s: float = 30.0
    # Seconds a connection has to send a complete request head, from opening and after each answer.
    header_timeout_s: float = 10.0
    # Open connections (or running requests) before new requests are answered 503 (connection_policy).
    max_connections: int = 256
    # Seconds an idle keep-alive connection stays open.
    keep_alive_timeout_s: int = 5

    @classmethod
    def token_from_environment(cls) -> str | None:
        return os.environ.get(TOKEN_ENV) or None


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the daemon private to this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind_is_safe(settings: DaemonSettings) -> None:
    """Refuse to expose the daemon beyond this machine without a bearer token."""
    if not is_loopback(settings.host) and not settings.token:
        raise ValueError(
            f"Refusing to listen on {settings.host}: the daemon would be reachable from other machines "
            f"without authentication. Set a token with --token or ${TOKEN_ENV}, or bind 127.0.0.1."
        )


def check_token(settings: DaemonSettings) -> None:
    """Refuse a token that cannot be sent in an HTTP header as typed; warn about a short one.

    Why: a token with non-ASCII or control characters can never match what a client sends (every
    request would be refused), and one with spaces is cut short by header parsing.
    """
    token = settings.token
    if token is None:
        return
    if not all("!" <= c <= "~" for c in token):
        raise ValueError(
            "The token must be printable ASCII without spaces (letters, digits and punctuation); "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(24))'"
        )
    if len(token) < MIN_TOKEN_CHARS:
        log.warning("the token has %d characters; use at least %d so that it cannot be guessed",
                    len(token), MIN_TOKEN_CHARS)
