"""Handlers of conversion rules: drafting a version and its four-eyes steps.

An institution's registrars draft, submit and retire its rules; the bank's administrators
approve or reject them (never the version's own author: the store refuses that).
"""

from __future__ import annotations

from creditbank.access.policy import Action, Principal, require
from creditbank.conversion import rule_store
from creditbank.conversion.commands import (
    ApproveRule,
    DraftRule,
    RejectRule,
    RetireRule,
    SubmitRule,
)
from creditbank.conversion.rule_store import RuleVersion
from creditbank.db import UnitOfWork
from creditbank.institutions.model import check_institution_code
from creditbank.usecases import handler


@handler
def draft_rule(command: DraftRule, *, principal: Principal, uow: UnitOfWork) -> RuleVersion:
    """Draft a rule, or a new version of one; an open draft of the same code is withdrawn."""
    institution = check_institution_code(command.institution)
    require(principal, Action.DRAFT_RULE, institution)
    return rule_store.draft_rule(
        uow=uow, institution=institution, draft=command.draft, user_id=principal.user_id
    )


@handler
def submit_rule(command: SubmitRule, *, principal: Principal, uow: UnitOfWork) -> RuleVersion:
    require(principal, Action.DRAFT_RULE, rule_store.rule_owner(uow=uow, rule_id=command.rule_id))
    return rule_store.submit_rule(uow=uow, rule_id=command.rule_id, user_id=principal.user_id)


@handler
def approve_rule(command: ApproveRule, *, principal: Principal, uow: UnitOfWork) -> RuleVersion:
    owner = rule_store.rule_owner(uow=uow, rule_id=command.rule_id)
    require(principal, Action.APPROVE_RULE, owner)
    return rule_store.approve_rule(
        uow=uow, rule_id=command.rule_id, user_id=principal.user_id, reason=command.reason
    )


@handler
def reject_rule(command: RejectRule, *, principal: Principal, uow: UnitOfWork) -> RuleVersion:
    owner = rule_store.rule_owner(uow=uow, rule_id=command.rule_id)
    require(principal, Action.APPROVE_RULE, owner)
    return rule_store.reject_rule(
        uow=uow, rule_id=command.rule_id, user_id=principal.user_id, reason=command.reason
    )


@handler
def retire_rule(command: RetireRule, *, principal: Principal, uow: UnitOfWork) -> RuleVersion:
    owner = rule_store.rule_owner(uow=uow, rule_id=command.rule_id)
    require(principal, Action.RETIRE_RULE, owner)
    return rule_store.retire_rule(
        uow=uow,
        rule_id=command.rule_id,
        user_id=principal.user_id,
        effective_on=command.effective_on,
        reason=command.reason,
    )
