"""Read models of web access, for the operator console: whether a learner has a web password
(and since when), whether an activation code of theirs waits unused (and until when), and
when they last used the pages. Nothing here reads a secret back: codes and passwords are kept
as digests and hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from creditbank.access.policy import Action, Principal, require
from creditbank.accounts import api as accounts
from creditbank.db import UnitOfWork
from creditbank.messages import msg
from creditbank.sessions.commands import ShowWebAccess
from creditbank.sessions.model import as_utc
from creditbank.sessions.tables import ActivationCodeRow, LearnerCredentialRow, WebSessionRow
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class WebAccess:
    """A learner's way into the pages (None: never)."""

    password_set_at: datetime | None
    code_expires_at: datetime | None
    """The expiry of the learner's activation code that waits unused, if one does."""
    last_seen_at: datetime | None


def _utc(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None


@handler
def show_web_access(
    query: ShowWebAccess, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> WebAccess:
    """The console's readers only (the bank's administrators and auditors, who read every
    account); ``account_not_found`` for an unknown account."""
    require(principal, Action.READ_OUTCOMES, None)
    learner = accounts.find_learner(uow=uow, account_number=query.account_number)
    if learner is None:
        number = accounts.check_account_number(query.account_number)
        raise accounts.AccountError(
            "account_not_found", msg("there is no account {number}", number=number)
        )
    session = uow.session
    credential = session.get(LearnerCredentialRow, learner.id)
    code_expiry = session.scalar(
        select(func.max(ActivationCodeRow.expires_at)).where(
            ActivationCodeRow.learner_id == learner.id,
            ActivationCodeRow.used_at.is_(None),
            ActivationCodeRow.expires_at > now,
        )
    )
    last_seen = session.scalar(
        select(func.max(WebSessionRow.last_seen_at)).where(WebSessionRow.learner_id == learner.id)
    )
    return WebAccess(
        password_set_at=_utc(credential.set_at) if credential is not None else None,
        code_expires_at=_utc(code_expiry),
        last_seen_at=_utc(last_seen),
    )
