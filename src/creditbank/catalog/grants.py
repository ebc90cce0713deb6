"""Use cases of "accredited to issue" grants, and what an institution may deposit outcomes of.

Given a unit of work; never commit. An item's owner grants another institution
the right to issue the item for assessments from ``valid_from`` (and up to
``valid_until`` when set); the grant is withdrawn by recording when, never by
deleting it. A depositor may deposit outcomes of its own items and of the items
it holds a grant for that is not withdrawn and covers the outcome's assessment
date (the day the learning was assessed, not the day it is deposited: a late
deposit of an assessment made under a grant is still good, and a grant does
not reach back to assessments made before it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, or_, select

from creditbank.catalog import records
from creditbank.catalog.model import (
    CatalogError,
    CatalogItem,
    GrantWindow,
    Issuable,
    ItemKind,
    check_grant,
    split_item_ref,
)
from creditbank.catalog.service import find_item, items_where
from creditbank.catalog.tables import CatalogGrantRow, CatalogItemRow
from creditbank.db import UnitOfWork, for_update
from creditbank.institutions import api as institutions
from creditbank.ledger.api import LogKind
from creditbank.messages import msg


@dataclass(frozen=True, slots=True)
class Grant:
    id: int
    owner: str
    item_code: str
    institution: str
    window: GrantWindow
    granted_by: str
    granted_at: datetime
    withdrawn_by: str | None
    withdrawn_at: datetime | None


def _grant(row: CatalogGrantRow, item: CatalogItem, codes: dict[int, str]) -> Grant:
    return Grant(
        id=row.id,
        owner=item.institution,
        item_code=item.code,
        institution=codes[row.grantee_id],
        window=GrantWindow(row.valid_from, row.valid_until),
        granted_by=row.granted_by,
        granted_at=row.granted_at,
        withdrawn_by=row.withdrawn_by,
        withdrawn_at=row.withdrawn_at,
    )


def _owned_item(uow: UnitOfWork, owner: str, code: str) -> CatalogItem:
    item = find_item(uow=uow, institution=owner, code=code)
    if item is None:
        raise CatalogError(
            "item_not_found",
            msg(
                "{institution} has no catalogue item {code}",
                institution=owner.strip().upper(),
                code=code,
            ),
        )
    return item


def grant_item(
    *,
    uow: UnitOfWork,
    owner: str,
    code: str,
    grantee: str,
    valid_from: date,
    valid_until: date | None,
    by: str,
) -> Grant:
    """Accredit ``grantee`` to issue ``owner``'s item ``code`` for assessments in the window."""
    session = uow.session
    item = _owned_item(uow, owner, code)
    grantee_id = institutions.institution_id(uow=uow, code=grantee)
    codes = institutions.institution_codes(uow=uow)
    window = GrantWindow(valid_from, valid_until)
    problems = check_grant(owner=item.institution, grantee=codes[grantee_id], window=window)
    if problems:
        raise CatalogError(
            "invalid_grant", msg("the grant of {code} is not valid", code=item.code), problems
        )
    active = session.scalars(
        select(CatalogGrantRow).where(
            CatalogGrantRow.item_id == item.id,
            CatalogGrantRow.grantee_id == grantee_id,
            CatalogGrantRow.withdrawn_at.is_(None),
        )
    )
    for existing in active:
        if GrantWindow(existing.valid_from, existing.valid_until).overlaps(window):
            raise CatalogError(
                "grant_exists",
                msg(
                    "{institution} is accredited to issue {code} already (grant {id}, {window}); "
                    "withdraw that grant first",
                    institution=codes[grantee_id],
                    code=item.code,
                    id=existing.id,
                    window=str(GrantWindow(existing.valid_from, existing.valid_until)),
                ),
            )
    row = CatalogGrantRow(
        item_id=item.id,
        grantee_id=grantee_id,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by=by,
        granted_at=datetime.now(UTC),
        withdrawn_by=None,
        withdrawn_at=None,
    )
    session.add(row)
    session.flush()
    records.log_grant(uow, row, LogKind.GRANT_GRANTED)
    return _grant(row, item, codes)


def list_grants(*, uow: UnitOfWork, owner: str, code: str) -> list[Grant]:
    """Every grant of ``owner``'s item ``code``, withdrawn ones too, oldest first."""
    item = _owned_item(uow, owner, code)
    codes = institutions.institution_codes(uow=uow)
    rows = uow.session.scalars(
        select(CatalogGrantRow)
        .where(CatalogGrantRow.item_id == item.id)
        .order_by(CatalogGrantRow.id)
    )
    return [_grant(row, item, codes) for row in rows]


def every_grant(*, uow: UnitOfWork, institution: str | None = None) -> list[Grant]:
    """Every grant, withdrawn ones too, the latest first; with ``institution``, those of its
    items and those it holds."""
    codes = institutions.institution_codes(uow=uow)
    query = select(CatalogGrantRow).order_by(CatalogGrantRow.id.desc())
    if institution is not None:
        institution_id = institutions.institution_id(uow=uow, code=institution)
        owned = select(CatalogItemRow.id).where(CatalogItemRow.institution_id == institution_id)
        query = query.where(
            (CatalogGrantRow.grantee_id == institution_id) | CatalogGrantRow.item_id.in_(owned)
        )
    rows = list(uow.session.scalars(query))
    if not rows:
        return []
    items = {
        item.id: item
        for item in items_where(uow, CatalogItemRow.id.in_({row.item_id for row in rows}))
    }
    return [_grant(row, items[row.item_id], codes) for row in rows]


def _grant_row(uow: UnitOfWork, grant_id: int) -> CatalogGrantRow:
    row = uow.session.get(CatalogGrantRow, grant_id)
    if row is None:
        raise CatalogError("grant_not_found", msg("there is no grant {id}", id=grant_id))
    return row


def grant_owner(*, uow: UnitOfWork, grant_id: int) -> str:
    """The code of the institution whose item grant ``grant_id`` is of."""
    item = uow.session.get_one(CatalogItemRow, _grant_row(uow, grant_id).item_id)
    return institutions.institution_codes(uow=uow)[item.institution_id]


def withdraw_grant(*, uow: UnitOfWork, grant_id: int, by: str) -> Grant:
    """Withdraw a grant: its holder may no longer deposit outcomes under it. Kept, not deleted.
    The grant's row is locked before it is read: of parallel withdrawals one wins (and logs
    the withdrawal), the others are refused (``grant_withdrawn``)."""
    row = uow.session.scalar(
        for_update(uow.session, select(CatalogGrantRow).where(CatalogGrantRow.id == grant_id))
    )
    if row is None:
        raise CatalogError("grant_not_found", msg("there is no grant {id}", id=grant_id))
    if row.withdrawn_at is not None:
        raise CatalogError(
            "grant_withdrawn",
            msg(
                "grant {id} was withdrawn already, on {date}",
                id=grant_id,
                date=row.withdrawn_at.date().isoformat(),
            ),
        )
    row.withdrawn_at = datetime.now(UTC)
    row.withdrawn_by = by
    uow.session.flush()
    records.log_grant(uow, row, LogKind.GRANT_WITHDRAWN)
    (item,) = items_where(uow, CatalogItemRow.id == row.item_id)
    return _grant(row, item, institutions.institution_codes(uow=uow))


# --- what an institution may deposit outcomes of ----------------------------------------


def issuable_items(*, uow: UnitOfWork, institution: str, ref: str | None = None) -> Issuable:
    """What ``institution`` may deposit outcomes of: its items and those granted to it (grants
    not withdrawn). With ``ref``, only the items that reference could name (one deposit)."""
    code_wanted = split_item_ref(ref)[1] if ref is not None else None
    institution_id = institutions.institution_id(uow=uow, code=institution)
    institution = institution.strip().upper()
    grants_query = select(CatalogGrantRow).where(
        CatalogGrantRow.grantee_id == institution_id, CatalogGrantRow.withdrawn_at.is_(None)
    )
    own_condition = CatalogItemRow.institution_id == institution_id
    if code_wanted is not None:
        grants_query = grants_query.join(
            CatalogItemRow, CatalogItemRow.id == CatalogGrantRow.item_id
        ).where(CatalogItemRow.code == code_wanted)
        own_condition = and_(own_condition, CatalogItemRow.code == code_wanted)
    windows: dict[int, list[GrantWindow]] = {}
    for grant in uow.session.scalars(grants_query):
        windows.setdefault(grant.item_id, []).append(
            GrantWindow(grant.valid_from, grant.valid_until)
        )
    # its own items and those granted to it in one read (an item may be both)
    found = items_where(
        uow, or_(own_condition, CatalogItemRow.id.in_(windows)) if windows else own_condition
    )
    own = [item for item in found if item.institution == institution]
    granted = [item for item in found if item.id in windows]
    # transferred credit is deposited by confirmed conversions only, never by an institution
    own = [item for item in own if item.kind is not ItemKind.TRANSFERRED_CREDIT]
    granted = [item for item in granted if item.kind is not ItemKind.TRANSFERRED_CREDIT]
    items: dict[str, CatalogItem] = {}
    for item in own:
        items[item.code] = item
        items[f"{institution}:{item.code}"] = item
    owners_of: dict[str, list[CatalogItem]] = {}
    for item in granted:
        items[f"{item.institution}:{item.code}"] = item
        owners_of.setdefault(item.code, []).append(item)
    ambiguous: dict[str, tuple[str, ...]] = {}
    for code, candidates in owners_of.items():
        if code in items:
            continue  # the institution's own item of that code comes first
        if len(candidates) == 1:
            items[code] = candidates[0]
        else:
            ambiguous[code] = tuple(sorted(item.institution for item in candidates))
    return Issuable(
        institution,
        items,
        {item_id: tuple(found) for item_id, found in windows.items()},
        ambiguous,
    )
