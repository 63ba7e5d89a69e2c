"""Every route, driven by Schemathesis from the daemon's own OpenAPI schema against the real server.

What it pins: whatever the schema lets a client send (and what it does not, in negative mode), the
daemon answers with no 5xx, with a status the schema documents, and with a body that matches the
schema (the feedback document, or the error shape). The schema is the one the daemon serves, built
in-process at collection (Schemathesis' ``from_fixture`` loader fails under pytest 9); the requests
go to a real daemon over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from inference_daemon.app import create_app
from inference_daemon.audio import AudioLimits
from inference_daemon.service import AssessmentService
from inference_daemon.settings import DaemonSettings
from tests.support.daemon_process import running_daemon
from tests.support.scripted_backend import ScriptedBackend

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


LIMITS = AudioLimits(max_seconds=5, max_bytes=1024 * 1024)
schema = schemathesis.openapi.from_dict(
    create_app(AssessmentService(ScriptedBackend()), DaemonSettings(audio=LIMITS)).openapi()
)


@pytest.fixture(scope="module")
def daemon() -> Iterator[str]:
    with running_daemon("--max-audio-seconds", str(LIMITS.max_seconds), "--max-audio-mb", "1") as url:
        yield url


@schema.parametrize()
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
def test_every_route_answers_as_its_schema_says(daemon: str, case: schemathesis.Case) -> None:
    case.call_and_validate(base_url=daemon, checks=CHECKS)
