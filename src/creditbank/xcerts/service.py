"""Use cases of the 1+X operations: X certificates' profiles and schemes, pilot schools'
offerings, teachers' training and certification, assessment sessions, their candidates and
results, and the statistics.

Given a unit of work; never commit, except :func:`record_results`, which deposits the passing
candidates' certificates through the bulk deposit (:func:`creditbank.accounts.bulk.import_batch`,
all or nothing) and so owns its transactions: it checks the whole file first (every bad row
named by line, column and reason; nothing stored), then deposits, and records every
candidate's result inside the deposit's transaction, before the ledger seals it.

Who may do what is the caller's check (routes, pages, CLI) with the owners these functions
name: the provider owns its certificates, their schemes, offerings and results; an assessment
centre owns its sessions' registrations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from creditbank.accounts import api as accounts
from creditbank.accounts import bulk
from creditbank.accounts.files import FileFormat
from creditbank.accounts.tables import DepositBatchRow
from creditbank.accreditation import api as accreditation
from creditbank.catalog import api as catalog
from creditbank.db import Database, UnitOfWork, for_update
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.xcerts.files import Row
from creditbank.xcerts.model import (
    IDENTITY_COLUMNS,
    Offering,
    Profile,
    ResultStatus,
    RowProblem,
    Tally,
    Training,
    XcertError,
    check_certification_window,
    check_offering,
    check_profile,
    check_results_day,
    check_results_header,
    check_schedule,
    check_training,
    tally_of,
    weigh_row,
)
from creditbank.xcerts.tables import (
    OfferingRow,
    ProfileRow,
    RegistrationRow,
    ResultRow,
    SessionRow,
    TrainingRow,
)

SETTING = "non-formal"
"""X certificates are assessed outside the formal curriculum (seed 004)."""
MAX_REPORTED = 200

# --- X certificates ---------------------------------------------------------------------------


def find_xcert(*, uow: UnitOfWork, ref: str) -> catalog.CatalogItem:
    """The X certificate ``CODE`` or ``OWNER:CODE`` names."""
    owner, code = catalog.split_item_ref(ref)
    found = catalog.items_where(
        uow,
        catalog.CatalogItemRow.kind == catalog.ItemKind.X_CERTIFICATE.value,
        catalog.CatalogItemRow.code == code,
    )
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


def xcert_ref(item: catalog.CatalogItem) -> str:
    return f"{item.institution}:{item.code}"


def xcert_owner(*, uow: UnitOfWork, ref: str) -> str:
    """The provider (owner) of an X certificate, for the access check."""
    return find_xcert(uow=uow, ref=ref).institution


def _level(item: catalog.CatalogItem, level: str) -> frameworks.PinnedLevel:
    found = item.level_named(level)
    if isinstance(found, Message):
        raise XcertError("level_not_found", found)
    return found


@dataclass(frozen=True, slots=True)
class School:
    code: str
    name: str
    name_en: str
    type: str
    region: str


@dataclass(frozen=True, slots=True)
class OfferingView:
    school: School
    level: frameworks.PinnedLevel
    assessment_centre: bool
    declared_by: str
    declared_at: datetime


@dataclass(frozen=True, slots=True)
class LevelScheme:
    level: frameworks.PinnedLevel
    scheme: accreditation.SchemeVersion | None


@dataclass(frozen=True, slots=True)
class Xcert:
    """An X certificate with what the 1+X operations add to its catalogue entry."""

    item: catalog.CatalogItem
    provider: School
    profile: Profile | None
    schools: int
    centres: int

    @property
    def ref(self) -> str:
        return xcert_ref(self.item)


@dataclass(frozen=True, slots=True)
class XcertDetail:
    xcert: Xcert
    schemes: tuple[LevelScheme, ...]
    offerings: tuple[OfferingView, ...]
    sessions: tuple[SessionView, ...]
    certifications: tuple[accreditation.Certification, ...]
    trainings: tuple[TrainingView, ...]


def _schools(uow: UnitOfWork) -> dict[int, School]:
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


def _current_offerings(uow: UnitOfWork, item_ids: Iterable[int]) -> list[OfferingRow]:
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
    schools = _schools(uow)
    by_code = {school.code: school for school in schools.values()}
    profiles = _profiles(uow, (item.id for item in items))
    offered: dict[int, set[int]] = defaultdict(set)
    centres: dict[int, set[int]] = defaultdict(set)
    for row in _current_offerings(uow, (item.id for item in items)):
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


def get_xcert(*, uow: UnitOfWork, ref: str) -> XcertDetail:
    """An X certificate: profile, scheme per level, pilot schools, sessions, teachers."""
    item = find_xcert(uow=uow, ref=ref)
    [summary] = _summaries(uow, [item])
    schools = _schools(uow)
    levels = {pinned.level_id: pinned for pinned in item.levels}
    offerings = tuple(
        OfferingView(
            schools[row.school_id],
            levels[row.framework_level_id],
            row.assessment_centre,
            row.declared_by,
            row.declared_at,
        )
        for row in _current_offerings(uow, [item.id])
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
        sessions=tuple(_sessions(uow, SessionRow.item_id == item.id)),
        certifications=tuple(accreditation.certifications_for(uow=uow, item_id=item.id)),
        trainings=tuple(_trainings(uow, item)),
    )


def set_profile(*, uow: UnitOfWork, ref: str, profile: Profile, by: str) -> XcertDetail:
    """Set an X certificate's industry area and validity (a new version of its profile)."""
    problems = check_profile(profile)
    if problems:
        raise XcertError(
            "invalid_xcert", msg("the X certificate's details are not valid"), problems
        )
    item = find_xcert(uow=uow, ref=ref)
    current = uow.session.scalar(
        select(func.max(ProfileRow.version)).where(ProfileRow.item_id == item.id)
    )
    uow.session.add(
        ProfileRow(
            item_id=item.id,
            version=(current or 0) + 1,
            industry=profile.industry.strip(),
            industry_en=profile.industry_en.strip(),
            valid_years=profile.valid_years,
            set_by=by,
            set_at=datetime.now(UTC),
        )
    )
    uow.session.flush()
    return get_xcert(uow=uow, ref=xcert_ref(item))


def set_level_scheme(
    *, uow: UnitOfWork, ref: str, level: str, scheme: accreditation.Scheme, by: str
) -> accreditation.SchemeVersion:
    """Set the assessment scheme of one level of an X certificate (kept by accreditation)."""
    item = find_xcert(uow=uow, ref=ref)
    return accreditation.set_scheme(
        uow=uow, item_ref=xcert_ref(item), level=level, scheme=scheme, by=by
    )


def declare_offering(*, uow: UnitOfWork, ref: str, offering: Offering, by: str) -> XcertDetail:
    """Declare that a pilot school offers one level of an X certificate (and whether it is an
    assessment centre for it), or, with ``active`` False, that it no longer does."""
    item = find_xcert(uow=uow, ref=ref)
    pinned = _level(item, offering.level)
    school_code = offering.school.strip().upper()
    school = institutions.get_institution(uow=uow, code=school_code)
    problems = check_offering(
        school_type=school.type.value, school=school.code, provider=item.institution
    )
    if problems:
        raise XcertError("invalid_offering", msg("the offering cannot be declared"), problems)
    uow.session.add(
        OfferingRow(
            item_id=item.id,
            school_id=institutions.institution_id(uow=uow, code=school.code),
            framework_level_id=pinned.level_id,
            assessment_centre=offering.assessment_centre and offering.active,
            active=offering.active,
            declared_by=by,
            declared_at=datetime.now(UTC),
        )
    )
    uow.session.flush()
    return get_xcert(uow=uow, ref=xcert_ref(item))


# --- teachers -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainingView:
    email: str
    institution: str | None
    course: str
    days: int
    completed_on: date
    recorded_by: str


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


@dataclass(frozen=True, slots=True)
class TeacherRecord:
    """What one request recorded of a teacher: the training, and the certifications made."""

    email: str
    xcert: str
    training: TrainingView | None
    certifications: tuple[accreditation.Certification, ...]


@dataclass(frozen=True, slots=True)
class Certifying:
    """Certify a trained teacher as a teacher and/or an assessor (both: dual certification)."""

    kinds: tuple[str, ...]
    level: str | None
    valid_from: date
    valid_until: date


def train_teacher(
    *,
    uow: UnitOfWork,
    cipher: accounts.PersonalDataCipher,
    ref: str,
    email: str,
    id_number: str,
    training: Training | None,
    certifying: Certifying | None,
    by: str,
    today: date,
) -> TeacherRecord:
    """Record a teacher's completed training for an X certificate and/or certify them (as
    teacher, as assessor, or both) for its levels. A certification needs a training of this
    certificate completed by the day it starts; the identity number is kept only as its index
    by accreditation (so that nobody assesses themselves)."""
    item = find_xcert(uow=uow, ref=ref)
    principal = institutions.principal_or_none(uow=uow, email=email)
    if principal is None:
        raise XcertError("invalid_training", msg("there is no user {email}", email=email))
    if training is None and certifying is None:
        raise XcertError("invalid_training", msg("record a training, a certification or both"))
    recorded: TrainingView | None = None
    if training is not None:
        problems = check_training(training, today)
        if problems:
            raise XcertError("invalid_training", msg("the training cannot be recorded"), problems)
        uow.session.add(
            TrainingRow(
                user_id=principal.user_id,
                item_id=item.id,
                course=training.course.strip(),
                days=training.days,
                completed_on=training.completed_on,
                recorded_by=by,
                recorded_at=datetime.now(UTC),
            )
        )
        uow.session.flush()
        recorded = TrainingView(
            principal.email,
            principal.institution,
            training.course.strip(),
            training.days,
            training.completed_on,
            by,
        )
    made: list[accreditation.Certification] = []
    if certifying is not None:
        made = _certify(
            uow,
            cipher=cipher,
            item=item,
            user_id=principal.user_id,
            email=email,
            id_number=id_number,
            certifying=certifying,
            by=by,
        )
    return TeacherRecord(email, xcert_ref(item), recorded, tuple(made))


def _certify(
    uow: UnitOfWork,
    *,
    cipher: accounts.PersonalDataCipher,
    item: catalog.CatalogItem,
    user_id: int,
    email: str,
    id_number: str,
    certifying: Certifying,
    by: str,
) -> list[accreditation.Certification]:
    rows = uow.session.execute(
        select(TrainingRow.course, TrainingRow.days, TrainingRow.completed_on)
        .where(TrainingRow.user_id == user_id, TrainingRow.item_id == item.id)
        .order_by(TrainingRow.completed_on)
    ).all()
    done = [row for row in rows if row.completed_on <= certifying.valid_from]
    trained_on = done[-1].completed_on if done else (rows[0].completed_on if rows else None)
    problems = check_certification_window(
        valid_from=certifying.valid_from, valid_until=certifying.valid_until, trained_on=trained_on
    )
    unknown = [k for k in certifying.kinds if k not in accreditation.CertificationKind.ALL]
    problems += [
        msg("a certification is as teacher or as assessor, not {kind}", kind=kind)
        for kind in unknown
    ]
    if not certifying.kinds:
        problems.append(msg("say whether to certify as teacher, as assessor or both"))
    if certifying.level is not None:
        found = item.level_named(certifying.level)
        if isinstance(found, Message):
            problems.append(found)
    if problems:
        raise XcertError("invalid_training", msg("the certification cannot be made"), problems)
    course = done[-1] if done else rows[0]
    training = msg(
        "{course} ({days} days, completed {date})",
        course=course.course,
        days=course.days,
        date=course.completed_on.isoformat(),
    ).render()
    return [
        accreditation.certify(
            uow=uow,
            cipher=cipher,
            email=email,
            kind=kind,
            item_ref=xcert_ref(item),
            level=certifying.level,
            id_number=id_number,
            valid_from=certifying.valid_from,
            valid_until=certifying.valid_until,
            training=training,
            by=by,
        )
        for kind in dict.fromkeys(certifying.kinds)
    ]


# --- sessions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionView:
    id: int
    xcert: str
    xcert_name: str
    xcert_name_en: str
    provider: str
    level: frameworks.PinnedLevel
    centre: School
    held_on: date
    scheduled_by: str
    tally: Tally


@dataclass(frozen=True, slots=True)
class Candidate:
    account_number: str
    fee_exempt: bool
    status: ResultStatus
    registered_by: str
    registered_at: datetime
    weighted: Decimal | None = None
    marks: dict[str, str] = field(default_factory=dict)
    outcome: str | None = None
    """The public id of the X-certificate outcome a pass deposited."""
    assessor: str | None = None
    scheme_version: int | None = None


@dataclass(frozen=True, slots=True)
class SessionDetail:
    session: SessionView
    candidates: tuple[Candidate, ...]


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


def _sessions(uow: UnitOfWork, *where: object) -> list[SessionView]:
    rows = list(
        uow.session.scalars(
            select(SessionRow)
            .where(*where)  # type: ignore[arg-type]
            .order_by(SessionRow.held_on.desc(), SessionRow.id.desc())
        )
    )
    if not rows:
        return []
    schools = _schools(uow)
    items = {
        item.id: item
        for item in catalog.items_where(
            uow, catalog.CatalogItemRow.id.in_({row.item_id for row in rows})
        )
    }
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
            centre=schools[row.centre_id],
            held_on=row.held_on,
            scheduled_by=row.scheduled_by,
            tally=tally_of(statuses.get(row.id, [])),
        )
        for row in rows
    ]


def list_sessions(
    *, uow: UnitOfWork, ref: str | None = None, centre: str | None = None
) -> list[SessionView]:
    """Sessions, newest first, of one X certificate and/or one centre."""
    where = []
    if ref is not None:
        where.append(SessionRow.item_id == find_xcert(uow=uow, ref=ref).id)
    if centre is not None:
        where.append(
            SessionRow.centre_id == institutions.institution_id(uow=uow, code=centre.upper())
        )
    return _sessions(uow, *where)


def _session_row(uow: UnitOfWork, session_id: int) -> SessionRow:
    row = uow.session.get(SessionRow, session_id)
    if row is None:
        raise XcertError(
            "session_not_found", msg("there is no assessment session {id}", id=session_id)
        )
    return row


def session_parties(*, uow: UnitOfWork, session_id: int) -> tuple[str, str]:
    """(the assessment centre, the provider) of a session, for the access checks."""
    view = _sessions(uow, SessionRow.id == _session_row(uow, session_id).id)[0]
    return view.centre.code, view.provider


def schedule_session(
    *, uow: UnitOfWork, ref: str, centre: str, level: str, held_on: date, by: str, today: date
) -> SessionView:
    """Schedule a session at an assessment centre for one level of an X certificate. The
    centre must be a pilot school the provider declared an assessment centre for that level."""
    item = find_xcert(uow=uow, ref=ref)
    pinned = _level(item, level)
    centre_code = centre.strip().upper()
    centre_id = institutions.institution_id(uow=uow, code=centre_code)
    problems = check_schedule(held_on, today)
    is_centre = any(
        row.school_id == centre_id
        and row.framework_level_id == pinned.level_id
        and row.assessment_centre
        for row in _current_offerings(uow, [item.id])
    )
    if not is_centre:
        problems.append(
            msg(
                "{centre} is not an assessment centre of {xcert} at level {level}",
                centre=centre_code,
                xcert=xcert_ref(item),
                level=pinned.level.code,
            )
        )
    if accreditation.current_scheme(uow=uow, item_id=item.id, level_id=pinned.level_id) is None:
        problems.append(
            msg(
                "level {level} of {xcert} has no assessment scheme yet",
                level=pinned.level.code,
                xcert=xcert_ref(item),
            )
        )
    if problems:
        raise XcertError("invalid_session", msg("the session cannot be scheduled"), problems)
    taken = uow.session.scalar(
        select(SessionRow.id).where(
            SessionRow.item_id == item.id,
            SessionRow.framework_level_id == pinned.level_id,
            SessionRow.centre_id == centre_id,
            SessionRow.held_on == held_on,
        )
    )
    if taken is not None:
        raise XcertError(
            "session_conflict",
            msg(
                "{centre} holds a session of this level on {date} already (session {id})",
                centre=centre_code,
                date=held_on.isoformat(),
                id=taken,
            ),
        )
    row = SessionRow(
        item_id=item.id,
        framework_level_id=pinned.level_id,
        centre_id=centre_id,
        held_on=held_on,
        scheduled_by=by,
        scheduled_at=datetime.now(UTC),
    )
    uow.session.add(row)
    uow.session.flush()
    return _sessions(uow, SessionRow.id == row.id)[0]


def _learner_id(uow: UnitOfWork, account_number: str) -> int:
    number = accounts.check_account_number(account_number)
    learner_id = uow.session.scalar(
        select(accounts.LearnerRow.id).where(accounts.LearnerRow.account_number == number)
    )
    if learner_id is None:
        raise accounts.AccountError(
            "account_not_found", msg("there is no account {number}", number=number)
        )
    return learner_id


def register_candidate(
    *, uow: UnitOfWork, session_id: int, account_number: str, fee_exempt: bool, by: str
) -> Candidate:
    """Register a learner (by account number) for a session, once, before its results.

    The session is locked before its candidates are read: of parallel registrations of one
    learner, one is made and the others are refused (``session_conflict``)."""
    uow.session.scalar(
        for_update(uow.session, select(SessionRow.id).where(SessionRow.id == session_id))
    )
    row = _session_row(uow, session_id)
    learner_id = _learner_id(uow, account_number)
    recorded = uow.session.scalar(
        select(func.count())
        .select_from(ResultRow)
        .join(RegistrationRow, RegistrationRow.id == ResultRow.registration_id)
        .where(RegistrationRow.session_id == row.id)
    )
    if recorded:
        raise XcertError(
            "session_conflict",
            msg("session {id} has results already; its candidates are closed", id=row.id),
        )
    known = uow.session.scalar(
        select(RegistrationRow.id).where(
            RegistrationRow.session_id == row.id, RegistrationRow.learner_id == learner_id
        )
    )
    if known is not None:
        raise XcertError(
            "session_conflict",
            msg(
                "account {number} is registered for session {id} already",
                number=account_number.strip().upper(),
                id=row.id,
            ),
        )
    registration = RegistrationRow(
        session_id=row.id,
        learner_id=learner_id,
        fee_exempt=fee_exempt,
        registered_by=by,
        registered_at=datetime.now(UTC),
    )
    uow.session.add(registration)
    uow.session.flush()
    return Candidate(
        account_number.strip().upper(),
        fee_exempt,
        ResultStatus.REGISTERED,
        by,
        registration.registered_at,
    )


def get_session(*, uow: UnitOfWork, session_id: int) -> SessionDetail:
    """A session with every candidate: registration, fee exemption, result and outcome."""
    row = _session_row(uow, session_id)
    view = _sessions(uow, SessionRow.id == row.id)[0]
    found = uow.session.execute(
        select(
            RegistrationRow,
            accounts.LearnerRow.account_number,
            ResultRow,
            accounts.OutcomeRow.public_id,
        )
        .join(accounts.LearnerRow, accounts.LearnerRow.id == RegistrationRow.learner_id)
        .outerjoin(ResultRow, ResultRow.registration_id == RegistrationRow.id)
        .outerjoin(accounts.OutcomeRow, accounts.OutcomeRow.id == ResultRow.outcome_id)
        .where(RegistrationRow.session_id == row.id)
        .order_by(RegistrationRow.id)
    ).all()
    results = [result for _, _, result, _ in found if result is not None]
    assessors = institutions.user_names(
        uow=uow, user_ids={result.assessor_user_id for result in results}
    )
    versions = {
        scheme_id: accreditation.scheme_by_id(uow, scheme_id).version
        for scheme_id in {result.scheme_id for result in results}
    }
    candidates = []
    for registration, number, maybe, outcome in found:
        result = cast("ResultRow | None", maybe)
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
                outcome=outcome,
                assessor=assessors[result.assessor_user_id][0],
                scheme_version=versions[result.scheme_id],
            )
        )
    return SessionDetail(view, tuple(candidates))


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Checked:
    """A good results row: whose, and the weighed result."""

    line: int
    registration_id: int
    row: Row
    result: accreditation.ScoreResult


@dataclass(frozen=True, slots=True)
class ResultsRecorded:
    session: SessionDetail
    batch: str
    assessed: int
    passed: int
    failed: int


def _rejected(problems: list[RowProblem], rows: int) -> XcertError:
    problems.sort(key=lambda problem: problem.line)
    return XcertError(
        "results_rejected",
        msg(
            "{bad} problems in {rows} rows; nothing was recorded",
            bad=len(problems),
            rows=rows,
        ),
        [problem.said() for problem in problems[:MAX_REPORTED]],
    )


def _assessor(
    uow: UnitOfWork, email: str, item: catalog.CatalogItem, level_id: int, on: date
) -> int:
    """The user id of ``email`` once they hold an assessor certification of this level of the
    certificate on the session's day; ``assessor_not_certified`` otherwise."""
    principal = institutions.principal_or_none(uow=uow, email=email)
    if principal is None or not accreditation.certified(
        uow=uow,
        user_id=principal.user_id,
        kind=accreditation.CertificationKind.ASSESSOR,
        item_id=item.id,
        level_id=level_id,
        on=on,
    ):
        raise XcertError(
            "assessor_not_certified",
            msg(
                "{email} holds no assessor certification of {xcert} at this level valid on "
                "{date}; only a certified assessor can score",
                email=email,
                xcert=xcert_ref(item),
                date=on.isoformat(),
            ),
        )
    return principal.user_id


def _check_rows(
    uow: UnitOfWork,
    *,
    cipher: accounts.PersonalDataCipher,
    session: SessionRow,
    scheme: accreditation.Scheme,
    header: list[str] | None,
    rows: list[tuple[int, Row]],
) -> list[_Checked]:
    if header is not None:
        check_results_header(header, scheme)
    registrations = dict(
        uow.session.execute(
            select(RegistrationRow.learner_id, RegistrationRow.id).where(
                RegistrationRow.session_id == session.id
            )
        ).all()
    )
    with_result = set(
        uow.session.scalars(
            select(ResultRow.registration_id).where(
                ResultRow.registration_id.in_(list(registrations.values()) or [0])
            )
        )
    )
    wanted = {*IDENTITY_COLUMNS, *(c.kind.value for c in scheme.components)}
    problems: list[RowProblem] = []
    checked: list[_Checked] = []
    seen: dict[int, int] = {}
    for line, row in rows:
        if "__invalid__" in row:
            problems.append(RowProblem(line, "-", msg("not a JSON object")))
            continue
        if "__extra__" in row:
            problems.append(RowProblem(line, "-", msg("the row has more values than the header")))
        problems += [
            RowProblem(line, key, msg("unknown column {column}", column=key))
            for key in sorted(set(row) - wanted - {"__extra__"})
        ]
        if not row.get("name", "").strip():
            problems.append(RowProblem(line, "name", msg("the candidate's name is needed")))
        registration_id = None
        try:
            person = accounts.parse_id_number(row.get("id_number", ""))
        except accounts.AccountError as error:
            problems.append(RowProblem(line, "id_number", error.message))
        else:
            learner = uow.session.scalar(
                select(accounts.LearnerIdentityRow.learner_id).where(
                    accounts.LearnerIdentityRow.id_hmac == cipher.index(person.index_key)
                )
            )
            registration_id = registrations.get(learner) if learner is not None else None
            if registration_id is None:
                problems.append(
                    RowProblem(line, "id_number", msg("not a registered candidate of this session"))
                )
            elif registration_id in seen:
                problems.append(
                    RowProblem(
                        line,
                        "id_number",
                        msg(
                            "the candidate appears again (first at line {first})",
                            first=seen[registration_id],
                        ),
                    )
                )
                registration_id = None
            elif registration_id in with_result:
                problems.append(
                    RowProblem(line, "id_number", msg("the candidate's result is recorded already"))
                )
                registration_id = None
            else:
                seen[registration_id] = line
        weighed = weigh_row(line, row, scheme)
        if isinstance(weighed, list):
            problems += weighed
            continue
        if registration_id is not None:
            checked.append(_Checked(line, registration_id, row, weighed))
    if not rows:
        problems.append(RowProblem(1, "-", msg("the file has no results")))
    if problems:
        raise _rejected(problems, len(rows))
    return checked


def _recorded_meanwhile() -> XcertError:
    return XcertError(
        "session_conflict",
        msg("some of these candidates' results were recorded meanwhile; nothing was recorded"),
    )


def record_results(
    *,
    database: Database,
    cipher: accounts.PersonalDataCipher,
    session_id: int,
    header: list[str] | None,
    rows: list[tuple[int, Row]],
    assessor: str,
    by: str,
    filename: str,
    file_format: FileFormat,
    today: date,
) -> ResultsRecorded:
    """Record a session's results from a file, all or nothing, in the name of ``assessor``.

    Every row is checked first (a registered candidate of this session without a result yet,
    a valid identity number and name, a valid mark for each component of the level's scheme);
    one bad row rejects the file with every problem named by line. The candidates who pass are
    deposited in the provider's name as the X certificate at the session's level (score: the
    weighted mark; assessed on the session's day; non-formal learning) by the bulk deposit,
    and every candidate's result is recorded in the same transaction.
    """
    with database.unit_of_work() as uow:
        session = _session_row(uow, session_id)
        check_results_day(session.held_on, today)
        item = catalog.items_where(uow, catalog.CatalogItemRow.id == session.item_id)[0]
        level = frameworks.pinned_levels(uow=uow, level_ids=[session.framework_level_id])[
            session.framework_level_id
        ]
        assessor_id = _assessor(uow, assessor, item, session.framework_level_id, session.held_on)
        scheme = accreditation.current_scheme(
            uow=uow, item_id=item.id, level_id=session.framework_level_id
        )
        if scheme is None:
            raise XcertError(
                "invalid_session",
                msg("level {level} has no assessment scheme", level=level.level.code),
            )
        checked = _check_rows(
            uow, cipher=cipher, session=session, scheme=scheme.scheme, header=header, rows=rows
        )
    record_ids = {
        entry.registration_id: f"XS{session.id}-{entry.registration_id}" for entry in checked
    }
    deposits = [
        (
            entry.line,
            {
                "record_id": record_ids[entry.registration_id],
                "id_number": entry.row["id_number"],
                "name": entry.row["name"],
                "item_code": xcert_ref(item),
                "level": level.level.code,
                "credits": "",
                "score": str(entry.result.weighted),
                "assessed_on": session.held_on.isoformat(),
                "setting": SETTING,
                "evidence_sha256": "",
            },
        )
        for entry in checked
        if entry.result.passed
    ]

    def record(uow: UnitOfWork, batch_public_id: str) -> None:
        batch_id = uow.session.scalar(
            select(DepositBatchRow.id).where(DepositBatchRow.public_id == batch_public_id)
        )
        provider_id = institutions.institution_id(uow=uow, code=item.institution)
        outcomes = dict(
            uow.session.execute(
                select(accounts.OutcomeRow.record_id, accounts.OutcomeRow.id).where(
                    accounts.OutcomeRow.institution_id == provider_id,
                    accounts.OutcomeRow.record_id.in_(list(record_ids.values()) or [""]),
                )
            ).all()
        )
        now = datetime.now(UTC)
        uow.session.add_all(
            ResultRow(
                registration_id=entry.registration_id,
                scheme_id=scheme.id,
                marks={c.kind.value: str(c.mark) for c in entry.result.components},
                weighted=entry.result.weighted,
                passed=entry.result.passed,
                assessor_user_id=assessor_id,
                outcome_id=outcomes[record_ids[entry.registration_id]]
                if entry.result.passed
                else None,
                batch_id=batch_id,
                recorded_by=by,
                recorded_at=now,
            )
            for entry in checked
        )
        try:
            uow.session.flush()
        except IntegrityError as error:  # another upload recorded one of them meanwhile
            raise _recorded_meanwhile() from error

    try:
        batch = bulk.import_batch(
            database=database,
            cipher=cipher,
            institution=item.institution,
            submitted_by=by,
            filename=filename,
            file_format=file_format,
            rows=deposits,
            today=today,
            before_seal=record,
        )
    except accounts.AccountError as error:
        if error.code != "record_conflict":
            raise
        raise _recorded_meanwhile() from error  # PostgreSQL: a parallel upload deposited first
    if batch.status is not bulk.BatchStatus.COMMITTED:
        problems = [
            RowProblem(error["line"], error["column"], Message(error["message"], error["params"]))
            for error in batch.errors
        ]
        raise _rejected(problems, len(rows))
    with database.unit_of_work() as uow:
        detail = get_session(uow=uow, session_id=session_id)
    passed = sum(1 for entry in checked if entry.result.passed)
    return ResultsRecorded(detail, batch.id, len(checked), passed, len(checked) - passed)


# --- statistics ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertificateTally:
    xcert: str
    name: str
    name_en: str
    approval_round: int | None
    tally: Tally


@dataclass(frozen=True, slots=True)
class Stats:
    """The figures of the 1+X pilot the bank holds (like seed 004's)."""

    certificates_by_round: tuple[tuple[int, int], ...]
    schools_by_type: tuple[tuple[str, int], ...]
    by_province: tuple[tuple[str, Tally], ...]
    by_certificate: tuple[CertificateTally, ...]
    total: Tally
    certificates: int
    pilot_schools: int
    sessions: int


def stats(*, uow: UnitOfWork) -> Stats:
    """Certificates by approval round, pilot schools by type, and candidates registered,
    fee-exempt, assessed and certified by province (of the assessment centre) and certificate."""
    items = catalog.list_items(uow=uow, kind=catalog.ItemKind.X_CERTIFICATE)
    rounds: dict[int, int] = defaultdict(int)
    for item in items:
        if item.approval_round is not None:
            rounds[item.approval_round] += 1
    schools = _schools(uow)
    offering_schools = {row.school_id for row in _current_offerings(uow, [i.id for i in items])}
    types: dict[str, int] = defaultdict(int)
    for school_id in offering_schools:
        types[schools[school_id].type] += 1
    sessions = _sessions(uow)
    provinces: dict[str, Tally] = defaultdict(Tally)
    certificates: dict[str, Tally] = defaultdict(Tally)
    for session in sessions:
        provinces[session.centre.region or "-"] += session.tally
        certificates[session.xcert] += session.tally
    by_ref = {xcert_ref(item): item for item in items}
    total = sum((session.tally for session in sessions), Tally())
    return Stats(
        certificates_by_round=tuple(sorted(rounds.items())),
        schools_by_type=tuple(sorted(types.items(), key=lambda pair: (-pair[1], pair[0]))),
        by_province=tuple(
            sorted(provinces.items(), key=lambda pair: (-pair[1].registered, pair[0]))
        ),
        by_certificate=tuple(
            CertificateTally(
                ref,
                by_ref[ref].name,
                by_ref[ref].name_en,
                by_ref[ref].approval_round,
                tally,
            )
            for ref, tally in sorted(
                certificates.items(), key=lambda pair: (-pair[1].registered, pair[0])
            )
        ),
        total=total,
        certificates=len(items),
        pilot_schools=len(offering_schools),
        sessions=len(sessions),
    )
