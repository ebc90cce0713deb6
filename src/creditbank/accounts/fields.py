"""The fields of a deposited outcome, described once. A pure core.

:data:`FIELDS` lists each column of a bulk deposit file, in order: its name (the CSV or XLSX
header, the JSON Lines key, and the attribute of :class:`~creditbank.accounts.model.OutcomeFacts`
or of the HTTP schema of the same name), whether it is required, what it means (the README's
table of columns), the HTTP schema's description, how its text is parsed and what is said when
it cannot be, and whether it is stored on the outcome as given. What derives from it:

- the file readers' columns and header check (``files.COLUMNS``, ``files.REQUIRED``);
- the row parser (:func:`parse_row`), which the bulk deposit's worker runs;
- the facts stored as given, which make a record what it is and which its log entry commits
  to (``records.STORED_FACT_COLUMNS``, ``records.outcome_values_v2``, the bulk depositor's
  inserted columns, ``chunks.GoodRow``, ``depositing.stored_facts`` and
  ``depositing.new_outcome_row``);
- the HTTP schema's descriptions and its facts (``schemas.OutcomeFactsCreate``);
- the README's table of columns (:func:`columns_table`; ``tests/unit/test_outcome_fields.py``
  checks that the README shows it);
- the header map (``files.HEADERS``): every column is known by its name and by its Chinese
  header (``OutcomeField.chinese``: 记录编号, 身份证号码, ...), in any column order, in CSV and
  XLSX headers and as JSON Lines keys; the downloadable templates
  (:mod:`creditbank.accounts.blanks`) write both header rows.

Spreadsheets change what registrars type: a date cell reaches the reader as a date, an Excel
serial number (``45473``) is a date of the 1900 date system, and an identity number that a
spreadsheet stored as a number (``3.10104E+17``, a trailing ``.0``, the last digits turned to
zeros) is refused with a message of its own (:func:`numeric_identity`), never the number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from creditbank.accounts.model import (
    CREDITS_STEP,
    MAX_NAME,
    SCORE_STEP,
    AccountError,
    IdNumber,
    LearningSetting,
    OutcomeFacts,
    RowError,
    parse_id_number,
)
from creditbank.messages import Message, msg


def _text(text: str) -> str:
    return text


_WRITTEN_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_SERIAL = re.compile(r"\d{5}(\.\d+)?")
"""An Excel serial number as text: five digits (1927-05-18 .. 2173-10-14), perhaps a time."""
EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system, as serial numbers from 61 (1900-03-01) on count it
(Excel counts a 29 February 1900 that never was, so earlier serials are a day off)."""
FIRST_SERIAL, LAST_SERIAL = 61, 2_958_465  # 1900-03-01 .. 9999-12-31


def excel_serial_date(serial: float) -> date:
    """The day an Excel serial number of the 1900 date system stands for (``45473`` is
    2024-06-30; a time of day is dropped). ``ValueError`` outside 1900-03-01 .. 9999-12-31."""
    day = int(serial)
    if not FIRST_SERIAL <= day <= LAST_SERIAL:
        raise ValueError(serial)
    return EXCEL_EPOCH + timedelta(days=day)


def written_date(text: str) -> date:
    """A date as registrars write it and spreadsheets save it: ``2024-06-30``, ``2024/6/30``,
    ``2024.6.30``, ``2024-6-30``, ``2024年6月30日``, what ``date.fromisoformat`` reads
    (``20240630``), and an Excel serial number (``45473``, a column of dates saved as numbers).
    ``ValueError`` for anything else, or a day that does not exist."""
    stripped = text.strip()
    found = _WRITTEN_DATE.fullmatch(stripped)
    if found is None:
        if _SERIAL.fullmatch(stripped):
            return excel_serial_date(float(stripped))
        return date.fromisoformat(stripped)
    year, month, day = (int(part) for part in found.groups())
    return date(year, month, day)


_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+")
_DECIMAL_POINT = re.compile(r"\d+\.\d*")
_ZEROED = re.compile(r"\d{15}000")


def numeric_identity(text: str) -> bool:
    """Whether an identity number's text shows that a spreadsheet stored it as a number:
    scientific notation (``3.10104E+17``), a decimal point (``310104199003071234.0``), or 18
    digits whose last three a spreadsheet turned to zeros (it keeps 15) and whose check digit
    is then wrong."""
    number = "".join(text.split()).upper()
    if _SCIENTIFIC.fullmatch(number) or _DECIMAL_POINT.fullmatch(number):
        return True
    if _ZEROED.fullmatch(number):
        try:
            parse_id_number(number)
        except AccountError:
            return True
    return False


NUMERIC_IDENTITY = msg(
    "the spreadsheet stored the identity number as a number, which loses its last digits: "
    "format the identity number column as text, type the numbers again and save the file"
)
NUMERIC = "__numeric__"
"""A row's key naming the columns whose cells a workbook held as numbers where text belongs."""


def _setting(text: str) -> LearningSetting:
    return LearningSetting(SETTING_WORDS.get(text.strip(), text.strip().lower()))


SETTING_WORDS = {
    "正规": "formal",
    "正规学习": "formal",
    "非正规": "non-formal",
    "非正规学习": "non-formal",
    "非正式": "informal",
    "非正式学习": "informal",
}
"""The learning settings as Chinese registrars write them."""


def _decimal(places: int) -> Callable[[str], Decimal]:
    step = {1: CREDITS_STEP, 2: SCORE_STEP}[places]

    def parse(text: str) -> Decimal:
        """``text`` as a number with at most ``places`` decimals, at that precision."""
        value = Decimal(text)
        if not value.is_finite():
            raise InvalidOperation(text)
        stored = value.quantize(step)
        if stored != value:
            raise InvalidOperation(text)
        return stored

    return parse


def _name(text: str) -> str:
    name = " ".join(text.split())
    if len(name) > MAX_NAME:
        raise ValueError(name)
    return name


def _decimal_problem(column: str, places: int) -> Message:
    return msg(
        "{column} must be a number with at most {places} decimals", column=column, places=places
    )


@dataclass(frozen=True, slots=True)
class OutcomeField:
    """One field of a deposited outcome (see the module's docstring)."""

    name: str
    required: bool
    chinese: str
    """Its Chinese header (a file's header may name it so, or by :attr:`name`)."""
    meaning: str
    """What the README's table of bulk columns says of it (Markdown)."""
    parse: Callable[[str], object] = _text
    """Its (stripped, non-empty) text as a value; raises ``ValueError`` or ``ArithmeticError``
    (said as :attr:`problem`) or ``AccountError`` (said as the error's message)."""
    problem: Message | None = None
    description: str | None = None
    """The HTTP schema's description of it."""
    fact: bool = True
    """An attribute of ``OutcomeFacts`` (the person's identity and name are not)."""
    stored: bool = False
    """Stored on the outcome as given (the others are resolved: the item and level by id)."""
    logged_when_empty: bool = True
    """Whether the log commits to it when it is empty; a field added after outcomes were
    logged without it says False, so that their entries still verify."""


FIELDS: tuple[OutcomeField, ...] = (
    OutcomeField(
        "record_id",
        required=True,
        chinese="记录编号",
        meaning="the institution's own id of the record: the idempotency key (the same record "
        "sent again changes nothing; the same id with other facts is an error)",
        description="The institution's own id of this record (idempotency key).",
    ),
    OutcomeField(
        "id_number",
        required=True,
        chinese="身份证号码",
        meaning="resident identity number (GB 11643, check digit verified) or passport number; "
        "text, not a number (a spreadsheet that stores it as a number loses digits: format the "
        "column as text)",
        parse=parse_id_number,
        fact=False,
    ),
    OutcomeField(
        "name",
        required=True,
        chinese="姓名",
        meaning="the learner's name; used to open an account when the bank has none for "
        "`id_number`",
        parse=_name,
        problem=msg("name is longer than {count} characters", count=MAX_NAME),
        fact=False,
    ),
    OutcomeField(
        "item_code",
        required=True,
        chinese="项目代码",
        meaning="a catalogue item of the depositing institution, or one it is accredited to "
        "issue (a grant not withdrawn that covers `assessed_on`); `OWNER:CODE` names the owner "
        "when several owners granted items of that code",
        description="An item of the institution's catalogue, or one it is accredited to issue "
        "(OWNER:CODE when the code alone is ambiguous).",
    ),
    OutcomeField(
        "level",
        required=True,
        chinese="等级",
        meaning="a level the item is awarded at (a level code of the item's framework)",
        description="A level the item is awarded at, e.g. intermediate.",
    ),
    OutcomeField(
        "credits",
        required=False,
        chinese="学分",
        meaning="credits earned, at most one decimal, not more than the item carries",
        parse=_decimal(1),
        problem=_decimal_problem("credits", 1),
        stored=True,
    ),
    OutcomeField(
        "score",
        required=False,
        chinese="成绩",
        meaning="0 to 100, at most two decimals",
        parse=_decimal(2),
        problem=_decimal_problem("score", 2),
        stored=True,
    ),
    OutcomeField(
        "assessed_on",
        required=True,
        chinese="考核日期",
        meaning=(
            "a date: `2024-06-30`, also `2024/6/30`, `2024.6.30` or `2024年6月30日`, a date "
            "cell of a workbook or an Excel serial number (`45473`); not in the future"
        ),
        parse=written_date,
        problem=msg("assessed_on must be a date like 2024-06-30"),
        stored=True,
    ),
    OutcomeField(
        "setting",
        required=True,
        chinese="学习形式",
        meaning="`formal`, `non-formal` or `informal` (also 正规学习, 非正规学习, 非正式学习)",
        parse=_setting,
        problem=msg("setting must be formal, non-formal or informal"),
        stored=True,
    ),
    OutcomeField(
        "evidence_sha256",
        required=False,
        chinese="证明材料SHA256",
        meaning="SHA-256 (64 lower-case hex) of an evidence file the institution uploaded "
        "first (`POST /api/v1/evidence`)",
        stored=True,
    ),
)

FIELD_NAMES = tuple(field.name for field in FIELDS)
"""The bulk file's columns, in order."""
REQUIRED_FIELDS = tuple(field.name for field in FIELDS if field.required)
FACT_FIELDS = tuple(field.name for field in FIELDS if field.fact)
"""The attributes of ``OutcomeFacts``."""
STORED_AS_GIVEN = tuple(field.name for field in FIELDS if field.stored)
"""The outcome's columns stored as the facts give them, in order."""
FIELDS_BY_NAME = {field.name: field for field in FIELDS}


CHINESE_HEADERS = tuple(field.chinese for field in FIELDS)


def stored_value(value: object) -> object:
    """A fact's value as the outcome's column holds it (an enumeration by its value)."""
    return value.value if isinstance(value, Enum) else value


def given_columns(facts: OutcomeFacts) -> dict[str, object]:
    """The columns ``facts`` give as they are (:data:`STORED_AS_GIVEN`), by name."""
    return {name: stored_value(getattr(facts, name)) for name in STORED_AS_GIVEN}


def logged(name: str, value: object) -> bool:
    """Whether the log commits to stored field ``name`` holding ``value``."""
    return FIELDS_BY_NAME[name].logged_when_empty or value is not None


def columns_table() -> str:
    """The README's table of bulk deposit columns (Markdown)."""
    lines = ["| column | Chinese header | required | meaning |", "|---|---|---|---|"]
    lines += [
        f"| `{field.name}` | {field.chinese} | {'yes' if field.required else 'no'} "
        f"| {field.meaning} |"
        for field in FIELDS
    ]
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ParsedRow:
    line: int
    facts: OutcomeFacts
    id_number: IdNumber
    name: str


def parse_row(line: int, row: Mapping[str, str]) -> ParsedRow | list[RowError]:
    """A bulk file's row as outcome facts, or every problem found in it (by column)."""
    if "__invalid__" in row:
        return [RowError(line, "-", msg("the line is {reason}", reason=row["__invalid__"]))]
    errors: list[RowError] = []
    if "__extra__" in row:
        errors.append(RowError(line, "-", msg("the row has more values than the header")))
    numeric = set(row.get(NUMERIC, "").split())
    if "id_number" in numeric or numeric_identity(row.get("id_number", "")):
        errors.append(RowError(line, "id_number", NUMERIC_IDENTITY))
    errors.extend(
        RowError(line, column, msg("{column} is empty", column=column))
        for column in REQUIRED_FIELDS
        if not row.get(column, "").strip()
    )
    if errors:
        return errors
    values: dict[str, Any] = {}
    for field in FIELDS:
        text = row.get(field.name, "").strip()
        if not text:
            values[field.name] = None
            continue
        try:
            values[field.name] = field.parse(text)
        except AccountError as error:
            errors.append(RowError(line, field.name, error.message))
        except (ValueError, ArithmeticError):
            assert field.problem is not None  # noqa: S101 - every parser that can fail has one
            errors.append(RowError(line, field.name, field.problem))
    if errors:
        return errors
    facts = OutcomeFacts(**{name: values[name] for name in FACT_FIELDS})
    return ParsedRow(line, facts, values["id_number"], values["name"])
