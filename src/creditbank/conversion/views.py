"""The read side of credit conversion: one query handler per question, and the views the pages
show (what the acting user may do is part of the answer, so no page asks the policy itself).

Each handler checks the policy first, in the order the API always did (a 404 for what does not
exist before a 403 where the owner decides), then reads in the unit of work it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from creditbank.access.policy import (
    Action,
    LearnerPrincipal,
    Principal,
    allowed,
    require,
    require_consented,
    require_own_account,
)
from creditbank.accounts import api as accounts
from creditbank.catalog import api as catalog
from creditbank.consents import api as consents
from creditbank.conversion import conversion_reads, programme_store, progress, rule_store
from creditbank.conversion.commands import (
    ListConversions,
    ListProgrammes,
    ListRules,
    ShowApprovalQueue,
    ShowConversion,
    ShowConversionDesk,
    ShowDraftingChoices,
    ShowOwnProgress,
    ShowProgramme,
    ShowProgress,
    ShowRule,
    ShowRuleDesk,
    ShowRulePage,
    ShowRuleToRedraft,
    ShowRuleToRetire,
)
from creditbank.conversion.conversion_reads import Conversion, ConversionStatus
from creditbank.conversion.model import Programme, RuleStatus
from creditbank.conversion.progress import LearnerProgress
from creditbank.conversion.rule_store import RuleVersion
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.frameworks import api as frameworks
from creditbank.usecases import handler

# --- programmes ------------------------------------------------------------------------------


@handler
def show_programme(query: ShowProgramme, *, principal: Principal, uow: UnitOfWork) -> Programme:
    """Any staff user reads a programme."""
    del principal  # every staff role reads programmes
    return programme_store.get_programme(uow=uow, code=query.code)


@handler
def list_programmes(
    query: ListProgrammes, *, principal: Principal, uow: UnitOfWork
) -> list[Programme]:
    del principal  # every staff role reads programmes
    return programme_store.list_programmes(uow=uow, institution=query.institution)


@dataclass(frozen=True, slots=True)
class DraftingChoices:
    """The programmes a user may draft rules for, and each framework's code and levels."""

    programmes: list[Programme]
    frameworks: list[tuple[str, list[frameworks.Level]]]


@handler
def show_drafting_choices(
    query: ShowDraftingChoices, *, principal: Principal, uow: UnitOfWork
) -> DraftingChoices:
    require(principal, Action.DRAFT_RULE, principal.institution)
    found = programme_store.list_programmes(uow=uow, institution=principal.institution)
    del query  # nothing to choose: every framework's latest version
    latest = frameworks.latest_frameworks(uow=uow)  # one read, not one per framework
    return DraftingChoices(
        programmes=found,
        frameworks=[(code, list(version.levels())) for code, version in latest.items()],
    )


def _by_code(uow: UnitOfWork) -> dict[str, Programme]:
    return {p.code: p for p in programme_store.list_programmes(uow=uow)}


# --- rules -------------------------------------------------------------------------------------


@handler
def show_rule(query: ShowRule, *, principal: Principal, uow: UnitOfWork) -> RuleVersion:
    del principal  # every staff role reads rules
    return rule_store.get_rule(uow=uow, rule_id=query.rule_id)


@handler
def show_rule_to_redraft(
    query: ShowRuleToRedraft, *, principal: Principal, uow: UnitOfWork
) -> RuleVersion:
    found = rule_store.get_rule(uow=uow, rule_id=query.rule_id)
    require(principal, Action.DRAFT_RULE, found.institution)
    return found


@handler
def show_rule_to_retire(
    query: ShowRuleToRetire, *, principal: Principal, uow: UnitOfWork
) -> RuleVersion:
    found = rule_store.get_rule(uow=uow, rule_id=query.rule_id)
    require(principal, Action.RETIRE_RULE, found.institution)
    return found


@handler
def list_rules(query: ListRules, *, principal: Principal, uow: UnitOfWork) -> list[RuleVersion]:
    require(principal, Action.READ_RULES, query.institution)
    return rule_store.list_rules(
        uow=uow, institution=query.institution, status=query.status, programme=query.programme
    )


@dataclass(frozen=True, slots=True)
class RuleDesk:
    """An institution's rule versions (by programme, code, newest version first) and what the
    acting user may do: draft, approve, submit which drafts."""

    rules: list[RuleVersion]
    may_draft: bool
    may_approve: bool
    submittable: set[int]


@handler
def show_rule_desk(query: ShowRuleDesk, *, principal: Principal, uow: UnitOfWork) -> RuleDesk:
    del query
    require(principal, Action.READ_RULES, principal.institution)
    found = rule_store.list_rules(uow=uow, institution=principal.institution)
    found.sort(key=lambda rule: (rule.programme, rule.draft.code, -rule.version))
    return RuleDesk(
        rules=found,
        may_draft=allowed(principal, Action.DRAFT_RULE, principal.institution),
        may_approve=allowed(principal, Action.APPROVE_RULE, None),
        submittable={
            rule.id
            for rule in found
            if rule.status is RuleStatus.DRAFT
            and allowed(principal, Action.DRAFT_RULE, rule.institution)
        },
    )


@dataclass(frozen=True, slots=True)
class ApprovalQueue:
    """The versions waiting for the bank's approval, and the programmes they are toward."""

    rules: list[RuleVersion]
    programmes: dict[str, Programme]


@handler
def show_approval_queue(
    query: ShowApprovalQueue, *, principal: Principal, uow: UnitOfWork
) -> ApprovalQueue:
    del query
    require(principal, Action.APPROVE_RULE, None)
    return ApprovalQueue(
        rules=rule_store.list_rules(uow=uow, status=RuleStatus.SUBMITTED),
        programmes=_by_code(uow),
    )


@dataclass(frozen=True, slots=True)
class RulePage:
    """A rule version and the steps the acting user may take on it now."""

    rule: RuleVersion
    programmes: dict[str, Programme]
    may_submit: bool
    may_decide: bool
    may_retire: bool
    may_draft: bool


@handler
def show_rule_page(query: ShowRulePage, *, principal: Principal, uow: UnitOfWork) -> RulePage:
    rule = rule_store.get_rule(uow=uow, rule_id=query.rule_id)
    require(principal, Action.READ_RULES, rule.institution)
    status, owner = rule.status, rule.institution
    return RulePage(
        rule=rule,
        programmes=_by_code(uow),
        may_submit=status is RuleStatus.DRAFT and allowed(principal, Action.DRAFT_RULE, owner),
        may_decide=status is RuleStatus.SUBMITTED
        and allowed(principal, Action.APPROVE_RULE, owner),
        may_retire=status is RuleStatus.APPROVED and allowed(principal, Action.RETIRE_RULE, owner),
        may_draft=allowed(principal, Action.DRAFT_RULE, owner),
    )


# --- progress ----------------------------------------------------------------------------------


@handler
def show_progress(
    query: ShowProgress, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> LearnerProgress:
    """Bank administrators and auditors; the programme's staff with the learner's consent."""
    owner = programme_store.programme_owner(uow=uow, code=query.programme)
    consenting = consents.consenting_institutions(
        uow=uow, account_number=query.account_number, now=now
    )
    require_consented(principal, Action.READ_PROGRESS, owner, consenting=consenting)
    return progress.progress(
        uow=uow, account_number=query.account_number, programme=query.programme, on=query.on
    )


@dataclass(frozen=True, slots=True)
class OwnProgress:
    """A learner's progress toward the programme they chose (if any), their conversion
    requests and the programmes they may choose from."""

    progress: LearnerProgress | None
    conversions: list[Conversion]
    programmes: list[Programme]
    component_names_en: dict[str, str] = field(default_factory=dict)
    """The English names of the chosen programme's components, by code, where the catalogue
    holds one for the item that completes the component."""


def _component_names_en(uow: UnitOfWork, programme: Programme) -> dict[str, str]:
    names: dict[str, str] = {}
    for component in programme.components:
        owner, _, code = (component.item or "").partition(":")
        if not code:
            continue
        try:
            item = catalog.find_item(uow=uow, institution=owner, code=code)
        except DomainError:  # an owner the catalogue does not know: no English name
            continue
        if item is not None and item.name_en:
            names[component.code] = item.name_en
    return names


@handler
def show_own_progress(
    query: ShowOwnProgress, *, principal: LearnerPrincipal, uow: UnitOfWork
) -> OwnProgress:
    """The logged-in learner's own account only."""
    if query.account_number.strip():
        require_own_account(principal, query.account_number)
    number = principal.account_number
    found = (
        progress.progress(uow=uow, account_number=number, programme=query.programme, on=query.on)
        if query.programme
        else None
    )
    return OwnProgress(
        progress=found,
        conversions=conversion_reads.list_conversions(uow=uow, account_number=number),
        programmes=programme_store.list_programmes(uow=uow),
        component_names_en={}
        if found is None
        else _component_names_en(uow, found.progress.programme),
    )


# --- conversions -------------------------------------------------------------------------------


@handler
def show_conversion(query: ShowConversion, *, principal: Principal, uow: UnitOfWork) -> Conversion:
    owner = conversion_reads.conversion_owner(uow=uow, public_id=query.public_id)
    require(principal, Action.READ_CONVERSION, owner)
    return conversion_reads.get_conversion(uow=uow, public_id=query.public_id)


@handler
def list_conversions(
    query: ListConversions, *, principal: Principal, uow: UnitOfWork
) -> list[Conversion]:
    """Bank administrators and auditors."""
    require(principal, Action.READ_CONVERSION, None)
    return conversion_reads.list_conversions(uow=uow, account_number=query.account_number)


@dataclass(frozen=True, slots=True)
class ConversionDesk:
    """Conversions waiting for a decision (or a review), those decided, and which the acting
    user may decide on."""

    waiting: list[Conversion]
    decided: list[Conversion]
    may_decide: set[str]
    programmes: dict[str, Programme]
    sources: dict[str, accounts.OutcomeLabel]
    """The source outcomes of their grants, by public id: what the page names them by."""


@handler
def show_conversion_desk(
    query: ShowConversionDesk, *, principal: Principal, uow: UnitOfWork
) -> ConversionDesk:
    del query
    require(principal, Action.READ_CONVERSION, principal.institution)
    found = conversion_reads.list_conversions(uow=uow, institution=principal.institution)
    waiting = [c for c in found if c.status is ConversionStatus.PENDING or c.needs_review]
    waiting_ids = {c.public_id for c in waiting}
    return ConversionDesk(
        waiting=waiting,
        decided=[c for c in found if c.public_id not in waiting_ids],
        may_decide={
            c.public_id
            for c in found
            if allowed(principal, Action.DECIDE_CONVERSION, c.institution)
        },
        programmes=_by_code(uow),
        sources=accounts.outcome_labels(
            uow=uow,
            public_ids=[s for c in found for grant in c.grants for s in grant.sources],
        ),
    )
