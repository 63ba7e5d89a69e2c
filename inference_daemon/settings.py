"""Start-up settings of the daemon, gathered in one place so the CLI, the app and tests agree."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field

from inference_daemon.audio import AudioLimits
from inference_daemon.sentence import MAX_TEXT_CHARS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8770  # 8765 belongs to AnkiConnect
TOKEN_ENV = "PRONUNCIATION_COACH_TOKEN"


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
