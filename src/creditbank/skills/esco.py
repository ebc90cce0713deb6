"""Reading ESCO's skills file (``skills_{language}.csv`` of the European classification of Skills,
Competences, Qualifications and Occupations, as its download gives it). Pure (the standard
library).

Each row is a skill or knowledge concept: ``conceptUri`` is its global URI (kept as it is),
``preferredLabel`` its name in the file's language (the English file's also its English name),
``description`` (else ``definition``) its description, ``skillType`` its kind ("knowledge", else
"skill" for ESCO's "skill/competence" and the few untyped). Other columns are ignored.

ESCO's ``occupationSkillRelations_{language}.csv`` (told apart by its header) links them to ESCO's
occupations: ``occupationUri`` (an occupation imported with ``creditbank occupations import
--format esco``, found by its URI), ``relationType`` (essential or optional), ``skillUri`` (a
skill the bank holds or imports first); ``skillType`` and the labels are ignored. ESCO gives no
importance. The reader keeps the occupation's URI in the link; the import finds its code.
Problems are named by line and column like the bank's own files'.
"""

from __future__ import annotations

import csv
import io

from creditbank.file_problems import Problem, checked_header, empty, too_long
from creditbank.messages import msg
from creditbank.skills.files import LARGE_FILE_BYTES, MAX_PROBLEMS, MAX_ROWS, decode
from creditbank.skills.model import (
    NAME_LENGTH,
    RELATIONS,
    TEXT_LENGTH,
    Link,
    SkillEntry,
    SkillsFile,
    bad_file,
    is_uri,
)

FORMAT = "esco"
REQUIRED = ("conceptUri", "preferredLabel")
RELATIONS_REQUIRED = ("occupationUri", "relationType", "skillUri")
OCCUPATION_COLUMN = "occupationUri"
SKILL_COLUMN = "skillUri"
KNOWLEDGE = "knowledge"
MAX_RELATIONS = 200_000


def language_of(file_name: str) -> str | None:
    """The language an ESCO file's name says (``skills_en.csv``: "en"), or None."""
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    _, _, language = stem.rpartition("_")
    return language.lower() if 2 <= len(language) <= 3 and language.isalpha() else None  # noqa: PLR2004 - ISO 639 codes


def is_relations(content: bytes) -> bool:
    """Whether an ESCO file is ``occupationSkillRelations`` (its header names ``occupationUri``)."""
    first = content[:4096].decode("utf-8-sig", errors="replace").split("\n", 1)[0]
    return OCCUPATION_COLUMN in first


def read_esco_relations(content: bytes) -> SkillsFile:
    """The links of ESCO's occupation-skill relations file (each link's ``occupation`` the
    occupation's URI, for the import to find), or one refusal naming every problem (up to 50)."""
    reader = csv.DictReader(io.StringIO(decode(content, LARGE_FILE_BYTES), newline=""))
    reader.fieldnames = checked_header(reader.fieldnames, RELATIONS_REQUIRED, bad_file)
    links: dict[tuple[str, str], Link] = {}
    problems: list[Problem] = []
    try:
        for row in reader:
            line = reader.line_num
            if line > MAX_RELATIONS:
                problems.append((line, "", msg("The file has over {n} rows.", n=MAX_RELATIONS)))
                break
            link = _link(line, row, problems)
            if link is not None:
                links.setdefault((link.occupation, link.uri), link)
    except csv.Error as error:
        line = reader.line_num
        raise bad_file([msg("Line {line} is not valid CSV.", line=line)], line, "") from error
    if not problems and not links:
        problems.append((1, "", msg("The file holds no skills.")))
    if problems:
        line, column, _ = problems[0]
        raise bad_file([problem for _, _, problem in problems[:MAX_PROBLEMS]], line, column)
    return SkillsFile((), tuple(links.values()))


def _link(line: int, row: dict[str, str | None], problems: list[Problem]) -> Link | None:
    before = len(problems)
    occupation = (row.get(OCCUPATION_COLUMN) or "").strip()
    skill = (row.get(SKILL_COLUMN) or "").strip()
    relation = (row.get("relationType") or "").strip().lower()
    for column, value in ((OCCUPATION_COLUMN, occupation), (SKILL_COLUMN, skill)):
        if not is_uri(value):
            problems.append(
                (
                    line,
                    column,
                    msg("Line {line}, column {column}: not a URI.", line=line, column=column),
                )
            )
    if relation not in RELATIONS:
        problems.append(
            (
                line,
                "relationType",
                msg(
                    "Line {line}, column {column}: {value} is neither essential nor optional.",
                    line=line,
                    column="relationType",
                    value=relation[:20],
                ),
            )
        )
    if len(problems) > before:
        return None
    return Link(occupation, skill, relation, None, line)


def read_esco_skills(content: bytes, file_name: str) -> SkillsFile:
    """The skills of an ESCO skills file (or the links of its relations file), or one refusal
    naming every problem (up to 50)."""
    if is_relations(content):
        return read_esco_relations(content)
    english = language_of(file_name) == "en"
    reader = csv.DictReader(io.StringIO(decode(content), newline=""))
    reader.fieldnames = checked_header(reader.fieldnames, REQUIRED, bad_file)
    skills: dict[str, SkillEntry] = {}
    problems: list[Problem] = []
    try:
        for row in reader:
            line = reader.line_num
            if len(skills) + len(problems) >= MAX_ROWS:
                problems.append((line, "", msg("The file has over {n} rows.", n=MAX_ROWS)))
                break
            entry = _entry(line, row, english, problems)
            if entry is not None:
                skills.setdefault(entry.uri, entry)
    except csv.Error as error:
        line = reader.line_num
        raise bad_file([msg("Line {line} is not valid CSV.", line=line)], line, "") from error
    if not problems and not skills:
        problems.append((1, "", msg("The file holds no skills.")))
    if problems:
        line, column, _ = problems[0]
        raise bad_file([problem for _, _, problem in problems[:MAX_PROBLEMS]], line, column)
    return SkillsFile(tuple(skills.values()), ())


def _entry(
    line: int, row: dict[str, str | None], english: bool, problems: list[Problem]
) -> SkillEntry | None:
    before = len(problems)
    uri = (row.get("conceptUri") or "").strip()
    name = " ".join((row.get("preferredLabel") or "").split())
    description = (row.get("description") or row.get("definition") or "").strip()
    if not is_uri(uri):
        problems.append((line, "conceptUri", msg("Line {line}, column uri: not a URI.", line=line)))
    if not name:
        empty(line, "preferredLabel", problems)
    too_long(line, "preferredLabel", name, NAME_LENGTH, problems)
    too_long(line, "description", description, TEXT_LENGTH, problems)
    if len(problems) > before:
        return None
    kind = "knowledge" if (row.get("skillType") or "").strip() == KNOWLEDGE else "skill"
    return SkillEntry(uri, name, name if english else None, description, kind)
