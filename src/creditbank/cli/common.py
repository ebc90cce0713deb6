"""What every command module of the CLI shares: the language, the consoles, acting as a staff
user, the unit of work, ``--json`` and failing with a message.

A command only parses its options, calls a handler through :func:`act` (or opens a
:func:`unit_of_work` for a query) and prints its answer (:func:`print_result`): ``--json``
prints exactly what the HTTP API returns (:func:`print_json`), otherwise a table
(:func:`print_table`) or a few lines (:func:`print_line`); a refusal is its message on stderr
and exit 1 (:func:`fail`, :func:`refusals_fail`). Command modules define their own Typer
groups and list them in ``GROUPS``; :mod:`creditbank.cli.main` registers them, so no command
module imports the main one.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import Enum
from typing import Annotated, NoReturn, Protocol, TypeVar

import typer
from pydantic import BaseModel
from rich import box
from rich.console import Console, RenderableType
from rich.table import Column, Table
from sqlalchemy import inspect

from creditbank.access.policy import Principal
from creditbank.bootstrap import open_database
from creditbank.db import Database, UnitOfWork
from creditbank.errors import DomainError
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.peers import api as peers
from creditbank.web.i18n import translations

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

_Result = TypeVar("_Result")
_Shown = TypeVar("_Shown", bound=BaseModel | Sequence[BaseModel])


class _State:
    """The language chosen for this run (``--lang``, set by the main callback)."""

    language = "zh"


state = _State()


def _(text: str) -> str:
    """``text`` in the run's language (the catalogs' gettext)."""
    return translations(state.language).gettext(text)


def in_language(name: str, name_en: str) -> str:
    """The English name in an English run when there is one, else the (Chinese) name."""
    return name_en if state.language == "en" and name_en else name


def say(message: Message) -> str:
    """A message rendered in the run's language."""
    return message.render(_)


def fail(text: str) -> NoReturn:
    """Print ``text`` as an error and exit with 1."""
    err.print(f"[bold red]{_('Error')}:[/] {text}", highlight=False)
    raise typer.Exit(1)


@contextmanager
def refusals_fail() -> Iterator[None]:
    """A domain error raised in the block becomes its message (in the run's language) and
    exit 1."""
    try:
        yield
    except DomainError as error:
        fail(error.render(_))


@contextmanager
def _keeping_forks(database: Database) -> Iterator[None]:
    """A peer's fork found in the block is refused, and its evidence kept after the rollback."""
    try:
        yield
    except peers.CheckpointFork as fork:
        peers.keep_fork(database, fork)
        raise


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """A unit of work on the configured database; domain errors become a message and exit 1."""
    database = open_database()
    try:
        if "alembic_version" not in inspect(database.engine).get_table_names():
            fail(say(msg("the database is not initialised; run `creditbank init` first")))
        with refusals_fail(), _keeping_forks(database), database.unit_of_work() as uow:
            yield uow
    finally:
        database.dispose()


def acting(uow: UnitOfWork, email: str) -> Principal:
    """The staff user ``email`` as a principal (``there is no user`` when unknown); a disabled
    user may not act here either, as their password and tokens do not work."""
    principal = institutions.principal_for(uow=uow, email=email)
    if not institutions.get_user(uow=uow, email=email).enabled:
        raise institutions.InstitutionError(
            "user_disabled",
            msg("user {email} is disabled; enable them first", email=principal.email),
        )
    return principal


def act(email: str, run: Callable[[UnitOfWork, Principal], _Result]) -> _Result:
    """Run ``run`` (a handler call) in one unit of work, as the staff user ``email``."""
    with unit_of_work() as uow:
        return run(uow, acting(uow, email))


def print_json(data: BaseModel | Sequence[BaseModel]) -> None:
    """Print what the HTTP API would answer: the model (or list) as JSON, by alias."""
    payload: object
    if isinstance(data, BaseModel):
        payload = data.model_dump(mode="json", by_alias=True)
    else:
        payload = [item.model_dump(mode="json", by_alias=True) for item in data]
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def print_result(data: _Shown, render: Callable[[_Shown], None], *, as_json: bool) -> None:
    """``--json``: print ``data`` as the API answers it (:func:`print_json`); otherwise
    ``render`` it for people."""
    if as_json:
        print_json(data)
    else:
        render(data)


def print_line(text: str, indent: int = 0) -> None:
    """Print ``text`` as it is: no markup, no highlighting (names and reasons are data)."""
    out.print(" " * indent + text, markup=False, highlight=False)


class LoggedStep(Protocol):
    """A step of a fact of record's history (a peer's, an alliance's): what, by whom, when, why."""

    @property
    def kind(self) -> Enum: ...
    @property
    def actor(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def reason(self) -> str: ...


class LoggedAt(Protocol):
    """Where the newest step stands in the log."""

    @property
    def kind(self) -> object: ...
    @property
    def leaf_index(self) -> int: ...


def print_history(steps: Iterable[LoggedStep], receipt: LoggedAt | None, indent: int = 2) -> None:
    """Each step (when, what, who, why), then the leaf its newest entry is logged at."""
    for step in steps:
        reason = f"  {step.reason}" if step.reason else ""
        print_line(f"{step.at.isoformat()}  {step.kind.value}  {step.actor}{reason}", indent)
    if receipt is not None:
        logged = msg("logged: {kind} at leaf {index}", kind=receipt.kind, index=receipt.leaf_index)
        print_line(say(logged), indent)


def print_table(
    columns: Sequence[str | Column],
    rows: Iterable[Sequence[RenderableType]],
    *,
    title: str | None = None,
) -> None:
    """A table of ``rows`` under ``columns`` (a heading, or a :class:`rich.table.Column` for
    one that does not wrap or is right-aligned), in the CLI's simple style."""
    table = Table(*columns, title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    for row in rows:
        table.add_row(*row)
    out.print(table)


def parse_date(text: str | None, option: str) -> date | None:
    """An ISO date given on the command line, or a clear refusal naming the option."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(say(msg("{option} must be a date like 2025-09-01", option=option)))


def required_date(text: str, option: str) -> date:
    """A required ISO date option."""
    day = parse_date(text, option)
    assert day is not None  # noqa: S101 (parse_date answers a date for any text, or exits)
    return day


JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
SourceOption = Annotated[str, typer.Option(help="Where the file comes from.")]
VersionOption = Annotated[str, typer.Option(help="The source's version or edition.")]
LicenceOption = Annotated[str, typer.Option(help="The licence the source is published under.")]
"""An imported file's provenance (occupations, skills), as the operator gives it."""
AsOption = Annotated[
    str, typer.Option("--as", help="E-mail of the staff user who acts (checked and recorded).")
]
