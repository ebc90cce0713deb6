"""Joint-certification schemes ("one test, several certificates", as in Guangdong–Hong Kong–
Macao): what a scheme is and the checks on it. Pure: the standard library, messages, errors.

A scheme names the assessment's result levels (e.g. ``pass``, ``merit``) and its participants:
each a body (an institution of this bank) with one of its catalogue items, and a level mapping
from each result level to a level of that item (in the item's own framework). Depositing an
assessment's outcome under the scheme deposits one outcome per participant, all or none, each
linked to the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
MAX_NAME = 200
MIN_PARTICIPANTS = 2
MAX_PARTICIPANTS = 20


class JointError(DomainError):
    """A request about joint certification that cannot be accepted; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Participant:
    """A body of the scheme: its institution, its item, and its level for each result level."""

    institution: str
    item_code: str
    levels: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Scheme:
    """A joint-certification scheme."""

    code: str
    name: str
    name_en: str
    result_levels: tuple[str, ...]
    participants: tuple[Participant, ...]


def parse_levels(text: str) -> dict[str, str]:
    """``pass=4,merit=5`` as ``{"pass": "4", "merit": "5"}`` (a refusal names what is wrong)."""
    found: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        result, equals, level = (piece.strip() for piece in part.partition("="))
        if not equals or not CODE.match(result) or not CODE.match(level):
            raise JointError(
                "invalid_joint_scheme",
                msg("a level mapping must read RESULT=LEVEL,..., e.g. pass=4,merit=5"),
            )
        found[result] = level
    return found


def check_scheme(
    *,
    code: str,
    name: str,
    name_en: str,
    result_levels: Iterable[str],
    participants: Iterable[Participant],
) -> Scheme:
    """The scheme, or an ``invalid_joint_scheme`` error naming every problem (the items and
    their levels are checked by the caller, who can read the catalogue)."""
    problems: list[Message] = []
    code = code.strip()
    if not CODE.match(code):
        problems.append(msg("the scheme's code must be 1-64 letters, digits, '_', '.' or '-'"))
    if not name.strip() or len(name.strip()) > MAX_NAME or len(name_en.strip()) > MAX_NAME:
        problems.append(msg("give the scheme's name (at most {n} characters)", n=MAX_NAME))
    results = tuple(dict.fromkeys(r.strip() for r in result_levels if r.strip()))
    if not results or any(not CODE.match(r) for r in results):
        problems.append(msg("name the assessment's result levels (codes, e.g. pass, merit)"))
    bodies = tuple(participants)
    if not MIN_PARTICIPANTS <= len(bodies) <= MAX_PARTICIPANTS:
        problems.append(
            msg(
                "a scheme has {low} to {high} participating bodies",
                low=MIN_PARTICIPANTS,
                high=MAX_PARTICIPANTS,
            )
        )
    institutions = [b.institution for b in bodies]
    if len(set(institutions)) != len(institutions):
        problems.append(msg("each body takes part once"))
    for body in bodies:
        missing = [r for r in results if r not in body.levels]
        if missing:
            problems.append(
                msg(
                    "{institution} maps no level for {results}",
                    institution=body.institution,
                    results=", ".join(missing),
                )
            )
    if problems:
        raise JointError("invalid_joint_scheme", msg("the scheme cannot be defined"), problems)
    return Scheme(code, name.strip(), name_en.strip(), results, bodies)


def joined_levels(levels: Mapping[str, str]) -> str:
    return ",".join(f"{result}={level}" for result, level in sorted(levels.items()))
