"""The use-case layer: one handler per use case, under the API, the pages and the CLI.

A use case is a command (a frozen dataclass named in the imperative: ``ConfirmConversion``),
or a query for the read side (``ShowConversion``), and one handler::

    @handler
    def confirm_conversion(
        command: ConfirmConversion, *, principal: Principal, uow: UnitOfWork
    ) -> Conversion:
        require(principal, Action.DECIDE_CONVERSION, owner_of(...))
        ...

The handler checks the access policy itself (so every entry point is checked the same way),
runs in the unit of work it is given (the caller's ``with`` commits or rolls back: one
transaction per use case) and answers plain data. Dependencies that are not data (a cipher,
the signing settings) are further keyword-only parameters. Routes, pages and CLI commands only
parse, build the command, call the handler and render.

:func:`handler` registers each handler, so that tests can ask whether every entry point reaches
one (``tests/unit/test_entry_points.py``) and whether the access matrix covers every handler
(``tests/access``). A pure module: no web, database or CLI imports.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

_Handler = TypeVar("_Handler", bound=Callable[..., Any])

HANDLERS: dict[str, Callable[..., Any]] = {}
"""Every registered handler by its qualified name (``creditbank.conversion.requests.confirm``)."""

_MARK = "__creditbank_handler__"
_FIRST = frozenset({"command", "query"})


class HandlerShapeError(TypeError):
    """A function registered as a handler does not have a handler's signature."""


def handler(function: _Handler) -> _Handler:
    """Register ``function`` as a use case's handler.

    Its signature must be ``(command | query, *, principal, uow, ...)``: the command or query
    first, then the acting principal and the unit of work as keywords.
    """
    parameters = list(inspect.signature(function).parameters.values())
    names = [p.name for p in parameters]
    keywords = {p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}
    if not parameters or names[0] not in _FIRST or not {"principal", "uow"} <= keywords:
        message = (
            f"{function.__module__}.{function.__qualname__} is not shaped as a handler: "
            "(command, *, principal, uow, ...)"
        )
        raise HandlerShapeError(message)
    setattr(function, _MARK, True)
    HANDLERS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def is_handler(value: object) -> bool:
    """Whether ``value`` is a registered handler."""
    return callable(value) and getattr(value, _MARK, False) is True
