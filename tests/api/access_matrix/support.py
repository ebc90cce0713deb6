"""What the access matrix's modules share: the two institutions, the staff, the world's shape,
and :func:`run_matrix`, which tries every role (and no token) on every row of a table.

Each role's client is made once per module (``clients`` in this package's conftest) rather
than per request: a client costs an SSL context (about 0.07 s of CPU) whether it is used or
not, and the request it sends is the same. Cookies are cleared before every call, so each call
is still sent as by a client of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

import httpx2

from creditbank.accounts.model import LearningSetting, OutcomeFacts
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import UnitOfWork
from creditbank.institutions.model import Role

OWN, OTHER = "ALPHA-U", "BETA-VC"
PDF = b"%PDF-1.7\n"


@dataclass(frozen=True)
class Staff:
    role: Role
    token: str


@dataclass(frozen=True)
class World:
    """Fresh things to act on, one per call: an institution's outcome, a grant of its course."""

    make_outcome: Callable[[str], str]
    make_grant: Callable[[str], int]
    evidence: dict[str, str]  # institution -> the hash of a file only it uploaded


def add_course_at_both(uow: UnitOfWork, code: str, on: date) -> None:
    """A 2-credit course ``code`` at LOFOUC level 5 in the catalogue of both institutions."""
    for owner in (OWN, OTHER):
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution=owner,
                code=code,
                kind=ItemKind.COURSE,
                name="课程",
                framework="LOFOUC",
                levels=("5",),
                credits=Decimal(2),
            ),
            on=on,
        )


def other_than(code: str) -> str:
    return OTHER if code == OWN else OWN


def facts(record_id: str) -> OutcomeFacts:
    return OutcomeFacts(
        record_id=record_id,
        item_code="MATRIX-101",
        level="5",
        credits=Decimal(2),
        score=None,
        assessed_on=date(2024, 1, 1),
        setting=LearningSetting.FORMAL,
    )


ADMIN, REGISTRAR, ASSESSOR, OFFICER, AUDITOR = (
    Role.BANK_ADMIN,
    Role.REGISTRAR,
    Role.ASSESSOR,
    Role.ACCREDITATION_OFFICER,
    Role.AUDITOR,
)

EMPLOYER = Role.EMPLOYER

EVERYONE = {ADMIN, REGISTRAR, ASSESSOR, OFFICER, AUDITOR, EMPLOYER}
RECORD_READERS = EVERYONE - {EMPLOYER}
"""Every role but the employer: an enterprise's staff read no learner's records (outcomes,
evidence, applications), though they read institutions, the catalogue and standards."""

ANONYMOUS = None
"""The key of the client without a token in :func:`clients`' answer."""


def as_(staff: Staff, bank: str) -> httpx2.Client:
    return httpx2.Client(
        base_url=bank,
        timeout=10,
        headers={"Authorization": f"Bearer {staff.token}", "Accept-Language": "en"},
    )


def clients(staff: Mapping[Role, Staff], bank: str) -> dict[Role | None, httpx2.Client]:
    """A client per role, and one without a token (key :data:`ANONYMOUS`)."""
    made: dict[Role | None, httpx2.Client] = {
        role: as_(person, bank) for role, person in staff.items()
    }
    made[ANONYMOUS] = httpx2.Client(base_url=bank, timeout=10, headers={"Accept-Language": "en"})
    return made


def fresh(client: httpx2.Client) -> httpx2.Client:
    """``client`` as if new: no cookie from an earlier answer goes with the next request."""
    client.cookies.clear()
    return client


T = TypeVar("T")


class Kept:
    """What a row's calls act on (an outcome, a grant, an application in some state): made for
    the row's first call, and acted on again by the row's next calls until one of them
    succeeds; then, and on the next row, a fresh one is made.

    A refused call (401, 403) changes nothing, so the next role finds the thing in the state
    the row needs, as a fresh one would be; a call that succeeds may change it (a revoked
    outcome, an assigned application), so the next call gets a fresh one. Were a refusal to
    succeed, the row fails on that call anyway. ``reads`` names the endpoints that change
    nothing even when they succeed (a GET of an outcome): their row keeps one thing throughout.
    """

    def __init__(self, reads: Collection[str] = ()) -> None:
        self._reads = frozenset(reads)
        self._row: tuple[str, str] | None = None
        self._things: dict[tuple[object, ...], object] = {}

    def start(self, endpoint: str, owner: str) -> None:
        """A call of row (``endpoint``, ``owner``) is about to be made."""
        if self._row != (endpoint, owner):
            self._row = (endpoint, owner)
            self._things.clear()

    def get(self, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """The row's thing of ``key``, made by ``make`` if the row has none (or spent it)."""
        if key not in self._things:
            self._things[key] = make()
        return self._things[key]  # type: ignore[return-value]

    def seen(self, response: httpx2.Response) -> None:
        """The answer to the row's call: after a success (of a call that is not a read), the
        next call gets fresh things."""
        if response.is_success and self._row is not None and self._row[0] not in self._reads:
            self._things.clear()


Call = Callable[[httpx2.Client, str, str, int], httpx2.Response]
"""A row's request: (client, endpoint, owner "own"/"other"/"none", serial) -> the answer."""


def run_matrix(
    expected: Mapping[tuple[str, str], set[Role]],
    by_role: Mapping[Role | None, httpx2.Client],
    call: Call,
    refused_by_service: Mapping[tuple[str, str], Mapping[Role, str]] | None = None,
    kept: Kept | None = None,
) -> None:
    """Every row of ``expected`` as every role, then without a token: the roles of the row
    succeed (200, 201, or 404 for a deposit), every other role gets 403 (the policy's
    /problems/forbidden unless ``refused_by_service`` names another problem), no token 401.
    ``kept``, if the calls use one, learns of each row and answer."""
    kept = kept or Kept()
    serial = 0
    for (endpoint, owner), permitted in expected.items():
        for role, client in by_role.items():
            if role is ANONYMOUS:
                continue
            serial += 1
            kept.start(endpoint, owner)
            response = call(fresh(client), endpoint, owner, serial)
            kept.seen(response)
            if role in permitted:
                assert response.status_code in {200, 201, 404}, (
                    endpoint,
                    owner,
                    role,
                    response.text,
                )
                assert response.status_code != 404 or endpoint == "deposit"
            else:
                assert response.status_code == 403, (endpoint, owner, role, response.text)
                refusal = (
                    (refused_by_service or {}).get((endpoint, owner), {}).get(role, "forbidden")
                )
                assert response.json()["type"] == f"/problems/{refusal}", (endpoint, owner, role)
        kept.start(endpoint, owner)
        response = call(fresh(by_role[ANONYMOUS]), endpoint, owner, serial)
        kept.seen(response)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
