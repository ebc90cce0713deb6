"""Programmes as stored: defining one (every problem named), reading them back, their owner.

The handlers of :mod:`creditbank.conversion.programmes` and :mod:`creditbank.conversion.views`
call these; they are given a unit of work and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from creditbank.catalog import api as catalog
from creditbank.catalog.model import split_item_ref
from creditbank.conversion import records
from creditbank.conversion.model import (
    CAP_SETTINGS,
    Caps,
    Component,
    ConversionError,
    LevelBar,
    Programme,
    check_programme,
)
from creditbank.conversion.tables import ProgrammeComponentRow, ProgrammeRow
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import Message, msg


@dataclass(frozen=True, slots=True)
class ProgrammeSpec:
    """A programme as an institution defines it: items as ``OWNER:CODE`` (or a bare code of
    its own), the minimum level as (framework, level)."""

    code: str
    institution: str
    item: str
    name: str
    total_credits: Decimal
    components: tuple[Component, ...] = ()
    category_credits: dict[str, Decimal] | None = None
    min_level: tuple[str, str] | None = None
    caps: Caps = field(default_factory=Caps)
    reverse_on_withdrawal: bool = False
    name_en: str = ""


def item_of(uow: UnitOfWork, ref: str, *, default_owner: str) -> catalog.CatalogItem | None:
    owner, code = split_item_ref(ref)
    try:
        return catalog.find_item(uow=uow, institution=owner or default_owner, code=code)
    except institutions.InstitutionError:
        return None


def item_ref(item: catalog.CatalogItem) -> str:
    return f"{item.institution}:{item.code}"


def level_bar(uow: UnitOfWork, framework: str, level: str) -> LevelBar:
    found = frameworks.get_framework(uow=uow, code=framework)
    pinned = found.level(level)
    return LevelBar(found.code, pinned.code, pinned.track, pinned.rank)


def create_programme(*, uow: UnitOfWork, spec: ProgrammeSpec, by: str) -> Programme:
    """Define a programme that credits can be converted into; every problem is named."""
    session = uow.session
    institution = spec.institution.strip().upper()
    institution_id = institutions.institution_id(uow=uow, code=institution)
    problems: list[Message] = []
    item = item_of(uow, spec.item, default_owner=institution)
    if item is None:
        problems.append(msg("there is no catalogue item {code}", code=spec.item))
    components: list[tuple[Component, int | None]] = []
    for component in spec.components:
        component_item = None
        if component.item:
            component_item = item_of(uow, component.item, default_owner=institution)
            if component_item is None:
                problems.append(msg("there is no catalogue item {code}", code=component.item))
        components.append(
            (
                replace(component, item=item_ref(component_item) if component_item else None),
                component_item.id if component_item else None,
            )
        )
    bar: LevelBar | None = None
    level_id: int | None = None
    if spec.min_level is not None:
        framework, level = spec.min_level
        try:
            bar = level_bar(uow, framework, level)
            level_id = frameworks.pin_level(
                uow=uow, ref=frameworks.LevelRef(framework, level), on=date.max
            ).level_id
        except frameworks.FrameworkError as error:
            problems.append(error.message)
    programme = Programme(
        code=spec.code.strip(),
        institution=institution,
        name=spec.name.strip(),
        name_en=spec.name_en.strip(),
        total_credits=spec.total_credits,
        components=tuple(component for component, _ in components),
        category_credits=dict(spec.category_credits or {}),
        min_level=bar,
        caps=spec.caps,
        reverse_on_withdrawal=spec.reverse_on_withdrawal,
    )
    problems.extend(check_programme(programme))
    if session.scalar(select(ProgrammeRow.id).where(ProgrammeRow.code == programme.code)):
        problems.append(msg("programme {code} exists already", code=programme.code))
    if problems or item is None:
        raise ConversionError(
            "invalid_programme",
            msg("programme {code} cannot be defined", code=spec.code),
            problems,
        )
    row = ProgrammeRow(
        **_cap_columns(spec.caps),
        code=programme.code,
        institution_id=institution_id,
        item_id=item.id,
        name=programme.name,
        name_en=programme.name_en,
        total_credits=programme.total_credits,
        category_credits={key: str(value) for key, value in programme.category_credits.items()},
        min_level_id=level_id,
        reverse_on_withdrawal=programme.reverse_on_withdrawal,
        created_by=by,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    session.add_all(
        ProgrammeComponentRow(
            programme_id=row.id,
            position=position,
            code=component.code,
            name=component.name,
            credits=component.credits,
            category=component.category,
            mandatory=component.mandatory,
            item_id=item_id,
        )
        for position, (component, item_id) in enumerate(components)
    )
    session.flush()
    ledger.append(uow, records.programme_facts(uow, [row]))
    return programme_of(uow, row)


def _cap_columns(caps: Caps) -> dict[str, Decimal | None]:
    """Each setting of the caps is stored in the column ``cap_<setting>`` of ``programmes``."""
    return {f"cap_{name}": getattr(caps, name) for name in CAP_SETTINGS}


def _caps_of(row: ProgrammeRow) -> Caps:
    return Caps(**{name: getattr(row, f"cap_{name}") for name in CAP_SETTINGS})


def programme_row(uow: UnitOfWork, code: str) -> ProgrammeRow:
    row = uow.session.scalar(select(ProgrammeRow).where(ProgrammeRow.code == code.strip()))
    if row is None:
        raise ConversionError(
            "programme_not_found", msg("there is no programme {code}", code=code.strip())
        )
    return row


def item_refs(uow: UnitOfWork, item_ids: Iterable[int]) -> dict[int, str]:
    wanted = set(item_ids)
    if not wanted:
        return {}
    names = catalog.item_names(uow=uow, item_ids=wanted)
    return {id_: f"{name.owner}:{name.code}" for id_, name in names.items()}


def programme_of(uow: UnitOfWork, row: ProgrammeRow) -> Programme:
    components = list(
        uow.session.scalars(
            select(ProgrammeComponentRow)
            .where(ProgrammeComponentRow.programme_id == row.id)
            .order_by(ProgrammeComponentRow.position)
        )
    )
    refs = item_refs(uow, [c.item_id for c in components if c.item_id is not None])
    bar = None
    if row.min_level_id is not None:
        pinned = frameworks.pinned_level(uow=uow, level_id=row.min_level_id)
        bar = LevelBar(pinned.framework, pinned.level.code, pinned.level.track, pinned.level.rank)
    return Programme(
        code=row.code,
        institution=institutions.institution_codes(uow=uow)[row.institution_id],
        name=row.name,
        name_en=row.name_en,
        total_credits=row.total_credits,
        components=tuple(
            Component(
                code=c.code,
                name=c.name,
                credits=c.credits,
                category=c.category,
                mandatory=c.mandatory,
                item=refs.get(c.item_id) if c.item_id is not None else None,
            )
            for c in components
        ),
        category_credits={key: Decimal(value) for key, value in row.category_credits.items()},
        min_level=bar,
        caps=_caps_of(row),
        reverse_on_withdrawal=row.reverse_on_withdrawal,
    )


def get_programme(*, uow: UnitOfWork, code: str) -> Programme:
    return programme_of(uow, programme_row(uow, code))


def list_programmes(*, uow: UnitOfWork, institution: str | None = None) -> list[Programme]:
    query = select(ProgrammeRow).order_by(ProgrammeRow.code)
    if institution is not None:
        query = query.where(
            ProgrammeRow.institution_id == institutions.institution_id(uow=uow, code=institution)
        )
    return [programme_of(uow, row) for row in uow.session.scalars(query)]


def programme_owner(*, uow: UnitOfWork, code: str) -> str:
    """The code of the institution that runs programme ``code``."""
    row = programme_row(uow, code)
    return institutions.institution_codes(uow=uow)[row.institution_id]
