"""Results files of an assessment session: CSV, JSON Lines or XLSX, as a provider's
assessment system exports them (the formats of the bulk deposit files, other columns).

The columns are ``id_number``, ``name`` and a mark per component of the level's scheme
(``theory``, ``practice``, ``portfolio``, ``interview``); :func:`read_results` returns the
header (None for JSON Lines, whose rows name their own keys) and every non-empty row with its
line (CSV, JSON Lines) or row number (XLSX), at most :data:`MAX_ROWS` of them.
"""

from __future__ import annotations

import csv
import io
import json
from typing import BinaryIO

from openpyxl import load_workbook

from creditbank.accounts.files import FileFormat
from creditbank.messages import msg
from creditbank.xcerts.model import XcertError

MAX_ROWS = 20_000
"""More candidates than any session has (a file is read whole)."""

Row = dict[str, str]
Table = tuple[list[str] | None, list[tuple[int, Row]]]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _too_many() -> XcertError:
    return XcertError(
        "results_rejected", msg("a results file holds at most {count} rows", count=MAX_ROWS)
    )


def _csv(stream: BinaryIO) -> Table:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            return [], []
        names = [name.strip().lower() for name in header]
        rows: list[tuple[int, Row]] = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many()
            row = {name: value.strip() for name, value in zip(names, values, strict=False)}
            if len(values) > len(names):
                row["__extra__"] = "1"
            rows.append((reader.line_num, row))
    except UnicodeDecodeError as error:
        raise XcertError("results_rejected", msg("the file is not UTF-8 text")) from error
    else:
        return names, rows
    finally:
        text.detach()  # the caller owns the stream


def _jsonl(stream: BinaryIO) -> Table:
    rows: list[tuple[int, Row]] = []
    for line_number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8-sig").strip()
        except UnicodeDecodeError:
            rows.append((line_number, {"__invalid__": "1"}))
            continue
        if not line:
            continue
        if len(rows) >= MAX_ROWS:
            raise _too_many()
        try:
            document = json.loads(line)
        except json.JSONDecodeError:
            document = None
        if not isinstance(document, dict):
            rows.append((line_number, {"__invalid__": "1"}))
            continue
        rows.append((line_number, {str(k).lower(): _text(v) for k, v in document.items()}))
    return None, rows


def _xlsx(stream: BinaryIO) -> Table:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:
        raise XcertError(
            "results_rejected", msg("the file is not a readable XLSX workbook")
        ) from error
    try:
        values = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(values, None)
        if header is None:
            return [], []
        names = [_text(value).lower() for value in header]
        rows: list[tuple[int, Row]] = []
        for number, cells in enumerate(values, start=2):
            if not any(cell not in (None, "") for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many()
            rows.append((number, {n: _text(c) for n, c in zip(names, cells, strict=False) if n}))
        return names, rows
    finally:
        workbook.close()


def read_results(stream: BinaryIO, file_format: FileFormat) -> Table:
    """The header (None for JSON Lines) and the non-empty rows of a results file."""
    readers = {FileFormat.CSV: _csv, FileFormat.JSONL: _jsonl, FileFormat.XLSX: _xlsx}
    return readers[file_format](stream)
