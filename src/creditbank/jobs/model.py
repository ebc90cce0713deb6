"""Jobs and learners' consent to be matched: the types and the rules on what a posting holds.
A pure core.

A job is an enterprise's requirement: a title and description in one language (``zh`` or
``en``), the region where the work is (one of China's provincial-level regions, kept as its
ISO 3166-2 code), the occupation the employer confirmed (or none), the skills they kept of the
bank's suggestions (each essential or optional) and the certificates asked for, named as the
catalogue names items (``OWNER:CODE``, at a level ``OWNER:CODE@LEVEL``). A job is open until
closed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from creditbank.errors import DomainError
from creditbank.messages import msg
from creditbank.regions import region_of

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_SKILLS = 100
MAX_CERTIFICATES = 20
MAX_QUERY = 5_000
"""The longest text SuggestForJob reads (title and description together)."""
LANGUAGES = ("zh", "en")
CERTIFICATE = re.compile(
    r"^(?P<owner>[A-Z0-9][A-Z0-9_-]{1,31}):(?P<code>[^\s:@]{1,64})(?:@(?P<level>[^\s:@]{1,32}))?$"
)


class JobError(DomainError):
    """A posting, a closing or a consent that cannot be accepted."""


class Relation(StrEnum):
    ESSENTIAL = "essential"
    OPTIONAL = "optional"


class JobStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class JobSkill:
    """A skill a job asks for: ``essential`` or ``optional``."""

    skill_id: int
    relation: str


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    public_id: str
    """A uuid's hex: the job's global name (the API and pages name a job by ``id``)."""
    institution: str
    institution_name: str
    title: str
    description: str
    language: str
    region: str
    """An ISO 3166-2 code, e.g. ``CN-SH``."""
    occupation: str | None
    skills: tuple[JobSkill, ...]
    certificates: tuple[str, ...]
    status: str
    posted_at: datetime
    posted_by: str
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status == JobStatus.OPEN


@dataclass(frozen=True, slots=True)
class Posting:
    """A posting's text once checked: stripped, the region as its code."""

    title: str
    description: str
    language: str
    region: str


def region_code(written: str) -> str | None:
    """The ISO 3166-2 code of the region ``written`` names (its code in any case, its Chinese
    name with or without 市/省/...), or None when it is none of China's."""
    found = region_of(written) or region_of(written.strip().upper())
    return None if found is None else found[0]


def check_posting(*, title: str, description: str, language: str, region: str) -> Posting:
    """The posting's fields, checked; the first problem found is the refusal."""
    title, description = title.strip(), description.strip()
    if not title:
        raise JobError("invalid_job", msg("a job needs a title"))
    if len(title) > MAX_TITLE:
        raise JobError(
            "invalid_job", msg("a job's title has at most {count} characters", count=MAX_TITLE)
        )
    if len(description) > MAX_DESCRIPTION:
        raise JobError(
            "invalid_job",
            msg("a job's description has at most {count} characters", count=MAX_DESCRIPTION),
        )
    language = language.strip().lower()
    if language not in LANGUAGES:
        raise JobError(
            "invalid_job",
            msg("a job's language is zh or en, not {language}", language=repr(language)),
        )
    code = region_code(region)
    if code is None:
        raise JobError(
            "invalid_job",
            msg(
                "{region} is not one of China's provincial-level regions (give its name, "
                "such as 上海, or its code, such as CN-SH)",
                region=repr(region.strip()),
            ),
        )
    return Posting(title, description, language, code)


def check_skills(skills: Sequence[JobSkill]) -> tuple[JobSkill, ...]:
    """The skills, each once, essential or optional; a job needs at least one."""
    if not skills:
        raise JobError("invalid_job", msg("a job needs at least one skill"))
    if len(skills) > MAX_SKILLS:
        raise JobError(
            "invalid_job", msg("a job asks for at most {count} skills", count=MAX_SKILLS)
        )
    seen: set[int] = set()
    for skill in skills:
        if skill.relation not in tuple(Relation):
            raise JobError(
                "invalid_job",
                msg(
                    "a skill is essential or optional, not {relation}",
                    relation=repr(skill.relation),
                ),
            )
        if skill.skill_id in seen:
            raise JobError("invalid_job", msg("skill {id} is named twice", id=skill.skill_id))
        seen.add(skill.skill_id)
    return tuple(sorted(skills, key=lambda s: (s.relation != Relation.ESSENTIAL, s.skill_id)))


def parse_certificate(text: str) -> tuple[str, str, str | None]:
    """``OWNER:CODE`` or ``OWNER:CODE@LEVEL`` -> (owner, code, level or None)."""
    written = text.strip()
    owner, separator, rest = written.partition(":")
    found = CERTIFICATE.match(f"{owner.strip().upper()}{separator}{rest.strip()}")
    if found is None:
        raise JobError(
            "invalid_job",
            msg(
                "name a certificate as OWNER:CODE or OWNER:CODE@LEVEL, not {certificate}",
                certificate=repr(written),
            ),
        )
    return found["owner"], found["code"], found["level"]


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC (SQLite keeps no zone: what it stores is UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def certificate_name(owner: str, code: str, level: str | None) -> str:
    return f"{owner}:{code}" + (f"@{level}" if level else "")
