"""Bulk deposit files: CSV, JSON Lines and XLSX, read as a stream of (line, row) pairs.

Registrar systems export these. The columns (CSV header, XLSX first row, JSON
Lines keys) are listed in :data:`COLUMNS` (the fields of
:mod:`creditbank.accounts.fields`), each named by its name or its Chinese header
(:data:`HEADERS`), in any order; unknown columns, missing required ones and a column
given twice are refused before any row is read, naming them. A second header row under the
first (the downloadable template's English row under its Chinese one) is passed over. Rows
come out one at a time, so memory stays flat however large the file is.

A workbook's cells come as their values: a date cell as its date, a whole number as its digits;
an identity number held as a number is marked (``fields.NUMERIC``) so that its row is refused
with the message that says so.

A file that cannot be read within :class:`~creditbank.file_limits.FileLimits` (not UTF-8, a
line or field too long, JSON nested too deep, a NUL character or a lone surrogate, too many
rows, a workbook that unpacks too large) raises
:class:`~creditbank.file_limits.FileRefusedError`, naming the place and the reason: the whole
file is refused and nothing is stored, not even a rejected batch.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Generator
from datetime import date, datetime
from enum import StrEnum
from typing import BinaryIO

from creditbank.accounts.fields import FIELD_NAMES, FIELDS, NUMERIC, REQUIRED_FIELDS
from creditbank.accounts.model import AccountError
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
from creditbank.file_limits.headers import Header, HeaderMap, shown_header
from creditbank.messages import msg

COLUMNS = FIELD_NAMES  # described in creditbank.accounts.fields
REQUIRED = REQUIRED_FIELDS
HEADERS = HeaderMap.of({field.name: (field.chinese,) for field in FIELDS}, REQUIRED_FIELDS)
"""The header map: each column by its name or its Chinese header."""
TEXT_COLUMNS = frozenset({"id_number"})
"""Columns whose workbook cells must hold text: a number there lost digits."""

Row = dict[str, str]
Rows = Generator[tuple[int, Row], None, None]


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSONL = "jsonl"

    @classmethod
    def of(cls, filename: str) -> FileFormat:
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        aliases = {"csv": cls.CSV, "xlsx": cls.XLSX, "jsonl": cls.JSONL, "ndjson": cls.JSONL}
        if suffix not in aliases:
            raise AccountError(
                "invalid_file",
                msg(
                    "{file}: say which format it is (csv, xlsx or jsonl)",
                    file=filename.rsplit("/", 1)[-1],
                ),
            )
        return aliases[suffix]


def check_header(columns: list[str]) -> list[str]:
    """The columns the header names, in its order ("" for an empty cell), once it names every
    required column, nothing unknown and no column twice (by its name or its Chinese header)."""
    return _fitting(HEADERS.resolve(columns)).names


def _fitting(header: Header) -> Header:
    if header.fits:
        return header
    problems = [msg("unknown column {column}", column=name) for name in header.unknown]
    problems += [msg("missing column {column}", column=name) for name in header.missing]
    problems += [
        msg("column {column} appears twice", column=_given_as(name, given))
        for name, given in sorted(header.duplicated.items())
    ]
    raise AccountError(
        "invalid_file",
        msg(
            "the header does not fit; the columns are: {columns} (or their Chinese headers: "
            "{chinese})",
            columns=", ".join(COLUMNS),
            chinese=", ".join(field.chinese for field in FIELDS),
        ),
        problems,
    )


def _given_as(name: str, given: list[str]) -> str:
    shown = [shown_header(text) for text in given]
    return name if set(shown) == {name} else f"{name} ({', '.join(shown)})"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(stream: BinaryIO, limits: FileLimits) -> Rows:
    reader = csv.reader(text_lines(stream, limits, chinese_encodings=True))
    started = 1  # the line the record being read starts on (a quoted field may span lines)
    try:
        try:
            first = next(reader)
        except StopIteration:
            return
        check_texts(first, limits, Where("line", 1))
        resolved = _fitting(HEADERS.resolve(first))
        header = resolved.names
        rows = 0
        while True:
            started = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            if not any(value.strip() for value in values):
                continue
            if rows == 0 and HEADERS.repeats(resolved, values):
                continue  # a second header row (a template's)
            rows += 1
            if rows > limits.max_rows:
                raise too_many_rows(limits)
            row = {name: value.strip() for name, value in zip(header, values, strict=False) if name}
            check_texts(row, limits, Where("line", reader.line_num))
            if len(values) > len(header):
                check_texts(values[len(header) :], limits, Where("line", reader.line_num))
                row["__extra__"] = "1"
            yield reader.line_num, row
    except csv.Error as error:
        raise invalid(
            msg(
                "{place}: not valid CSV (a field too long or a quote not closed)",
                place=line_place(started),
            )
        ) from error


def _jsonl_rows(stream: BinaryIO, limits: FileLimits) -> Rows:
    rows = 0
    for line_number, text in enumerate(text_lines(stream, limits), start=1):
        line = text.strip()
        if not line:
            continue
        rows += 1
        if rows > limits.max_rows:
            raise too_many_rows(limits)
        place = Where("line", line_number)
        check_json_depth(line, limits, place)
        try:
            document = json.loads(line)
        except json.JSONDecodeError:
            yield line_number, {"__invalid__": "not a JSON object"}
            continue
        if not isinstance(document, dict):
            yield line_number, {"__invalid__": "not a JSON object"}
            continue
        check_texts(list(document), limits, place)
        texts = {key: _text(value) for key, value in document.items()}
        check_texts(texts, limits, place)
        keys = HEADERS.resolve(list(document))
        if keys.unknown:
            shown = ", ".join(sorted(keys.unknown))
            yield line_number, {"__invalid__": "unknown key " + shown}
            continue
        if keys.duplicated:
            shown = ", ".join(_given_as(n, given) for n, given in sorted(keys.duplicated.items()))
            yield line_number, {"__invalid__": "given twice: " + shown}
            continue
        yield line_number, dict(zip(keys.names, texts.values(), strict=True))


def _cells(header: list[str], values: tuple[object, ...]) -> Row:
    """A workbook row as text by column; a number in a text column (an identity number a
    spreadsheet stored as a number) is marked under ``fields.NUMERIC``."""
    row = {name: _text(value) for name, value in zip(header, values, strict=False) if name}
    numeric = [
        name
        for name, value in zip(header, values, strict=False)
        if name in TEXT_COLUMNS and isinstance(value, int | float) and not isinstance(value, bool)
    ]
    if numeric:
        row[NUMERIC] = " ".join(numeric)
    return row


def _xlsx_rows(stream: BinaryIO, limits: FileLimits) -> Rows:
    workbook = open_workbook(stream, limits)
    try:
        rows = guarded_rows(workbook.worksheets[0].iter_rows(values_only=True), limits)
        try:
            _, first = next(rows)
        except StopIteration:
            return
        header_texts = [_text(value) for value in first]
        check_texts(header_texts, limits, Where("row", 1))
        resolved = _fitting(HEADERS.resolve(header_texts))
        header = resolved.names
        data = 0
        for row_number, values in rows:
            if not any(value not in (None, "") for value in values):
                continue
            if data == 0 and HEADERS.repeats(resolved, [_text(value) for value in values]):
                continue  # a second header row (the template's)
            data += 1
            row = _cells(header, values)
            check_texts(row, limits, Where("row", row_number))
            yield row_number, row
    finally:
        workbook.close()


def read_rows(stream: BinaryIO, file_format: FileFormat, limits: FileLimits | None = None) -> Rows:
    """(line or row number, {column: text}) for every non-empty row of the file, read within
    ``limits`` (the defaults when None); close it to stop reading early (a workbook is closed
    then)."""
    readers = {
        FileFormat.CSV: _csv_rows,
        FileFormat.JSONL: _jsonl_rows,
        FileFormat.XLSX: _xlsx_rows,
    }
    return readers[file_format](stream, limits or FileLimits())
