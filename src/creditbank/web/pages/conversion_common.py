"""What the conversion pages share: words for the conversion enumerations, notices after a
change, rendering a page with them, the posted form (its longest texts refused, not cut), and
the shape of every change a page makes (:func:`attempt`).

Every change runs in a unit of work of its own, so a refusal changes nothing; the refusal is
shown on the page in the page's language, and a success redirects (post/redirect/get).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.responses import Response

from creditbank import clock
from creditbank.conversion.model import CAP_TYPES
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.frameworks import views as framework_views
from creditbank.frameworks.commands import ShowFramework
from creditbank.messages import Message, msg
from creditbank.web.deps import render
from creditbank.web.i18n import translator_for
from creditbank.web.labels import labeller
from creditbank.web.pages import changes
from creditbank.web.pages.forms import FieldErrors, say

SEE_OTHER = 303
MAX_FIELD = 500

PASSED_ON = frozenset({"forbidden", "rule_not_found", "conversion_not_found"})
"""Refusals a page does not show on itself: who may not act, or on what does not exist, gets
the error page (403, 404), as the API answers."""

_Result = TypeVar("_Result")

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
    **{("cap", cap.kind.value): cap.label for cap in CAP_TYPES},
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


def terms(request: Request) -> Callable[[str, object], str]:
    """``term(group, value)``: the word for a value in the page's language."""
    translate = translator_for(request).gettext
    label = labeller(translate)

    def term(group: str, value: object) -> str:
        found = TERMS.get((group, str(getattr(value, "value", value))))
        return found.render(translate) if found else label(group, value)

    return term


def level_namer(uow: UnitOfWork, language: str) -> Callable[[str, str], str]:
    """``level_name(framework, code)``: a level's name in ``language`` ("中级" for ``1X
    intermediate``), from the framework in force today; empty where there is none."""
    names: dict[str, dict[str, str]] = {}

    def level_name(framework: str, code: str) -> str:
        if framework not in names:
            query = ShowFramework(framework, on=clock.today())
            try:
                shown = framework_views.show_framework(query, principal=None, uow=uow)
            except DomainError:
                names[framework] = {}
            else:
                levels = shown.framework.levels()
                names[framework] = {level.key: level.name.get(language) for level in levels}
        return names[framework].get(code.casefold(), "")

    return level_name


def page(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
    return render(
        request,
        template,
        status_code=status_code,
        term=terms(request),
        explain=lambda message: say(request, message),
        **context,
    )


def notice(request: Request, done: str | None) -> str | None:
    return say(request, NOTICES[done]) if done in NOTICES else None


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


def attempt(request: Request, run: Callable[[UnitOfWork], _Result]) -> _Result | DomainError:
    """Run ``run`` (a handler call) in a unit of work of its own (:func:`changes.attempt`): its
    result, or the refusal to show on the page (nothing changed). Refusals in
    :data:`PASSED_ON` are raised on."""
    return changes.attempt(request, run, passed_on=lambda error: error.code in PASSED_ON)
