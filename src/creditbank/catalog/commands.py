"""The use cases of the catalogue and of grants ("accredited to issue"), one dataclass each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditbank.catalog.model import ItemDraft, ItemKind


@dataclass(frozen=True, slots=True)
class AddItem:
    """Add an item to an institution's catalogue; its levels are pinned as in force ``on``."""

    draft: ItemDraft
    on: date


@dataclass(frozen=True, slots=True)
class ListItems:
    """Catalogue items, of one institution and/or one kind (None: all)."""

    institution: str | None = None
    kind: ItemKind | None = None


@dataclass(frozen=True, slots=True)
class GrantItem:
    """Accredit ``grantee`` to issue ``owner``'s item ``code`` for assessments in the window.

    ``by`` is who is recorded as granting it; None records the acting principal (the console
    names someone with ``--by``).
    """

    owner: str
    code: str
    grantee: str
    valid_from: date
    valid_until: date | None = None
    by: str | None = None


@dataclass(frozen=True, slots=True)
class ListGrants:
    """Every grant of ``owner``'s item ``code``, withdrawn ones too."""

    owner: str
    code: str


@dataclass(frozen=True, slots=True)
class WithdrawGrant:
    """Withdraw a grant; ``by`` is who is recorded (None: the acting principal)."""

    grant_id: int
    by: str | None = None


@dataclass(frozen=True, slots=True)
class ShowGrantsConsole:
    """The operator console's grants: every grant (of ``institution``'s items and those it
    holds, when given), and what a new grant may name."""

    institution: str | None = None


@dataclass(frozen=True, slots=True)
class ShowGrantForm:
    """Whether the acting user may grant and withdraw at the console (bank-wide)."""
