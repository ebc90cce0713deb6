"""Reading ESCO's and O*NET's occupation files as their downloads give them. Pure (the standard
library).

ESCO (``--format esco``): ``occupations_{language}.csv`` or ``ISCOGroups_{language}.csv``, CSV with
a header; ``code`` (``2512.4``, or an ISCO-08 group ``2512``) is held as ``ESCO:2512.4``,
``conceptUri`` as the occupation's URI (the key ``occupationSkillRelations`` names it by),
``preferredLabel`` as its name (also its English name when the file is ``_en``), ``altLabels`` (one
per line) as its aliases, ``description`` (else ``definition``) as its definition. Other columns
(``iscoGroup``, ``hiddenLabels``, ``status``...) are ignored.

O*NET (``--format onet``): ``Occupation Data.txt``, tab-separated with a header: ``O*NET-SOC
Code`` (``15-1252.00``, held as ``ONET:15-1252.00``), ``Title`` (its name and English name),
``Description`` (its definition); with ``Alternate Titles.txt`` beside it (``O*NET-SOC Code``,
``Alternate Title``), whose titles become aliases (the first :data:`MAX_ALIASES` of an
occupation). O*NET's files are not quoted: a field never holds a tab or a line break.

Problems are named by line and column, as the bank's own files' (the alternate titles' lines
with that file named).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping

from creditbank.file_problems import Problem, checked_header, empty, too_long
from creditbank.messages import msg
from creditbank.occupations.model import (
    ALIAS_LENGTH,
    ESCO,
    MAX_ALIASES,
    NAME_LENGTH,
    ONET,
    TEXT_LENGTH,
    URI_LENGTH,
    Occupation,
    bad_file,
    code_level,
    is_code,
    parent_codes,
)

ESCO_FORMAT = "esco"
ONET_FORMAT = "onet"
MAX_ROWS = 20_000
MAX_ALTERNATE_ROWS = 200_000
ESCO_REQUIRED = ("conceptUri", "code", "preferredLabel")
ONET_CODE = "O*NET-SOC Code"
ONET_REQUIRED = (ONET_CODE, "Title")
ALTERNATE_REQUIRED = (ONET_CODE, "Alternate Title")


def language_of(file_name: str) -> str | None:
    """The language an ESCO file's name says (``occupations_en.csv``: "en"), or None."""
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    _, _, language = stem.rpartition("_")
    return language.lower() if 2 <= len(language) <= 3 and language.isalpha() else None  # noqa: PLR2004 - ISO 639 codes


def _rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, Mapping[str, str | None]]]:
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as error:
        line = reader.line_num
        raise bad_file([msg("Line {line} is not valid CSV.", line=line)], line, "") from error


def _cell(row: Mapping[str, str | None], column: str) -> str:
    return " ".join((row.get(column) or "").split())


def _check_code(line: int, column: str, code: str, problems: list[Problem]) -> None:
    if not is_code(code):
        problems.append(
            (
                line,
                column,
                msg(
                    "Line {line}, column {column}: {code} is not a code of this classification.",
                    line=line,
                    column=column,
                    code=code[:30],
                ),
            )
        )


def _refuse(problems: list[Problem]) -> None:
    if problems:
        line, column, _ = problems[0]
        raise bad_file([problem for _, _, problem in problems[:50]], line, column)


def _distinct(labels: list[str], name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(label for label in labels if label and label != name))


def read_esco_occupations(text: str, file_name: str) -> list[Occupation]:
    """The occupations (or ISCO groups) of an ESCO file, or one refusal naming every problem."""
    english = language_of(file_name) == "en"
    reader = csv.DictReader(io.StringIO(text, newline=""))
    reader.fieldnames = checked_header(reader.fieldnames, ESCO_REQUIRED, bad_file)
    found: dict[str, Occupation] = {}
    problems: list[Problem] = []
    for line, row in _rows(reader):
        if len(found) >= MAX_ROWS:
            problems.append((line, "", msg("The file has over {n} rows.", n=MAX_ROWS)))
            break
        before = len(problems)
        code = f"{ESCO}:{_cell(row, 'code')}"
        _check_code(line, "code", code, problems)
        uri = _cell(row, "conceptUri")
        if not uri.startswith(("http://", "https://")):
            problems.append(
                (line, "conceptUri", msg("Line {line}, column uri: not a URI.", line=line))
            )
        too_long(line, "conceptUri", uri, URI_LENGTH, problems)
        name = _cell(row, "preferredLabel")
        if not name:
            empty(line, "preferredLabel", problems)
        too_long(line, "preferredLabel", name, NAME_LENGTH, problems)
        aliases = _distinct(
            [" ".join(label.split()) for label in (row.get("altLabels") or "").splitlines()], name
        )
        for alias in aliases:
            too_long(line, "altLabels", alias, ALIAS_LENGTH, problems)
        if len(aliases) > MAX_ALIASES:
            problems.append(
                (line, "altLabels", msg("Line {line}: over {n} aliases.", line=line, n=MAX_ALIASES))
            )
        definition = (row.get("description") or row.get("definition") or "").strip()
        too_long(line, "description", definition, TEXT_LENGTH, problems)
        if len(problems) > before:
            continue
        found.setdefault(
            code,
            Occupation(
                code=code,
                level=code_level(code),
                name=name,
                name_en=name if english else None,
                definition=definition,
                aliases=aliases,
                parents=parent_codes(code),
                uri=uri,
            ),
        )
    if not problems and not found:
        problems.append((1, "", msg("The file holds no occupations.")))
    _refuse(problems)
    return list(found.values())


def _tab_reader(text: str) -> csv.DictReader[str]:
    return csv.DictReader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)


def read_onet_occupations(text: str, alternate_titles: str | None) -> list[Occupation]:
    """The occupations of O*NET's ``Occupation Data.txt``, with the aliases of its ``Alternate
    Titles.txt`` when given, or one refusal naming every problem."""
    reader = _tab_reader(text)
    reader.fieldnames = checked_header(reader.fieldnames, ONET_REQUIRED, bad_file)
    found: dict[str, Occupation] = {}
    problems: list[Problem] = []
    for line, row in _rows(reader):
        if len(found) >= MAX_ROWS:
            problems.append((line, "", msg("The file has over {n} rows.", n=MAX_ROWS)))
            break
        before = len(problems)
        code = f"{ONET}:{_cell(row, ONET_CODE)}"
        _check_code(line, ONET_CODE, code, problems)
        name = _cell(row, "Title")
        if not name:
            empty(line, "Title", problems)
        too_long(line, "Title", name, NAME_LENGTH, problems)
        definition = (row.get("Description") or "").strip()
        too_long(line, "Description", definition, TEXT_LENGTH, problems)
        if len(problems) == before:
            found.setdefault(
                code,
                Occupation(
                    code=code,
                    level=code_level(code),
                    name=name,
                    name_en=name,
                    definition=definition,
                    parents=parent_codes(code),
                ),
            )
    if not problems and not found:
        problems.append((1, "", msg("The file holds no occupations.")))
    _refuse(problems)
    if alternate_titles is None:
        return list(found.values())
    aliases = _alternate_titles(alternate_titles, found)
    return [
        Occupation(
            code=o.code,
            level=o.level,
            name=o.name,
            name_en=o.name_en,
            definition=o.definition,
            aliases=_distinct(aliases.get(o.code, []), o.name)[:MAX_ALIASES],
            parents=o.parents,
        )
        for o in found.values()
    ]


def _alternate_titles(text: str, occupations: Mapping[str, Occupation]) -> dict[str, list[str]]:
    """Each occupation's alternate titles; a title of an occupation the occupations file does
    not list refuses both files."""
    reader = _tab_reader(text)
    reader.fieldnames = checked_header(reader.fieldnames, ALTERNATE_REQUIRED, bad_file)
    titles: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for line, row in _rows(reader):
        if line > MAX_ALTERNATE_ROWS:
            problems.append((line, "", msg("The file has over {n} rows.", n=MAX_ALTERNATE_ROWS)))
            break
        code = f"{ONET}:{_cell(row, ONET_CODE)}"
        title = _cell(row, "Alternate Title")
        if code not in occupations:
            problems.append(
                (
                    line,
                    ONET_CODE,
                    msg(
                        "Alternate titles, line {line}: {code} is not in the occupations file.",
                        line=line,
                        code=code[:30],
                    ),
                )
            )
        elif len(title) > ALIAS_LENGTH:
            too_long(line, "Alternate Title", title, ALIAS_LENGTH, problems)
        elif title:
            titles.setdefault(code, []).append(title)
    _refuse(problems)
    return titles
