"""Read models of accounts: transcripts, a whole account, batches, the staff desk and the
learner's own outcomes and access log. Each query checks who may read what, first."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from creditbank.access.policy import (
    Action,
    LearnerPrincipal,
    Principal,
    readable_issuer,
    require,
    require_own_account,
)
from creditbank.accounts import bulk, outcomes, service
from creditbank.accounts.bulk import Batch
from creditbank.accounts.commands import (
    ShowAccount,
    ShowBatch,
    ShowDesk,
    ShowMyAccessLog,
    ShowMyOutcomes,
    ShowShared,
    ShowTranscript,
)
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import AccountError, stands
from creditbank.accounts.outcomes import Outcome, TranscriptPage
from creditbank.accounts.service import AccessEntry, PersonalData
from creditbank.consents import api as consents
from creditbank.credentials import api as credentials
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class Desk:
    """The staff user's institution (None for bank staff) and its latest batches."""

    institution: institutions.Institution | None
    batches: list[Batch]


@dataclass(frozen=True, slots=True)
class MyOutcomes:
    """The learner's outcomes; their personal data when asked for and not erased."""

    outcomes: list[Outcome]
    personal_data: PersonalData | None


@dataclass(frozen=True, slots=True)
class Shared:
    """A share link's record, the learner's name (None when erased), the shared outcomes and
    the verdict on the credential of each that still counts (by outcome id)."""

    record: consents.SharedRecord
    name: str | None
    outcomes: list[Outcome]
    verdicts: dict[str, credentials.Verdict]


def encode_cursor(position: int | None) -> str | None:
    """The opaque cursor of a transcript position (None: no further page)."""
    if position is None:
        return None
    return base64.urlsafe_b64encode(f"o:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The position an opaque cursor stands for; a bad cursor is a clear 422."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, position = text.partition(":")
        if prefix != "o" or not position.isdigit():
            raise ValueError(text)  # noqa: TRY301 - one message for every malformed cursor
        return int(position)
    except (ValueError, UnicodeDecodeError) as error:
        raise AccountError(
            "invalid_cursor", msg("the cursor is not one this API gave out")
        ) from error


@handler
def show_transcript(
    query: ShowTranscript, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> TranscriptPage:
    """Staff of an institution read the outcomes it issued, and all of them while the learner
    consents; bank administrators and auditors read all."""
    asked = institutions.check_institution_code(query.institution) if query.institution else None
    consenting = consents.consenting_institutions(
        uow=uow, account_number=query.account_number, now=now
    )
    issued_by = readable_issuer(principal, asked, consenting=consenting)
    return outcomes.transcript(
        uow=uow,
        account_number=query.account_number,
        issued_by=issued_by,
        kind=query.kind,
        assessed_from=query.assessed_from,
        assessed_to=query.assessed_to,
        status=query.status,
        after=decode_cursor(query.cursor),
        limit=query.limit,
    )


@handler
def show_account(
    query: ShowAccount, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> list[Outcome]:
    """Every outcome of the account the acting user may read (as :func:`show_transcript`)."""
    consenting = consents.consenting_institutions(
        uow=uow, account_number=query.account_number, now=now
    )
    return outcomes.every_outcome(
        uow=uow,
        account_number=query.account_number,
        issued_by=readable_issuer(principal, query.institution, consenting=consenting),
        status=query.status,
    )


@handler
def show_batch(query: ShowBatch, *, principal: Principal, uow: UnitOfWork) -> Batch:
    batch = bulk.get_batch(uow=uow, batch_id=query.batch_id)
    require(principal, Action.READ_BATCH, batch.institution)
    return batch


@handler
def show_desk(query: ShowDesk, *, principal: Principal, uow: UnitOfWork) -> Desk:
    """Every staff user has a desk; it shows only their own institution."""
    if principal.institution is None:
        return Desk(None, [])
    return Desk(
        institutions.get_institution(uow=uow, code=principal.institution),
        bulk.recent_batches(uow=uow, institution=principal.institution, limit=query.limit),
    )


@handler
def show_my_outcomes(
    query: ShowMyOutcomes,
    *,
    principal: LearnerPrincipal,
    uow: UnitOfWork,
    cipher: PersonalDataCipher | None = None,
) -> MyOutcomes:
    """The learner's own outcomes (and personal data, unless erased); never another's."""
    number = principal.account_number
    found = outcomes.every_outcome(uow=uow, account_number=number)
    personal = None
    if query.with_personal_data and cipher is not None:
        require_own_account(principal, number)
        try:
            personal = service.read_own_personal_data(uow=uow, cipher=cipher, number=number)
        except AccountError as error:
            if error.code != "personal_data_erased":
                raise
    return MyOutcomes(found, personal)


@handler
def show_my_access_log(
    query: ShowMyAccessLog, *, principal: LearnerPrincipal, uow: UnitOfWork
) -> list[AccessEntry]:
    del query
    return service.access_log(uow=uow, number=principal.account_number)


@handler
def show_shared(
    query: ShowShared,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
    cipher: PersonalDataCipher,
    now: datetime,
) -> Shared | None:
    """Public (the link is the key): None when the link is unknown, expired or revoked. The
    visit is counted, so the learner sees whether and when the link was opened."""
    del principal
    record = consents.open_share(uow=uow, token=query.token, now=now)
    if record is None:
        return None
    try:
        name: str | None = service.read_own_personal_data(
            uow=uow, cipher=cipher, number=record.account_number
        ).name
    except AccountError:
        name = None
    shared = [
        outcome
        for outcome in outcomes.every_outcome(uow=uow, account_number=record.account_number)
        if outcome.public_id in record.outcome_ids
    ]
    # the first look at an outcome records its credential (and its issuer's first key)
    standing = [outcome.public_id for outcome in shared if stands(outcome.status)]
    verdicts = credentials.shared_verdicts(uow=uow, outcome_ids=standing, now=now)
    return Shared(record, name, shared, verdicts)
