"""Results files of an assessment session: CSV, JSON Lines or XLSX, as a provider's
assessment system exports them (the formats of the bulk deposit files, other columns).

The columns are ``id_number`` (or ``account_number``, or both), ``name`` and a mark per
component of the level's scheme (``theory``, ``practice``, ``portfolio``, ``interview``), named
in English or in Chinese (:data:`HEADERS`, a :class:`~creditbank.file_limits.headers.HeaderMap`
as bulk deposit files have); a second header row naming the same columns (the template's
English row under its Chinese one) is skipped.
:func:`read_results` returns the header as the bank names its columns (None for JSON Lines,
whose rows name their own keys) and every other non-empty row with its line (CSV, JSON Lines)
or row number (XLSX), at most :data:`MAX_ROWS` of them. They are read
within :class:`~creditbank.file_limits.FileLimits`, as bulk deposit files are: a file that is
not UTF-8, has a line or field too long, deep JSON, a NUL character or a lone surrogate, or a
workbook that unpacks too large is refused whole (``FileRefusedError``, naming the place).
"""

from __future__ import annotations

import csv
import json
from typing import BinaryIO

from creditbank.accounts.api import FileFormat
from creditbank.errors import DomainError
from creditbank.file_limits import (
    FileLimits,
    Where,
    check_json_depth,
    check_texts,
    guarded_rows,
    invalid,
    line_place,
    open_workbook,
    text_lines,
    too_many_rows,
)
from creditbank.file_limits.headers import HeaderMap
from creditbank.messages import msg
from creditbank.xcerts.model import (
    RESULT_COLUMNS,
    RESULT_HEADER_VARIANTS,
    RESULT_HEADERS_ZH,
    XcertError,
)

MAX_ROWS = 20_000
"""More candidates than any session has (a file is read whole)."""

Row = dict[str, str]
HEADERS = HeaderMap.of(
    {
        column: (RESULT_HEADERS_ZH[column], *RESULT_HEADER_VARIANTS.get(column, ()))
        for column in RESULT_COLUMNS
    },
    required=(),  # which columns a file needs depends on the level's scheme (model)
)
"""Every column of a results file by its name, its Chinese header and a few usual variants."""
Table = tuple[list[str] | None, list[tuple[int, Row]]]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _names(cells: list[str]) -> list[str]:
    """A header row's columns as the bank names them; a header it does not know, as given (in
    lower case), for the refusal to name."""
    return [
        (HEADERS.column(cell) or cell.strip().lower())[:64] if cell.strip() else ""
        for cell in cells
    ]


def _header_again(header: list[str], values: list[str]) -> bool:
    """Whether the first row after the header names the same columns again (in the other
    language: the template's second header row)."""
    return HEADERS.repeats(HEADERS.resolve(header), values)


def _too_many(limits: FileLimits) -> DomainError:
    if limits.max_rows < MAX_ROWS:
        return too_many_rows(limits)
    return XcertError(
        "results_rejected", msg("a results file holds at most {count} rows", count=MAX_ROWS)
    )


def _csv(stream: BinaryIO, limits: FileLimits) -> Table:
    reader = csv.reader(text_lines(stream, limits, chinese_encodings=True))
    started = 1
    most = min(MAX_ROWS, limits.max_rows)
    try:
        header = next(reader, None)
        if header is None:
            return [], []
        check_texts(header, limits, Where("line", 1))
        names = _names(header)
        rows: list[tuple[int, Row]] = []
        at_start = True
        while True:
            started = reader.line_num + 1
            values = next(reader, None)
            if values is None:
                return names, rows
            if not any(value.strip() for value in values):
                continue
            if at_start and _header_again(header, values):
                at_start = False
                continue
            at_start = False
            if len(rows) >= most:
                raise _too_many(limits)
            row = {name: value.strip() for name, value in zip(names, values, strict=False)}
            check_texts(row, limits, Where("line", reader.line_num))
            if len(values) > len(names):
                check_texts(values[len(names) :], limits, Where("line", reader.line_num))
                row["__extra__"] = "1"
            rows.append((reader.line_num, row))
    except csv.Error as error:
        raise invalid(
            msg(
                "{place}: not valid CSV (a field too long or a quote not closed)",
                place=line_place(started),
            )
        ) from error


def _jsonl(stream: BinaryIO, limits: FileLimits) -> Table:
    rows: list[tuple[int, Row]] = []
    most = min(MAX_ROWS, limits.max_rows)
    for line_number, text in enumerate(text_lines(stream, limits), start=1):
        line = text.strip()
        if not line:
            continue
        if len(rows) >= most:
            raise _too_many(limits)
        place = Where("line", line_number)
        check_json_depth(line, limits, place)
        try:
            document = json.loads(line)
        except json.JSONDecodeError:
            document = None
        if not isinstance(document, dict):
            rows.append((line_number, {"__invalid__": "1"}))
            continue
        check_texts([str(key) for key in document], limits, place)
        row = {_names([str(k)])[0] or str(k): _text(v) for k, v in document.items()}
        check_texts(row, limits, place)
        rows.append((line_number, row))
    return None, rows


def _xlsx(stream: BinaryIO, limits: FileLimits) -> Table:
    workbook = open_workbook(stream, limits)
    most = min(MAX_ROWS, limits.max_rows)
    try:
        values = guarded_rows(workbook.worksheets[0].iter_rows(values_only=True), limits)
        first = next(values, None)
        if first is None:
            return [], []
        header = [_text(value) for value in first[1]]
        check_texts(header, limits, Where("row", 1))
        names = _names(header)
        rows: list[tuple[int, Row]] = []
        at_start = True
        for number, cells in values:
            if not any(cell not in (None, "") for cell in cells):
                continue
            if at_start and _header_again(header, [_text(cell) for cell in cells]):
                at_start = False
                continue
            at_start = False
            if len(rows) >= most:
                raise _too_many(limits)
            row = {n: _text(c) for n, c in zip(names, cells, strict=False) if n}
            check_texts(row, limits, Where("row", number))
            rows.append((number, row))
        return names, rows
    finally:
        workbook.close()


def read_results(
    stream: BinaryIO, file_format: FileFormat, limits: FileLimits | None = None
) -> Table:
    """The header (None for JSON Lines) and the non-empty rows of a results file, read within
    ``limits`` (the defaults when None)."""
    readers = {FileFormat.CSV: _csv, FileFormat.JSONL: _jsonl, FileFormat.XLSX: _xlsx}
    return readers[file_format](stream, limits or FileLimits())
