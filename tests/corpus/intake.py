"""The intake corpus: files as registrars have them, kept in ``tests/corpus/intake/``.

Each :class:`Intake` is a bulk deposit file with what the bank must do with it: deposit its
rows (``deposited``), or refuse the rows it names (``problems``: line, column and words of the
English reason). Chinese headers in a registrar's own order (UTF-8 with a BOM, GBK as Excel on
a Chinese Windows saves it, and GB18030 with a character outside GBK), a workbook with the template's two header rows, workbook date
cells and Excel serial numbers, identity numbers a spreadsheet stored as numbers (in a workbook,
and as a CSV shows them: ``3.10104E+17``, digits lost), headers unknown or given twice.
:func:`files` makes them (workbooks with fixed times, so the bytes are the same each time);
``python -m tests.corpus.intake`` writes them, and a test checks the committed files are these.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

from tests.bulk_files import id_number
from tests.intake_files import CHINESE, SHUFFLED, Cell, chinese_csv

FOLDER = Path(__file__).resolve().parent / "intake"
FIXED = datetime(2026, 1, 1)  # noqa: DTZ001 - a workbook's times are naive
NUMERIC_SAYS = "stored the identity number as a number"


@dataclass(frozen=True)
class Intake:
    """A file of the corpus and what the bank does with it."""

    name: str
    deposited: int = 0
    problems: tuple[tuple[int, str, str], ...] = ()


def values(serial: int, **changes: Cell) -> dict[str, Cell]:
    """A good row (JSVC's course CAD-201 at LOFOUC 4) of record INTAKE-serial."""
    return {
        "record_id": f"INTAKE-{serial:04d}",
        "id_number": id_number(3000 + serial),
        "name": f"学员{serial}",
        "item_code": "CAD-201",
        "level": "4",
        "credits": "3",
        "score": "80",
        "assessed_on": "2024-06-30",
        "setting": "formal",
        **changes,
    }


def _texts(rows: list[dict[str, Cell]]) -> list[dict[str, str]]:
    return [{key: str(value) for key, value in row.items()} for row in rows]


def workbook(rows: list[dict[str, Cell]], headers: list[list[str]]) -> bytes:
    """A workbook of ``rows`` (cells typed as given) under ``headers``, its bytes the same
    each time it is made."""
    book = Workbook()
    book.properties.created = book.properties.modified = FIXED
    sheet = book.active
    assert sheet is not None
    for header in headers:
        sheet.append(header)
    for row in rows:
        sheet.append([row.get(column) for column in SHUFFLED])
    saved = io.BytesIO()
    book.save(saved)
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(saved.getvalue())) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            part = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            part.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", content
                )
            target.writestr(part, content)
    return fixed.getvalue()


CHINESE_ROW = [CHINESE[column] for column in SHUFFLED]
LOST = id_number(3007)[:15] + "000"

CASES = (
    Intake("chinese-headers.csv", deposited=3),
    Intake("chinese-headers-gbk.csv", deposited=2),
    Intake("chinese-headers-gb18030.csv", deposited=2),
    Intake("two-header-rows.xlsx", deposited=2),
    Intake("excel-dates.xlsx", deposited=3),
    Intake(
        "numeric-ids.xlsx",
        problems=((3, "id_number", NUMERIC_SAYS), (4, "id_number", NUMERIC_SAYS)),
    ),
    Intake(
        "numeric-ids.csv",
        problems=((3, "id_number", NUMERIC_SAYS), (4, "id_number", NUMERIC_SAYS)),
    ),
    Intake("unknown-header.csv", problems=((1, "-", "unknown column 颜色"),)),
    Intake("header-twice.csv", problems=((1, "-", "column name (姓名, name) appears twice"),)),
)


def files() -> dict[str, bytes]:
    """Every file of the intake corpus, by name."""
    bom = b"\xef\xbb\xbf"
    return {
        "chinese-headers.csv": bom + chinese_csv(_texts([values(n) for n in (1, 2, 3)])),
        "chinese-headers-gbk.csv": chinese_csv(
            _texts([values(4, name="张三"), values(5, setting="正规学习")]), encoding="gbk"
        ),
        "chinese-headers-gb18030.csv": chinese_csv(
            _texts([values(17, name="张𠀀三"), values(18, setting="非正规学习")]),
            encoding="gb18030",
        ),
        "two-header-rows.xlsx": workbook(
            [values(6), values(7, score=91.5, credits=3)], [CHINESE_ROW, list(SHUFFLED)]
        ),
        "excel-dates.xlsx": workbook(
            [
                values(8, assessed_on=datetime(2024, 6, 30)),  # noqa: DTZ001 - a date cell
                values(9, assessed_on=45473),
                values(10, assessed_on=date(2024, 6, 30)),
            ],
            [CHINESE_ROW],
        ),
        "numeric-ids.xlsx": workbook(
            [values(11), values(12, id_number=int(LOST)), values(13, id_number=3.10104e17)],
            [CHINESE_ROW],
        ),
        "numeric-ids.csv": chinese_csv(
            _texts([values(14), values(15, id_number="3.10104E+17"), values(16, id_number=LOST)])
        ),
        "unknown-header.csv": "记录编号,身份证号码,姓名,项目代码,等级,考核日期,学习形式,颜色\r\n"
        "R,1,2,3,4,5,6,7\r\n".encode(),
        "header-twice.csv": "记录编号,身份证号码,姓名,name,项目代码,等级,考核日期,学习形式\r\n"
        "R,1,2,3,4,5,6,7\r\n".encode(),
    }


def write(folder: Path = FOLDER) -> None:
    """Write the corpus (``python -m tests.corpus.intake``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files().items():
        (folder / name).write_bytes(content)


if __name__ == "__main__":
    write()
