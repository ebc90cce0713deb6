"""The use cases of web sessions and learners' passwords, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from creditbank.sessions.model import PrincipalKind


@dataclass(frozen=True, slots=True)
class LogIn:
    """Log a staff user (``login``: e-mail) or a learner (account number) in to the pages.
    ``client`` is where the request came from (throttling counts refusals per client too)."""

    kind: PrincipalKind
    login: str
    password: str
    client: str


@dataclass(frozen=True, slots=True)
class LogOut:
    """End the session whose cookie holds ``secret``."""

    secret: str


@dataclass(frozen=True, slots=True)
class RedeemActivationCode:
    """A learner chooses a password with the activation code the bank office gave them."""

    account_number: str
    code: str
    password: str
    client: str


@dataclass(frozen=True, slots=True)
class SetLearnerPassword:
    """Give a learner a web password (the bank office does, on request)."""

    account_number: str
    password: str


@dataclass(frozen=True, slots=True)
class IssueActivationCode:
    """A one-time code with which the learner chooses a password at /activate."""

    account_number: str
    valid_for: timedelta


@dataclass(frozen=True, slots=True)
class ShowWebAccess:
    """Whether a learner can log in to the pages: their password, their unused activation code."""

    account_number: str


@dataclass(frozen=True, slots=True)
class IssueStaffPasswordCode:
    """A one-time code with which a staff user sets their web password at /set-password (a
    bank administrator gives it to them); it cancels the user's earlier unused codes."""

    email: str
    valid_for: timedelta


@dataclass(frozen=True, slots=True)
class RedeemStaffPasswordCode:
    """A staff user sets their web password with the code an administrator gave them."""

    email: str
    code: str
    password: str
    client: str
