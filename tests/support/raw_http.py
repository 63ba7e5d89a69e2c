"""A misbehaving HTTP client on a raw socket: endless chunked uploads and trickled bodies.

``requests`` sends a whole body before it reads the answer, so it cannot tell when a server
answered an upload; these helpers send piece by piece and note how much had gone out when the
answer came, as an attacker's client would.
"""

from __future__ import annotations

import json
import select
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

BOUNDARY = "coachboundary"


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes
    bytes_sent: int  # body bytes the client had sent when the answer arrived (or sending failed)

    def json(self) -> Any:
        return json.loads(self.body)


# A small send buffer, so that "sent" counts bytes that left for the server, not megabytes queued in
# this client's own kernel buffer.
SEND_BUFFER_BYTES = 128 * 1024


def _connect(url: str, timeout: float) -> tuple[socket.socket, str]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
    sock.settimeout(timeout)
    sock.connect((parts.hostname, parts.port))
    return sock, f"{parts.hostname}:{parts.port}"


def _read_answer(sock: socket.socket, received: bytes, bytes_sent: int, timeout: float) -> RawAnswer:
    """Read one response (status line, headers, Content-Length body) after ``received``."""
    deadline = time.monotonic() + timeout
    data = received
    while True:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if sep:
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
            if len(rest) >= int(headers.get("content-length", "0")):
                return RawAnswer(int(lines[0].split()[1]), headers, rest, bytes_sent)
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            piece = sock.recv(65536)
        except (ConnectionResetError, TimeoutError) as exc:
            raise AssertionError(f"no complete answer; got {data[:300]!r}") from exc
        if not piece:
            raise AssertionError(f"connection closed before a complete answer; got {data[:300]!r}")
        data += piece


def stream_upload(url: str, total_bytes: int, *, headers: dict[str, str] | None = None,
                  piece_bytes: int = 64 * 1024, timeout: float = 30.0) -> RawAnswer:
    """POST a multipart upload of ``total_bytes`` to ``url`` in chunked encoding, stopping at the answer."""
    sock, host = _connect(url, timeout)
    with sock:
        request_head = (
            f"POST {urlsplit(url).path} HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nTransfer-Encoding: chunked\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()) + "\r\n"
        )
        sock.sendall(request_head.encode("latin-1"))
        preamble = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhello\r\n"
                    f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"a.flac\"\r\n"
                    "Content-Type: audio/flac\r\n\r\nfLaC").encode()
        sent = 0
        filler = b"\0" * piece_bytes
        while sent < total_bytes:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            piece = preamble if sent == 0 else filler
            try:
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break  # the server stopped reading: its answer is waiting
            sent += len(piece)
        return _read_answer(sock, b"", sent, timeout)


def trickle_body(url: str, content_length: int, sent_bytes: bytes, *, timeout: float = 30.0) -> RawAnswer:
    """Declare a body of ``content_length`` bytes, send only ``sent_bytes`` of it and wait for the answer."""
    sock, host = _connect(url, timeout)
    with sock:
        sock.sendall((f"POST {urlsplit(url).path} HTTP/1.1\r\nHost: {host}\r\n"
                      f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                      f"Content-Length: {content_length}\r\n\r\n").encode() + sent_bytes)
        return _read_answer(sock, b"", len(sent_bytes), timeout)
