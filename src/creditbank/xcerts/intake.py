"""A session's results file before it is recorded: the template to fill in, and the preview.

The **template** is a blank file of :mod:`creditbank.file_limits.blank_files` (as the bulk
deposit's): an XLSX workbook with two header rows, Chinese then English (the reader skips the
second, :mod:`creditbank.xcerts.files`), the identity columns formatted as text so that a
spreadsheet keeps an identity number's digits; or a CSV file with the Chinese header row. A
row per candidate without a result yet has its account number filled in (the identity number
and the name are the provider's to fill in: staff of a provider do not read learners' sealed
personal data; a row may name the candidate by account number alone).

The **preview** reads a file and checks it exactly as recording does
(:mod:`creditbank.xcerts.results`), storing nothing: the first rows as read
(:func:`creditbank.file_limits.preview.preview`: identity numbers masked), each with its
weighted mark and whether it passes, and every problem with its line.

Who: the template, whoever reads the session; the preview, whoever records its results.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from creditbank.access.policy import Action, Principal, require, require_any
from creditbank.accounts import api as accounts
from creditbank.accreditation import api as accreditation
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.file_limits import FileLimits
from creditbank.file_limits.blank_files import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    BlankColumn,
    blank_csv,
    blank_workbook,
)
from creditbank.file_limits.preview import PREVIEW_ROWS, preview
from creditbank.messages import Message, msg
from creditbank.usecases import handler
from creditbank.xcerts.commands import PreviewResults, ShowResultsTemplate
from creditbank.xcerts.data import SessionView
from creditbank.xcerts.files import read_results
from creditbank.xcerts.model import (
    ACCOUNT_COLUMN,
    IDENTITY_COLUMNS,
    RESULT_HEADERS_ZH,
    ResultStatus,
    XcertError,
    check_results_day,
    check_results_header,
    weigh_row,
)
from creditbank.xcerts.reading import find_xcert, get_session, session_parties, session_row
from creditbank.xcerts.results import assessor_of, check_rows

_MEDIA_TYPES = {accounts.FileFormat.CSV: CSV_MEDIA_TYPE, accounts.FileFormat.XLSX: XLSX_MEDIA_TYPE}


@dataclass(frozen=True, slots=True)
class ResultsTemplate:
    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """A row as the bank read it: its line, its values by column, and its weighted mark and
    whether it passes (None when its marks do not weigh)."""

    line: int
    values: tuple[str, ...]
    weighted: Decimal | None
    passed: bool | None


@dataclass(frozen=True, slots=True)
class ResultsPreview:
    session: SessionView
    columns: tuple[str, ...]
    rows: tuple[PreviewRow, ...]
    """The first :data:`PREVIEW_ROWS` rows."""
    total: int
    """How many rows the file holds."""
    problems: tuple[Message, ...]
    """Every problem (a row's: ``line N, column: reason``); none means it can be recorded."""
    passing: int
    failing: int
    unreadable: str | None = None
    """The code of the refusal when the file could not be read at all (e.g. too large)."""

    @property
    def ready(self) -> bool:
        return not self.problems and self.total > 0


def _columns(components: tuple[str, ...]) -> list[BlankColumn]:
    names = [ACCOUNT_COLUMN, *IDENTITY_COLUMNS, *components]
    identity = {ACCOUNT_COLUMN, "id_number"}
    return [
        BlankColumn(
            name,
            RESULT_HEADERS_ZH[name],
            text=name in identity,
            width=22 if name in identity else 12,
        )
        for name in names
    ]


@handler
def show_results_template(
    query: ShowResultsTemplate, *, principal: Principal, uow: UnitOfWork
) -> ResultsTemplate:
    require_any(
        principal,
        Action.READ_OUTCOMES,
        session_parties(uow=uow, session_id=query.session_id),
    )
    detail = get_session(uow=uow, session_id=query.session_id)
    view = detail.session
    item = find_xcert(uow=uow, ref=view.xcert)
    scheme = accreditation.current_scheme(uow=uow, item_id=item.id, level_id=view.level.level_id)
    components = () if scheme is None else tuple(c.kind.value for c in scheme.scheme.components)
    columns = _columns(components)
    filled = [
        [candidate.account_number]
        for candidate in detail.candidates
        if candidate.status is ResultStatus.REGISTERED
    ]
    name = f"session-{view.id}-results.{query.file_format.value}"
    if query.file_format is accounts.FileFormat.XLSX:
        title = f"{item.code} {view.level.level.code}"[:31]
        content = blank_workbook(columns, sheet_title=title, rows=len(filled), filled=filled)
    elif query.file_format is accounts.FileFormat.CSV:
        content = blank_csv(columns, filled)
    else:
        raise XcertError("invalid_session", msg("a results template is an xlsx or a csv file"))
    return ResultsTemplate(name, _MEDIA_TYPES[query.file_format], content)


def _shown_rows(
    columns: list[str], rows: list[tuple[int, dict[str, str]]], scheme: accreditation.Scheme | None
) -> tuple[PreviewRow, ...]:
    """The first rows as read (identity numbers masked, as every upload's preview shows them),
    each with its weighted mark and whether it passes."""
    read = preview(rows, columns, masked_columns=frozenset({"id_number"}), count=PREVIEW_ROWS)
    shown = []
    for values, (line, row) in zip(read, rows, strict=False):
        weighed = None if scheme is None else weigh_row(line, row, scheme)
        result = None if weighed is None or isinstance(weighed, list) else weighed
        shown.append(
            PreviewRow(
                line,
                values.values,
                None if result is None else result.weighted,
                None if result is None else result.passed,
            )
        )
    return tuple(shown)


@handler
def preview_results(
    command: PreviewResults,
    *,
    principal: Principal,
    uow: UnitOfWork,
    cipher: accounts.PersonalDataCipher,
    limits: FileLimits,
) -> ResultsPreview:
    """Every check of :func:`creditbank.xcerts.results.record_results`, nothing stored."""
    _centre, provider = session_parties(uow=uow, session_id=command.session_id)
    require(principal, Action.RECORD_RESULTS, provider)
    session = session_row(uow, command.session_id)
    view = get_session(uow=uow, session_id=command.session_id).session
    try:
        chosen = command.file_format or accounts.FileFormat.of(command.filename)
        header, rows = read_results(command.source, chosen, limits)
    except DomainError as error:
        refused = (error.message, *error.problems)
        return ResultsPreview(view, (), (), 0, refused, 0, 0, unreadable=error.code)
    problems: list[Message] = []
    try:
        check_results_day(session.held_on, command.today)
    except XcertError as error:
        problems.append(error.message)
    item = find_xcert(uow=uow, ref=view.xcert)
    try:
        assessor_of(uow, command.assessor.strip(), item, view.level.level_id, session.held_on)
    except XcertError as error:
        problems.append(error.message)
    found = accreditation.current_scheme(uow=uow, item_id=item.id, level_id=view.level.level_id)
    scheme = None if found is None else found.scheme
    columns = list(header) if header is not None else _keys(rows)
    passing = failing = 0
    if scheme is None:
        problems.append(msg("level {level} has no assessment scheme", level=view.level.level.code))
    else:
        try:
            if header is not None:
                check_results_header(header, scheme)
        except XcertError as error:  # the header: its message says which columns it needs
            problems += [error.message, *error.problems]
        else:
            try:
                checked = check_rows(
                    uow, cipher=cipher, session=session, scheme=scheme, header=header, rows=rows
                )
            except XcertError as error:  # every bad row, by line
                problems += error.problems
            else:
                passing = sum(1 for entry in checked if entry.result.passed)
                failing = len(checked) - passing
    return ResultsPreview(
        view,
        tuple(columns),
        _shown_rows(columns, rows, scheme),
        len(rows),
        tuple(problems),
        passing,
        failing,
    )


def _keys(rows: list[tuple[int, dict[str, str]]]) -> list[str]:
    """The columns JSON Lines rows name, in the order first met."""
    seen: dict[str, None] = {}
    for _line, row in rows:
        seen.update(dict.fromkeys(key for key in row if not key.startswith("__")))
    return list(seen)
