"""Command line: ``serve`` runs the HTTP daemon, ``assess`` runs one recording without a server.

Both build the backend the same way (``--backend NAME`` plus that backend's own options), so a
command that works with ``assess`` works with ``serve``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Collection
from pathlib import Path

from inference_daemon import __version__
from inference_daemon.audio import AudioLimits
from inference_daemon.backends import DEFAULT_BACKEND, available_backends, backend_class
from inference_daemon.backends.base import Backend
from inference_daemon.errors import AssessmentError
from inference_daemon.pipeline import assess_now, prepare_request
from inference_daemon.render import render_feedback
from inference_daemon.settings import DEFAULT_HOST, DEFAULT_PORT, DaemonSettings, check_bind_is_safe, check_token

log = logging.getLogger("inference_daemon")

# The command-line defaults are the settings' own, so that the daemon and its tests agree.
_DEFAULTS = DaemonSettings()
_MEBIBYTE = 1024 * 1024


def _base_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The parser without any backend's options, and its sub-command parsers by name (to add them to)."""
    parser = argparse.ArgumentParser(
        prog="python -m inference_daemon",
        description="Pronunciation Coach inference daemon: pronunciation feedback on a learner's recording.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP daemon")
    _add_backend_argument(serve)
    serve.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default: %(default)s)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default: %(default)s)")
    serve.add_argument("--token", default=None,
                       help="bearer token required on every request except /health; also read from "
                            "$PRONUNCIATION_COACH_TOKEN; mandatory when binding a non-loopback address")
    _add_audio_limit_arguments(serve)
    serve.add_argument("--queue-size", type=int, default=_DEFAULTS.queue_size,
                       help="requests waiting before 503 (default: %(default)s)")
    serve.add_argument("--request-timeout", type=float, default=_DEFAULTS.request_timeout_s,
                       help="seconds per request (default: %(default)g)")
    serve.add_argument("--workers", type=int, default=_DEFAULTS.workers, help="worker threads running the backend")
    serve.add_argument("--batch-window-ms", type=float, default=_DEFAULTS.batch_window_ms,
                       help="how long to gather concurrent requests into one batch (batching backends)")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       help="a host name the daemon answers to besides localhost, 127.0.0.1 and [::1] when "
                            "bound to loopback (repeatable; guards against DNS rebinding)")
    serve.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                       help="a web origin (scheme://host[:port]) whose pages may call the daemon besides "
                            "loopback ones (repeatable)")
    serve.add_argument("--body-timeout", type=float, default=_DEFAULTS.body_timeout_s,
                       help="seconds a client has to send a request's body (default: %(default)g)")
    serve.add_argument("--header-timeout", type=float, default=_DEFAULTS.header_timeout_s,
                       help="seconds a connection has to send a complete request head, when opened and after "
                            "each answer; silent or trickling connections are closed (default: %(default)g)")
    serve.add_argument("--max-connections", type=int, default=_DEFAULTS.max_connections,
                       help="open connections before new requests are answered 503 (default: %(default)s)")
    serve.add_argument("--keep-alive-timeout", type=int, default=_DEFAULTS.keep_alive_timeout_s,
                       help="seconds an idle connection stays open (default: %(default)s)")

    assess = commands.add_parser("assess", help="assess one recording and print the feedback")
    _add_backend_argument(assess)
    assess.add_argument("recording", type=Path, help="audio file (WAV, FLAC, OGG; MP3/WebM/M4A with ffmpeg)")
    assess.add_argument("text", help="the target sentence the learner read")
    assess.add_argument("--native-language", default=None, help="ISO 639-1 code, e.g. zh, es (tailors tips)")
    assess.add_argument("--json", action="store_true", help="print the feedback document as JSON")
    _add_audio_limit_arguments(assess)
    return parser, {"serve": serve, "assess": assess}


def _add_audio_limit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-audio-seconds", type=float, default=_DEFAULTS.audio.max_seconds)
    parser.add_argument("--max-audio-mb", type=float, default=_DEFAULTS.audio.max_bytes / _MEBIBYTE)


def _add_backend_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend", default=DEFAULT_BACKEND,
        help=f"scoring backend: {', '.join(available_backends())} or module:Class (default: %(default)s)",
    )


def parse_arguments(argv: list[str] | None) -> tuple[argparse.Namespace, type[Backend]]:
    """Parse twice: first to learn the backend, then with that backend's own options added."""
    parser, command_parsers = _base_parser()
    args_list = list(sys.argv[1:] if argv is None else argv)
    command, backend_name = _peek_command_and_backend(args_list, command_parsers)
    if command is None:  # no command: the full parse prints the usage
        return parser.parse_args(args_list), backend_class(DEFAULT_BACKEND)
    try:
        cls = backend_class(backend_name)
    except (ValueError, ImportError, AttributeError) as exc:
        parser.error(str(exc))
    cls.add_arguments(command_parsers[command])
    return parser.parse_args(args_list), cls


def _peek_command_and_backend(args: list[str], commands: Collection[str]) -> tuple[str | None, str]:
    """Find the sub-command and ``--backend`` value without parsing (which would fail on -h)."""
    command = next((a for a in args if a in commands), None)
    backend = DEFAULT_BACKEND
    for position, arg in enumerate(args):
        if arg == "--backend" and position + 1 < len(args):
            backend = args[position + 1]
        elif arg.startswith("--backend="):
            backend = arg.split("=", 1)[1]
    return command, backend


def _limits(args: argparse.Namespace) -> AudioLimits:
    return AudioLimits(max_seconds=args.max_audio_seconds, max_bytes=int(args.max_audio_mb * _MEBIBYTE))


def run_serve(args: argparse.Namespace, backend: Backend) -> int:
    import uvicorn

    from inference_daemon.app import create_app
    from inference_daemon.connection_policy import limited_protocol
    from inference_daemon.service import AssessmentService

    settings = DaemonSettings(
        host=args.host, port=args.port, token=args.token or DaemonSettings.token_from_environment(),
        audio=_limits(args), queue_size=args.queue_size, request_timeout_s=args.request_timeout,
        workers=args.workers, batch_window_ms=args.batch_window_ms,
        allowed_hosts=tuple(args.allowed_host), allowed_origins=tuple(args.allow_origin),
        body_timeout_s=args.body_timeout, header_timeout_s=args.header_timeout, max_connections=args.max_connections,
        keep_alive_timeout_s=args.keep_alive_timeout,
    )
    try:
        check_bind_is_safe(settings)
        check_token(settings)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    service = AssessmentService(
        backend, queue_size=settings.queue_size, request_timeout_s=settings.request_timeout_s,
        workers=settings.workers, batch_window_ms=settings.batch_window_ms,
    )
    app = create_app(service, settings)
    log.info("serving backend %s on http://%s:%d", backend.name, settings.host, settings.port)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False,
                http=limited_protocol(settings.header_timeout_s, settings.max_connections),
                timeout_keep_alive=settings.keep_alive_timeout_s)
    return 0


def run_assess(args: argparse.Namespace, backend: Backend) -> int:
    try:
        data = args.recording.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {args.recording}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        request = prepare_request(data, args.text, native_language=args.native_language, limits=_limits(args))
        document = assess_now(backend, request)
    except AssessmentError as exc:
        print(f"error ({exc.code}): {exc.message}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(document.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(render_feedback(document, colour=sys.stdout.isatty()))
    return 0


def main(argv: list[str] | None = None) -> int:
    args, cls = parse_arguments(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    try:
        backend = cls.from_arguments(args)
    except ValueError as exc:  # inconsistent backend options: say which, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return run_serve(args, backend) if args.command == "serve" else run_assess(args, backend)
