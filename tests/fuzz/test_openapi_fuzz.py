"""A bounded property-based fuzz run over the published OpenAPI document, on both databases.

Schemathesis reads ``/openapi.json`` from the live bank (uvicorn on loopback) and, for every
operation, generates requests that fit the document (positive) and requests that break it
(negative), sent with a bank administrator's and a registrar's API token. Every answer must be
no 5xx, match the response schema and the media type the document declares, and carry a status
the document names. The run is bounded and repeatable: a fixed number of examples per operation,
mode and token, derandomised (the same cases every run), no example database.

A failure is recorded, not raised, so that one run lists every operation that misbehaves (one
line per operation and check, with a curl command to reproduce it) instead of stopping at the
first; the test then fails with that list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests.conftest import LiveBank

# Examples per operation, generation mode and token: 81 operations x 2 modes x 2 tokens x this.
EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
SERVER_ERROR = 500


@dataclass
class FuzzRun:
    """What one run sent and what went wrong (one entry per operation, check and status)."""

    cases: int = 0
    server_errors: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, label: str, status: int, group: FailureGroup | None) -> None:
        with self.lock:
            self.cases += 1
            if status >= SERVER_ERROR:
                self.server_errors += 1
            for failure in group.exceptions if group is not None else ():
                key = f"{label} [{failure.title}]"
                self.failures.setdefault(key, str(group))


@pytest.fixture(scope="module")
def tokens(live_bank: LiveBank) -> dict[str, str]:
    """A bank administrator's and a registrar's API tokens."""
    with live_bank.database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="FUZZ-U", name="模糊测试大学", type=InstitutionType.UNIVERSITY
        )
        institutions.add_user(uow=uow, email="admin@fuzz.example", role=Role.BANK_ADMIN)
        institutions.add_user(
            uow=uow, email="registrar@fuzz.example", role=Role.REGISTRAR, institution="FUZZ-U"
        )
        return {
            "bank_admin": institutions.create_token(uow=uow, email="admin@fuzz.example").secret,
            "registrar": institutions.create_token(uow=uow, email="registrar@fuzz.example").secret,
        }


def _operations(schema: Any) -> Iterator[Any]:
    for result in schema.get_all_operations():
        yield result.ok()


def _run_operation(
    operation: Any, mode: GenerationMode, token: str, url: str, run: FuzzRun
) -> None:
    label = f"{operation.method.upper()} {operation.path} ({mode.value})"

    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Any) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        response = case.call(base_url=url, headers=headers, timeout=30)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            run.record(label, response.status_code, group)
        else:
            run.record(label, response.status_code, None)

    try:
        send()
    except hypothesis.errors.Unsatisfiable:
        # Nothing to break (no parameters, no body): the negative mode has no case to send.
        if mode is GenerationMode.POSITIVE:
            raise


def fuzz(url: str, tokens: dict[str, str], select: Callable[[Any], bool] = bool) -> FuzzRun:
    """Every operation the bank publishes, both modes, both tokens; what happened."""
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    run = FuzzRun()
    for operation in _operations(schema):
        if not select(operation):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for token in tokens.values():
                _run_operation(operation, mode, token, url, run)
    return run


def test_no_request_makes_a_server_error_or_breaks_the_published_schema(
    live_bank: LiveBank, tokens: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    run = fuzz(live_bank.url, tokens)
    with capsys.disabled():
        print(  # noqa: T201 - the figures of the run belong in the test log
            f"\nfuzz: {run.cases} cases, {run.server_errors} server errors, "
            f"{len(run.failures)} operations x checks failing"
        )
    assert run.cases > 0
    assert not run.failures, "\n".join(
        f"{key}\n{report}" for key, report in sorted(run.failures.items())
    )
    assert run.server_errors == 0
