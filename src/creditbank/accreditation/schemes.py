"""Assessment schemes: how one level of an item (a unit of a standard, an X certificate's
level) is assessed, component by component, and with which pass marks.

Given a unit of work; never commit. A scheme belongs to one level of one item; a new scheme
for the same level is a new version, and an assessment records the version it used. The
handler :func:`define_scheme` checks who may set a scheme (the item owner's staff).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from creditbank.access.policy import Action, Principal, require
from creditbank.accreditation.commands import SetScheme
from creditbank.accreditation.model import (
    AccreditationError,
    ComponentKind,
    Scheme,
    SchemeComponent,
    check_scheme,
)
from creditbank.accreditation.tables import SchemeComponentRow, SchemeRow
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.kept import KeptModels
from creditbank.messages import msg
from creditbank.usecases import handler


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


# A scheme version never changes once stored (a changed scheme is a new version, a new row), so
# its model is kept between calls, as framework versions are (creditbank/kept.py): every read of
# an application names its unit's scheme and its marks' scheme, and the components were a query
# each time. The key holds the row's item, level, version and time of creation as well as its
# id: a version inserted by a transaction that rolled back can leave its id to another.
_SchemeKey = tuple[int, int, int, int, datetime]
_SCHEME_MODELS: KeptModels[_SchemeKey, SchemeVersion] = KeptModels(1024)


def _scheme_key(row: SchemeRow) -> _SchemeKey:
    return (row.id, row.item_id, row.framework_level_id, row.version, row.created_at)


def schemes_by_id(uow: UnitOfWork, scheme_ids: set[int]) -> dict[int, SchemeVersion]:
    """The scheme versions with these row ids: the rows in one query, and the components of
    those not kept yet in another."""
    if not scheme_ids:
        return {}
    rows = list(uow.session.scalars(select(SchemeRow).where(SchemeRow.id.in_(scheme_ids))))
    return schemes_of_rows(uow, rows)


def schemes_of_rows(uow: UnitOfWork, rows: list[SchemeRow]) -> dict[int, SchemeVersion]:
    """The scheme versions of these rows (read by the caller with what names them), by row
    id: the kept ones, and the others with their components read in one query."""
    found: dict[int, SchemeVersion] = {}
    for row in rows:
        kept = _SCHEME_MODELS.get(_scheme_key(row))
        if kept is not None:
            found[row.id] = kept
    missing = {row.id for row in rows} - set(found)
    if not missing:
        return found
    components: dict[int, list[SchemeComponentRow]] = {scheme_id: [] for scheme_id in missing}
    for component in uow.session.scalars(
        select(SchemeComponentRow).where(SchemeComponentRow.scheme_id.in_(missing))
    ):
        components[component.scheme_id].append(component)
    for row in rows:
        if row.id in missing:
            found[row.id] = _SCHEME_MODELS.keep(
                _scheme_key(row), _scheme_of(row, components[row.id])
            )
    return found


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


def owned_item(uow: UnitOfWork, ref: str) -> catalog.CatalogItem:
    owner, code = catalog.split_item_ref(ref)
    item = None if owner is None else catalog.find_item(uow=uow, institution=owner, code=code)
    if item is None:
        raise AccreditationError(
            "item_not_found", msg("there is no item {ref} (name it as OWNER:CODE)", ref=ref)
        )
    return item


def item_level(item: catalog.CatalogItem, level: str) -> frameworks.PinnedLevel:
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
    item = owned_item(uow, item_ref)
    pinned = item_level(item, level)
    return store_scheme(uow=uow, item_id=item.id, level_id=pinned.level_id, scheme=scheme, by=by)


def item_owner(*, uow: UnitOfWork, item_ref: str) -> str:
    """The institution that owns item ``OWNER:CODE`` (for the access check)."""
    return owned_item(uow, item_ref).institution


@dataclass(frozen=True, slots=True)
class SchemeSet:
    """A scheme as set: the item (``OWNER:CODE``) and level as the catalogue spells them."""

    item: str
    level: str
    scheme: SchemeVersion


@handler
def define_scheme(command: SetScheme, *, principal: Principal, uow: UnitOfWork) -> SchemeSet:
    """Set the scheme of one level of an item (its owner's registrars and accreditation
    officers, bank administrators): a new version unless it is the same."""
    require(principal, Action.DEFINE_SCHEME, item_owner(uow=uow, item_ref=command.item_ref))
    stored = set_scheme(
        uow=uow,
        item_ref=command.item_ref,
        level=command.level,
        scheme=command.scheme,
        by=principal.email,
    )
    item = owned_item(uow, command.item_ref)
    found = item.level_named(command.level)
    level = found.level.code if isinstance(found, frameworks.PinnedLevel) else command.level
    return SchemeSet(f"{item.institution}:{item.code}", level, stored)
