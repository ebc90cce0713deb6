"""The use cases of credit conversion, one frozen dataclass each.

Commands (named in the imperative) change something: define a programme, draft a rule and
take it through approval, request a conversion and decide on it. Queries (named for what they
answer) read: a programme, rule versions, a learner's progress, a conversion, and the views
the pages show (an institution's rules, the approval queue, the conversions to decide on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditbank.conversion.model import RuleDraft, RuleStatus
from creditbank.conversion.programme_store import ProgrammeSpec

# --- programmes ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DefineProgramme:
    """Define a programme credits can be converted into."""

    spec: ProgrammeSpec
    recorded_as: str | None = None
    """Who is recorded as defining it when not the acting user (the console's ``--by``)."""


@dataclass(frozen=True, slots=True)
class ShowProgramme:
    """One programme: its components, requirements and caps."""

    code: str


@dataclass(frozen=True, slots=True)
class ListProgrammes:
    """Programmes, optionally of one institution."""

    institution: str | None = None


@dataclass(frozen=True, slots=True)
class ShowDraftingChoices:
    """What the acting user may draft rules with: their institution's programmes (all, for the
    bank's staff) and every framework's levels, of its latest version (a rule names a level by
    framework and code; it is pinned to the version in force when the rule is applied)."""


# --- rules --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftRule:
    """Draft a rule, or a new version of one, for ``institution``."""

    institution: str
    draft: RuleDraft


@dataclass(frozen=True, slots=True)
class SubmitRule:
    """Send a draft to the bank for approval."""

    rule_id: int


@dataclass(frozen=True, slots=True)
class ApproveRule:
    """Approve a submitted version (a bank administrator other than its author)."""

    rule_id: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RejectRule:
    """Reject a submitted version, with a reason."""

    rule_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class RetireRule:
    """Retire an approved version from a date on, with a reason."""

    rule_id: int
    effective_on: date
    reason: str


@dataclass(frozen=True, slots=True)
class ShowRule:
    """One rule version with its history."""

    rule_id: int


@dataclass(frozen=True, slots=True)
class ShowRuleToRedraft:
    """A rule version, to draft its next version from (its institution's drafters)."""

    rule_id: int


@dataclass(frozen=True, slots=True)
class ShowRuleToRetire:
    """A rule version, to retire (its institution's registrars, bank administrators)."""

    rule_id: int


@dataclass(frozen=True, slots=True)
class ListRules:
    """Rule versions, filtered by drafting institution, status and programme."""

    institution: str | None = None
    status: RuleStatus | None = None
    programme: str | None = None


@dataclass(frozen=True, slots=True)
class ShowRuleDesk:
    """The rule versions of the acting user's institution (every one, for the bank's staff),
    with what the user may do with them."""


@dataclass(frozen=True, slots=True)
class ShowApprovalQueue:
    """The versions submitted for the bank's approval."""


@dataclass(frozen=True, slots=True)
class ShowRulePage:
    """One rule version with what the acting user may do with it."""

    rule_id: int


# --- progress and conversions ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowProgress:
    """A learner's progress toward a programme on a day."""

    account_number: str
    programme: str
    on: date


@dataclass(frozen=True, slots=True)
class ShowOwnProgress:
    """The logged-in learner's progress toward a programme (none chosen: ``""``) and their
    conversion requests."""

    programme: str
    on: date
    account_number: str = ""
    """The account asked for, if any: a learner reads only their own."""


@dataclass(frozen=True, slots=True)
class RequestConversion:
    """Request a conversion toward a programme for a learner (stored as pending unless a dry
    run)."""

    account_number: str
    programme: str
    on: date
    dry_run: bool = False
    recorded_as: str | None = None
    """Who is recorded as requesting it when not the acting user (the console's ``cli``)."""
    idempotency_key: str | None = None
    fingerprint: str = ""
    """What the request was (with ``idempotency_key``): a retry must be the same request."""


@dataclass(frozen=True, slots=True)
class RequestOwnConversion:
    """The logged-in learner requests the suggested plan toward a programme."""

    programme: str
    on: date


@dataclass(frozen=True, slots=True)
class ShowConversion:
    """One conversion with its grants and history."""

    public_id: str


@dataclass(frozen=True, slots=True)
class ListConversions:
    """A learner's conversion requests, newest first."""

    account_number: str


@dataclass(frozen=True, slots=True)
class ShowConversionDesk:
    """The conversions toward the acting user's institution's programmes (every one, for the
    bank's staff), with those the user may decide on."""


@dataclass(frozen=True, slots=True)
class ConfirmConversion:
    """Confirm a pending conversion: its grants become transferred credit."""

    public_id: str


@dataclass(frozen=True, slots=True)
class DeclineConversion:
    """Decline a pending conversion, with a reason."""

    public_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReverseConversion:
    """Reverse a confirmed conversion (or withdraw a pending one), with a reason."""

    public_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CorrectTransfers:
    """Supersede outcomes that conversions deposited as the programme's own item by
    transferred-credit outcomes (a bank administrator's correction)."""

    reason: str
    dry_run: bool = False
