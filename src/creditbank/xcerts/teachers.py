"""Teachers of an X certificate: their completed training (e.g. the provider's 5-day course)
and their certification as teacher, assessor or both (dual certification), which
accreditation keeps. A certification needs a training of the certificate first.

The handler checks the policy (the provider's registrars, bank administrators; certifying also
needs the right to certify), then calls :func:`record_teacher`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from creditbank.access.policy import Action, Principal, require
from creditbank.accounts import api as accounts
from creditbank.accreditation import api as accreditation
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.usecases import handler
from creditbank.xcerts.commands import TrainTeacher
from creditbank.xcerts.data import TeacherRecord, TrainingView, xcert_ref
from creditbank.xcerts.model import (
    Certifying,
    Training,
    XcertError,
    check_certification_window,
    check_training,
)
from creditbank.xcerts.reading import find_xcert, xcert_owner
from creditbank.xcerts.tables import TrainingRow


@handler
def train_teacher(
    command: TrainTeacher,
    *,
    principal: Principal,
    uow: UnitOfWork,
    cipher: accounts.PersonalDataCipher,
) -> TeacherRecord:
    owner = xcert_owner(uow=uow, ref=command.ref)
    require(principal, Action.MANAGE_XCERT, owner)
    if command.certifying is not None:
        require(principal, Action.CERTIFY, owner)
    return record_teacher(
        uow=uow,
        cipher=cipher,
        ref=command.ref,
        email=command.email,
        id_number=command.id_number,
        training=command.training,
        certifying=command.certifying,
        by=principal.email,
        today=command.today,
    )


def record_teacher(
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
