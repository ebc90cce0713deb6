"""Building bulk deposit files for tests: rows in, CSV / JSON Lines / XLSX bytes out."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from openpyxl import Workbook

from creditbank.accounts.files import COLUMNS
from creditbank.accounts.model import resident_check_character


def id_number(serial: int) -> str:
    """A checksum-valid resident identity number, different for each serial (born 1990-2017)."""
    first = (
        f"310104{1990 + serial % 28}{serial % 12 + 1:02d}{serial % 28 + 1:02d}{serial % 1000:03d}"
    )
    return first + resident_check_character(first)


def row(serial: int, **changes: str) -> dict[str, str]:
    return {
        "record_id": f"REC-{serial:06d}",
        "id_number": id_number(serial),
        "name": f"学员{serial}",
        "item_code": "CAD-201",
        "level": "4",
        "credits": "3",
        "score": "80",
        "assessed_on": "2024-06-30",
        "setting": "formal",
        "evidence_sha256": "",
        **changes,
    }


def csv_bytes(rows: Sequence[dict[str, str]], columns: Sequence[str] = COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def jsonl_bytes(rows: Sequence[dict[str, str]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def xlsx_bytes(rows: Sequence[dict[str, str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for values in rows:
        sheet.append([values.get(column, "") for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
