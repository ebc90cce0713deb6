"""Reading the occupations: the search and one occupation by its code. Public: the classification
is a published one, nothing in it is personal, and learners and employers look jobs up in it
without an account (the importer's e-mail, the only personal datum, is not shown)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.db import UnitOfWork
from creditbank.messages import msg
from creditbank.occupations.commands import SearchOccupations, ShowOccupation
from creditbank.occupations.importing import stored_occupations
from creditbank.occupations.model import Occupation, OccupationsError, is_code
from creditbank.occupations.search import Hit, OccupationIndex, index_for
from creditbank.occupations.tables import OccupationImportRow, OccupationRow
from creditbank.usecases import handler

MAX_QUERY = 200
MAX_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Source:
    """The provenance of an occupation or a skill: the import that last set it."""

    source: str
    version: str
    licence: str
    file_name: str
    sha256: str
    imported_at: datetime


@dataclass(frozen=True, slots=True)
class Related:
    """A group above, or an occupation or group below, by code and name."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class OccupationDetail:
    """An occupation or group with the groups above it and what lies directly below it."""

    occupation: Occupation
    parents: tuple[Related, ...]
    children: tuple[Related, ...]
    source: Source


@handler
def show_occupation(
    query: ShowOccupation, *, principal: Principal | LearnerPrincipal | None, uow: UnitOfWork
) -> OccupationDetail:
    """Public: one occupation or group by its code."""
    del principal
    session = uow.session
    row = session.get(OccupationRow, query.code) if is_code(query.code) else None
    if row is None:
        raise OccupationsError(
            "unknown_occupation", msg("No occupation has code {code}.", code=query.code[:20])
        )
    stored = stored_occupations(session)
    occupation = stored[row.code]
    parents = tuple(
        Related(code, stored[code].name) for code in occupation.parents if code in stored
    )
    children = tuple(
        Related(child.code, child.name)
        for child in session.scalars(
            select(OccupationRow)
            .where(OccupationRow.parent_code == row.code)
            .order_by(OccupationRow.code)
        )
    )
    source = session.get_one(OccupationImportRow, row.import_id)
    return OccupationDetail(
        occupation=occupation,
        parents=parents,
        children=children,
        source=Source(
            source=source.source,
            version=source.version,
            licence=source.licence,
            file_name=source.file_name,
            sha256=source.sha256,
            imported_at=source.imported_at,
        ),
    )


@handler
def search_occupations(
    query: SearchOccupations, *, principal: Principal | LearnerPrincipal | None, uow: UnitOfWork
) -> list[Hit]:
    """Public: the occupations and groups that best match ``query.q``, best first."""
    del principal
    q = " ".join(query.q.split())
    problems = []
    if not q:
        problems.append(msg("Say what to search for."))
    if len(q) > MAX_QUERY:
        problems.append(msg("A search is at most {n} characters.", n=MAX_QUERY))
    if not 1 <= query.limit <= MAX_LIMIT:
        problems.append(msg("The limit is between 1 and {n}.", n=MAX_LIMIT))
    if problems:
        raise OccupationsError(
            "invalid_occupation_search", msg("The search cannot be made."), problems
        )
    return occupation_index(uow).search(q, query.limit)


def occupation_index(uow: UnitOfWork) -> OccupationIndex:
    """The process's index of the occupations the unit of work's database holds (built again
    when its imports change)."""
    session = uow.session
    return index_for(
        str(session.get_bind().engine.url),
        _fingerprint(session),
        lambda: list(stored_occupations(session).values()),
    )


def _fingerprint(session: Session) -> Hashable:
    """What the stored occupations were made by: every import's id and file hash."""
    return tuple(
        (number, sha256)
        for number, sha256 in session.execute(
            select(OccupationImportRow.id, OccupationImportRow.sha256).order_by(
                OccupationImportRow.id
            )
        )
    )
