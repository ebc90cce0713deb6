"""Qualifications frameworks: levels, their order, and descriptors. A pure core.

A *framework* (资历框架) is a yardstick of levels. It has one or more *tracks*
(the proposed national framework has five: general education, continuing
education, vocational education, vocational training and various achievements);
most frameworks have a single track called ``main``. A track is either an
ordered scale of levels or a set of unordered categories.

Which end of a scale is highest differs between frameworks: in NVQC level 1 is
the highest, in EQF level 8 is. Callers never compare level codes themselves;
they ask the framework (:meth:`FrameworkVersion.compare`,
:meth:`FrameworkVersion.is_at_least`), which knows each level's *rank*
(0 = lowest of its track).

This module imports only the standard library: no web, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

FRAMEWORK_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
LEVEL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
LANGUAGES = ("zh", "en")


class FrameworkError(DomainError):
    """A framework, level or crosswalk definition or query that cannot be accepted."""


class NotFoundError(FrameworkError):
    """A framework, version or level that does not exist."""


class Domain(StrEnum):
    """The three domains of level descriptors used by LOFOUC, GDLEQF and EQF."""

    KNOWLEDGE = "knowledge"
    SKILLS = "skills"
    COMPETENCY = "competency"


@dataclass(frozen=True, slots=True)
class Text:
    """A short text in Chinese and/or English; either may be missing."""

    zh: str = ""
    en: str = ""

    def get(self, language: str) -> str:
        """The text in ``language``, falling back to the other language."""
        primary, fallback = (self.zh, self.en) if language == "zh" else (self.en, self.zh)
        return primary or fallback

    def is_empty(self) -> bool:
        return not (self.zh or self.en)

    def as_dict(self) -> dict[str, str]:
        return {lang: value for lang, value in (("zh", self.zh), ("en", self.en)) if value}


@dataclass(frozen=True, slots=True)
class Level:
    """One level (or, in an unordered track, one category) of a framework."""

    code: str
    track: str
    rank: int
    """Position in its track, 0 = lowest. Meaningless in an unordered track."""
    name: Text
    descriptors: Mapping[Domain, Text] = field(default_factory=dict, hash=False)

    @property
    def key(self) -> str:
        return self.code.casefold()


@dataclass(frozen=True, slots=True)
class PinnedLevel:
    """A level of one framework version, as a record made under that version refers to it."""

    level_id: int
    framework: str
    version: int
    level: Level


@dataclass(frozen=True, slots=True)
class Track:
    """A scale (or a set of categories) inside a framework."""

    code: str
    name: Text
    ordered: bool
    highest_first: bool
    """How the source lists the levels: True when the first listed is the highest (NVQC)."""
    levels: tuple[Level, ...]

    def levels_highest_first(self) -> tuple[Level, ...]:
        if not self.ordered:
            return self.levels
        return tuple(sorted(self.levels, key=lambda level: -level.rank))


@dataclass(frozen=True, slots=True)
class FrameworkVersion:
    """One published version of a framework. Versions are immutable."""

    code: str
    version: int
    name: Text
    description: Text
    source: str
    effective_from: date
    tracks: tuple[Track, ...]

    def levels(self) -> Iterable[Level]:
        for track in self.tracks:
            yield from track.levels

    def level(self, code: str) -> Level:
        """The level with ``code`` (case-insensitive), or :class:`NotFoundError`."""
        wanted = code.casefold()
        for level in self.levels():
            if level.key == wanted:
                return level
        raise NotFoundError(
            "level_not_found",
            msg(
                "framework {framework} (version {version}) has no level {level}",
                framework=self.code,
                version=self.version,
                level=code,
            ),
        )

    def track(self, code: str) -> Track:
        for track in self.tracks:
            if track.code == code:
                return track
        raise NotFoundError(
            "track_not_found",
            msg("framework {framework} has no track {track}", framework=self.code, track=code),
        )

    def compare(self, a: str, b: str) -> int:
        """-1, 0 or 1 as level ``a`` is below, equal to or above level ``b``.

        Raises :class:`FrameworkError` when the two cannot be compared: they sit
        on different tracks, or on a track of unordered categories.
        """
        level_a, level_b = self.level(a), self.level(b)
        if level_a.track != level_b.track:
            raise FrameworkError(
                "levels_not_comparable",
                msg(
                    "{a} and {b} are on different tracks ({track_a}, {track_b}); "
                    "compare them through a crosswalk",
                    a=f"{self.code}:{level_a.code}",
                    b=f"{self.code}:{level_b.code}",
                    track_a=level_a.track,
                    track_b=level_b.track,
                ),
            )
        if not self.track(level_a.track).ordered:
            raise FrameworkError(
                "levels_not_comparable",
                msg(
                    "track {track} of {framework} holds unordered categories, not levels",
                    track=level_a.track,
                    framework=self.code,
                ),
            )
        return (level_a.rank > level_b.rank) - (level_a.rank < level_b.rank)

    def is_at_least(self, a: str, b: str) -> bool:
        """Whether level ``a`` is at least as high as level ``b``."""
        return self.compare(a, b) >= 0


# --- building and validating -------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelSpec:
    """A level as an author wrote it, before ranks are assigned."""

    code: str
    name: Text
    descriptors: Mapping[Domain, Text] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TrackSpec:
    """A track as an author wrote it: levels in the order the source lists them."""

    code: str
    name: Text
    ordered: bool
    highest_first: bool
    levels: tuple[LevelSpec, ...]


@dataclass(frozen=True, slots=True)
class FrameworkDraft:
    """A framework as an author defined it (a data file), before it is a numbered version."""

    code: str
    name: Text
    description: Text
    source: str
    effective_from: date
    tracks: tuple[TrackSpec, ...]


def build_framework(draft: FrameworkDraft, *, version: int) -> FrameworkVersion:
    """Validate an author's definition and build the framework version.

    Every problem found is reported at once, in one :class:`FrameworkError`
    (code ``invalid_framework``) whose ``params["problems"]`` lists them.
    """
    code, name = draft.code, draft.name
    problems: list[Message] = []
    if not FRAMEWORK_CODE.match(code):
        problems.append(
            msg(
                "framework code {code} must be 1-32 capital letters, digits, '-' or '_'",
                code=code,
            )
        )
    if name.is_empty():
        problems.append(msg("framework {code} needs a name in Chinese or English", code=code))
    if version < 1:
        problems.append(msg("version must be 1 or more, not {version}", version=version))
    track_list = list(draft.tracks)
    if not track_list:
        problems.append(msg("framework {code} has no tracks and no levels", code=code))
    seen_tracks: set[str] = set()
    seen_levels: dict[str, str] = {}
    built_tracks: list[Track] = []
    for track in track_list:
        if track.code in seen_tracks:
            problems.append(msg("track code {track} appears twice", track=track.code))
        seen_tracks.add(track.code)
        if not track.levels:
            problems.append(msg("track {track} has no levels", track=track.code))
        count = len(track.levels)
        levels: list[Level] = []
        for position, spec in enumerate(track.levels):
            if not LEVEL_CODE.match(spec.code):
                problems.append(
                    msg(
                        "level code {level} must be 1-32 letters, digits, '.', '-' or '_'",
                        level=spec.code,
                    )
                )
            key = spec.code.casefold()
            if key in seen_levels:
                problems.append(
                    msg(
                        "duplicate level code {level} (tracks {first} and {second}); "
                        "level codes must be unique within a framework",
                        level=spec.code,
                        first=seen_levels[key],
                        second=track.code,
                    )
                )
            seen_levels[key] = track.code
            if spec.name.is_empty():
                problems.append(
                    msg("level {level} needs a name in Chinese or English", level=spec.code)
                )
            rank = count - 1 - position if track.highest_first else position
            levels.append(
                Level(
                    code=spec.code,
                    track=track.code,
                    rank=rank if track.ordered else 0,
                    name=spec.name,
                    descriptors=dict(spec.descriptors),
                )
            )
        built_tracks.append(
            Track(
                code=track.code,
                name=track.name,
                ordered=track.ordered,
                highest_first=track.highest_first and track.ordered,
                levels=tuple(levels),
            )
        )
    if problems:
        raise FrameworkError(
            "invalid_framework", msg("framework {code} is not valid", code=code), problems
        )
    return FrameworkVersion(
        code=code,
        version=version,
        name=name,
        description=draft.description,
        source=draft.source,
        effective_from=draft.effective_from,
        tracks=tuple(built_tracks),
    )


def version_in_force(versions: Iterable[FrameworkVersion], on: date) -> FrameworkVersion:
    """The version in force ``on`` a date: the newest whose effective date has come.

    When no version is in force yet, the earliest is returned: a framework
    published ahead of time is still readable.
    """
    ordered = sorted(versions, key=lambda v: v.version)
    if not ordered:
        raise NotFoundError("framework_not_found", msg("no versions given"))
    in_force = [v for v in ordered if v.effective_from <= on]
    return in_force[-1] if in_force else ordered[0]
