"""Competence standard files (TOML or JSON): parsing and schema checks.

A file is checked against its schema with Pydantic; every problem is reported with its place
in the file (``units[1].scheme.components[0].weight: ...``). The result is a plain
:class:`~creditbank.accreditation.model.StandardDraft` of the pure core, together with the
SHA-256 of the file's bytes (kept with the imported version as its source); the domain rules
(weights adding up to 100, unique unit codes, levels of the framework, unchanged credits of a
unit kept across versions) are applied by :func:`~creditbank.accreditation.model.check_standard`
and on import. The built-in sample standards ship as such files in ``data/standards/``.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from creditbank.accreditation.model import (
    DEFAULT_PASS_MARK,
    MAX_STATEMENT,
    AccreditationError,
    ComponentKind,
    Domain,
    EvidenceNeed,
    Scheme,
    SchemeComponent,
    StandardDraft,
    Statement,
    UnitSpec,
)
from creditbank.file_limits import FileLimits, check_json_depth, check_texts
from creditbank.messages import Message, msg

MAX_FILE_BYTES = 2_000_000
"""The largest standard file read (as for framework files)."""
DEFAULT_LIMITS = FileLimits()
"""JSON depth, and text that can be stored, as for uploaded files (their default limits)."""

Code = Annotated[str, Field(min_length=1, max_length=64)]
Mark = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
Words = Annotated[str, Field(min_length=1, max_length=MAX_STATEMENT)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class StatementIn(_Strict):
    """An outcome statement: its domain and text (Chinese), optionally in English."""

    domain: Domain
    text: Words
    text_en: Annotated[str, Field(max_length=MAX_STATEMENT)] = ""


class EvidenceIn(_Strict):
    """Evidence a candidate must (or may) show, e.g. ``work_sample``, ``employer_letter``."""

    kind: Code
    description: Words
    required: bool = True


class ComponentIn(_Strict):
    kind: ComponentKind
    weight: Annotated[int, Field(ge=1, le=100)]
    pass_mark: Mark | None = None


class SchemeIn(_Strict):
    pass_mark: Mark = DEFAULT_PASS_MARK
    components: list[ComponentIn]

    def to_scheme(self) -> Scheme:
        return Scheme(
            components=tuple(
                SchemeComponent(kind=c.kind, weight=c.weight, pass_mark=c.pass_mark)
                for c in self.components
            ),
            pass_mark=self.pass_mark,
        )


class UnitIn(_Strict):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    name_en: Annotated[str, Field(max_length=200)] = ""
    level: Annotated[str, Field(min_length=1, max_length=32)]
    credits: Annotated[Decimal, Field(gt=0, le=999, decimal_places=1)]
    statements: list[StatementIn]
    criteria: list[Words]
    evidence: list[EvidenceIn] = Field(default_factory=list)
    scheme: SchemeIn

    def to_unit(self) -> UnitSpec:
        return UnitSpec(
            code=self.code,
            name=self.name,
            name_en=self.name_en,
            level=self.level,
            credits=self.credits,
            scheme=self.scheme.to_scheme(),
            statements=tuple(Statement(s.domain, s.text, s.text_en) for s in self.statements),
            criteria=tuple(self.criteria),
            evidence=tuple(EvidenceNeed(e.kind, e.description, e.required) for e in self.evidence),
        )


class StandardIn(_Strict):
    code: Code
    version: Annotated[int, Field(ge=1)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    name_en: Annotated[str, Field(max_length=200)] = ""
    industry: Annotated[str, Field(min_length=1, max_length=200)]
    occupation: Annotated[str, Field(min_length=1, max_length=200)]
    framework: Annotated[str, Field(min_length=1, max_length=32)]
    valid_from: date | None = None
    units: list[UnitIn]

    def to_draft(self) -> StandardDraft:
        return StandardDraft(
            code=self.code,
            version=self.version,
            name=self.name,
            name_en=self.name_en,
            industry=self.industry,
            occupation=self.occupation,
            framework=self.framework.upper(),
            valid_from=self.valid_from,
            units=tuple(unit.to_unit() for unit in self.units),
        )


@dataclass(frozen=True, slots=True)
class StandardFile:
    """A parsed standard file: the draft, the file's name and the SHA-256 of its bytes."""

    draft: StandardDraft
    name: str
    sha256: str


def _read_document(data: bytes, name: str) -> dict[str, Any]:
    if len(data) > MAX_FILE_BYTES:
        raise AccreditationError(
            "invalid_file",
            msg("{file} is larger than {limit} bytes", file=name, limit=MAX_FILE_BYTES),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AccreditationError(
            "invalid_file",
            msg("{file} is not UTF-8 text (byte {position})", file=name, position=error.start),
        ) from error
    is_json = name.lower().endswith(".json")
    if is_json:
        check_json_depth(text, DEFAULT_LIMITS, _place(name))
    try:
        document = (
            json.loads(text, parse_float=Decimal)
            if is_json
            else tomllib.loads(text, parse_float=Decimal)
        )
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise AccreditationError(
            "invalid_file", msg("{file} cannot be parsed: {reason}", file=name, reason=str(error))
        ) from error
    except RecursionError as error:  # TOML arrays or tables nested past Python's limit
        raise AccreditationError(
            "invalid_file",
            msg("{place}: nested too deeply", place=name),
        ) from error
    if not isinstance(document, dict):
        raise AccreditationError(
            "invalid_file", msg("{file} must hold one table/object", file=name)
        )
    _check_storable(document, name)
    return document


def _place(where: str) -> Message:
    """A place in the file (``units[1].name``), as it is: nothing to translate."""
    return Message("{place}", {"place": where})


def _check_storable(document: object, where: str) -> None:
    """Refuse a NUL character or a lone UTF-16 surrogate in any key or text (JSON escapes can
    make both; no database stores them as text), naming where it is."""
    stack: list[tuple[object, str]] = [(document, where)]
    while stack:
        value, place = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                check_texts([key], DEFAULT_LIMITS, _place(place))
                stack.append((item, f"{place}.{key}"))
        elif isinstance(value, list):
            stack.extend((item, f"{place}[{index}]") for index, item in enumerate(value))
        elif isinstance(value, str):
            check_texts([value], DEFAULT_LIMITS, _place(place))


def _schema_problems(error: ValidationError) -> list[Message]:
    problems = []
    for item in error.errors():
        where = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"]
        ).lstrip(".")
        problems.append(msg("{where}: {reason}", where=where or "file", reason=item["msg"]))
    return problems


def parse_standard(data: bytes, name: str = "standard.toml") -> StandardFile:
    """Parse a competence standard (TOML, or JSON when ``name`` ends in .json).

    ``invalid_file`` when the bytes cannot be read as one table/object; ``invalid_standard``
    naming every schema problem with its place otherwise.
    """
    document = _read_document(data, name)
    try:
        draft = StandardIn.model_validate(document).to_draft()
    except ValidationError as error:
        raise AccreditationError(
            "invalid_standard",
            msg("{file} is not a valid competence standard", file=name),
            _schema_problems(error),
        ) from error
    return StandardFile(draft=draft, name=name, sha256=hashlib.sha256(data).hexdigest())


def read_standard_file(path: Path) -> StandardFile:
    """Parse the standard in ``path``; ``invalid_file`` when it is not a readable file."""
    if not path.is_file():
        raise AccreditationError("invalid_file", msg("{file} is not a file", file=str(path)))
    try:
        data = path.read_bytes()
    except OSError as error:
        raise AccreditationError(
            "invalid_file",
            msg("{file} cannot be read: {reason}", file=path.name, reason=str(error)),
        ) from error
    return parse_standard(data, path.name)


BUILTIN_SUFFIXES = (".toml", ".json")


def builtin_standards() -> list[StandardFile]:
    """The sample standards that ship with creditbank (``data/standards/*.toml|json``)."""
    folder = resources.files("creditbank.accreditation") / "data" / "standards"
    return [
        parse_standard(item.read_bytes(), item.name)
        for item in sorted(folder.iterdir(), key=lambda item: item.name)
        if item.name.endswith(BUILTIN_SUFFIXES)
    ]
