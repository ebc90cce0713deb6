"""Catalogue items and their rules. A pure core.

An item is something an institution awards: a qualification, a course, an X
certificate, a vocational qualification, a training certificate, or one of the
"various achievements". It belongs to one framework and lists the levels it can
be awarded at (one for a course, several for an X certificate), and carries
credits where it has them.

An item's owner may grant another institution the right to issue it (an
"accredited to issue" grant, e.g. a training-evaluation organisation's pilot
schools for its X certificate), for assessments within a window of dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from creditbank.errors import DomainError
from creditbank.frameworks.model import PinnedLevel
from creditbank.messages import Message, msg

ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
X_CERTIFICATE_ROUNDS = range(1, 5)


class CatalogError(DomainError):
    """A catalogue item that cannot be accepted."""


class ItemKind(StrEnum):
    QUALIFICATION = "qualification"
    COURSE = "course"
    X_CERTIFICATE = "x_certificate"
    VOCATIONAL_QUALIFICATION = "vocational_qualification"
    TRAINING_CERTIFICATE = "training_certificate"
    ACHIEVEMENT = "achievement"
    ACCREDITATION_UNIT = "accreditation_unit"
    """A unit of a competence standard, awarded by accreditation (made by importing a standard)."""
    TRANSFERRED_CREDIT = "transferred_credit"
    """Credits transferred toward a programme by a confirmed conversion (one item per programme,
    made by the bank): never deposited by an institution, never the programme's award itself."""


class AchievementType(StrEnum):
    """The "various achievements" of the proposed national framework."""

    COMPETITION_AWARD = "competition_award"
    RESEARCH = "research"
    INNOVATION_ENTREPRENEURSHIP = "innovation_entrepreneurship"
    SOCIAL_SERVICE = "social_service"
    CULTURAL_HERITAGE = "cultural_heritage"


@dataclass(frozen=True, slots=True)
class ItemDraft:
    """An item as an institution submits it."""

    institution: str
    code: str
    kind: ItemKind
    name: str
    framework: str
    levels: tuple[str, ...]
    name_en: str = ""
    credits: Decimal | None = None
    provider: str = ""
    approval_round: int | None = None
    achievement_type: AchievementType | None = None


@dataclass(frozen=True, slots=True)
class CatalogItem:
    id: int
    institution: str
    code: str
    kind: ItemKind
    name: str
    name_en: str
    framework: str
    levels: tuple[PinnedLevel, ...]
    credits: Decimal | None
    provider: str
    approval_round: int | None
    achievement_type: AchievementType | None
    version: int = 1
    """Incremented by each change of the item's committed facts (ADR 0017)."""

    def level_named(self, code: str) -> PinnedLevel | Message:
        """The item's level named ``code``, or the problem saying at which levels it is awarded."""
        found = next((p for p in self.levels if p.level.key == code.casefold()), None)
        if found is not None:
            return found
        return msg(
            "item {code} is awarded at {levels}, not at {level}",
            code=self.code,
            levels=", ".join(p.level.code for p in self.levels),
            level=code,
        )


def check_item(draft: ItemDraft) -> list[Message]:
    """Every problem with ``draft`` that needs no database (empty when it is fine)."""
    problems: list[Message] = []
    if not ITEM_CODE.match(draft.code):
        problems.append(
            msg(
                "item code {code} must be 1-64 letters, digits, '.', '-' or '_'",
                code=repr(draft.code),
            )
        )
    if not draft.name.strip():
        problems.append(msg("an item needs a name"))
    if not draft.levels:
        problems.append(msg("an item needs at least one level of its framework"))
    if len({level.casefold() for level in draft.levels}) != len(draft.levels):
        problems.append(msg("a level is listed twice"))
    if draft.kind is ItemKind.X_CERTIFICATE:
        if not draft.provider.strip():
            problems.append(
                msg("an X certificate needs its provider (training-evaluation organisation)")
            )
        if draft.approval_round not in X_CERTIFICATE_ROUNDS:
            problems.append(msg("an X certificate needs its approval round, 1 to 4"))
    elif draft.approval_round is not None:
        problems.append(msg("only X certificates have an approval round"))
    if (draft.kind is ItemKind.ACHIEVEMENT) != (draft.achievement_type is not None):
        problems.append(msg("an achievement, and only an achievement, has an achievement type"))
    if draft.kind is ItemKind.COURSE and draft.credits is None:
        problems.append(msg("a course carries credits"))
    if draft.kind is ItemKind.ACCREDITATION_UNIT and draft.credits is None:
        problems.append(msg("an accreditation unit carries credits"))
    return problems


# --- accreditation to issue another institution's item -------------------------------

OWNER_SEPARATOR = ":"


def split_item_ref(text: str) -> tuple[str | None, str]:
    """``OWNER:CODE`` -> (OWNER, CODE); a bare ``CODE`` -> (None, CODE).

    Item codes are unique per owning institution only; a depositor names another owner's item
    (one it is accredited to issue) as ``OWNER:CODE`` when the bare code is ambiguous.
    """
    owner, separator, code = text.strip().rpartition(OWNER_SEPARATOR)
    return (owner.strip().upper() if separator else None), code.strip()


@dataclass(frozen=True, slots=True)
class GrantWindow:
    """The assessment dates a grant covers: from ``valid_from``, up to ``valid_until`` if set."""

    valid_from: date
    valid_until: date | None = None

    def covers(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

    def overlaps(self, other: GrantWindow) -> bool:
        starts_before_other_ends = other.valid_until is None or self.valid_from <= other.valid_until
        ends_after_other_starts = self.valid_until is None or other.valid_from <= self.valid_until
        return starts_before_other_ends and ends_after_other_starts

    def __str__(self) -> str:
        """ISO 8601 interval: ``2025-01-01/2025-12-31``, open-ended ``2025-01-01/..``."""
        until = self.valid_until.isoformat() if self.valid_until else ".."
        return f"{self.valid_from.isoformat()}/{until}"


def check_grant(*, owner: str, grantee: str, window: GrantWindow) -> list[Message]:
    """Every problem with granting ``grantee`` the right to issue one of ``owner``'s items."""
    problems: list[Message] = []
    if owner == grantee:
        problems.append(
            msg("{institution} owns the item and needs no grant to issue it", institution=owner)
        )
    if window.valid_until is not None and window.valid_until < window.valid_from:
        problems.append(
            msg(
                "valid_until {until} is before valid_from {start}",
                until=window.valid_until.isoformat(),
                start=window.valid_from.isoformat(),
            )
        )
    return problems


@dataclass(frozen=True, slots=True)
class Issuable:
    """The items an institution may deposit outcomes of, by how a depositor names them.

    ``items`` holds the institution's own items under their bare code and as ``OWNER:CODE``, and
    granted items as ``OWNER:CODE`` and, unless the code is the institution's own or is granted
    by several owners (``ambiguous``), under their bare code too. ``windows`` holds the grant
    windows of granted items (own items have none: they are always issuable).
    """

    institution: str
    items: dict[str, CatalogItem]
    windows: dict[int, tuple[GrantWindow, ...]] = field(default_factory=dict)
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def find(self, ref: str) -> CatalogItem | None:
        """The item ``ref`` (``CODE`` or ``OWNER:CODE``) names, if the institution may issue it."""
        found = self.items.get(ref)
        if found is None:
            owner, code = split_item_ref(ref)
            found = self.items.get(f"{owner}:{code}" if owner else code)
            if found is not None:
                self.items[ref] = found  # remember this spelling for the next row
        return found

    def ambiguity(self, ref: str) -> Message | None:
        """Why the bare code ``ref`` names no item when several owners granted one of that code."""
        owners = self.ambiguous.get(ref.strip())
        if owners is None:
            return None
        return msg(
            "{code} is granted to {institution} by {owners}; name it as OWNER:{code}",
            code=ref.strip(),
            institution=self.institution,
            owners=", ".join(owners),
        )

    def window_problem(self, item: CatalogItem, assessed_on: date) -> Message | None:
        """Why an outcome of ``item`` assessed on that day may not be deposited, if it may not."""
        windows = self.windows.get(item.id)
        if windows is None or any(window.covers(assessed_on) for window in windows):
            return None
        return msg(
            "{institution} is accredited to issue {owner}:{code} for assessments in {windows}, "
            "not on {date}",
            institution=self.institution,
            owner=item.institution,
            code=item.code,
            windows=", ".join(str(window) for window in windows),
            date=assessed_on.isoformat(),
        )
