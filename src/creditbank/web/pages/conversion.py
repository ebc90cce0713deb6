"""Credit conversion in the pages: an institution's conversion rules (their versions, a draft
form, a version's content and history, submitting and retiring it), the bank administrators'
approval queue (four eyes), the conversions an institution decides on, and a learner's progress
toward a programme (what counts, what rules could add, what is missing, the suggested plan) with
the request for a conversion.

Thin, like every page: authenticate, check the policy, call the service. Every write runs in a
unit of work of its own, so a refusal of the service changes nothing; the refusal is shown on
the page in the page's language, and a success redirects (post/redirect/get).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from creditbank.access.policy import (
    Action,
    LearnerPrincipal,
    Principal,
    allowed,
    require,
    require_own_account,
)
from creditbank.accounts.model import LearningSetting
from creditbank.catalog.model import ItemKind
from creditbank.conversion import engine, service
from creditbank.conversion.model import (
    Conditions,
    LevelBar,
    Programme,
    RuleDraft,
    RuleStatus,
    SourceSpec,
    Target,
    TargetKind,
    check_rule,
)
from creditbank.conversion.service import ConversionStatus, RuleVersion
from creditbank.db import Database, UnitOfWork
from creditbank.errors import DomainError
from creditbank.frameworks import service as frameworks
from creditbank.frameworks.api import Level
from creditbank.messages import Message, msg
from creditbank.web.auth import LearnerPage, StaffPage
from creditbank.web.deps import Today, Uow, render
from creditbank.web.formats import number
from creditbank.web.i18n import translator_for
from creditbank.web.labels import labeller
from creditbank.web.pages.forms import UNPROCESSABLE, FieldErrors, parse_date, parse_decimal, say
from creditbank.web.pages.learner import all_outcomes
from creditbank.web.problems import PROBLEM_TYPES
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
SEE_OTHER = 303
ROWS = 3
"""Source and target rows of the draft form."""
MAX_FIELD = 500
MAX_AGE_YEARS = 100

TERMS: dict[tuple[str, str], Message] = {
    ("rule", "draft"): msg("draft"),
    ("rule", "submitted"): msg("submitted"),
    ("rule", "approved"): msg("approved"),
    ("rule", "rejected"): msg("rejected"),
    ("rule", "withdrawn"): msg("withdrawn"),
    ("rule", "retired"): msg("retired"),
    ("conversion", "pending"): msg("pending"),
    ("conversion", "confirmed"): msg("confirmed"),
    ("conversion", "declined"): msg("declined"),
    ("conversion", "reversed"): msg("reversed"),
    ("conversion", "flagged"): msg("flagged for review"),
    ("target", "component"): msg("Exemption"),
    ("target", "elective"): msg("Elective credits"),
    ("cap", "per_source_item"): msg("per source item"),
    ("cap", "programme"): msg("programme total"),
    ("cap", "per_year"): msg("per academic year"),
    ("cap", "per_issuer"): msg("per issuing institution"),
}
"""Words for the conversion enumerations the pages show (with :mod:`creditbank.web.labels`)."""

NOTICES: dict[str, Message] = {
    "drafted": msg("The draft is saved. Submit it when it is ready for the bank's approval."),
    "submitted": msg(
        "The version is submitted: a bank administrator other than its author decides on it."
    ),
    "approved": msg("The version is approved and recorded in the log."),
    "rejected": msg("The version is rejected; its author sees the reason."),
    "retired": msg("The version is retired from the date given."),
    "confirmed": msg("The conversion is confirmed: its credits are in the learner's account."),
    "declined": msg("The conversion is declined: its sources are free again."),
    "reversed": msg("The conversion is reversed: its transferred credit is revoked."),
}


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _terms(request: Request) -> Callable[[str, object], str]:
    """``term(group, value)``: the word for a value in the page's language."""
    translate = translator_for(request).gettext
    label = labeller(translate)

    def term(group: str, value: object) -> str:
        found = TERMS.get((group, str(getattr(value, "value", value))))
        return found.render(translate) if found else label(group, value)

    return term


def _page(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
    return render(
        request,
        template,
        status_code=status_code,
        term=_terms(request),
        explain=lambda message: say(request, message),
        **context,
    )


def _status(error: DomainError) -> int:
    """The HTTP status of a refusal, as the API would answer it."""
    kind = PROBLEM_TYPES.get(error.code.replace("_", "-"))
    return kind.status if kind else UNPROCESSABLE


def _refusal(request: Request, error: DomainError) -> list[str]:
    """The refusal's message and each of its problems, in the page's language."""
    return [say(request, message) for message in (error.message, *error.problems)]


def _see(path: str, **query: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode(query)}" if query else path, status_code=SEE_OTHER)


def _notice(request: Request, done: str | None) -> str | None:
    return say(request, NOTICES[done]) if done in NOTICES else None


def _programmes(uow: UnitOfWork) -> dict[str, Programme]:
    return {programme.code: programme for programme in service.list_programmes(uow=uow)}


@dataclass(frozen=True, slots=True)
class Submitted:
    """The fields of a posted form (the longest texts refused, not cut)."""

    values: Mapping[str, str]
    lists: Mapping[str, Sequence[str]]
    too_long: frozenset[str]

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def all(self, name: str) -> list[str]:
        return list(self.lists.get(name, ()))

    def check_lengths(self, errors: FieldErrors, field_of: Callable[[str], str]) -> None:
        for name in sorted(self.too_long):
            errors.add(
                field_of(name), msg("write at most {count} characters here", count=MAX_FIELD)
            )


async def _submitted(request: Request) -> Submitted:
    form = await request.form()
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = defaultdict(list)
    too_long: set[str] = set()
    for name, value in form.multi_items():
        if not isinstance(value, str):
            continue
        if len(value) > MAX_FIELD:
            too_long.add(name)
            value = value[:MAX_FIELD]  # noqa: PLW2901 - kept only to show the form again
        values.setdefault(name, value)
        lists[name].append(value)
    return Submitted(values, dict(lists), frozenset(too_long))


Form = Annotated[Submitted, Depends(_submitted)]


# --- an institution's rules -------------------------------------------------------------------


@pages.get("/staff/rules", response_class=HTMLResponse)
def rules_page(
    request: Request, uow: Uow, principal: StaffPage, done: str | None = None
) -> Response:
    """The rule versions of the user's institution (every institution's for the bank's staff)."""
    require(principal, Action.READ_RULES, principal.institution)
    found = service.list_rules(uow=uow, institution=principal.institution)
    found.sort(key=lambda rule: (rule.programme, rule.draft.code, -rule.version))
    return _page(
        request,
        "conversion/rules.html",
        principal=principal,
        rules=found,
        may_draft=allowed(principal, Action.DRAFT_RULE, principal.institution),
        may_approve=allowed(principal, Action.APPROVE_RULE, None),
        submittable={
            rule.id
            for rule in found
            if rule.status is RuleStatus.DRAFT
            and allowed(principal, Action.DRAFT_RULE, rule.institution)
        },
        notice=_notice(request, done),
    )


# --- the draft form ----------------------------------------------------------------------------


def _drafting_programmes(uow: UnitOfWork, principal: Principal) -> list[Programme]:
    """The programmes the user may draft rules for: their institution's (all, for the bank)."""
    require(principal, Action.DRAFT_RULE, principal.institution)
    return service.list_programmes(uow=uow, institution=principal.institution)


def _framework_levels(uow: UnitOfWork, today: date) -> list[tuple[str, list[Level]]]:
    """Every framework's code and levels (of its latest version), for the level choices."""
    return [
        (summary.code, list(frameworks.get_framework(uow=uow, code=summary.code).levels()))
        for summary in sorted(frameworks.list_frameworks(uow=uow, on=today), key=lambda s: s.code)
    ]


def _draft_form(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    today: date,
    values: Mapping[str, object],
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        "conversion/rule_new.html",
        status_code=status_code,
        programmes=_drafting_programmes(uow, principal),
        frameworks=_framework_levels(uow, today),
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
        found = service.get_rule(uow=uow, rule_id=rule)
        require(principal, Action.DRAFT_RULE, found.institution)
        values = _values_of(found)
    return _draft_form(request, uow, principal, today, values)


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
    programmes = {p.code: p for p in _drafting_programmes(uow, principal)}
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
        return _draft_form(
            request, uow, principal, today, _form_values(form), errors, UNPROCESSABLE
        )
    institution = principal.institution or programme.institution
    try:
        with _database(request).unit_of_work() as writing:
            drafted = service.draft_rule(
                uow=writing, institution=institution, draft=draft, user_id=principal.user_id
            )
    except DomainError as error:
        for problem in (error.message, *error.problems):
            errors.add("-", problem)
        return _draft_form(
            request, uow, principal, today, _form_values(form), errors, _status(error)
        )
    return _see(f"/staff/rules/{drafted.id}", done="drafted")


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
    require(principal, Action.APPROVE_RULE, None)
    return _page(
        request,
        "conversion/queue.html",
        status_code=status_code,
        principal=principal,
        rules=service.list_rules(uow=uow, status=RuleStatus.SUBMITTED),
        programmes=_programmes(uow),
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
    return _queue_page(request, uow, principal, notice=_notice(request, done))


def _decide_rule(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    rule_id: int,
    form: Submitted,
    decide: Callable[[UnitOfWork, str], object],
    done: str,
) -> Response:
    require(principal, Action.APPROVE_RULE, service.rule_owner(uow=uow, rule_id=rule_id))
    reason = form.get("reason")
    try:
        with _database(request).unit_of_work() as writing:
            decide(writing, reason)
    except DomainError as error:
        return _queue_page(
            request,
            uow,
            principal,
            status_code=_status(error),
            problems=_refusal(request, error),
            failed=rule_id,
            values={"reason": reason},
        )
    return _see("/staff/rules/queue", done=done)


@pages.post("/staff/rules/{rule_id}/approve", response_class=HTMLResponse)
def approve_rule(
    rule_id: int, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Approve a submitted version, with an optional note (another administrator than its
    author)."""

    def approve(writing: UnitOfWork, reason: str) -> object:
        return service.approve_rule(
            uow=writing, rule_id=rule_id, user_id=principal.user_id, reason=reason
        )

    return _decide_rule(request, uow, principal, rule_id, form, approve, "approved")


@pages.post("/staff/rules/{rule_id}/reject", response_class=HTMLResponse)
def reject_rule(
    rule_id: int, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Reject a submitted version, with a reason (another administrator than its author)."""

    def reject(writing: UnitOfWork, reason: str) -> object:
        return service.reject_rule(
            uow=writing, rule_id=rule_id, user_id=principal.user_id, reason=reason
        )

    return _decide_rule(request, uow, principal, rule_id, form, reject, "rejected")


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
    rule = service.get_rule(uow=uow, rule_id=rule_id)
    require(principal, Action.READ_RULES, rule.institution)
    status = rule.status
    return _page(
        request,
        "conversion/rule.html",
        status_code=status_code,
        rule=rule,
        programmes=_programmes(uow),
        may_submit=status is RuleStatus.DRAFT
        and allowed(principal, Action.DRAFT_RULE, rule.institution),
        may_decide=status is RuleStatus.SUBMITTED
        and allowed(principal, Action.APPROVE_RULE, rule.institution),
        may_retire=status is RuleStatus.APPROVED
        and allowed(principal, Action.RETIRE_RULE, rule.institution),
        may_draft=allowed(principal, Action.DRAFT_RULE, rule.institution),
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
    return _rule_page(request, uow, principal, rule_id, notice=_notice(request, done))


@pages.post("/staff/rules/{rule_id}/submit", response_class=HTMLResponse)
def submit_rule(rule_id: int, request: Request, uow: Uow, principal: StaffPage) -> Response:
    """Send a draft to the bank for approval."""
    require(principal, Action.DRAFT_RULE, service.rule_owner(uow=uow, rule_id=rule_id))
    try:
        with _database(request).unit_of_work() as writing:
            service.submit_rule(uow=writing, rule_id=rule_id, user_id=principal.user_id)
    except DomainError as error:
        return _rule_page(
            request,
            uow,
            principal,
            rule_id,
            status_code=_status(error),
            problems=_refusal(request, error),
        )
    return _see(f"/staff/rules/{rule_id}", done="submitted")


@pages.post("/staff/rules/{rule_id}/retire", response_class=HTMLResponse)
def retire_rule(
    rule_id: int, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Retire an approved version from a date on, with a reason."""
    require(principal, Action.RETIRE_RULE, service.rule_owner(uow=uow, rule_id=rule_id))
    values = {"effective_on": form.get("effective_on"), "reason": form.get("reason")}
    errors = FieldErrors(request)
    form.check_lengths(errors, str)
    effective_on = parse_date(errors, "effective_on", values["effective_on"])
    if effective_on is None and "effective_on" not in errors.by_field:
        errors.add("effective_on", msg("give the first day the rule no longer applies"))
    status_code = UNPROCESSABLE
    if not errors and effective_on is not None:
        try:
            with _database(request).unit_of_work() as writing:
                service.retire_rule(
                    uow=writing,
                    rule_id=rule_id,
                    user_id=principal.user_id,
                    effective_on=effective_on,
                    reason=values["reason"],
                )
        except DomainError as error:
            for problem in (error.message, *error.problems):
                errors.add("reason" if error.code == "invalid_reason" else "-", problem)
            status_code = _status(error)
        else:
            return _see(f"/staff/rules/{rule_id}", done="retired")
    return _rule_page(
        request, uow, principal, rule_id, status_code=status_code, values=values, errors=errors
    )


# --- conversions an institution decides on ------------------------------------------------------


def _conversions_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    *,
    status_code: int = 200,
    problems: Sequence[str] = (),
    failed: str | None = None,
    values: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    require(principal, Action.READ_CONVERSION, principal.institution)
    found = service.list_conversions(uow=uow, institution=principal.institution)
    waiting = [c for c in found if c.status is ConversionStatus.PENDING or c.needs_review]
    waiting_ids = {c.public_id for c in waiting}
    return _page(
        request,
        "conversion/conversions.html",
        status_code=status_code,
        waiting=waiting,
        decided=[c for c in found if c.public_id not in waiting_ids],
        may_decide={
            c.public_id
            for c in found
            if allowed(principal, Action.DECIDE_CONVERSION, c.institution)
        },
        programmes=_programmes(uow),
        problems=list(problems),
        failed=failed,
        values=values or {},
        notice=notice,
    )


@pages.get("/staff/conversions", response_class=HTMLResponse)
def conversions_page(
    request: Request, uow: Uow, principal: StaffPage, done: str | None = None
) -> Response:
    """The conversions toward the institution's programmes (every one, for the bank's staff):
    those waiting for a decision or needing a review first, with their grants."""
    return _conversions_page(request, uow, principal, notice=_notice(request, done))


def _decide_conversion(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    public_id: str,
    decide: Callable[[UnitOfWork], object],
    done: str,
    reason: str = "",
) -> Response:
    owner = service.conversion_owner(uow=uow, public_id=public_id)
    require(principal, Action.DECIDE_CONVERSION, owner)
    try:
        with _database(request).unit_of_work() as writing:
            decide(writing)
    except DomainError as error:
        return _conversions_page(
            request,
            uow,
            principal,
            status_code=_status(error),
            problems=_refusal(request, error),
            failed=public_id,
            values={"reason": reason},
        )
    return _see("/staff/conversions", done=done)


@pages.post("/staff/conversions/{public_id}/confirm", response_class=HTMLResponse)
def confirm_conversion(
    public_id: str, request: Request, uow: Uow, principal: StaffPage
) -> Response:
    """Confirm a pending conversion: its grants become transferred credit in the account."""

    def confirm(writing: UnitOfWork) -> object:
        return service.confirm_conversion(uow=writing, public_id=public_id, by=principal.email)

    return _decide_conversion(request, uow, principal, public_id, confirm, "confirmed")


@pages.post("/staff/conversions/{public_id}/decline", response_class=HTMLResponse)
def decline_conversion(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Decline a pending conversion, with a reason."""
    reason = form.get("reason")

    def decline(writing: UnitOfWork) -> object:
        return service.decline_conversion(
            uow=writing, public_id=public_id, by=principal.email, reason=reason
        )

    return _decide_conversion(request, uow, principal, public_id, decline, "declined", reason)


@pages.post("/staff/conversions/{public_id}/reverse", response_class=HTMLResponse)
def reverse_conversion(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Reverse a confirmed conversion, with a reason: its transferred credit is revoked."""
    reason = form.get("reason")

    def reverse(writing: UnitOfWork) -> object:
        return service.reverse_conversion(
            uow=writing,
            public_id=public_id,
            by=principal.email,
            user_id=principal.user_id,
            reason=reason,
        )

    return _decide_conversion(request, uow, principal, public_id, reverse, "reversed", reason)


# --- a learner's progress ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryLine:
    """Credits of one category of a programme: held, what its components carry, the least
    the programme needs (if it sets one)."""

    name: str
    held: Decimal
    carried: Decimal
    needed: Decimal | None

    @property
    def bar(self) -> Decimal:
        """What the bar measures the held credits against."""
        return self.needed if self.needed is not None else self.carried


def category_lines(progress: engine.Progress) -> list[CategoryLine]:
    programme = progress.programme
    carried: dict[str, Decimal] = {}
    for component in programme.components:
        if component.category:
            carried[component.category] = carried.get(component.category, Decimal(0))
            carried[component.category] += component.credits
    names = dict.fromkeys([*programme.category_credits, *carried, *progress.category_held])
    return [
        CategoryLine(
            name=name,
            held=progress.category_held.get(name, Decimal(0)),
            carried=carried.get(name, Decimal(0)),
            needed=programme.category_credits.get(name),
        )
        for name in names
    ]


def _progress_page(
    request: Request,
    uow: UnitOfWork,
    learner: LearnerPrincipal,
    today: date,
    *,
    programme: str,
    requested: str = "",
    status_code: int = 200,
    problems: Iterable[str] = (),
) -> Response:
    number_ = learner.account_number
    found = (
        service.progress(uow=uow, account_number=number_, programme=programme, on=today).progress
        if programme
        else None
    )
    conversions = service.list_conversions(uow=uow, account_number=number_)
    programmes = service.list_programmes(uow=uow)
    return _page(
        request,
        "conversion/progress.html",
        status_code=status_code,
        learner=learner,
        programmes=programmes,
        by_code={p.code: p for p in programmes},
        chosen=found.programme.code if found else "",
        progress=found,
        categories=category_lines(found) if found else [],
        outcomes={o.public_id: o for o in all_outcomes(uow, number_)},
        conversions=conversions,
        requested=next((c for c in conversions if c.public_id == requested), None),
        problems=list(problems),
    )


@pages.get("/account/progress", response_class=HTMLResponse)
def progress_page(
    request: Request,
    uow: Uow,
    learner: LearnerPage,
    today: Today,
    programme: str = "",
    account: str = "",
    requested: str = "",
) -> Response:
    """The learner's progress toward a programme: what counts, what the approved rules could add
    (a what-if that applies nothing), what is missing, the suggested plan with its reasons; and
    their conversion requests. Their own account only."""
    if account.strip():
        require_own_account(learner, account)
    return _progress_page(
        request, uow, learner, today, programme=programme.strip(), requested=requested
    )


@pages.post("/account/conversions", response_class=HTMLResponse)
def request_conversion(
    request: Request, uow: Uow, learner: LearnerPage, today: Today, form: Form
) -> Response:
    """Request the suggested plan as a conversion, for the programme's institution to confirm
    or decline."""
    programme = form.get("programme").strip()
    number_ = learner.account_number
    try:
        with _database(request).unit_of_work() as writing:
            created = service.request_conversion(
                uow=writing,
                account_number=number_,
                programme=programme,
                on=today,
                requested_by=f"learner:{number_}",
            )
    except DomainError as error:
        return _progress_page(
            request,
            uow,
            learner,
            today,
            programme="" if error.code == "programme_not_found" else programme,
            status_code=_status(error),
            problems=_refusal(request, error),
        )
    return _see("/account/progress", programme=created.programme, requested=created.public_id)
