"""How a page makes a change: the shape every form that changes something shares.

The page parses the form, builds the use case's command and calls its handler in a unit of
work of its own (:func:`attempt`), so a refusal changes nothing. A refusal is shown on the
page, in the page's language, with the status the API would answer (:func:`status_of`,
:func:`refusal`); a success redirects (post/redirect/get, :func:`see`) with a word for the
notice the next page shows. :func:`submit` is the whole shape for a form whose page is shown
again (:class:`Shown`) with its problems listed at the top and next to their fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from creditbank.db import Database, UnitOfWork
from creditbank.errors import DomainError
from creditbank.web.pages.forms import UNPROCESSABLE, FieldErrors, say
from creditbank.web.problems import PROBLEM_TYPES

SEE_OTHER = 303

_Result = TypeVar("_Result")


def database(request: Request) -> Database:
    """The bank's database, to open a unit of work of a change's own."""
    found: Database = request.app.state.database
    return found


def status_of(error: DomainError) -> int:
    """The HTTP status of a refusal, as the API would answer it."""
    kind = PROBLEM_TYPES.get(error.code.replace("_", "-"))
    return kind.status if kind else UNPROCESSABLE


def refusal(request: Request, error: DomainError) -> list[str]:
    """The refusal's message and each of its problems, in the page's language."""
    return [say(request, message) for message in (error.message, *error.problems)]


def see(path: str, **query: str) -> RedirectResponse:
    """Go to ``path`` (with ``query``) after a change: 303 See Other."""
    return RedirectResponse(f"{path}?{urlencode(query)}" if query else path, status_code=SEE_OTHER)


@dataclass(frozen=True, slots=True)
class Shown:
    """How a page shows its forms: the status it answers with, the problems listed at its top,
    the values typed in, the problems next to their fields and the notice after a change."""

    status_code: int = 200
    problems: Sequence[str] = ()
    values: Mapping[str, object] = field(default_factory=dict)
    errors: FieldErrors | None = None
    notice: str | None = None

    def context(self) -> dict[str, object]:
        """What the page's template reads of it (all but the status)."""
        return {
            "problems": list(self.problems),
            "values": self.values,
            "errors": self.errors.as_dict() if self.errors else {},
            "notice": self.notice,
        }


def _never(error: DomainError) -> bool:  # noqa: ARG001 - the default of ``passed_on``
    return False


def attempt(
    request: Request,
    run: Callable[[UnitOfWork], _Result],
    *,
    passed_on: Callable[[DomainError], bool] = _never,
) -> _Result | DomainError:
    """Run ``run`` (a handler call) in a unit of work of its own: its result, or the refusal
    to show on the page (nothing changed). A refusal for which ``passed_on`` is true is raised
    on (who may not act, or on what does not exist, gets the error page, as the API answers)."""
    try:
        with database(request).unit_of_work() as writing:
            return run(writing)
    except DomainError as error:
        if passed_on(error):
            raise
        return error


def submit(
    request: Request,
    run: Callable[[UnitOfWork], _Result],
    *,
    errors: FieldErrors,
    values: Mapping[str, object],
    then: Callable[[_Result], Response],
    again: Callable[[Shown], Response],
    passed_on: Callable[[DomainError], bool] = _never,
) -> Response:
    """A form's change: unless the form already has ``errors``, :func:`attempt` ``run``; on
    success ``then(result)`` (a redirect); otherwise ``again(shown)``, the page again with the
    ``values`` typed in, the ``errors`` by field and the refusal's messages with its status
    (422 and no refusal when the form itself has problems)."""
    shown = Shown(UNPROCESSABLE, (), values, errors)
    if not errors:
        result = attempt(request, run, passed_on=passed_on)
        if not isinstance(result, DomainError):
            return then(result)
        shown = Shown(status_of(result), refusal(request, result), values, errors)
    return again(shown)
