"""Bulk deposit files: CSV, JSON Lines and XLSX, read as a stream of (line, row) pairs.

Registrar systems export these. The columns (CSV header, XLSX first row, JSON
Lines keys) are listed in :data:`COLUMNS` (the fields of
:mod:`creditbank.accounts.fields`); unknown columns and missing required
ones are refused before any row is read. Rows come out one at a time, so memory
stays flat however large the file is.

A file that cannot be read within :class:`~creditbank.file_limits.FileLimits` (not UTF-8, a
line or field too long, JSON nested too deep, a NUL character or a lone surrogate, too many
rows, a workbook that unpacks too large) raises
:class:`~creditbank.file_limits.FileRefusedError`, naming the place and the reason: the whole
file is refused and nothing is stored, not even a rejected batch.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime
from enum import StrEnum
from typing import BinaryIO

from creditbank.accounts.fields import FIELD_NAMES, REQUIRED_FIELDS
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
from creditbank.messages import msg

COLUMNS = FIELD_NAMES  # described in creditbank.accounts.fields
REQUIRED = REQUIRED_FIELDS
SHOWN_KEY_CHARS = 40  # an unknown JSON key is named in the report up to this length

Row = dict[str, str]


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
    """The header as given, once it names every required column and nothing unknown."""
    names = [column.strip().lower() for column in columns]
    unknown = [name for name in names if name and name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in names]
    duplicated = sorted({name for name in names if name and names.count(name) > 1})
    if unknown or missing or duplicated:
        problems = [msg("unknown column {column}", column=name) for name in unknown]
        problems += [msg("missing column {column}", column=name) for name in missing]
        problems += [msg("column {column} appears twice", column=name) for name in duplicated]
        raise AccountError(
            "invalid_file",
            msg("the header does not fit; the columns are: {columns}", columns=", ".join(COLUMNS)),
            problems,
        )
    return names


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


def _csv_rows(stream: BinaryIO, limits: FileLimits) -> Iterator[tuple[int, Row]]:
    reader = csv.reader(text_lines(stream, limits, chinese_encodings=True))
    started = 1  # the line the record being read starts on (a quoted field may span lines)
    try:
        try:
            first = next(reader)
        except StopIteration:
            return
        check_texts(first, limits, Where("line", 1))
        header = check_header(first)
        rows = 0
        while True:
            started = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            if not any(value.strip() for value in values):
                continue
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


def _shown_key(key: str) -> str:
    return key if len(key) <= SHOWN_KEY_CHARS else key[:SHOWN_KEY_CHARS] + "…"


def _jsonl_rows(stream: BinaryIO, limits: FileLimits) -> Iterator[tuple[int, Row]]:
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
        row = {key: _text(value) for key, value in document.items()}
        check_texts(row, limits, place)
        unknown = [key for key in document if key not in COLUMNS]
        if unknown:
            shown = ", ".join(_shown_key(key) for key in sorted(unknown))
            yield line_number, {"__invalid__": "unknown key " + shown}
            continue
        yield line_number, row


def _xlsx_rows(stream: BinaryIO, limits: FileLimits) -> Iterator[tuple[int, Row]]:
    workbook = open_workbook(stream, limits)
    try:
        rows = guarded_rows(workbook.worksheets[0].iter_rows(values_only=True), limits)
        try:
            _, first = next(rows)
        except StopIteration:
            return
        header_texts = [_text(value) for value in first]
        check_texts(header_texts, limits, Where("row", 1))
        header = check_header(header_texts)
        for row_number, values in rows:
            if not any(value not in (None, "") for value in values):
                continue
            row = {name: _text(value) for name, value in zip(header, values, strict=False) if name}
            check_texts(row, limits, Where("row", row_number))
            yield row_number, row
    finally:
        workbook.close()


def read_rows(
    stream: BinaryIO, file_format: FileFormat, limits: FileLimits | None = None
) -> Iterator[tuple[int, Row]]:
    """(line or row number, {column: text}) for every non-empty row of the file, read within
    ``limits`` (the defaults when None)."""
    readers = {
        FileFormat.CSV: _csv_rows,
        FileFormat.JSONL: _jsonl_rows,
        FileFormat.XLSX: _xlsx_rows,
    }
    return readers[file_format](stream, limits or FileLimits())
