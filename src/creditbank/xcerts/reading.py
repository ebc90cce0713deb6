"""Reading the 1+X operations' records: finding an X certificate and a session, the owners the
access checks name, and the read models of :mod:`creditbank.xcerts.data`.

The handlers' internals (and :mod:`creditbank.xcerts.api`'s): given a unit of work, they
read only. Other areas are read through their ``api`` modules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import cast

from sqlalchemy import func, select

from creditbank.accounts import api as accounts
from creditbank.accreditation import api as accreditation
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.xcerts.data import (
    Candidate,
    LevelScheme,
    OfferingView,
    School,
    SessionDetail,
    SessionView,
    TrainingView,
    Xcert,
    XcertDetail,
    xcert_ref,
)
from creditbank.xcerts.model import Profile, ResultStatus, XcertError, tally_of
from creditbank.xcerts.tables import (
    OfferingRow,
    ProfileRow,
    RegistrationRow,
    ResultRow,
    SessionRow,
    TrainingRow,
)

# --- X certificates ---------------------------------------------------------------------------


def find_xcert(*, uow: UnitOfWork, ref: str) -> catalog.CatalogItem:
    """The X certificate ``CODE`` or ``OWNER:CODE`` names."""
    owner, code = catalog.split_item_ref(ref)
    found = catalog.items_coded(uow=uow, kind=catalog.ItemKind.X_CERTIFICATE, code=code)
    if owner is not None:
        found = [item for item in found if item.institution == owner]
    if not found:
        raise XcertError("xcert_not_found", msg("there is no X certificate {ref}", ref=ref))
    if len(found) > 1:
        raise XcertError(
            "invalid_xcert",
            msg(
                "several providers have an X certificate {code} ({owners}); name it as OWNER:CODE",
                code=code,
                owners=", ".join(item.institution for item in found),
            ),
        )
    return found[0]


def xcert_owner(*, uow: UnitOfWork, ref: str) -> str:
    """The provider (owner) of an X certificate, for the access check."""
    return find_xcert(uow=uow, ref=ref).institution


def level_of(item: catalog.CatalogItem, level: str) -> frameworks.PinnedLevel:
    """The level of ``item`` named ``level`` (``level_not_found``)."""
    found = item.level_named(level)
    if isinstance(found, Message):
        raise XcertError("level_not_found", found)
    return found


def schools(uow: UnitOfWork) -> dict[int, School]:
    """Every institution by row id, as the 1+X views show it (institutions are few)."""
    codes = institutions.institution_codes(uow=uow)
    found = {i.code: i for i in institutions.list_institutions(uow=uow)}
    return {
        row_id: School(
            code,
            found[code].name,
            found[code].name_en,
            found[code].type.value,
            found[code].region,
        )
        for row_id, code in codes.items()
    }


def _profiles(uow: UnitOfWork, item_ids: Iterable[int]) -> dict[int, Profile]:
    ids = list(item_ids)
    if not ids:
        return {}
    newest = (
        select(ProfileRow.item_id, func.max(ProfileRow.version).label("version"))
        .where(ProfileRow.item_id.in_(ids))
        .group_by(ProfileRow.item_id)
        .subquery()
    )
    rows = uow.session.scalars(
        select(ProfileRow).join(
            newest,
            (newest.c.item_id == ProfileRow.item_id) & (newest.c.version == ProfileRow.version),
        )
    )
    return {row.item_id: Profile(row.industry, row.industry_en, row.valid_years) for row in rows}


def current_offerings(uow: UnitOfWork, item_ids: Iterable[int]) -> list[OfferingRow]:
    """The newest declaration of each (item, school, level) that is still active."""
    ids = list(item_ids)
    if not ids:
        return []
    newest = (
        select(func.max(OfferingRow.id))
        .where(OfferingRow.item_id.in_(ids))
        .group_by(OfferingRow.item_id, OfferingRow.school_id, OfferingRow.framework_level_id)
    )
    rows = uow.session.scalars(
        select(OfferingRow)
        .where(OfferingRow.id.in_(newest), OfferingRow.active.is_(True))
        .order_by(OfferingRow.item_id, OfferingRow.school_id, OfferingRow.framework_level_id)
    )
    return list(rows)


def _summaries(uow: UnitOfWork, items: list[catalog.CatalogItem]) -> list[Xcert]:
    by_code = {school.code: school for school in schools(uow).values()}
    profiles = _profiles(uow, (item.id for item in items))
    offered: dict[int, set[int]] = defaultdict(set)
    centres: dict[int, set[int]] = defaultdict(set)
    for row in current_offerings(uow, (item.id for item in items)):
        offered[row.item_id].add(row.school_id)
        if row.assessment_centre:
            centres[row.item_id].add(row.school_id)
    return [
        Xcert(
            item=item,
            provider=by_code[item.institution],
            profile=profiles.get(item.id),
            schools=len(offered[item.id]),
            centres=len(centres[item.id]),
        )
        for item in items
    ]


def list_xcerts(
    *, uow: UnitOfWork, approval_round: int | None = None, provider: str | None = None
) -> list[Xcert]:
    """X certificates, by approval round, then provider and code."""
    items = catalog.list_items(
        uow=uow,
        institution=provider.strip().upper() if provider else None,
        kind=catalog.ItemKind.X_CERTIFICATE,
    )
    if approval_round is not None:
        items = [item for item in items if item.approval_round == approval_round]
    items.sort(key=lambda item: (item.approval_round or 0, item.institution, item.code))
    return _summaries(uow, items)


def _trainings(uow: UnitOfWork, item: catalog.CatalogItem) -> list[TrainingView]:
    rows = list(
        uow.session.scalars(
            select(TrainingRow).where(TrainingRow.item_id == item.id).order_by(TrainingRow.id)
        )
    )
    users = institutions.user_names(uow=uow, user_ids={row.user_id for row in rows})
    return [
        TrainingView(
            users[row.user_id][0],
            users[row.user_id][1],
            row.course,
            row.days,
            row.completed_on,
            row.recorded_by,
        )
        for row in rows
    ]


def get_xcert(*, uow: UnitOfWork, ref: str) -> XcertDetail:
    """An X certificate: profile, scheme per level, pilot schools, sessions, teachers."""
    item = find_xcert(uow=uow, ref=ref)
    [summary] = _summaries(uow, [item])
    by_id = schools(uow)
    levels = {pinned.level_id: pinned for pinned in item.levels}
    offerings = tuple(
        OfferingView(
            by_id[row.school_id],
            levels[row.framework_level_id],
            row.assessment_centre,
            row.declared_by,
            row.declared_at,
        )
        for row in current_offerings(uow, [item.id])
        if row.framework_level_id in levels
    )
    schemes = tuple(
        LevelScheme(
            pinned,
            accreditation.current_scheme(uow=uow, item_id=item.id, level_id=pinned.level_id),
        )
        for pinned in item.levels
    )
    return XcertDetail(
        xcert=summary,
        schemes=schemes,
        offerings=offerings,
        sessions=tuple(sessions(uow, SessionRow.item_id == item.id)),
        certifications=tuple(accreditation.certifications_for(uow=uow, item_id=item.id)),
        trainings=tuple(_trainings(uow, item)),
    )


# --- sessions -----------------------------------------------------------------------------------


def _statuses(
    uow: UnitOfWork, session_ids: list[int]
) -> dict[int, list[tuple[bool, ResultStatus]]]:
    if not session_ids:
        return {}
    rows = uow.session.execute(
        select(RegistrationRow.session_id, RegistrationRow.fee_exempt, ResultRow.passed)
        .outerjoin(ResultRow, ResultRow.registration_id == RegistrationRow.id)
        .where(RegistrationRow.session_id.in_(session_ids))
    )
    found: dict[int, list[tuple[bool, ResultStatus]]] = defaultdict(list)
    for row in rows:
        status = (
            ResultStatus.REGISTERED
            if row.passed is None
            else ResultStatus.PASSED
            if row.passed
            else ResultStatus.FAILED
        )
        found[row.session_id].append((row.fee_exempt, status))
    return found


def sessions(uow: UnitOfWork, *where: object) -> list[SessionView]:
    """The sessions that meet ``where`` (on ``xcert_sessions``), newest first."""
    rows = list(
        uow.session.scalars(
            select(SessionRow)
            .where(*where)  # type: ignore[arg-type]
            .order_by(SessionRow.held_on.desc(), SessionRow.id.desc())
        )
    )
    if not rows:
        return []
    by_id = schools(uow)
    items = catalog.items_by_id(uow=uow, item_ids=(row.item_id for row in rows))
    levels = frameworks.pinned_levels(uow=uow, level_ids=[row.framework_level_id for row in rows])
    statuses = _statuses(uow, [row.id for row in rows])
    return [
        SessionView(
            id=row.id,
            xcert=xcert_ref(items[row.item_id]),
            xcert_name=items[row.item_id].name,
            xcert_name_en=items[row.item_id].name_en,
            provider=items[row.item_id].institution,
            level=levels[row.framework_level_id],
            centre=by_id[row.centre_id],
            held_on=row.held_on,
            scheduled_by=row.scheduled_by,
            tally=tally_of(statuses.get(row.id, [])),
        )
        for row in rows
    ]


def session_row(uow: UnitOfWork, session_id: int) -> SessionRow:
    """Session ``session_id`` (``session_not_found``)."""
    row = uow.session.get(SessionRow, session_id)
    if row is None:
        raise XcertError(
            "session_not_found", msg("there is no assessment session {id}", id=session_id)
        )
    return row


def session_parties(*, uow: UnitOfWork, session_id: int) -> tuple[str, str]:
    """(the assessment centre, the provider) of a session, for the access checks."""
    view = sessions(uow, SessionRow.id == session_row(uow, session_id).id)[0]
    return view.centre.code, view.provider


def get_session(*, uow: UnitOfWork, session_id: int) -> SessionDetail:
    """A session with every candidate: registration, fee exemption, result and outcome."""
    row = session_row(uow, session_id)
    view = sessions(uow, SessionRow.id == row.id)[0]
    found = uow.session.execute(
        select(RegistrationRow, ResultRow)
        .outerjoin(ResultRow, ResultRow.registration_id == RegistrationRow.id)
        .where(RegistrationRow.session_id == row.id)
        .order_by(RegistrationRow.id)
    ).all()
    numbers = accounts.account_numbers(
        uow=uow, learner_ids=(registration.learner_id for registration, _ in found)
    )
    results = [result for _, result in found if result is not None]
    outcomes = accounts.outcome_public_ids(
        uow=uow, outcome_ids=(r.outcome_id for r in results if r.outcome_id is not None)
    )
    assessors = institutions.user_names(
        uow=uow, user_ids={result.assessor_user_id for result in results}
    )
    versions = {
        scheme_id: accreditation.scheme_by_id(uow, scheme_id).version
        for scheme_id in {result.scheme_id for result in results}
    }
    candidates = []
    for registration, maybe in found:
        result = cast("ResultRow | None", maybe)
        number = numbers[registration.learner_id]
        if result is None:
            candidates.append(
                Candidate(
                    number,
                    registration.fee_exempt,
                    ResultStatus.REGISTERED,
                    registration.registered_by,
                    registration.registered_at,
                )
            )
            continue
        candidates.append(
            Candidate(
                number,
                registration.fee_exempt,
                ResultStatus.PASSED if result.passed else ResultStatus.FAILED,
                registration.registered_by,
                registration.registered_at,
                weighted=result.weighted,
                marks=dict(result.marks),
                outcome=None if result.outcome_id is None else outcomes[result.outcome_id],
                assessor=assessors[result.assessor_user_id][0],
                scheme_version=versions[result.scheme_id],
            )
        )
    return SessionDetail(view, tuple(candidates))
