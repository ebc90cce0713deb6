"""What the console's pages share: rendering a console page with what the viewer may change,
the words for institution types and audited actions, the notices after a change.

The console is the bank administrators' (auditors read it all, with no forms). Every page
calls a handler that checks the policy, so any other staff role gets 403 however it comes;
forms that change something go through :func:`creditbank.web.pages.changes.submit` (a unit
of work of their own, a refusal shown on the page with the API's status).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from creditbank.access.policy import Principal
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.institutions import audit
from creditbank.institutions.commands import ShowConsoleRights
from creditbank.institutions.model import InstitutionType, Role
from creditbank.institutions.views import ConsoleRights, show_console_rights
from creditbank.messages import Message, msg
from creditbank.web.deps import render
from creditbank.web.i18n import translator_for
from creditbank.web.labels import labeller
from creditbank.web.pages.forms import say

TYPES: dict[str, Message] = {
    InstitutionType.UNIVERSITY: msg("University"),
    InstitutionType.HIGHER_VOCATIONAL_COLLEGE: msg("Higher vocational college"),
    InstitutionType.SECONDARY_VOCATIONAL_SCHOOL: msg("Secondary vocational school"),
    InstitutionType.OPEN_UNIVERSITY: msg("Open university"),
    InstitutionType.TECHNICAL_SCHOOL: msg("Technical school"),
    InstitutionType.ENTERPRISE: msg("Enterprise"),
    InstitutionType.INDUSTRY_ASSOCIATION: msg("Industry association"),
    InstitutionType.TRAINING_EVALUATION_ORGANISATION: msg("Training-evaluation organisation"),
    InstitutionType.ACCREDITATION_CENTRE: msg("Accreditation centre"),
    InstitutionType.CREDIT_BANK_OFFICE: msg("Credit bank office"),
}
"""Words for the kinds of institution."""

TARGETS: dict[str, Message] = {
    "institution": msg("institution"),
    "user": msg("user"),
    "token": msg("API token"),
    "learner": msg("learner"),
    "grant": msg("grant"),
}

NOTICES: dict[str, Message] = {
    "added": msg("The institution's account is opened."),
    "edited": msg("The institution is changed."),
    "user_added": msg("The user is added. Give them a password-set code so that they can log in."),
    "disabled": msg("The user is disabled: their password, sessions and tokens do not work."),
    "enabled": msg("The user is enabled again."),
    "revoked": msg("The token is revoked: requests with it are refused from now on."),
}


def is_forbidden(error: DomainError) -> bool:
    """A refusal of who may act: the error page, as the API answers (not the form again)."""
    return error.code in {"forbidden", "unauthenticated"}


def rights(uow: UnitOfWork, principal: Principal) -> ConsoleRights:
    """What ``principal`` may do in the console (403 if they may not open it)."""
    return show_console_rights(ShowConsoleRights(), principal=principal, uow=uow)


def words(request: Request) -> dict[str, Callable[..., str]]:
    """The console's words for a page: ``term(group, value)`` (types, roles, actions,
    targets) and ``explain(message)``."""
    translate = translator_for(request).gettext
    label = labeller(translate)
    groups: dict[str, dict[str, Message]] = {
        "type": {str(key): value for key, value in TYPES.items()},
        "action": audit.ACTIONS,
        "target": TARGETS,
    }

    def term(group: str, value: object) -> str:
        text = str(getattr(value, "value", value))
        found = groups.get(group, {}).get(text)
        return found.render(translate) if found else label(group, value)

    return {"term": term, "explain": lambda message: say(request, message)}


def page(
    request: Request,
    template: str,
    *,
    principal: Principal,
    may: ConsoleRights,
    status_code: int = 200,
    **context: object,
) -> Response:
    """A console page: the viewer, what they may change, the console's words."""
    return render(
        request,
        template,
        status_code=status_code,
        principal=principal,
        may=may,
        types=list(InstitutionType),
        roles=list(Role),
        **words(request),
        **context,
    )


def notice(request: Request, done: str | None) -> str | None:
    return say(request, NOTICES[done]) if done in NOTICES else None
