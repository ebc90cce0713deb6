"""A bounded property-based fuzz run over the published OpenAPI document, on both databases.

Schemathesis reads ``/openapi.json`` from the live bank (uvicorn on loopback) and, for every
operation, generates requests that fit the document (positive) and requests that break it
(negative), sent with a bank administrator's and a registrar's API token. The bank holds a
small world (tests/conversion_world.py: two institutions, courses, an X certificate, programmes,
an approved rule, a learner with an outcome), and a third run fills each path parameter that
names one of its things (institution code, account number, outcome id, rule id, record id)
with a real one, so that answers are not only 404s. Every answer must be
no 5xx, match the response schema and the media type the document declares, and carry a status
the document names. The run is bounded and repeatable: a fixed number of examples per operation,
mode and token, derandomised (the same cases every run), no example database.

A failure is recorded, not raised, so that one run lists every operation that misbehaves (one
line per operation and check, with a curl command to reproduce it) instead of stopping at the
first; the test then fails with that list.

Drawing the cases costs more than sending them (about two thirds of the run's CPU, and a
negative run on an operation with nothing to break draws some 460 rejected cases before
hypothesis gives up), and, derandomised, it draws the same cases from the same document
whatever the answers are (the test never fails inside hypothesis). So each operation's cases
are drawn once per mode and set of real path values (:func:`_drawn`, kept across the module's
backends for a document of the same digest) and sent with each token, in the same order:
exactly the cases that drawing them again for each token and backend sent before. The requests of a run share one
``requests.Session`` (one connection kept alive, its cookies cleared before each request, no
look-up of proxies in the environment: the bank is on loopback). The document is read by
schemathesis once per digest (the second backend publishes the same one).

The negative mode of an operation with nothing schemathesis can break (23 of the 81: a path
parameter any string fits, no query, no body) is not drawn: schemathesis rejects every case of
it, and hypothesis drew about 460 rejected cases (0.5-1.2 s of CPU) before giving up with no
case to send, 12 of the 19 s the drawing cost. :func:`_nothing_to_break` asks schemathesis' own
choice of places to break, which needs no drawing (checked against a run that drew them: the
same 23, each without a case).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi._hypothesis import _draw_negated_locations
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from creditbank.institutions import service as institutions
from tests import conversion_world as world
from tests.conftest import LiveBank

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn

# Examples per operation, run and token: about 80 operations x 3 runs x 2 tokens x this.
EXAMPLES = 5
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
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, label: str, status: int, group: FailureGroup | None) -> None:
        with self.lock:
            self.cases += 1
            self.statuses[status] += 1
            if status >= SERVER_ERROR:
                self.server_errors += 1
            for failure in group.exceptions if group is not None else ():
                key = f"{label} [{failure.title}]"
                self.failures.setdefault(key, str(group))


@dataclass(frozen=True)
class FuzzBank:
    """The bank under fuzzing: its URL, two API tokens and the path values of real things."""

    url: str
    tokens: dict[str, str]
    known: dict[str, str]


@pytest.fixture(scope="module")
def fuzz_bank(live_bank: LiveBank) -> FuzzBank:
    """The conversion world, a bank administrator's and SHVC's registrar's tokens."""
    with live_bank.database.unit_of_work() as uow:
        users = world.build(uow)
        rule_id = world.approved(uow, users, world.x_certificate_rule(), "SHVC")
        account = world.learner(uow, 1)
        outcome = world.deposit(
            uow, account, institution="BIMTEO", item="BIM-X", level="intermediate", record="X-1"
        )
        tokens = {
            "bank_admin": institutions.create_token(uow=uow, email=world.ADMINS[0]).secret,
            "registrar": institutions.create_token(uow=uow, email=world.SHVC_REGISTRAR).secret,
        }
    known = {
        "code": "SHVC",
        "number": account,
        "public_id": outcome,
        "outcome_id": outcome,
        "rule_id": str(rule_id),
        "record_id": "X-1",
    }
    return FuzzBank(live_bank.url, tokens, known)


def _operations(schema: Any) -> Iterator[Any]:
    for result in schema.get_all_operations():
        yield result.ok()


_DRAWN: dict[tuple[str, str], list[Any]] = {}
"""(digest of the document, what was drawn) -> the cases, in the order hypothesis drew them."""


class _Breakable(Exception):  # noqa: N818 - a signal, not an error
    """Raised by :func:`_nothing_to_break`'s draw: schemathesis found a place to break."""


def _nothing_to_break(operation: Any, path_parameters: dict[str, str] | None) -> bool:
    """Whether schemathesis has no place to break in ``operation`` (no query or cookie
    parameter, no path or header parameter it can make invalid, no body it can negate).

    Its negative strategy then falls back to valid values everywhere and rejects every case it
    draws (``openapi_cases``: "a negative case with no negated values"), so hypothesis draws
    about 460 of them before it gives up (``Unsatisfiable``): zero cases, always, at about 0.7 s
    of CPU an operation. schemathesis' own choice of the places to break
    (``_draw_negated_locations``) says so without drawing: it draws only once it has a
    place, and returns ``None`` when it has none.
    """

    def draw(*_: object, **__: object) -> Any:
        raise _Breakable

    explicit: dict[ParameterLocation, dict[str, str] | None] = {
        ParameterLocation.PATH: path_parameters,
        ParameterLocation.HEADER: None,
        ParameterLocation.COOKIE: None,
        ParameterLocation.QUERY: None,
    }
    try:
        nowhere = _draw_negated_locations(
            cast("DrawFn", draw),
            operation,
            GenerationMode.NEGATIVE,
            explicit=explicit,
            body_is_generated=True,
        )
    except _Breakable:
        return False
    return nowhere is None


def _drawn(
    operation: Any, mode: GenerationMode, digest: str, path_parameters: dict[str, str] | None
) -> list[Any]:
    """The cases hypothesis draws for ``operation`` in ``mode`` (with these real path values),
    bounded and derandomised: drawn on first use, then the same list."""
    key = (digest, f"{operation.method} {operation.path} {mode.value} {path_parameters!r}")
    if key in _DRAWN:
        return _DRAWN[key]
    cases: list[Any] = []
    if mode is GenerationMode.NEGATIVE and _nothing_to_break(operation, path_parameters):
        _DRAWN[key] = cases  # what drawing gives: every case rejected, none to send
        return cases

    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def draw(case: Any) -> None:
        cases.append(case)

    try:
        draw()
    except hypothesis.errors.Unsatisfiable:
        # Nothing to break (no parameters, no body): the negative mode has no case to send.
        if mode is GenerationMode.POSITIVE:
            raise
    _DRAWN[key] = cases
    return cases


def _run_operation(  # noqa: PLR0917 - one run of one operation
    operation: Any,
    mode: GenerationMode,
    token: str,
    bank: tuple[str, str, requests.Session],
    run: FuzzRun,
    path_parameters: dict[str, str] | None = None,
) -> None:
    """Every case drawn for ``operation`` in ``mode``, sent with ``token`` to the bank (its
    URL, the digest of its document, the run's session)."""
    url, digest, session = bank
    label = f"{operation.method.upper()} {operation.path} ({mode.value})"
    if path_parameters:
        label += " with real " + ", ".join(sorted(path_parameters))
    cases = _drawn(operation, mode, digest, path_parameters)
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    for case in cases:
        session.cookies.clear()
        response = case.call(base_url=url, session=session, headers=headers, timeout=30)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            run.record(label, response.status_code, group)
        else:
            run.record(label, response.status_code, None)


_SCHEMAS: dict[str, Any] = {}
"""Digest of a published document -> schemathesis' reading of it (read once per document)."""


def fuzz(bank: FuzzBank) -> FuzzRun:
    """Every operation the bank publishes, both modes, both tokens; what happened."""
    run = FuzzRun()
    with requests.Session() as session:
        session.trust_env = False  # loopback: no proxy, .netrc or CA bundle to look up per request
        published = session.get(f"{bank.url}/openapi.json", timeout=30)
        published.raise_for_status()
        digest = hashlib.sha256(published.content).hexdigest()
        if digest not in _SCHEMAS:
            _SCHEMAS[digest] = schemathesis.openapi.from_url(f"{bank.url}/openapi.json")
        schema = _SCHEMAS[digest]
        where = (bank.url, digest, session)
        for operation in _operations(schema):
            names = re.findall(r"{(\w+)}", operation.path)
            real = {name: bank.known[name] for name in names if name in bank.known}
            for token in bank.tokens.values():
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    _run_operation(operation, mode, token, where, run)
                if real:
                    _run_operation(operation, GenerationMode.POSITIVE, token, where, run, real)
    return run


def test_no_request_makes_a_server_error_or_breaks_the_published_schema(
    fuzz_bank: FuzzBank, capsys: pytest.CaptureFixture[str]
) -> None:
    run = fuzz(fuzz_bank)
    with capsys.disabled():
        print(  # noqa: T201 - the figures of the run belong in the test log
            f"\nfuzz: {run.cases} cases, {run.server_errors} server errors, "
            f"{len(run.failures)} operations x checks failing; statuses: "
            + ", ".join(f"{status}: {count}" for status, count in sorted(run.statuses.items()))
        )
    assert run.cases > 0
    assert not run.failures, "\n".join(
        f"{key}\n{report}" for key, report in sorted(run.failures.items())
    )
    assert run.server_errors == 0
