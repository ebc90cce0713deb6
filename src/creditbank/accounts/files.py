"""Bulk deposit files: CSV, JSON Lines and XLSX, read as a stream of (line, row) pairs.

Registrar systems export these. The columns (CSV header, XLSX first row, JSON
Lines keys) are listed in :data:`COLUMNS`; unknown columns and missing required
ones are refused before any row is read. Rows come out one at a time, so memory
stays flat however large the file is.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from enum import StrEnum
from typing import BinaryIO

from openpyxl import load_workbook

from creditbank.accounts.model import REQUIRED_FIELDS, AccountError
from creditbank.messages import msg

COLUMNS = (
    "record_id",
    "id_number",
    "name",
    "item_code",
    "level",
    "credits",
    "score",
    "assessed_on",
    "setting",
    "evidence_sha256",
)
REQUIRED = REQUIRED_FIELDS

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


def _csv_rows(stream: BinaryIO) -> Iterator[tuple[int, Row]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        try:
            header = check_header(next(reader))
        except StopIteration:
            return
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            row = {name: value.strip() for name, value in zip(header, values, strict=False) if name}
            if len(values) > len(header):
                row["__extra__"] = "1"
            yield reader.line_num, row
    finally:
        text.detach()  # the caller owns the stream and closes it


def _jsonl_rows(stream: BinaryIO) -> Iterator[tuple[int, Row]]:
    for line_number, raw in enumerate(stream, start=1):
        line = raw.decode("utf-8-sig").strip()
        if not line:
            continue
        try:
            document = json.loads(line)
        except json.JSONDecodeError:
            yield line_number, {"__invalid__": "not a JSON object"}
            continue
        if not isinstance(document, dict):
            yield line_number, {"__invalid__": "not a JSON object"}
            continue
        unknown = [key for key in document if key not in COLUMNS]
        if unknown:
            yield line_number, {"__invalid__": "unknown key " + ", ".join(sorted(unknown))}
            continue
        yield line_number, {key: _text(value) for key, value in document.items()}


def _xlsx_rows(stream: BinaryIO) -> Iterator[tuple[int, Row]]:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:
        raise AccountError(
            "invalid_file", msg("the file is not a readable XLSX workbook")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            header = check_header([_text(value) for value in next(rows)])
        except StopIteration:
            return
        for row_number, values in enumerate(rows, start=2):
            if not any(value not in (None, "") for value in values):
                continue
            yield (
                row_number,
                {name: _text(value) for name, value in zip(header, values, strict=False) if name},
            )
    finally:
        workbook.close()


def read_rows(stream: BinaryIO, file_format: FileFormat) -> Iterator[tuple[int, Row]]:
    """(line or row number, {column: text}) for every non-empty row of the file."""
    readers = {
        FileFormat.CSV: _csv_rows,
        FileFormat.JSONL: _jsonl_rows,
        FileFormat.XLSX: _xlsx_rows,
    }
    return readers[file_format](stream)
