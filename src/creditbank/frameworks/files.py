"""Framework and crosswalk definition files (TOML or JSON): parsing and schema checks.

A file is checked against its schema with Pydantic; every problem is reported
with its place in the file (``tracks[0].levels[2].code: ...``). The result is
a plain :class:`~creditbank.frameworks.model.FrameworkDraft` or
:class:`~creditbank.frameworks.crosswalk.Crosswalk` from the pure core, which
then applies the domain rules (unique level codes, existing levels, no
contradictions). The built-in frameworks ship as such files in ``data/``.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from creditbank.frameworks.crosswalk import Crosswalk, Kind
from creditbank.frameworks.model import (
    Domain,
    FrameworkDraft,
    FrameworkError,
    LevelSpec,
    Text,
    TrackSpec,
)
from creditbank.messages import Message, msg

MAX_FILE_BYTES = 2_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class TextIn(_Strict):
    """``{zh = "...", en = "..."}``; at least one language."""

    zh: str = ""
    en: str = ""

    def to_text(self) -> Text:
        return Text(zh=self.zh, en=self.en)


class LevelIn(_Strict):
    code: Annotated[str, Field(min_length=1, max_length=32)]
    name: TextIn
    descriptors: dict[Domain, TextIn] = Field(default_factory=dict)


class TrackIn(_Strict):
    code: Annotated[str, Field(min_length=1, max_length=32)] = "main"
    name: TextIn = TextIn()
    ordered: bool = True
    highest: Literal["first", "last"] | None = None
    levels: list[LevelIn]

    @model_validator(mode="after")
    def _order_stated(self) -> TrackIn:
        if self.ordered and self.highest is None:
            reason = (
                "an ordered track must say which listed level is highest: "
                'highest = "first" or "last"'
            )
            raise ValueError(reason)
        return self


class FrameworkIn(_Strict):
    code: Annotated[str, Field(min_length=1, max_length=32)]
    name: TextIn
    description: TextIn = TextIn()
    source: Annotated[str, Field(min_length=1)]
    effective_from: date
    tracks: list[TrackIn] = Field(default_factory=list)
    levels: list[LevelIn] = Field(default_factory=list)
    highest: Literal["first", "last"] | None = None

    @model_validator(mode="after")
    def _levels_or_tracks(self) -> FrameworkIn:
        if self.tracks and self.levels:
            reason = "give either `levels` (one track) or `tracks`, not both"
            raise ValueError(reason)
        if not self.tracks and not self.levels:
            reason = "a framework needs `levels` or `tracks`"
            raise ValueError(reason)
        return self

    def to_draft(self) -> FrameworkDraft:
        tracks = self.tracks or [
            TrackIn(code="main", name=self.name, highest=self.highest, levels=self.levels)
        ]
        return FrameworkDraft(
            code=self.code.upper(),
            name=self.name.to_text(),
            description=self.description.to_text(),
            source=self.source,
            effective_from=self.effective_from,
            tracks=tuple(
                TrackSpec(
                    code=track.code,
                    name=track.name.to_text(),
                    ordered=track.ordered,
                    highest_first=track.highest == "first",
                    levels=tuple(
                        LevelSpec(
                            code=level.code,
                            name=level.name.to_text(),
                            descriptors={
                                domain: text.to_text() for domain, text in level.descriptors.items()
                            },
                        )
                        for level in track.levels
                    ),
                )
                for track in tracks
            ),
        )


class CrosswalkIn(_Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    code: Annotated[str, Field(min_length=1, max_length=64)]
    from_framework: Annotated[str, Field(alias="from", min_length=1)]
    to_framework: Annotated[str, Field(alias="to", min_length=1)]
    kind: Kind
    source: Annotated[str, Field(min_length=1)]
    note: TextIn = TextIn()
    pairs: list[tuple[str, str]]

    @model_validator(mode="after")
    def _assumption_explained(self) -> CrosswalkIn:
        if self.kind is Kind.ASSUMED and self.note.to_text().is_empty():
            reason = "an assumed crosswalk needs a `note` saying who assumed it and on what basis"
            raise ValueError(reason)
        return self

    def to_crosswalk(self) -> Crosswalk:
        return Crosswalk(
            code=self.code.upper(),
            from_framework=self.from_framework.upper(),
            to_framework=self.to_framework.upper(),
            kind=self.kind,
            source=self.source,
            note=self.note.to_text(),
            pairs=tuple(self.pairs),
        )


def _read_document(data: bytes, name: str) -> dict[str, Any]:
    if len(data) > MAX_FILE_BYTES:
        raise FrameworkError(
            "invalid_file",
            msg("{file} is larger than {limit} bytes", file=name, limit=MAX_FILE_BYTES),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FrameworkError(
            "invalid_file",
            msg("{file} is not UTF-8 text (byte {position})", file=name, position=error.start),
        ) from error
    try:
        is_json = name.lower().endswith(".json")
        document = json.loads(text) if is_json else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise FrameworkError(
            "invalid_file", msg("{file} cannot be parsed: {reason}", file=name, reason=str(error))
        ) from error
    if not isinstance(document, dict):
        raise FrameworkError("invalid_file", msg("{file} must hold one table/object", file=name))
    return document


def _schema_problems(error: ValidationError) -> list[Message]:
    problems = []
    for item in error.errors():
        where = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"]
        ).lstrip(".")
        problems.append(msg("{where}: {reason}", where=where or "file", reason=item["msg"]))
    return problems


def parse_framework(data: bytes, name: str = "framework.toml") -> FrameworkDraft:
    """Parse a framework definition (TOML, or JSON when ``name`` ends in .json)."""
    document = _read_document(data, name)
    try:
        return FrameworkIn.model_validate(document).to_draft()
    except ValidationError as error:
        raise FrameworkError(
            "invalid_framework",
            msg("{file} is not a valid framework definition", file=name),
            _schema_problems(error),
        ) from error


def parse_crosswalk(data: bytes, name: str = "crosswalk.toml") -> Crosswalk:
    """Parse a crosswalk definition (TOML, or JSON when ``name`` ends in .json)."""
    document = _read_document(data, name)
    try:
        return CrosswalkIn.model_validate(document).to_crosswalk()
    except ValidationError as error:
        raise FrameworkError(
            "invalid_crosswalk",
            msg("{file} is not a valid crosswalk definition", file=name),
            _schema_problems(error),
        ) from error


def read_framework_file(path: Path) -> FrameworkDraft:
    return parse_framework(path.read_bytes(), path.name)


def builtin_frameworks() -> list[FrameworkDraft]:
    """The frameworks that ship with creditbank (``data/frameworks/*.toml``)."""
    folder = resources.files("creditbank.frameworks") / "data" / "frameworks"
    return [
        parse_framework(item.read_bytes(), item.name)
        for item in sorted(folder.iterdir(), key=lambda item: item.name)
        if item.name.endswith(".toml")
    ]


def builtin_crosswalks() -> list[Crosswalk]:
    """The crosswalks that ship with creditbank (``data/crosswalks/*.toml``)."""
    folder = resources.files("creditbank.frameworks") / "data" / "crosswalks"
    return [
        parse_crosswalk(item.read_bytes(), item.name)
        for item in sorted(folder.iterdir(), key=lambda item: item.name)
        if item.name.endswith(".toml")
    ]
