"""Skills as the bank holds them and as files give them. Pure.

A skill has a global and stable URI (the built-in tasks:
``urn:creditbank:csco2022:{code}:task:{n}``), a name in its source's language, an English name
where known, a description and a kind (a task, a skill, knowledge, a competence). An occupation
requires a skill essentially or optionally, with an importance from 1 to 5 where the source gives
one (O*NET does).

The built-in set: each numbered main task (主要工作任务) of an occupation of China's 2022
classification, written ``1.… 2.… 3.…`` in one text, is a skill of kind "task", essential for
that occupation (:func:`split_tasks`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

KINDS = ("task", "skill", "knowledge", "competence")
RELATIONS = ("essential", "optional")
URI_LENGTH = 300
NAME_LENGTH = 500
TEXT_LENGTH = 4000
BUILTIN_PREFIX = "urn:creditbank:csco2022:"
URI_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
"""A URI (RFC 3986's scheme, then anything printable but spaces and the unsafe characters)."""
_TASK_NUMBER = re.compile(r"(?:^|(?<=\s)|(?<=[。；;，,]))(\d{1,2})\s*[.．、](?!\d)")


KIND_WORDS: dict[str, Message] = {
    "task": msg("task"),
    "skill": msg("skill"),
    "knowledge": msg("knowledge"),
    "competence": msg("competence"),
}
RELATION_WORDS: dict[str, Message] = {
    "essential": msg("essential"),
    "optional": msg("optional"),
}


def kind_word(kind: str) -> Message:
    """The kind of a skill in words people read (imports store only :data:`KINDS`)."""
    return KIND_WORDS[kind]


def relation_word(relation: str) -> Message:
    """How an occupation requires a skill, in words people read (imports store only
    :data:`RELATIONS`)."""
    return RELATION_WORDS[relation]


class SkillsError(DomainError):
    """A refused import, search or look-up of skills; nothing is changed."""


@dataclass(frozen=True, slots=True)
class Skill:
    """A skill as stored: its id, global URI, names, description, kind and its import's source."""

    id: int
    uri: str
    name: str
    name_en: str | None
    description: str
    kind: str
    source: str


@dataclass(frozen=True, slots=True)
class RequiredSkill:
    """A skill an occupation requires: essential or optional, its importance (1..5) and the
    level it is needed at (0..7) where known (O*NET)."""

    skill: Skill
    relation: str
    importance: Decimal | None
    level: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SkillEntry:
    """A skill as a file gives it (no id yet)."""

    uri: str
    name: str
    name_en: str | None
    description: str
    kind: str


@dataclass(frozen=True, slots=True)
class Link:
    """A file's line saying that an occupation requires a skill (``line``: where, for problems)."""

    occupation: str
    uri: str
    relation: str
    importance: Decimal | None
    line: int
    level: Decimal | None = None
    """The level (0..7) the skill is needed at, where the source gives one (O*NET's LV)."""


@dataclass(frozen=True, slots=True)
class SkillsFile:
    """What a file holds: skills (each once, by URI) and links to occupations."""

    skills: tuple[SkillEntry, ...]
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an import's file came from, as the operator says."""

    source: str
    version: str
    licence: str
    file_name: str


def is_uri(text: str) -> bool:
    """Whether ``text`` is written as an absolute URI of at most :data:`URI_LENGTH` characters."""
    return len(text) <= URI_LENGTH and URI_PATTERN.fullmatch(text) is not None


def builtin_uri(code: str, number: int) -> str:
    """The URI of task ``number`` of occupation ``code`` in the built-in set."""
    return f"{BUILTIN_PREFIX}{code}:task:{number}"


def split_tasks(text: str) -> list[str]:
    """The numbered tasks of one text (``1.… 2.…``), in order, without their numbers and final
    punctuation. Only a number that follows the previous one starts a task (a ``3.5`` inside a
    task stays in it); a text without numbers is one task; an empty text none."""
    text = text.strip()
    if not text:
        return []
    starts: list[tuple[int, int]] = []
    expected = 1
    for match in _TASK_NUMBER.finditer(text):
        if int(match.group(1)) == expected:
            starts.append((match.start(), match.end()))
            expected += 1
    if not starts or starts[0][0] != 0:
        return [_clean(text)] if _clean(text) else []
    ends = [start for start, _ in starts[1:]] + [len(text)]
    tasks = [_clean(text[body:end]) for (_, body), end in zip(starts, ends, strict=True)]
    return [task for task in tasks if task]


def _clean(task: str) -> str:
    return " ".join(task.split()).rstrip("。；;，,. ")


def where(line: int, column: str) -> dict[str, str]:
    """The place of a problem in a file, as the problem's extension members."""
    return {"line": str(line), "column": column}


def bad_file(problems: Sequence[Message], line: int, column: str) -> SkillsError:
    """The refusal of a file whose first problem is at ``line``, ``column``."""
    return SkillsError(
        "invalid_skills_file",
        msg("The skills file is not valid; nothing was imported."),
        problems,
        extensions=where(line, column),
    )
