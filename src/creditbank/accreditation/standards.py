"""Competence standards and their units: import a version whole or not at all, read them.

Given a unit of work; never commit. Each unit of a standard becomes (or reuses) a catalogue
item of kind ``accreditation_unit`` owned by the importing institution, so that an accredited
unit is an outcome like any other and conversion rules can name it. The handlers at the end
check the access policy, then call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import NoResultFound

from creditbank.access.policy import Action, Principal, allowed, require
from creditbank.accreditation.commands import ImportStandard, ListStandards, ShowStandard
from creditbank.accreditation.model import (
    AccreditationError,
    Domain,
    EvidenceNeed,
    StandardDraft,
    Statement,
    UnitSpec,
    check_standard,
)
from creditbank.accreditation.schemes import (
    SchemeVersion,
    schemes_by_id,
    schemes_of_rows,
    store_scheme,
)
from creditbank.accreditation.tables import SchemeRow, StandardRow, StandardUnitRow
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.usecases import handler

# --- standards -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    id: int
    standard: str
    standard_version: int
    code: str
    name: str
    name_en: str
    item: catalog.CatalogItem
    level: frameworks.PinnedLevel
    credits: Decimal
    statements: tuple[Statement, ...]
    criteria: tuple[str, ...]
    evidence: tuple[EvidenceNeed, ...]
    scheme: SchemeVersion


@dataclass(frozen=True, slots=True)
class Standard:
    id: int
    institution: str
    code: str
    version: int
    name: str
    name_en: str
    industry: str
    occupation: str
    framework: str
    framework_version: int
    valid_from: date
    source_sha256: str
    units: tuple[Unit, ...]


def _latest_version(uow: UnitOfWork, code: str) -> StandardRow | None:
    return uow.session.scalar(
        select(StandardRow)
        .where(func.lower(StandardRow.code) == code.lower())
        .order_by(StandardRow.version.desc())
        .limit(1)
    )


def _unit_item(
    uow: UnitOfWork,
    *,
    institution: str,
    framework: str,
    unit: UnitSpec,
    pinned: frameworks.PinnedLevel,
    on: date,
) -> catalog.CatalogItem | Message:
    """The catalogue item of ``unit``: the institution's item of that code when it is the same
    unit (same kind, framework level and credits), a new one when there is none."""
    item = catalog.find_item(uow=uow, institution=institution, code=unit.code)
    if item is None:
        return catalog.add_item(
            uow=uow,
            draft=catalog.ItemDraft(
                institution=institution,
                code=unit.code,
                kind=catalog.ItemKind.ACCREDITATION_UNIT,
                name=unit.name,
                name_en=unit.name_en,
                framework=framework,
                levels=(unit.level,),
                credits=unit.credits,
            ),
            on=on,
        )
    same_level = [p.level.key for p in item.levels] == [pinned.level.key] and (
        item.framework == pinned.framework
    )
    if item.kind is not catalog.ItemKind.ACCREDITATION_UNIT or not same_level:
        return msg(
            "unit {code}: {institution} has an item {code} that is not this unit at this "
            "level; give a changed unit a new code",
            code=unit.code,
            institution=institution,
        )
    if item.credits != unit.credits:
        return msg(
            "unit {code}: its credits were {old} and cannot change; give a changed unit a new code",
            code=unit.code,
            old=str(item.credits),
        )
    return item


def import_standard(
    *,
    uow: UnitOfWork,
    draft: StandardDraft,
    institution: str,
    by: str,
    source_sha256: str,
    on: date,
) -> Standard:
    """Import a version of a competence standard, all its units or none; every problem is
    reported at once. Version 1 starts a standard; each later version is the next number and
    comes from the institution that owns the standard."""
    institution = institution.strip().upper()
    problems = check_standard(draft)
    latest = _latest_version(uow, draft.code)
    if latest is not None and latest.version >= draft.version:
        raise AccreditationError(
            "standard_exists",
            msg(
                "standard {code} has version {version} already; the next is {next}",
                code=latest.code,
                version=latest.version,
                next=latest.version + 1,
            ),
        )
    expected = 1 if latest is None else latest.version + 1
    if draft.version != expected:
        problems.append(
            msg("the next version of standard {code} is {next}", code=draft.code, next=expected)
        )
    owner_id = institutions.institution_id(uow=uow, code=institution)
    if latest is not None and latest.institution_id != owner_id:
        problems.append(msg("standard {code} belongs to another institution", code=latest.code))
    if problems:
        raise AccreditationError(
            "invalid_standard", msg("standard {code} is not valid", code=draft.code), problems
        )
    framework = draft.framework.strip().upper()
    valid_from = draft.valid_from or on
    pinned_units: list[tuple[UnitSpec, frameworks.PinnedLevel, catalog.CatalogItem]] = []
    for index, unit in enumerate(draft.units):
        try:
            pinned = frameworks.pin_level(
                uow=uow, ref=frameworks.LevelRef(framework, unit.level), on=valid_from
            )
        except frameworks.FrameworkError as error:
            problems.append(msg("units[{index}]: {problem}", index=index, problem=error.message))
            continue
        item = _unit_item(
            uow,
            institution=institution,
            framework=framework,
            unit=unit,
            pinned=pinned,
            on=valid_from,
        )
        if isinstance(item, catalog.CatalogItem):
            pinned_units.append((unit, pinned, item))
        else:
            problems.append(item)
    if problems:
        raise AccreditationError(
            "invalid_standard", msg("standard {code} is not valid", code=draft.code), problems
        )
    versions = {p.version for _, p, _ in pinned_units}
    row = StandardRow(
        institution_id=owner_id,
        code=draft.code if latest is None else latest.code,  # one spelling for all versions
        version=draft.version,
        name=draft.name.strip(),
        name_en=draft.name_en.strip(),
        industry=draft.industry.strip(),
        occupation=draft.occupation.strip(),
        framework=framework,
        framework_version=max(versions),
        valid_from=valid_from,
        source_sha256=source_sha256,
        imported_by=by,
        imported_at=datetime.now(UTC),
    )
    uow.session.add(row)
    uow.session.flush()
    for position, (unit, pinned, item) in enumerate(pinned_units):
        scheme = store_scheme(
            uow=uow, item_id=item.id, level_id=pinned.level_id, scheme=unit.scheme, by=by
        )
        uow.session.add(
            StandardUnitRow(
                standard_id=row.id,
                position=position,
                code=unit.code,
                name=unit.name.strip(),
                name_en=unit.name_en.strip(),
                item_id=item.id,
                framework_level_id=pinned.level_id,
                credits=unit.credits,
                statements=[
                    {"domain": s.domain.value, "text": s.text, "text_en": s.text_en}
                    for s in unit.statements
                ],
                criteria=list(unit.criteria),
                evidence=[
                    {"kind": e.kind, "description": e.description, "required": e.required}
                    for e in unit.evidence
                ],
                scheme_id=scheme.id,
            )
        )
    uow.session.flush()
    return _standard(uow, row)


def _units(
    uow: UnitOfWork,
    rows: list[StandardUnitRow],
    standard: StandardRow,
    scheme_rows: list[SchemeRow] | None = None,
) -> list[Unit]:
    """The units of these rows of ``standard``; their schemes from ``scheme_rows`` when the
    caller read them with the units, else read."""
    schemes = (
        schemes_by_id(uow, {u.scheme_id for u in rows})
        if scheme_rows is None
        else schemes_of_rows(uow, scheme_rows)
    )
    items = catalog.items_by_id(uow=uow, item_ids=[u.item_id for u in rows])
    # A unit's level is one its item is awarded at (the item was made or checked for it at
    # import), pinned already with the item; the others are read.
    levels = {pinned.level_id: pinned for item in items.values() for pinned in item.levels}
    levels.update(
        frameworks.pinned_levels(
            uow=uow,
            level_ids={u.framework_level_id for u in rows} - set(levels),
        )
    )
    return [
        Unit(
            id=u.id,
            standard=standard.code,
            standard_version=standard.version,
            code=u.code,
            name=u.name,
            name_en=u.name_en,
            item=items[u.item_id],
            level=levels[u.framework_level_id],
            credits=u.credits,
            statements=tuple(
                Statement(Domain(s["domain"]), s["text"], s.get("text_en", ""))
                for s in u.statements
            ),
            criteria=tuple(u.criteria),
            evidence=tuple(
                EvidenceNeed(e["kind"], e["description"], bool(e.get("required", True)))
                for e in u.evidence
            ),
            scheme=schemes[u.scheme_id],
        )
        for u in rows
    ]


def _standard(uow: UnitOfWork, row: StandardRow) -> Standard:
    units = list(
        uow.session.scalars(
            select(StandardUnitRow)
            .where(StandardUnitRow.standard_id == row.id)
            .order_by(StandardUnitRow.position)
        )
    )
    return Standard(
        id=row.id,
        institution=institutions.institution_codes(uow=uow)[row.institution_id],
        code=row.code,
        version=row.version,
        name=row.name,
        name_en=row.name_en,
        industry=row.industry,
        occupation=row.occupation,
        framework=row.framework,
        framework_version=row.framework_version,
        valid_from=row.valid_from,
        source_sha256=row.source_sha256,
        units=tuple(_units(uow, units, row)),
    )


def get_standard(*, uow: UnitOfWork, code: str, version: int | None = None) -> Standard:
    """A standard's version (the newest without ``version``)."""
    query = select(StandardRow).where(func.lower(StandardRow.code) == code.strip().lower())
    if version is not None:
        query = query.where(StandardRow.version == version)
    row = uow.session.scalar(query.order_by(StandardRow.version.desc()).limit(1))
    if row is None:
        raise AccreditationError(
            "standard_not_found",
            msg("there is no standard {code}", code=code)
            if version is None
            else msg("standard {code} has no version {version}", code=code, version=version),
        )
    return _standard(uow, row)


def list_standards(*, uow: UnitOfWork) -> list[Standard]:
    """The newest version of every standard, by code."""
    newest = (
        select(StandardRow.code, func.max(StandardRow.version).label("version"))
        .group_by(StandardRow.code)
        .subquery()
    )
    rows = uow.session.scalars(
        select(StandardRow)
        .join(
            newest,
            (newest.c.code == StandardRow.code) & (newest.c.version == StandardRow.version),
        )
        .order_by(StandardRow.code)
    )
    return [_standard(uow, row) for row in rows]


def find_unit(*, uow: UnitOfWork, standard: str, unit: str, version: int | None = None) -> Unit:
    """Unit ``unit`` of a standard's version (the newest without ``version``)."""
    found = get_standard(uow=uow, code=standard, version=version)
    for candidate in found.units:
        if candidate.code.casefold() == unit.strip().casefold():
            return candidate
    raise AccreditationError(
        "unit_not_found",
        msg(
            "standard {code} version {version} has no unit {unit}",
            code=found.code,
            version=found.version,
            unit=unit,
        ),
    )


def unit_by_id(*, uow: UnitOfWork, unit_id: int) -> Unit:
    found = uow.session.execute(
        select(StandardUnitRow, StandardRow, SchemeRow)
        .join(StandardRow, StandardRow.id == StandardUnitRow.standard_id)
        .join(SchemeRow, SchemeRow.id == StandardUnitRow.scheme_id)
        .where(StandardUnitRow.id == unit_id)
    ).one_or_none()
    if found is None:  # as get_one says it
        raise NoResultFound(f"no standard unit {unit_id}")
    row, standard, scheme = found
    [unit] = _units(uow, [row], standard, [scheme])
    return unit


# --- handlers ----------------------------------------------------------------------------------


@handler
def show_standards(
    query: ListStandards, *, principal: Principal, uow: UnitOfWork
) -> list[Standard]:
    """Every staff user reads the standards."""
    del query, principal  # no owner: standards are public to the bank's staff
    return list_standards(uow=uow)


@handler
def show_standard(query: ShowStandard, *, principal: Principal, uow: UnitOfWork) -> Standard:
    """Every staff user reads a standard."""
    del principal
    return get_standard(uow=uow, code=query.code, version=query.version)


@handler
def import_standard_version(
    command: ImportStandard, *, principal: Principal, uow: UnitOfWork
) -> Standard:
    """Import for the named institution, else the acting user's; bank administrators name it."""
    owner = (command.institution or principal.institution or "").strip().upper() or None
    if owner is None and allowed(principal, Action.IMPORT_STANDARD, None):
        raise AccreditationError(
            "invalid_standard",
            msg("name the institution that owns the standard with --institution"),
        )
    require(principal, Action.IMPORT_STANDARD, owner)
    assert owner is not None  # noqa: S101 (require refuses every principal for no owner)
    return import_standard(
        uow=uow,
        draft=command.draft,
        institution=owner,
        by=principal.email,
        source_sha256=command.source_sha256,
        on=command.on,
    )
