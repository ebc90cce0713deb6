"""The use cases of the framework registry, one frozen dataclass each.

The registry is public: its queries need no login. Publishing a framework (a new one or a new
version) is the bank's own act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditbank.frameworks.crosswalk import LevelRef
from creditbank.frameworks.model import FrameworkDraft


@dataclass(frozen=True, slots=True)
class ListFrameworks:
    """Every framework: its latest version and the version in force ``on`` a date."""

    on: date


@dataclass(frozen=True, slots=True)
class ShowFramework:
    """A framework with its versions: ``version``, else the one in force ``on`` a date, else
    the latest."""

    code: str
    version: int | None = None
    on: date | None = None


@dataclass(frozen=True, slots=True)
class ShowLevel:
    """One level of a framework (the latest version, or ``version``) and its direct
    correspondences through the crosswalks."""

    code: str
    level: str
    version: int | None = None


@dataclass(frozen=True, slots=True)
class CompareLevels:
    """Whether level ``a`` is at least level ``b``, by the framework's own order."""

    code: str
    a: str
    b: str
    on: date


@dataclass(frozen=True, slots=True)
class TranslateLevel:
    """Which level(s) of framework ``target`` the level ``origin`` corresponds to."""

    origin: LevelRef
    target: str


@dataclass(frozen=True, slots=True)
class ListCrosswalks:
    """Every crosswalk with its provenance and kind."""


@dataclass(frozen=True, slots=True)
class AlignFrameworks:
    """The frameworks side by side, aligned through the crosswalks on a ``reference``."""

    reference: str


@dataclass(frozen=True, slots=True)
class PublishFramework:
    """Publish a framework: a new one, or the next version of an existing code.

    ``actor`` is who is recorded as publishing it (the console names it with ``--actor``).
    """

    draft: FrameworkDraft
    actor: str
