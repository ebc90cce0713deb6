"""Importing skills from a file: the bank administrators' use case.

The file is read whole first (a bad one is refused naming its line and column, before anything is
stored); then, under a lock on the imports (``LOCK TABLE`` on PostgreSQL, the write lock on
SQLite: two imports at once run one after the other, the second seeing the first's result), the
links are checked against the occupations the bank holds and the skills it holds or the file
gives, and each skill and link is added, changed or left as it is. An import that changes nothing
stores nothing, so importing a file again is harmless; one that changes something is recorded
with its provenance (source, version, licence, the file's sha256, when, by whom). Skills and links
the file does not list stay.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from creditbank.access.policy import Action, Principal, require
from creditbank.db import UnitOfWork, bulk_insert, hold_write_lock
from creditbank.messages import msg
from creditbank.occupations import api as occupations
from creditbank.skills.builtin import read_builtin
from creditbank.skills.commands import ImportSkills
from creditbank.skills.esco import read_esco_skills
from creditbank.skills.files import BUILTIN_FORMAT, ESCO_FORMAT, file_format, read_skills
from creditbank.skills.model import Link, SkillEntry, SkillsError, SkillsFile, bad_file
from creditbank.skills.tables import OccupationSkillRow, SkillImportRow, SkillRow
from creditbank.usecases import handler

PROVENANCE_LIMITS = {"source": 200, "version": 100, "licence": 1000, "file_name": 255}
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: the provenance row it stored (None: nothing changed), the file's
    sha256, how many skills it added, changed and found as they were, and how many links to
    occupations it added or changed."""

    import_id: int | None
    sha256: str
    added: int
    changed: int
    unchanged: int
    linked: int


@handler
def import_skills(command: ImportSkills, *, principal: Principal, uow: UnitOfWork) -> ImportReport:
    """Store the file's skills and links (bank administrators)."""
    require(principal, Action.IMPORT_SKILLS, None)
    _check_provenance(command)
    chosen = file_format(command.file_name, command.file_format)
    given = _read(command, chosen)
    session = uow.session
    _lock_imports(session)
    stored = _stored_skills(session)
    _check_links(uow, given, stored)
    added = [s for s in given.skills if s.uri not in stored]
    changed = [s for s in given.skills if s.uri in stored and stored[s.uri][1] != s]
    stored_links = _stored_links(session, {link.occupation for link in given.links})
    ids = {uri: number for uri, (number, _) in stored.items()}
    links = [
        link
        for link in given.links
        if link.uri not in ids
        or stored_links.get((link.occupation, ids[link.uri])) != (link.relation, link.importance)
    ]
    sha256 = hashlib.sha256(command.content).hexdigest()
    unchanged = len(given.skills) - len(added) - len(changed)
    if not added and not changed and not links:
        return ImportReport(None, sha256, 0, 0, unchanged, 0)
    row = SkillImportRow(
        source=command.source.strip(),
        version=command.version.strip(),
        licence=command.licence.strip(),
        file_name=command.file_name,
        sha256=sha256,
        imported_at=datetime.now(UTC),
        imported_by=principal.email,
        added=len(added),
        changed=len(changed),
        linked=len(links),
    )
    session.add(row)
    session.flush()
    ids |= _write_skills(session, row.id, added, changed, ids)
    _write_links(session, row.id, links, ids, stored_links)
    return ImportReport(row.id, sha256, len(added), len(changed), unchanged, len(links))


def _read(command: ImportSkills, chosen: str) -> SkillsFile:
    """The file read in its format: the bank's own, the built-in set's, ESCO's."""
    if chosen == BUILTIN_FORMAT:
        return read_builtin(command.content)
    if chosen == ESCO_FORMAT:
        return read_esco_skills(command.content, command.file_name)
    return read_skills(command.content, chosen)


def _check_provenance(command: ImportSkills) -> None:
    problems = [
        msg("The {field} of the file's provenance is missing.", field=field)
        for field in ("source", "version", "licence")
        if not str(getattr(command, field)).strip()
    ]
    problems += [
        msg("The {field} is longer than {n} characters.", field=field, n=limit)
        for field, limit in PROVENANCE_LIMITS.items()
        if len(str(getattr(command, field)).strip()) > limit
    ]
    if problems:
        raise SkillsError(
            "invalid_skills_file",
            msg("The skills file is not valid; nothing was imported."),
            problems,
        )


def _lock_imports(session: Session) -> None:
    """One import at a time: the later waits, then reads what the earlier stored."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE skill_imports IN SHARE ROW EXCLUSIVE MODE"))
    else:
        hold_write_lock(session)


def _stored_skills(session: Session) -> dict[str, tuple[int, SkillEntry]]:
    return {
        row.uri: (row.id, SkillEntry(row.uri, row.name, row.name_en, row.description, row.kind))
        for row in session.execute(
            select(
                SkillRow.id,
                SkillRow.uri,
                SkillRow.name,
                SkillRow.name_en,
                SkillRow.description,
                SkillRow.kind,
            )
        )
    }


def _stored_links(
    session: Session, codes: set[str]
) -> dict[tuple[str, int], tuple[str, Decimal | None]]:
    wanted = sorted(codes)
    found: dict[tuple[str, int], tuple[str, Decimal | None]] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = select(
            OccupationSkillRow.occupation_code,
            OccupationSkillRow.skill_id,
            OccupationSkillRow.relation,
            OccupationSkillRow.importance,
        ).where(OccupationSkillRow.occupation_code.in_(wanted[start : start + _CHUNK]))
        for code, skill_id, relation, importance in session.execute(query):
            found[code, skill_id] = (relation, importance)
    return found


def _check_links(
    uow: UnitOfWork, given: SkillsFile, stored: dict[str, tuple[int, SkillEntry]]
) -> None:
    """Every link names an occupation the bank holds and a skill it holds or the file gives;
    else the file is refused at the first such line."""
    known = occupations.known_codes(uow, {link.occupation for link in given.links})
    in_file = {skill.uri for skill in given.skills}
    problems: list[tuple[Link, str]] = []
    for link in given.links:
        if link.occupation not in known:
            problems.append((link, "occupation"))
        elif link.uri not in in_file and link.uri not in stored:
            problems.append((link, "uri"))
    if not problems:
        return
    problems.sort(key=lambda problem: problem[0].line)
    messages = [
        msg(
            "Line {line}, column occupation: the bank holds no occupation {code}.",
            line=link.line,
            code=link.occupation,
        )
        if column == "occupation"
        else msg(
            "Line {line}, column uri: the bank holds no skill {uri}.",
            line=link.line,
            uri=link.uri[:80],
        )
        for link, column in problems[:50]
    ]
    first, column = problems[0]
    raise bad_file(messages, first.line, column)


def _write_skills(
    session: Session,
    import_id: int,
    added: list[SkillEntry],
    changed: list[SkillEntry],
    ids: dict[str, int],
) -> dict[str, int]:
    """Store the added and changed skills; the ids of the added ones by URI."""
    bulk_insert(
        session,
        SkillRow,
        [
            {
                "uri": s.uri,
                "name": s.name,
                "name_en": s.name_en,
                "description": s.description,
                "kind": s.kind,
                "import_id": import_id,
            }
            for s in added
        ],
    )
    for skill in changed:
        session.execute(
            update(SkillRow)
            .where(SkillRow.id == ids[skill.uri])
            .values(
                name=skill.name,
                name_en=skill.name_en,
                description=skill.description,
                kind=skill.kind,
                import_id=import_id,
            )
        )
    new: dict[str, int] = {}
    uris = [s.uri for s in added]
    for start in range(0, len(uris), _CHUNK):
        query = select(SkillRow.uri, SkillRow.id).where(
            SkillRow.uri.in_(uris[start : start + _CHUNK])
        )
        new.update((uri, number) for uri, number in session.execute(query))
    return new


def _write_links(
    session: Session,
    import_id: int,
    links: list[Link],
    ids: dict[str, int],
    stored: dict[tuple[str, int], tuple[str, Decimal | None]],
) -> None:
    fresh = [link for link in links if (link.occupation, ids[link.uri]) not in stored]
    bulk_insert(
        session,
        OccupationSkillRow,
        [
            {
                "occupation_code": link.occupation,
                "skill_id": ids[link.uri],
                "relation": link.relation,
                "importance": link.importance,
                "import_id": import_id,
            }
            for link in fresh
        ],
    )
    for link in links:
        if (link.occupation, ids[link.uri]) in stored:
            session.execute(
                update(OccupationSkillRow)
                .where(
                    OccupationSkillRow.occupation_code == link.occupation,
                    OccupationSkillRow.skill_id == ids[link.uri],
                )
                .values(relation=link.relation, importance=link.importance, import_id=import_id)
            )
