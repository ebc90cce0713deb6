"""Importing skills from a file: the bank administrators' use case.

The file is read whole first (a bad one is refused naming its line and column, before anything is
stored); then, under a lock on the imports (``LOCK TABLE`` on PostgreSQL, the write lock on
SQLite: two imports at once run one after the other, the second seeing the first's result), the
links are checked against the occupations the bank holds and the skills it holds or the file
gives, and each skill and link is added, changed or left as it is. An import that changes nothing
stores nothing, so importing a file again is harmless; one that changes something is recorded
with its provenance (source, version, licence, the file's sha256, when, by whom). Skills and links
the file does not list stay. ESCO's files (skills; occupation-skill relations, whose occupations
are found by their URI) and O*NET's ratings files are read in their own formats; their source and
licence default to theirs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
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
from creditbank.skills.esco import OCCUPATION_COLUMN, SKILL_COLUMN, read_esco_skills
from creditbank.skills.files import (
    BUILTIN_FORMAT,
    ESCO_FORMAT,
    ONET_FORMAT,
    file_format,
    read_skills,
)
from creditbank.skills.model import Link, SkillEntry, SkillsError, SkillsFile, bad_file
from creditbank.skills.onet import CODE as ONET_CODE_COLUMN
from creditbank.skills.onet import ELEMENT as ONET_ELEMENT_COLUMN
from creditbank.skills.onet import read_onet_ratings
from creditbank.skills.tables import OccupationSkillRow, SkillImportRow, SkillRow
from creditbank.usecases import handler

COLUMNS = {
    ESCO_FORMAT: (OCCUPATION_COLUMN, SKILL_COLUMN),
    ONET_FORMAT: (ONET_CODE_COLUMN, ONET_ELEMENT_COLUMN),
}
"""The columns a format names a link's occupation and skill in (the bank's own: occupation, uri)."""
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
    chosen = file_format(command.file_name, command.file_format)
    command = occupations.with_default_provenance(command, chosen)
    _check_provenance(command)
    given = _read(command, chosen)
    session = uow.session
    _lock_imports(session)
    stored = _stored_skills(session)
    if chosen == ESCO_FORMAT:
        given = _esco_occupations(uow, given)
    _check_links(uow, given, stored, COLUMNS.get(chosen, ("occupation", "uri")))
    added = [s for s in given.skills if s.uri not in stored]
    changed = [s for s in given.skills if s.uri in stored and stored[s.uri][1] != s]
    stored_links = _stored_links(session, {link.occupation for link in given.links})
    ids = {uri: number for uri, (number, _) in stored.items()}
    links = [
        link
        for link in given.links
        if link.uri not in ids
        or stored_links.get((link.occupation, ids[link.uri]))
        != (link.relation, link.importance, link.level)
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
    if chosen == ONET_FORMAT:
        return read_onet_ratings(command.content)
    return read_skills(command.content, chosen)


def _esco_occupations(uow: UnitOfWork, given: SkillsFile) -> SkillsFile:
    """ESCO's relations name occupations by URI: the links with the codes the bank holds them
    under; a URI it does not hold refuses the file at its first line."""
    if not given.links:
        return given
    codes = occupations.codes_by_uri(uow, {link.occupation for link in given.links})
    unknown = [link for link in given.links if link.occupation not in codes]
    if unknown:
        unknown.sort(key=lambda link: link.line)
        raise bad_file(
            [
                msg(
                    "Line {line}, column {column}: the bank holds no occupation {code}.",
                    line=link.line,
                    column=OCCUPATION_COLUMN,
                    code=link.occupation[:80],
                )
                for link in unknown[:50]
            ],
            unknown[0].line,
            OCCUPATION_COLUMN,
        )
    return SkillsFile(
        given.skills,
        tuple(replace(link, occupation=codes[link.occupation]) for link in given.links),
    )


def _check_provenance(command: ImportSkills) -> None:
    problems = occupations.provenance_problems(
        {field: getattr(command, field) for field in occupations.PROVENANCE_LIMITS}
    )
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
) -> dict[tuple[str, int], tuple[str, Decimal | None, Decimal | None]]:
    wanted = sorted(codes)
    found: dict[tuple[str, int], tuple[str, Decimal | None, Decimal | None]] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = select(
            OccupationSkillRow.occupation_code,
            OccupationSkillRow.skill_id,
            OccupationSkillRow.relation,
            OccupationSkillRow.importance,
            OccupationSkillRow.level,
        ).where(OccupationSkillRow.occupation_code.in_(wanted[start : start + _CHUNK]))
        for code, skill_id, relation, importance, level in session.execute(query):
            found[code, skill_id] = (relation, importance, level)
    return found


def _check_links(
    uow: UnitOfWork,
    given: SkillsFile,
    stored: dict[str, tuple[int, SkillEntry]],
    columns: tuple[str, str],
) -> None:
    """Every link names an occupation the bank holds and a skill it holds or the file gives;
    else the file is refused at the first such line (``columns``: where the file names them)."""
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
    if columns != ("occupation", "uri"):
        _refuse_foreign_links(problems, columns)
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


def _refuse_foreign_links(problems: list[tuple[Link, str]], columns: tuple[str, str]) -> None:
    """The refusal of ESCO's or O*NET's links, naming the file's own columns."""
    occupation_column, skill_column = columns
    messages = [
        msg(
            "Line {line}, column {column}: the bank holds no occupation {code}.",
            line=link.line,
            column=occupation_column,
            code=link.occupation,
        )
        if column == "occupation"
        else msg(
            "Line {line}, column {column}: the bank holds no skill {uri}.",
            line=link.line,
            column=skill_column,
            uri=link.uri[:80],
        )
        for link, column in problems[:50]
    ]
    first, column = problems[0]
    raise bad_file(
        messages, first.line, occupation_column if column == "occupation" else skill_column
    )


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
    stored: dict[tuple[str, int], tuple[str, Decimal | None, Decimal | None]],
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
                "level": link.level,
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
                .values(
                    relation=link.relation,
                    importance=link.importance,
                    level=link.level,
                    import_id=import_id,
                )
            )
