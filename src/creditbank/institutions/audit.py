"""The audit of administrators' actions: who did what to which institution, user, token (or
other thing the operator console manages), and when.

Every console use case calls :func:`record_action` in its handler, in the unit of work of the
change itself, so the entry commits with the change or not at all. An entry holds no personal
data: the actor is a user id (None for the server's operator at its console), the target a
code or a row id, the detail a fixed word (a role, the names of the fields changed); never a
name, an e-mail address, an identity number or a secret. Bank administrators and auditors read
it (:func:`list_actions`, the console's audit page).

Other areas record their console actions through :mod:`creditbank.institutions.api`
(``record_admin_action``, the same function).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from creditbank.access.policy import Principal
from creditbank.db import UnitOfWork
from creditbank.institutions.model import InstitutionError
from creditbank.institutions.tables import AdminActionRow, UserRow
from creditbank.messages import Message, msg

ACTION = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
"""An action's code: ``thing.verb``, e.g. ``user.disable``."""
TARGET_KIND = re.compile(r"^[a-z][a-z_]{0,15}$")
MAX_TARGET, MAX_DETAIL, MAX_INSTITUTION = 64, 64, 32

ACTIONS: dict[str, Message] = {
    "institution.add": msg("opened the institution's account"),
    "institution.edit": msg("edited the institution"),
    "user.add": msg("added the user"),
    "user.disable": msg("disabled the user"),
    "user.enable": msg("enabled the user"),
    "user.password_code": msg("gave the user a password-set code"),
    "token.create": msg("created an API token"),
    "token.revoke": msg("revoked the API token"),
    "learner.look_up": msg("looked a learner up by identity number"),
    "learner.activation_code": msg("gave the learner an activation code"),
    "grant.add": msg("accredited an institution to issue an item"),
    "grant.withdraw": msg("withdrew a grant"),
}
"""What each action code means, for the audit page (an action not listed shows its code)."""


@dataclass(frozen=True, slots=True)
class AdminAction:
    """One entry of the audit, as the audit page shows it."""

    id: int
    at: datetime
    actor: str | None
    """The acting user's e-mail address; None: the server's operator at its console."""
    action: str
    target_kind: str
    target: str
    institution: str | None
    detail: str


def record_action(
    uow: UnitOfWork,
    principal: Principal,
    action: str,
    *,
    target_kind: str,
    target: str | int,
    institution: str | None = None,
    detail: str = "",
    at: datetime | None = None,
) -> None:
    """Record that ``principal`` took ``action`` (``thing.verb``, e.g. ``user.disable``) on
    ``target`` (a code or row id of kind ``target_kind``, e.g. ``user``), concerning
    ``institution`` (its code, if the thing belongs to one), in ``uow``: it commits with the
    change it records. ``detail``: a fixed word or two, never personal data."""
    target = str(target)
    if not ACTION.match(action) or not TARGET_KIND.match(target_kind):
        problem = f"not an audit action or target kind: {action!r}, {target_kind!r}"
        raise ValueError(problem)
    if len(target) > MAX_TARGET or len(detail) > MAX_DETAIL:
        problem = "an audit entry's target and detail are short codes"
        raise ValueError(problem)
    if institution is not None and len(institution) > MAX_INSTITUTION:
        problem = "an audit entry's institution is an institution code"
        raise ValueError(problem)
    uow.session.add(
        AdminActionRow(
            at=at or datetime.now(UTC),
            actor_id=principal.user_id or None,  # 0: the operator, who is no user
            action=action,
            target_kind=target_kind,
            target=target,
            institution=institution,
            detail=detail,
        )
    )
    uow.session.flush()


def list_actions(
    *, uow: UnitOfWork, institution: str | None = None, before: int | None = None, limit: int = 50
) -> list[AdminAction]:
    """The latest entries first (those with an id below ``before``: the next page), at most
    ``limit``; only those concerning ``institution`` when given."""
    if limit < 1:
        raise InstitutionError("invalid_cursor", msg("a page holds at least one entry"))
    statement = (
        select(AdminActionRow, UserRow.email)
        .outerjoin(UserRow, UserRow.id == AdminActionRow.actor_id)
        .order_by(AdminActionRow.id.desc())
        .limit(limit)
    )
    if institution:
        statement = statement.where(AdminActionRow.institution == institution.strip().upper())
    if before is not None:
        statement = statement.where(AdminActionRow.id < before)
    return [
        AdminAction(
            id=row.id,
            at=row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC),
            actor=email,
            action=row.action,
            target_kind=row.target_kind,
            target=row.target,
            institution=row.institution,
            detail=row.detail,
        )
        for row, email in uow.session.execute(statement).all()
    ]
