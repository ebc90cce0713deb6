"""The use cases of joint certification, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class JointBody:
    """A participating body as given: its institution, its item and ``result=level,...``."""

    institution: str
    item_code: str
    levels: str


@dataclass(frozen=True, slots=True)
class DefineJointScheme:
    """Define a scheme whose one assessment yields an outcome from each participating body."""

    code: str
    name: str
    name_en: str
    result_levels: tuple[str, ...]
    bodies: tuple[JointBody, ...]


@dataclass(frozen=True, slots=True)
class ListJointSchemes:
    """The joint-certification schemes."""


@dataclass(frozen=True, slots=True)
class DepositJointOutcome:
    """Deposit an assessment's outcome under a scheme: one outcome per participating body, each
    at the level its mapping gives ``result``, all or none."""

    scheme: str
    account_number: str
    record_id: str
    result: str
    assessed_on: date
    score: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ShowLinkedOutcomes:
    """The outcomes the same joint assessment made at the other bodies (by public id)."""

    outcome: str
