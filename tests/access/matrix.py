"""The access matrix against the handlers: each handler's door, tried by every staff role.

A :class:`Door` names a handler, how to build a command for it (fresh things to act on are
made inside the trying unit of work, which is rolled back at the end; each role's try runs in a
SAVEPOINT rolled back after it) and, written out by hand, the roles the door lets through. :func:`let_through` tries the door as each role and
answers which roles got past the policy: a try is refused when the handler raises the
``forbidden`` access error, and let through otherwise (it succeeded, or failed later for a
reason that is not the policy's, such as a state conflict; any other exception is a broken
door and fails the test).

The tables are written by hand and not derived from the policy, so that a change to the
policy (or a handler that checks the wrong action or owner) fails a test. Every handler is a
door of some table or is listed in ``OPEN`` of ``test_matrix_covers_every_handler`` with why
it has no door; so the matrix covers the API, the pages and the CLI, which all call handlers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from creditbank.access.policy import AccessError, Principal
from creditbank.db import Database, UnitOfWork
from creditbank.errors import DomainError
from creditbank.institutions.model import Role

OWN, OTHER = "ALPHA-U", "BETA-VC"
EVERY_ROLE = frozenset(Role)
BANK_WIDE = frozenset({Role.BANK_ADMIN})
READERS = frozenset({Role.BANK_ADMIN, Role.AUDITOR})
RECORD_READERS = EVERY_ROLE - {Role.EMPLOYER}
"""Every role but the employer: an enterprise's staff read no learner's records (outcomes,
evidence, transcripts, progress, conversions, applications, sessions' candidates), even of a
learner who consents to their institution reading the record."""


@dataclass(frozen=True)
class Door:
    """One handler tried on one resource: ``command(uow)`` builds what is tried."""

    name: str
    handler: Callable[..., Any]
    command: Callable[[UnitOfWork], object]
    allowed: frozenset[Role]
    extra: dict[str, Any] | None = None  # further keyword dependencies of the handler


def _passes(door: Door, command: object, principal: Principal, uow: UnitOfWork) -> bool:
    try:
        door.handler(command, principal=principal, uow=uow, **(door.extra or {}))
    except AccessError as error:
        return error.code != "forbidden"
    except (DomainError, SQLAlchemyError):  # past the door: what failed is not the policy
        return True
    return True


def let_through(
    database: Database, principals: dict[Role, Principal], door: Door
) -> frozenset[Role]:
    """The roles that get past ``door``'s policy check.

    What the door acts on is built once, in a unit of work that is rolled back at the end;
    each role tries it inside a SAVEPOINT rolled back after the try, so every role meets the
    door as it was built, whatever the roles before it changed."""
    passed: set[Role] = set()
    with database.unit_of_work() as uow:
        try:
            command = door.command(uow)
            uow.session.flush()
            for role, principal in principals.items():
                attempt = uow.session.begin_nested()
                try:
                    if _passes(door, command, principal, uow):
                        passed.add(role)
                finally:
                    if attempt.is_active:
                        attempt.rollback()
        finally:
            uow.session.rollback()  # the door leaves the bank as it was
    return frozenset(passed)
