"""Reading O*NET's ratings files (``Skills.txt``, ``Knowledge.txt``, ``Abilities.txt`` of the
O*NET database, as its download gives them: tab-separated, a header, no quoting). Pure (the
standard library).

Each row rates one element of O*NET's content model for one occupation on one scale: ``O*NET-SOC
Code`` (held as ``ONET:15-1252.00``: import the occupations first, ``creditbank occupations import
--format onet``), ``Element ID`` (``2.A.1.a``; the skill's URI is ``urn:onet:element:2.A.1.a``),
``Element Name`` (its name, in English), ``Scale ID`` (``IM`` importance 1-5, ``LV`` level 0-7;
others ignored), ``Data Value``, and ``Not Relevant`` (``Y``: the element does not apply to the
occupation). An element is a skill of kind "knowledge" (O*NET's 2.C), "competence" (abilities,
1.A) or "skill" (the rest). An occupation requires each element rated for it on ``IM``, with that
importance: essentially when it is at least :data:`ESSENTIAL_FROM` (3, "important" on O*NET's
scale), else optionally, with the level it is needed at (``LV``); an element rated not relevant
is not required. Other columns (``N``, ``Standard Error``, ``Date``...) are ignored.
Problems are named by line and column like the bank's own files'.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from creditbank.file_problems import Problem, checked_header, empty, too_long
from creditbank.messages import Message, msg
from creditbank.skills.files import LARGE_FILE_BYTES, MAX_PROBLEMS, decode
from creditbank.skills.model import NAME_LENGTH, Link, SkillEntry, SkillsFile, bad_file

FORMAT = "onet"
CODE = "O*NET-SOC Code"
ELEMENT = "Element ID"
REQUIRED = (CODE, ELEMENT, "Element Name", "Scale ID", "Data Value")
URI_PREFIX = "urn:onet:element:"
ESSENTIAL_FROM = Decimal(3)
SCALES = {"IM": (Decimal(1), Decimal(5)), "LV": (Decimal(0), Decimal(7))}
MAX_ROWS = 300_000
ELEMENT_PATTERN = re.compile(r"[0-9]+(?:\.[A-Za-z0-9]+)+")
ONET_CODE = re.compile(r"[0-9]{2}-[0-9]{4}\.[0-9]{2}")
_CENT = Decimal("0.01")


def kind_of(element: str) -> str:
    """The kind of skill an O*NET element is (by where it sits in the content model)."""
    if element.startswith("2.C"):
        return "knowledge"
    if element.startswith("1.A"):
        return "competence"
    return "skill"


def _problem(line: int, column: str, message: Message, problems: list[Problem]) -> None:
    problems.append((line, column, message))


def read_onet_ratings(content: bytes) -> SkillsFile:
    """The elements of an O*NET ratings file as skills, and the occupations' links to them, or
    one refusal naming every problem (up to 50)."""
    reader = csv.DictReader(
        io.StringIO(decode(content, LARGE_FILE_BYTES), newline=""),
        delimiter="\t",
        quoting=csv.QUOTE_NONE,
    )
    reader.fieldnames = checked_header(reader.fieldnames, REQUIRED, bad_file)
    found = _Found()
    skills, importance, irrelevant, problems = (
        found.skills,
        found.importance,
        found.irrelevant,
        found.problems,
    )
    try:
        for row in reader:
            line = reader.line_num
            if line > MAX_ROWS:
                _problem(line, "", msg("The file has over {n} rows.", n=MAX_ROWS), problems)
                break
            _row(line, row, found)
    except csv.Error as error:
        line = reader.line_num
        raise bad_file([msg("Line {line} is not valid CSV.", line=line)], line, "") from error
    if not problems and not skills:
        problems.append((1, "", msg("The file holds no skills.")))
    if problems:
        line, column, _ = problems[0]
        raise bad_file([problem for _, _, problem in problems[:MAX_PROBLEMS]], line, column)
    links = tuple(
        Link(
            f"ONET:{code}",
            URI_PREFIX + element,
            "essential" if value >= ESSENTIAL_FROM else "optional",
            value,
            line,
            found.levels.get((code, element)),
        )
        for (code, element), (value, line) in importance.items()
        if (code, element) not in irrelevant
    )
    return SkillsFile(tuple(skills.values()), links)


@dataclass
class _Found:
    """What a ratings file's rows gave so far."""

    skills: dict[str, SkillEntry] = field(default_factory=dict)
    importance: dict[tuple[str, str], tuple[Decimal, int]] = field(default_factory=dict)
    levels: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    irrelevant: set[tuple[str, str]] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


def _row(line: int, row: dict[str, str | None], found: _Found) -> None:
    skills, importance, irrelevant, problems = (
        found.skills,
        found.importance,
        found.irrelevant,
        found.problems,
    )
    before = len(problems)
    code = (row.get(CODE) or "").strip()
    element = (row.get(ELEMENT) or "").strip()
    name = " ".join((row.get("Element Name") or "").split())
    scale = (row.get("Scale ID") or "").strip()
    if ONET_CODE.fullmatch(code) is None:
        _problem(
            line,
            CODE,
            msg(
                "Line {line}, column {column}: {code} is not a code of this classification.",
                line=line,
                column=CODE,
                code=code[:30],
            ),
            problems,
        )
    if ELEMENT_PATTERN.fullmatch(element) is None:
        _problem(
            line,
            ELEMENT,
            msg("Line {line}, column {column}: not an O*NET element.", line=line, column=ELEMENT),
            problems,
        )
    if not name:
        empty(line, "Element Name", problems)
    too_long(line, "Element Name", name, NAME_LENGTH, problems)
    value = _value(line, scale, (row.get("Data Value") or "").strip(), problems)
    if len(problems) > before:
        return
    uri = URI_PREFIX + element
    earlier = skills.setdefault(uri, SkillEntry(uri, name, name, "", kind_of(element)))
    if earlier.name != name:
        _problem(
            line,
            "Element Name",
            msg(
                "Line {line}: the skill {uri} is written differently on another line.",
                line=line,
                uri=uri,
            ),
            problems,
        )
        return
    if (row.get("Not Relevant") or "").strip().upper() == "Y":
        irrelevant.add((code, element))
    if scale == "IM" and value is not None:
        importance.setdefault((code, element), (value, line))
    if scale == "LV" and value is not None:
        found.levels.setdefault((code, element), value)


def _value(line: int, scale: str, text: str, problems: list[Problem]) -> Decimal | None:
    """A rating's value on an importance or level scale, checked; None on other scales."""
    bounds = SCALES.get(scale)
    if bounds is None:
        return None
    try:
        value = Decimal(text).quantize(_CENT)
    except (InvalidOperation, ValueError):
        value = None
    low, high = bounds
    if value is None or not low <= value <= high:
        _problem(
            line,
            "Data Value",
            msg(
                "Line {line}, column {column}: {value} is not a value from {low} to {high}.",
                line=line,
                column="Data Value",
                value=text[:20],
                low=str(low),
                high=str(high),
            ),
            problems,
        )
        return None
    return value
