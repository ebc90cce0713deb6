"""The use cases of the bank's alliances, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditbank.alliances.model import AllianceStatus


@dataclass(frozen=True, slots=True)
class JoinAlliance:
    """Propose that this bank join an alliance under its agreement (another bank administrator
    approves)."""

    code: str
    name: str
    name_en: str
    members: tuple[str, ...]
    frameworks: tuple[str, ...]
    item_kinds: tuple[str, ...]
    valid_from: date
    valid_until: date | None = None


@dataclass(frozen=True, slots=True)
class ApproveJoining:
    """Approve this bank's joining of a proposed alliance (not its proposer: four eyes).
    ``alliance``: its id, or its code."""

    alliance: str


@dataclass(frozen=True, slots=True)
class LeaveAlliance:
    """Leave an alliance this bank joined, with a reason."""

    alliance: str
    reason: str


@dataclass(frozen=True, slots=True)
class ListAlliances:
    """The bank's alliances with their history: all, or those of one status."""

    status: AllianceStatus | None = None


@dataclass(frozen=True, slots=True)
class ShowMemberships:
    """Public: the alliances this bank is a member of today, with their members and agreement."""
