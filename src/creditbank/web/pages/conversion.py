"""Credit conversion in the pages: an institution's conversion rules (their versions, a draft
form, a version's content and history, submitting and retiring it) and the bank
administrators' approval queue (four eyes). The conversions an institution decides on and a
learner's progress are in :mod:`creditbank.web.pages.conversion_progress`, whose pages this
module's router includes (``web.app`` mounts :data:`pages`).

Thin, like every page: authenticate, build the command, call its handler (which checks the
policy), render. Every change runs in a unit of work of its own (:func:`attempt`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import Principal
from creditbank.accounts.model import LearningSetting
from creditbank.catalog.model import ItemKind
from creditbank.conversion import rules, views
from creditbank.conversion.commands import (
    ApproveRule,
    DraftRule,
    RejectRule,
    RetireRule,
    ShowApprovalQueue,
    ShowDraftingChoices,
    ShowRuleDesk,
    ShowRulePage,
    ShowRuleToRedraft,
    ShowRuleToRetire,
    SubmitRule,
)
from creditbank.conversion.model import (
    Conditions,
    LevelBar,
    RuleDraft,
    SourceSpec,
    Target,
    TargetKind,
    check_rule,
)
from creditbank.conversion.rule_store import RuleVersion
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.messages import msg
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Today, Uow
from creditbank.web.formats import number
from creditbank.web.pages import conversion_progress
from creditbank.web.pages.changes import refusal, see, status_of
from creditbank.web.pages.conversion_common import (
    Form,
    Submitted,
    attempt,
    level_namer,
    notice,
    page,
)
from creditbank.web.pages.forms import UNPROCESSABLE, FieldErrors, parse_date, parse_decimal
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
ROWS = 3
"""Source and target rows of the draft form."""
MAX_AGE_YEARS = 100


# --- an institution's rules -------------------------------------------------------------------


@pages.get("/staff/rules", response_class=HTMLResponse)
def rules_page(
    request: Request, uow: Uow, principal: StaffPage, done: str | None = None
) -> Response:
    """The rule versions of the user's institution (every institution's for the bank's staff)."""
    desk = views.show_rule_desk(ShowRuleDesk(), principal=principal, uow=uow)
    return page(
        request,
        "conversion/rules.html",
        level_name=level_namer(uow, request.state.language),
        principal=principal,
        rules=desk.rules,
        may_draft=desk.may_draft,
        may_approve=desk.may_approve,
        submittable=desk.submittable,
        notice=notice(request, done),
    )


# --- the draft form ----------------------------------------------------------------------------


def _draft_form(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    values: Mapping[str, object],
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    choices = views.show_drafting_choices(ShowDraftingChoices(), principal=principal, uow=uow)
    return page(
        request,
        "conversion/rule_new.html",
        status_code=status_code,
        programmes=choices.programmes,
        frameworks=choices.frameworks,
        kinds=list(ItemKind),
        settings=list(LearningSetting),
        rows=range(1, ROWS + 1),
        values=values,
        errors=errors.as_dict() if errors else {},
    )


def _values_of(rule: RuleVersion) -> dict[str, object]:
    """The draft form filled in with ``rule``, to draft its next version."""
    draft = rule.draft
    conditions = draft.conditions
    values: dict[str, object] = {
        "programme": rule.programme,
        "code": draft.code,
        "name": draft.name,
        "name_en": draft.name_en,
        "min_score": number(conditions.min_score),
        "max_age_years": "" if conditions.max_age_years is None else str(conditions.max_age_years),
        "settings": sorted(conditions.settings),
        "valid_from": draft.valid_from.isoformat(),
        "valid_until": draft.valid_until.isoformat() if draft.valid_until else "",
    }
    for row, source in enumerate(draft.sources[:ROWS], start=1):
        values[f"source_item_{row}"] = source.item or ""
        values[f"source_kind_{row}"] = source.kind or ""
        values[f"source_framework_{row}"] = source.level.framework if source.level else ""
        values[f"source_level_{row}"] = source.level.level if source.level else ""
        values[f"source_at_least_{row}"] = "1" if source.at_least else ""
    for row, target in enumerate(draft.targets[:ROWS], start=1):
        values[f"target_component_{row}"] = target.component or ""
        values[f"target_credits_{row}"] = number(target.credits)
        values[f"target_category_{row}"] = target.category
    return values


@pages.get("/staff/rules/new", response_class=HTMLResponse)
def draft_form(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    programme: str = "",
    rule: int | None = None,
) -> Response:
    """The form to draft a rule; with ``rule``, filled in with that version to draft the next."""
    values: dict[str, object] = {"programme": programme, "valid_from": today.isoformat()}
    if rule is not None:
        query = ShowRuleToRedraft(rule)
        values = _values_of(views.show_rule_to_redraft(query, principal=principal, uow=uow))
    return _draft_form(request, uow, principal, values)


def _sources(form: Submitted, errors: FieldErrors) -> list[SourceSpec]:
    """The filled-in source rows (blank rows are left out)."""
    found = []
    for row in range(1, ROWS + 1):
        item, kind, framework, level = (
            form.get(f"source_{name}_{row}").strip()
            for name in ("item", "kind", "framework", "level")
        )
        at_least = bool(form.get(f"source_at_least_{row}"))
        if not (item or kind or framework or level or at_least):
            continue
        if bool(framework) != bool(level):
            errors.add(
                f"source_{row}",
                msg(
                    "source row {number}: choose a framework and one of its levels, or neither",
                    number=row,
                ),
            )
        found.append(
            SourceSpec(
                item=item or None,
                kind=kind or None,
                level=LevelBar(framework, level, "", 0) if framework and level else None,
                at_least=at_least,
            )
        )
    return found


def _targets(form: Submitted, errors: FieldErrors) -> list[Target]:
    """The filled-in target rows: a component, or elective credits (blank rows are left out)."""
    found = []
    for row in range(1, ROWS + 1):
        component, amount, category = (
            form.get(f"target_{name}_{row}").strip()
            for name in ("component", "credits", "category")
        )
        if not (component or amount or category):
            continue
        if component and (amount or category):
            errors.add(
                f"target_{row}",
                msg(
                    "target row {number}: choose a component, or give elective credits; not both",
                    number=row,
                ),
            )
        elif component:
            found.append(Target(TargetKind.COMPONENT, component=component))
        else:
            elective = parse_decimal(errors, f"target_{row}", amount, 1)
            if elective is not None or not amount:
                found.append(Target(TargetKind.ELECTIVE, credits=elective, category=category))
    return found


def _conditions(form: Submitted, errors: FieldErrors) -> Conditions:
    min_score = parse_decimal(errors, "min_score", form.get("min_score"), 2)
    years_text = form.get("max_age_years").strip()
    years = None
    if years_text:
        if years_text.isdigit() and 1 <= int(years_text) <= MAX_AGE_YEARS:
            years = int(years_text)
        else:
            errors.add(
                "max_age_years",
                msg("enter a whole number of years from 1 to {count}", count=MAX_AGE_YEARS),
            )
    known = {setting.value for setting in LearningSetting}
    settings = frozenset(setting for setting in form.all("settings") if setting in known)
    return Conditions(min_score=min_score, max_age_years=years, settings=settings)


def _form_values(form: Submitted) -> dict[str, object]:
    values: dict[str, object] = dict(form.values)
    values["settings"] = form.all("settings")
    return values


def _field_of(name: str) -> str:
    """The field (or row) a posted form field's errors are shown at."""
    parts = name.rsplit("_", 1)
    if name.startswith(("source_", "target_")) and len(parts) == 2:  # noqa: PLR2004 - name, row
        return f"{name.split('_', 1)[0]}_{parts[1]}"
    return name


@pages.post("/staff/rules/new", response_class=HTMLResponse)
def draft_rule(
    request: Request, uow: Uow, principal: StaffPage, today: Today, form: Form
) -> Response:
    """Draft a rule version. On any problem nothing is stored and the form comes back as it was
    filled in, with every problem listed."""
    choices = views.show_drafting_choices(ShowDraftingChoices(), principal=principal, uow=uow)
    programmes = {p.code: p for p in choices.programmes}
    errors = FieldErrors(request)
    form.check_lengths(errors, _field_of)
    programme = programmes.get(form.get("programme").strip())
    if programme is None:
        errors.add("programme", msg("choose one of the programmes you may draft rules for"))
    sources = _sources(form, errors)
    targets = _targets(form, errors)
    conditions = _conditions(form, errors)
    valid_from = parse_date(errors, "valid_from", form.get("valid_from"))
    if valid_from is None and "valid_from" not in errors.by_field:
        errors.add("valid_from", msg("give the first day the rule applies"))
    valid_until = parse_date(errors, "valid_until", form.get("valid_until"))
    draft = RuleDraft(
        code=form.get("code").strip(),
        programme=programme.code if programme else "",
        name=form.get("name").strip(),
        name_en=form.get("name_en").strip(),
        sources=tuple(sources),
        targets=tuple(targets),
        conditions=conditions,
        valid_from=valid_from or today,
        valid_until=valid_until if valid_from else None,
    )
    if errors or programme is None:
        if programme is not None:
            for problem in check_rule(draft, programme):
                errors.add("-", problem)
        return _draft_form(request, uow, principal, _form_values(form), errors, UNPROCESSABLE)
    command = DraftRule(principal.institution or programme.institution, draft)
    drafted = attempt(request, lambda w: rules.draft_rule(command, principal=principal, uow=w))
    if isinstance(drafted, DomainError):
        for problem in (drafted.message, *drafted.problems):
            errors.add("-", problem)
        return _draft_form(request, uow, principal, _form_values(form), errors, status_of(drafted))
    return see(f"/staff/rules/{drafted.id}", done="drafted")


# --- the bank's approval queue -------------------------------------------------------------------


def _queue_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    *,
    status_code: int = 200,
    problems: Sequence[str] = (),
    failed: int | None = None,
    values: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    queue = views.show_approval_queue(ShowApprovalQueue(), principal=principal, uow=uow)
    return page(
        request,
        "conversion/queue.html",
        level_name=level_namer(uow, request.state.language),
        status_code=status_code,
        principal=principal,
        rules=queue.rules,
        programmes=queue.programmes,
        problems=list(problems),
        failed=failed,
        values=values or {},
        notice=notice,
    )


@pages.get("/staff/rules/queue", response_class=HTMLResponse)
def queue_page(
    request: Request, uow: Uow, principal: StaffPage, done: str | None = None
) -> Response:
    """The versions submitted for approval, with their full content and author (the bank's
    administrators)."""
    return _queue_page(request, uow, principal, notice=notice(request, done))


def _decide_rule(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    rule_id: int,
    reason: str,
    decide: Callable[[UnitOfWork], object],
    done: str,
) -> Response:
    refused = attempt(request, decide)
    if isinstance(refused, DomainError):
        return _queue_page(
            request,
            uow,
            principal,
            status_code=status_of(refused),
            problems=refusal(request, refused),
            failed=rule_id,
            values={"reason": reason},
        )
    return see("/staff/rules/queue", done=done)


@pages.post("/staff/rules/{rule_id}/approve", response_class=HTMLResponse)
def approve_rule(
    rule_id: int, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Approve a submitted version, with an optional note (another administrator than its
    author)."""
    command = ApproveRule(rule_id, form.get("reason"))

    def approve(writing: UnitOfWork) -> object:
        return rules.approve_rule(command, principal=principal, uow=writing)

    return _decide_rule(request, uow, principal, rule_id, command.reason, approve, "approved")


@pages.post("/staff/rules/{rule_id}/reject", response_class=HTMLResponse)
def reject_rule(
    rule_id: int, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Reject a submitted version, with a reason (another administrator than its author)."""
    command = RejectRule(rule_id, form.get("reason"))

    def reject(writing: UnitOfWork) -> object:
        return rules.reject_rule(command, principal=principal, uow=writing)

    return _decide_rule(request, uow, principal, rule_id, command.reason, reject, "rejected")


# --- one rule version -------------------------------------------------------------------------


def _rule_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    rule_id: int,
    *,
    status_code: int = 200,
    problems: Sequence[str] = (),
    values: Mapping[str, str] | None = None,
    errors: FieldErrors | None = None,
    notice: str | None = None,
) -> Response:
    found = views.show_rule_page(ShowRulePage(rule_id), principal=principal, uow=uow)
    return page(
        request,
        "conversion/rule.html",
        level_name=level_namer(uow, request.state.language),
        status_code=status_code,
        rule=found.rule,
        programmes=found.programmes,
        may_submit=found.may_submit,
        may_decide=found.may_decide,
        may_retire=found.may_retire,
        may_draft=found.may_draft,
        problems=list(problems),
        values=values or {},
        errors=errors.as_dict() if errors else {},
        notice=notice,
    )


@pages.get("/staff/rules/{rule_id}", response_class=HTMLResponse)
def rule_page(
    rule_id: int, request: Request, uow: Uow, principal: StaffPage, done: str | None = None
) -> Response:
    """A rule version: its sources, targets, conditions and validity, and its history (who did
    what, when and why)."""
    return _rule_page(request, uow, principal, rule_id, notice=notice(request, done))


@pages.post("/staff/rules/{rule_id}/submit", response_class=HTMLResponse)
def submit_rule(rule_id: int, request: Request, uow: Uow, principal: StaffPage) -> Response:
    """Send a draft to the bank for approval."""
    command = SubmitRule(rule_id)
    submitted = attempt(request, lambda w: rules.submit_rule(command, principal=principal, uow=w))
    if isinstance(submitted, DomainError):
        return _rule_page(
            request,
            uow,
            principal,
            rule_id,
            status_code=status_of(submitted),
            problems=refusal(request, submitted),
        )
    return see(f"/staff/rules/{rule_id}", done="submitted")


@pages.post("/staff/rules/{rule_id}/retire", response_class=HTMLResponse)
def retire_rule(
    rule_id: int, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Retire an approved version from a date on, with a reason."""
    views.show_rule_to_retire(ShowRuleToRetire(rule_id), principal=principal, uow=uow)
    values = {"effective_on": form.get("effective_on"), "reason": form.get("reason")}
    errors = FieldErrors(request)
    form.check_lengths(errors, str)
    effective_on = parse_date(errors, "effective_on", values["effective_on"])
    if effective_on is None and "effective_on" not in errors.by_field:
        errors.add("effective_on", msg("give the first day the rule no longer applies"))
    status_code = UNPROCESSABLE
    if not errors and effective_on is not None:
        command = RetireRule(rule_id, effective_on, values["reason"])
        retired = attempt(request, lambda w: rules.retire_rule(command, principal=principal, uow=w))
        if not isinstance(retired, DomainError):
            return see(f"/staff/rules/{rule_id}", done="retired")
        for problem in (retired.message, *retired.problems):
            errors.add("reason" if retired.code == "invalid_reason" else "-", problem)
        status_code = status_of(retired)
    return _rule_page(
        request, uow, principal, rule_id, status_code=status_code, values=values, errors=errors
    )


pages.include_router(conversion_progress.pages)
