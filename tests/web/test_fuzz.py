"""Fuzz the JSON API from its own OpenAPI document (schemathesis), on the sandbox.

- Invalid input (schemathesis' negative mode) on every operation: never a 5xx, and the
  sandbox's state is byte-for-byte the same afterwards.
- Valid input (positive mode): never a 5xx, and every response matches its documented schema,
  status code and content type.

Examples per operation are few on purpose (the whole suite must stay fast on two cores);
``ROOTCTL_FUZZ_EXAMPLES`` raises them for a deeper local run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode

from rootctl.sandbox import Sandbox

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("ROOTCTL_FUZZ_EXAMPLES", "12"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # the same cases every run: a failure here is reproducible
    suppress_health_check=list(HealthCheck),
)


def auth_headers(app: FastAPI) -> dict[str, str]:
    secrets = app.state.secrets
    return {
        "Cookie": f"{secrets.cookie_name}={secrets.session}",
        "X-CSRF-Token": secrets.csrf,
        "Host": "127.0.0.1",
    }


def operations(app: FastAPI) -> Iterator[Any]:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, headers=auth_headers(app))
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise AssertionError(f"the OpenAPI document is invalid: {result.err()}")
        yield result.ok()


def run(operation: Any, mode: GenerationMode, check: Any) -> None:
    @SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def each(case: Any) -> None:
        check(case)

    try:
        each()
    except Unsatisfiable:
        # Nothing to make invalid (an operation without parameters or body).
        if mode is not GenerationMode.NEGATIVE:
            raise


def test_invalid_input_never_errors_and_changes_nothing(app: FastAPI, sandbox: Sandbox) -> None:
    headers = auth_headers(app)
    before = sandbox.snapshot()
    seen: list[str] = []

    def check(case: Any) -> None:
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.as_curl_command(), response.text)
        seen.append(case.operation.label)

    for operation in operations(app):
        run(operation, GenerationMode.NEGATIVE, check)
    assert app.state.dashboard.jobs.wait_all(60)
    assert sandbox.snapshot() == before
    assert len(set(seen)) >= 10  # the document really was explored


def test_valid_input_never_errors_and_matches_the_documented_schema(app: FastAPI) -> None:
    headers = auth_headers(app)
    seen: set[str] = set()

    def check(case: Any) -> None:
        # Schema-valid is not always meaningful (an account id outside the organization, a
        # confirmation that does not match): those are 4xx by design, not failures.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
        seen.add(case.operation.label)

    for operation in operations(app):
        run(operation, GenerationMode.POSITIVE, check)
    assert app.state.dashboard.jobs.wait_all(120)
    failed = [j for j in app.state.dashboard.jobs.all() if j.error and "unexpected" in j.error]
    assert failed == []
    assert len(seen) >= 20
