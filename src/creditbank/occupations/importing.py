"""Importing occupations from a file: the bank administrators' use case.

The file is read whole first (a bad one is refused naming its line and column, before anything is
stored); then, under a lock on the imports (``LOCK TABLE`` on PostgreSQL, the write lock on
SQLite: two imports at once run one after the other, the second seeing the first's result), each
occupation is added, changed (its aliases replaced) or left as it is. An import that changes
nothing stores nothing, so importing a file again is harmless; one that changes something is
recorded with its provenance (source, version, licence, the file's sha256, when, by whom).
Occupations the file does not list stay; those whose nearest group above the file now gives
(ESCO's occupations imported before its ISCO groups) are linked to it. ESCO's and O*NET's files
are read in their own formats (:mod:`creditbank.occupations.international`); their source and
licence default to theirs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from creditbank.access.policy import Action, Principal, require
from creditbank.db import UnitOfWork, bulk_insert, hold_write_lock
from creditbank.messages import msg
from creditbank.occupations.commands import ImportOccupations
from creditbank.occupations.files import file_format, read_occupations
from creditbank.occupations.model import (
    PROVENANCE_LIMITS,
    Level,
    Occupation,
    OccupationsError,
    bad_file,
    parent_codes,
    provenance_problems,
    with_default_provenance,
)
from creditbank.occupations.tables import OccupationAliasRow, OccupationImportRow, OccupationRow
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: the provenance row it stored (None: nothing changed), the file's
    sha256, and how many occupations it added, changed and found as they were."""

    import_id: int | None
    sha256: str
    added: int
    changed: int
    unchanged: int


@handler
def import_occupations(
    command: ImportOccupations, *, principal: Principal, uow: UnitOfWork
) -> ImportReport:
    """Store the file's occupations (bank administrators)."""
    require(principal, Action.IMPORT_OCCUPATIONS, None)
    chosen = file_format(command.file_name, command.file_format)
    command = with_default_provenance(command, chosen)
    _check_provenance(command)
    occupations = read_occupations(
        command.content, chosen, command.file_name, command.alternate_titles
    )
    session = uow.session
    _lock_imports(session)
    stored = stored_occupations(session)
    _check_uris(occupations, stored)
    added = [o for o in occupations if o.code not in stored]
    changed = [o for o in occupations if o.code in stored and not _same(stored[o.code], o)]
    digest = hashlib.sha256(command.content)
    if command.alternate_titles is not None:
        digest.update(command.alternate_titles)
    sha256 = digest.hexdigest()
    unchanged = len(occupations) - len(added) - len(changed)
    if not added and not changed:
        return ImportReport(None, sha256, 0, 0, unchanged)
    row = OccupationImportRow(
        source=command.source.strip(),
        version=command.version.strip(),
        licence=command.licence.strip(),
        file_name=command.file_name,
        sha256=sha256,
        imported_at=datetime.now(UTC),
        imported_by=principal.email,
        added=len(added),
        changed=len(changed),
    )
    session.add(row)
    session.flush()
    known = set(stored) | {o.code for o in occupations}
    _write(session, row.id, added, changed, known)
    listed = {o.code for o in occupations}
    _relink(session, [o for code, o in stored.items() if code not in listed], known)
    return ImportReport(row.id, sha256, len(added), len(changed), unchanged)


def _check_uris(occupations: list[Occupation], stored: dict[str, Occupation]) -> None:
    """A URI names one occupation: one the file gives twice, or the bank holds under another
    code, refuses the file (its place: the occupation's number in the file's order)."""
    held = {o.uri: o.code for o in stored.values() if o.uri}
    given: dict[str, str] = {}
    for number, occupation in enumerate(occupations, start=1):
        if not occupation.uri:
            continue
        other = given.setdefault(occupation.uri, occupation.code)
        if other == occupation.code:
            other = held.get(occupation.uri, occupation.code)
        if other != occupation.code:
            raise bad_file(
                [
                    msg(
                        "Occupation {code}: its URI names {other} in the bank already.",
                        code=occupation.code,
                        other=other,
                    )
                ],
                number,
                "uri",
            )


def _relink(session: Session, others: list[Occupation], known: set[str]) -> None:
    """Occupations the file did not list, linked to the nearest group above them now held."""
    if not others:
        return
    query = select(OccupationRow.code, OccupationRow.parent_code)
    parents: dict[str, str | None] = {row.code: row.parent_code for row in session.execute(query)}
    for occupation in others:
        present = [code for code in occupation.parents if code in known]
        nearest = present[-1] if present else None
        if occupation.code in parents and parents[occupation.code] != nearest:
            stored = session.get(OccupationRow, occupation.code)
            if stored is not None:
                stored.parent_code = nearest


def _check_provenance(command: ImportOccupations) -> None:
    problems = provenance_problems({field: getattr(command, field) for field in PROVENANCE_LIMITS})
    if problems:
        raise OccupationsError(
            "invalid_occupations_file",
            msg("The occupations file is not valid; nothing was imported."),
            problems,
        )


def _lock_imports(session: Session) -> None:
    """One import at a time: the later waits, then reads what the earlier stored."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE occupation_imports IN SHARE ROW EXCLUSIVE MODE"))
    else:
        hold_write_lock(session)


def stored_occupations(session: Session) -> dict[str, Occupation]:
    """Every stored occupation and group by code, with its aliases."""
    aliases: dict[str, list[str]] = {}
    for code, alias in session.execute(
        select(OccupationAliasRow.code, OccupationAliasRow.alias).order_by(OccupationAliasRow.id)
    ):
        aliases.setdefault(code, []).append(alias)
    return {
        row.code: Occupation(
            code=row.code,
            level=Level(row.level),
            name=row.name,
            name_en=row.name_en,
            marks=row.marks,
            definition=row.definition,
            tasks=row.tasks,
            aliases=tuple(aliases.get(row.code, ())),
            parents=parent_codes(row.code),
            uri=row.uri,
        )
        for row in session.scalars(select(OccupationRow))
    }


def _same(stored: Occupation, given: Occupation) -> bool:
    """Whether the file says what the bank holds (aliases in any order)."""
    return replace(stored, aliases=()) == replace(given, aliases=()) and set(stored.aliases) == set(
        given.aliases
    )


def _row(import_id: int, occupation: Occupation, known: set[str]) -> dict[str, object]:
    present = [code for code in occupation.parents if code in known]
    return {
        "code": occupation.code,
        "level": int(occupation.level),
        "name": occupation.name,
        "name_en": occupation.name_en,
        "marks": occupation.marks,
        "definition": occupation.definition,
        "tasks": occupation.tasks,
        "parent_code": present[-1] if present else None,
        "import_id": import_id,
        "uri": occupation.uri,
    }


def _write(
    session: Session,
    import_id: int,
    added: list[Occupation],
    changed: list[Occupation],
    known: set[str],
) -> None:
    bulk_insert(session, OccupationRow, [_row(import_id, o, known) for o in added])
    for occupation in changed:
        values = _row(import_id, occupation, known)
        stored = session.get(OccupationRow, occupation.code)
        if stored is not None:
            for name, value in values.items():
                setattr(stored, name, value)
    if changed:
        codes = [o.code for o in changed]
        session.execute(delete(OccupationAliasRow).where(OccupationAliasRow.code.in_(codes)))
    session.flush()
    bulk_insert(
        session,
        OccupationAliasRow,
        [{"code": o.code, "alias": alias} for o in (*added, *changed) for alias in o.aliases],
    )
