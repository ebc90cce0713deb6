"""Every route, page action and CLI command reaches a use-case handler.

The entry points are thin: they parse, call a handler (``creditbank.usecases.handler``) and
render. This test reads each entry point's code and follows the names it uses (into helpers of
the web and CLI layers, a few calls deep) until it finds a registered handler. An entry point
that reaches none must be listed in ``EXEMPT`` with the reason it has no use case behind it.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Callable, Iterator
from types import FunctionType, ModuleType
from typing import Any

import pytest
import typer
from fastapi import APIRouter
from fastapi.routing import APIRoute

import creditbank
from creditbank.usecases import HANDLERS, handler, is_handler

# entry point (module.function) -> why it has no use case behind it
EXEMPT: dict[str, str] = {
    "creditbank.cli.main.init": "creates and migrates the database: the bank's installation",
    "creditbank.cli.main.serve": "starts the web server",
    "creditbank.cli.main.main": "the CLI's callback: chooses the language",
    "creditbank.web.pages.login.login_form": "shows the login form: nobody is known yet",
    "creditbank.web.pages.login.activation_form": "shows the activation form: nobody is known yet",
    "creditbank.web.pages.console.staff.set_password_form": "shows the staff's password-set "
    "form: nobody is known yet",
    "creditbank.cli.log.keygen": "makes a signing key in a file: touches no data of the bank",
    "creditbank.cli.log.audit": "audits another bank's log over HTTP: no data of this bank",
    "creditbank.cli.log.serve_witness": "starts a witness server (its own state, not the bank's)",
    "creditbank.cli.demo.serve_federation": "makes and serves three demo banks (init and serve)",
}

MAX_DEPTH = 4
ENTRY_LAYERS = ("creditbank.web", "creditbank.cli")


def _modules() -> Iterator[ModuleType]:
    for info in pkgutil.walk_packages(creditbank.__path__, "creditbank."):
        if ".migrations" in info.name:
            continue
        yield importlib.import_module(info.name)


def _routes() -> Iterator[tuple[str, Callable[..., Any]]]:
    for module in _modules():
        for value in vars(module).values():
            if isinstance(value, APIRouter):
                for route in value.routes:
                    if isinstance(route, APIRoute):
                        yield module.__name__, route.endpoint


def _commands(app: typer.Typer) -> Iterator[Callable[..., Any]]:
    if app.registered_callback is not None and app.registered_callback.callback is not None:
        yield app.registered_callback.callback
    for command in app.registered_commands:
        if command.callback is not None:
            yield command.callback
    for group in app.registered_groups:
        if group.typer_instance is not None:
            yield from _commands(group.typer_instance)


@functools.cache
def _entry_points() -> tuple[tuple[str, Callable[..., Any]], ...]:
    """Every route's and command's function with its module, sorted; found once per process
    (walking and importing every module for each parametrised test cost 0.1 s a test)."""
    from creditbank.cli.main import app  # noqa: PLC0415 - after every module is imported

    entries = dict.fromkeys(
        [(module, endpoint) for module, endpoint in _routes()]
        + [(command.__module__, command) for command in _commands(app)]
    )
    return tuple(sorted(entries, key=lambda entry: (entry[0], entry[1].__qualname__)))


def _resolve(node: ast.expr, scope: dict[str, Any]) -> object:
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, scope)
        return None if owner is None else getattr(owner, node.attr, None)
    return None


def _scope(function: FunctionType) -> dict[str, Any]:
    scope = dict(function.__globals__)
    if function.__closure__:
        scope.update(inspect.getclosurevars(function).nonlocals)
    return scope


@functools.cache
def _named(function: FunctionType) -> tuple[object, ...]:
    """What each name and attribute in ``function``'s code resolves to, in the order
    ``ast.walk`` meets them. Read once per function and process: the source and the modules'
    names do not change while the tests run, and the entry points share many helpers."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    scope = _scope(function)
    return tuple(
        _resolve(node, scope)
        for node in ast.walk(tree)
        if isinstance(node, ast.Name | ast.Attribute)
    )


def reaches_handler(function: Callable[..., Any], depth: int = 0) -> bool:
    """Whether ``function`` names a handler, itself or through web/CLI helpers it uses."""
    function = inspect.unwrap(function)
    if not isinstance(function, FunctionType) or depth > MAX_DEPTH:
        return False
    for found in _named(function):
        if is_handler(found):
            return True
        if (
            isinstance(found, FunctionType)
            and found is not function
            and found.__module__.startswith(ENTRY_LAYERS)
            and reaches_handler(found, depth + 1)
        ):
            return True
    return False


def _name(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _entry_modules() -> list[str]:
    return sorted({module for module, _ in _entry_points()})


@pytest.mark.parametrize("module", _entry_modules())
def test_every_entry_point_reaches_a_handler(module: str) -> None:
    missing = [
        _name(entry)
        for owner, entry in _entry_points()
        if owner == module and _name(entry) not in EXEMPT and not reaches_handler(entry)
    ]
    assert missing == [], f"these entry points call no handler: {missing}"


def test_exemptions_name_real_entry_points() -> None:
    names = {_name(entry) for _, entry in _entry_points()}
    assert set(EXEMPT) <= names


def test_the_check_finds_a_handler_and_misses_plain_code() -> None:
    @handler
    def do_it(command: object, *, principal: object, uow: object) -> object:
        return command, principal, uow

    HANDLERS.pop(f"{do_it.__module__}.{do_it.__qualname__}")  # a handler of this test only

    def entry() -> object:
        return do_it(1, principal=None, uow=None)

    def helper_entry() -> object:
        return entry()

    def plain() -> int:
        return len("nothing")

    assert reaches_handler(entry)
    assert reaches_handler(helper_entry) is False  # helpers are followed in web/cli only
    assert reaches_handler(plain) is False


def test_a_page_reaches_its_handler_through_the_shared_change_helpers() -> None:
    """A page's change goes through ``web.pages.changes`` (attempt, submit), which names no
    handler itself: the page passes only if the call it hands over names one."""
    from fastapi.responses import Response  # noqa: PLC0415 - only this test renders

    from creditbank.web.pages import changes  # noqa: PLC0415 - the helpers under test

    @handler
    def do_it(command: object, *, principal: object, uow: object) -> object:
        return command, principal, uow

    HANDLERS.pop(f"{do_it.__module__}.{do_it.__qualname__}")  # a handler of this test only

    def page(request: Any) -> object:
        return changes.attempt(request, lambda writing: do_it(1, principal=None, uow=writing))

    def page_without(request: Any) -> object:
        return changes.submit(
            request,
            lambda writing: writing,
            errors=request,
            values={},
            then=lambda _result: Response(),
            again=lambda shown: Response(status_code=shown.status_code),
        )

    assert reaches_handler(page)
    assert reaches_handler(page_without) is False
