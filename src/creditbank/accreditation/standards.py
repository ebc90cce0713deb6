"""Use cases of the yardsticks of accreditation: competence standards and their units,
assessment schemes, and the certification of teachers and assessors.

Given a unit of work; never commit. A standard version is imported whole or not at all;
each of its units becomes (or reuses) a catalogue item of kind ``accreditation_unit`` owned
by the importing institution, so that an accredited unit is an outcome like any other and
conversion rules can name it. A scheme belongs to one level of one item; a new scheme for
the same level is a new version, and an assessment records the version it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, or_, select

from creditbank.accounts import api as accounts
from creditbank.accreditation.model import (
    AccreditationError,
    ComponentKind,
    Domain,
    EvidenceNeed,
    Scheme,
    SchemeComponent,
    StandardDraft,
    Statement,
    UnitSpec,
    check_scheme,
    check_standard,
)
from creditbank.accreditation.tables import (
    CertificationRow,
    SchemeComponentRow,
    SchemeRow,
    StandardRow,
    StandardUnitRow,
)
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg

# --- schemes ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchemeVersion:
    """A stored scheme: which item and level it assesses, its version, and the scheme."""

    id: int
    item_id: int
    level_id: int
    version: int
    scheme: Scheme


def _scheme_of(row: SchemeRow, components: list[SchemeComponentRow]) -> SchemeVersion:
    return SchemeVersion(
        row.id,
        row.item_id,
        row.framework_level_id,
        row.version,
        Scheme(
            tuple(
                SchemeComponent(ComponentKind(c.kind), c.weight, c.pass_mark)
                for c in sorted(components, key=lambda c: c.position)
            ),
            row.pass_mark,
        ),
    )


def schemes_by_id(uow: UnitOfWork, scheme_ids: set[int]) -> dict[int, SchemeVersion]:
    if not scheme_ids:
        return {}
    rows = list(uow.session.scalars(select(SchemeRow).where(SchemeRow.id.in_(scheme_ids))))
    components: dict[int, list[SchemeComponentRow]] = {row.id: [] for row in rows}
    for component in uow.session.scalars(
        select(SchemeComponentRow).where(SchemeComponentRow.scheme_id.in_(scheme_ids))
    ):
        components[component.scheme_id].append(component)
    return {row.id: _scheme_of(row, components[row.id]) for row in rows}


def scheme_by_id(uow: UnitOfWork, scheme_id: int) -> SchemeVersion:
    return schemes_by_id(uow, {scheme_id})[scheme_id]


def current_scheme(*, uow: UnitOfWork, item_id: int, level_id: int) -> SchemeVersion | None:
    """The newest scheme version of one level of an item, if it has one."""
    scheme_id = uow.session.scalar(
        select(SchemeRow.id)
        .where(SchemeRow.item_id == item_id, SchemeRow.framework_level_id == level_id)
        .order_by(SchemeRow.version.desc())
        .limit(1)
    )
    return None if scheme_id is None else scheme_by_id(uow, scheme_id)


def store_scheme(
    *, uow: UnitOfWork, item_id: int, level_id: int, scheme: Scheme, by: str
) -> SchemeVersion:
    """Keep ``scheme`` for one level of an item: the current version when it is the same, a new
    version otherwise. The caller has checked the scheme and who may set it."""
    current = current_scheme(uow=uow, item_id=item_id, level_id=level_id)
    if current is not None and current.scheme == scheme:
        return current
    row = SchemeRow(
        item_id=item_id,
        framework_level_id=level_id,
        version=1 if current is None else current.version + 1,
        pass_mark=scheme.pass_mark,
        created_by=by,
        created_at=datetime.now(UTC),
    )
    uow.session.add(row)
    uow.session.flush()
    components = [
        SchemeComponentRow(
            scheme_id=row.id,
            position=position,
            kind=component.kind.value,
            weight=component.weight,
            pass_mark=component.pass_mark,
        )
        for position, component in enumerate(scheme.components)
    ]
    uow.session.add_all(components)
    uow.session.flush()
    return _scheme_of(row, components)


def _owned_item(uow: UnitOfWork, ref: str) -> catalog.CatalogItem:
    owner, code = catalog.split_item_ref(ref)
    item = None if owner is None else catalog.find_item(uow=uow, institution=owner, code=code)
    if item is None:
        raise AccreditationError(
            "item_not_found", msg("there is no item {ref} (name it as OWNER:CODE)", ref=ref)
        )
    return item


def _item_level(item: catalog.CatalogItem, level: str) -> frameworks.PinnedLevel:
    found = item.level_named(level)
    if isinstance(found, frameworks.PinnedLevel):
        return found
    raise AccreditationError("level_not_found", found)


def set_scheme(
    *, uow: UnitOfWork, item_ref: str, level: str, scheme: Scheme, by: str
) -> SchemeVersion:
    """Set the assessment scheme of level ``level`` of item ``OWNER:CODE`` (e.g. an X
    certificate's intermediate level). The caller checks that ``by`` may, for the owner."""
    problems = check_scheme(scheme)
    if problems:
        raise AccreditationError("invalid_scheme", msg("the scheme is not valid"), problems)
    item = _owned_item(uow, item_ref)
    pinned = _item_level(item, level)
    return store_scheme(uow=uow, item_id=item.id, level_id=pinned.level_id, scheme=scheme, by=by)


def item_owner(*, uow: UnitOfWork, item_ref: str) -> str:
    """The institution that owns item ``OWNER:CODE`` (for the access check)."""
    return _owned_item(uow, item_ref).institution


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


def _units(uow: UnitOfWork, rows: list[StandardUnitRow], standard: StandardRow) -> list[Unit]:
    schemes = schemes_by_id(uow, {u.scheme_id for u in rows})
    levels = frameworks.pinned_levels(uow=uow, level_ids=[u.framework_level_id for u in rows])
    items = {
        item.id: item
        for item in catalog.items_where(
            uow, catalog.CatalogItemRow.id.in_({u.item_id for u in rows})
        )
    }
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
    row = uow.session.get_one(StandardUnitRow, unit_id)
    standard = uow.session.get_one(StandardRow, row.standard_id)
    [unit] = _units(uow, [row], standard)
    return unit


# --- certifications --------------------------------------------------------------------------


class CertificationKind:
    TEACHER = "teacher"
    ASSESSOR = "assessor"
    ALL = (TEACHER, ASSESSOR)


@dataclass(frozen=True, slots=True)
class Certification:
    id: int
    email: str
    institution: str | None
    kind: str
    item: str
    """``OWNER:CODE``."""
    level: str | None
    """A level code, or None for every level of the item."""
    valid_from: date
    valid_until: date
    training: str
    certified_by: str

    def covers(self, on: date) -> bool:
        return self.valid_from <= on <= self.valid_until


def certify(
    *,
    uow: UnitOfWork,
    cipher: accounts.PersonalDataCipher,
    email: str,
    kind: str,
    item_ref: str,
    level: str | None,
    id_number: str,
    valid_from: date,
    valid_until: date,
    training: str,
    by: str,
) -> Certification:
    """Certify a staff user as a teacher or an assessor of an item (one level, or all). An
    assessor must hold the assessor role. The person's identity number is kept only as its
    index (HMAC), so that nobody is ever assigned to assess their own application."""
    problems: list[Message] = []
    if kind not in CertificationKind.ALL:
        problems.append(msg("a certification is as teacher or as assessor, not {kind}", kind=kind))
    if valid_until < valid_from:
        problems.append(msg("a certification cannot end before it starts"))
    if not training.strip():
        problems.append(msg("say which training led to the certification"))
    try:
        person = accounts.parse_id_number(id_number)
    except accounts.AccountError as error:
        problems.append(error.message)
        person = None
    principal = institutions.principal_or_none(uow=uow, email=email)
    if principal is None:
        problems.append(msg("there is no user {email}", email=email))
    elif kind == CertificationKind.ASSESSOR and principal.role is not institutions.Role.ASSESSOR:
        problems.append(
            msg(
                "{email} is a {role}; only an assessor can be certified to assess",
                email=email,
                role=principal.role.value,
            )
        )
    item = _owned_item(uow, item_ref)
    pinned = None if level is None else _item_level(item, level)
    if problems or principal is None or person is None:
        raise AccreditationError(
            "invalid_certification", msg("the certification cannot be made"), problems
        )
    row = CertificationRow(
        user_id=principal.user_id,
        kind=kind,
        item_id=item.id,
        framework_level_id=None if pinned is None else pinned.level_id,
        person_hmac=cipher.index(person.index_key),
        valid_from=valid_from,
        valid_until=valid_until,
        training=training.strip(),
        certified_by=by,
        certified_at=datetime.now(UTC),
    )
    uow.session.add(row)
    uow.session.flush()
    return _certifications(uow, CertificationRow.id == row.id)[0]


def _certifications(uow: UnitOfWork, *where: ColumnElement[bool]) -> list[Certification]:
    rows = list(
        uow.session.scalars(select(CertificationRow).where(*where).order_by(CertificationRow.id))
    )
    users = institutions.users_by_id(uow=uow, user_ids={r.user_id for r in rows})
    items = {
        item.id: item
        for item in catalog.items_where(
            uow, catalog.CatalogItemRow.id.in_({r.item_id for r in rows})
        )
    }
    levels = frameworks.pinned_levels(
        uow=uow, level_ids=[r.framework_level_id for r in rows if r.framework_level_id]
    )
    return [
        Certification(
            id=r.id,
            email=users[r.user_id].email,
            institution=users[r.user_id].institution,
            kind=r.kind,
            item=f"{items[r.item_id].institution}:{items[r.item_id].code}",
            level=None if r.framework_level_id is None else levels[r.framework_level_id].level.code,
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            training=r.training,
            certified_by=r.certified_by,
        )
        for r in rows
    ]


def certifications_of(*, uow: UnitOfWork, user_id: int) -> list[Certification]:
    return _certifications(uow, CertificationRow.user_id == user_id)


def certifications_for(*, uow: UnitOfWork, item_id: int) -> list[Certification]:
    return _certifications(uow, CertificationRow.item_id == item_id)


def certified(
    *, uow: UnitOfWork, user_id: int, kind: str, item_id: int, level_id: int, on: date
) -> CertificationRow | None:
    """The certification that makes ``user_id`` a ``kind`` of this item's level on ``on``."""
    return uow.session.scalar(
        select(CertificationRow)
        .where(
            CertificationRow.user_id == user_id,
            CertificationRow.kind == kind,
            CertificationRow.item_id == item_id,
            or_(
                CertificationRow.framework_level_id.is_(None),
                CertificationRow.framework_level_id == level_id,
            ),
            CertificationRow.valid_from <= on,
            CertificationRow.valid_until >= on,
        )
        .order_by(CertificationRow.valid_until.desc())
        .limit(1)
    )
