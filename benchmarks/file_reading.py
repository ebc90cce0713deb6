"""Reading a bulk file within limits, against the plain reader of the same bytes (issue 15).

    python -m benchmarks.file_reading [--rows 200000] [--xlsx-rows 20000]

The bulk deposit reads its files through :func:`creditbank.accounts.files.read_rows`, which
since issue 15 checks, while it reads, everything a file could use to cost the bank (line and
field length, UTF-8, NUL, lone surrogates, JSON depth, the rows' count, an XLSX workbook's
unpacked size, shared strings and cell length). Each format is timed in the same run against
its plain reader over the same bytes, with no checks at all:

- CSV: ``csv.DictReader`` over the decoded text;
- JSON Lines: ``json.loads`` of each line;
- XLSX: openpyxl's read-only ``iter_rows(values_only=True)``.

Rows are the bulk file's ten columns, as a registrar sends them. Each figure is the best of
three runs (µs a row) and the ratio ours / plain.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import time
from collections.abc import Callable

import openpyxl

from creditbank.accounts.files import COLUMNS, FileFormat, read_rows


def _rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "record_id": f"REC-{serial:07d}",
            "id_number": f"31011519990101{serial % 10000:04d}",
            "name": f"学员{serial}",
            "item_code": "CAD-201",
            "level": "4",
            "credits": "3",
            "score": "80",
            "assessed_on": "2024-06-30",
            "setting": "formal",
            "evidence_sha256": "",
        }
        for serial in range(count)
    ]


def _csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _jsonl(rows: list[dict[str, str]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(column, "") for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain_csv(data: bytes) -> int:
    return sum(1 for _ in csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _plain_jsonl(data: bytes) -> int:
    return sum(1 for line in data.splitlines() if line.strip() and json.loads(line))


def _plain_xlsx(data: bytes) -> int:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True)) - 1
    workbook.close()
    return count


def _best(read: Callable[[bytes], int], data: bytes, rows: int) -> float:
    """The best of three runs, in µs a row (checking that every row was read)."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        assert read(data) == rows
        times.append(time.perf_counter() - started)
    return min(times) / rows * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--xlsx-rows", type=int, default=20_000)
    arguments = parser.parse_args()
    cases = (
        (FileFormat.CSV, arguments.rows, _csv, _plain_csv),
        (FileFormat.JSONL, arguments.rows, _jsonl, _plain_jsonl),
        (FileFormat.XLSX, arguments.xlsx_rows, _xlsx, _plain_xlsx),
    )
    print(f"{'format':<8}{'rows':>9}{'ours µs/row':>14}{'plain µs/row':>15}{'ratio':>8}")
    for file_format, count, make, plain in cases:
        data = make(_rows(count))

        def ours(data: bytes, file_format: FileFormat = file_format) -> int:
            return sum(1 for _ in read_rows(io.BytesIO(data), file_format))

        mine, theirs = _best(ours, data, count), _best(plain, data, count)
        print(f"{file_format.value:<8}{count:>9}{mine:>14.1f}{theirs:>15.1f}{mine / theirs:>8.2f}")


if __name__ == "__main__":
    main()
