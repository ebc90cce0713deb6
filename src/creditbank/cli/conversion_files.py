"""Programme and rule definition files (TOML, or JSON by the ``.json`` extension), checked
against the API's schemas: every problem is named, unknown keys too (typos that would silently
change a rule), and the command exits 1."""

from __future__ import annotations

import json
import tomllib
import types
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from creditbank.cli.common import fail, say
from creditbank.messages import Message, msg

MAX_FILE_BYTES = 2_000_000
"""The largest programme or rule file read (as for framework files)."""


Model = TypeVar("Model", bound=BaseModel)


def _read_document(file: Path) -> dict[str, Any]:
    """The table (TOML) or object (JSON, by the ``.json`` extension) ``file`` holds."""
    if not file.is_file():
        fail(say(msg("{file} is not a file", file=str(file))))
    name = file.name
    try:
        data = file.read_bytes()
    except OSError as error:
        fail(say(msg("{file} cannot be read: {reason}", file=name, reason=str(error))))
    if len(data) > MAX_FILE_BYTES:
        fail(say(msg("{file} is larger than {limit} bytes", file=name, limit=MAX_FILE_BYTES)))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        fail(
            say(msg("{file} is not UTF-8 text (byte {position})", file=name, position=error.start))
        )
    try:
        document = (
            json.loads(text, parse_float=Decimal)
            if name.lower().endswith(".json")
            else tomllib.loads(text, parse_float=Decimal)
        )
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        fail(say(msg("{file} cannot be parsed: {reason}", file=name, reason=str(error))))
    if not isinstance(document, dict):
        fail(say(msg("{file} must hold one table/object", file=name)))
    return document


def _models_in(annotation: object) -> list[tuple[type[BaseModel], bool]]:
    """The models a field holds: (model, True) for a list of them, (model, False) for one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, False)]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return [(args[0], True)]
    if origin in {Union, types.UnionType}:
        return [found for arg in args for found in _models_in(arg)]
    return []


def _unknown_keys(model: type[BaseModel], document: object, where: str = "") -> list[Message]:
    """Every key of ``document`` that ``model`` has no field for (the API ignores them; in a
    file they are typos, such as ``min_scor``, that would silently change a rule)."""
    if not isinstance(document, dict):
        return []
    problems: list[Message] = []
    for key, value in document.items():
        place = f"{where}.{key}" if where else str(key)
        field = model.model_fields.get(str(key))
        if field is None:
            problems.append(msg("{where}: unknown key", where=place))
            continue
        for nested, many in _models_in(field.annotation):
            if many and isinstance(value, list):
                for index, element in enumerate(value):
                    problems.extend(_unknown_keys(nested, element, f"{place}[{index}]"))
            elif not many:
                problems.extend(_unknown_keys(nested, value, place))
    return problems


def _schema_problems(error: ValidationError) -> list[Message]:
    problems = []
    for item in error.errors():
        where = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"]
        ).lstrip(".")
        problems.append(msg("{where}: {reason}", where=where or "file", reason=item["msg"]))
    return problems


def read_definition(file: Path, model: type[Model], invalid: Message) -> Model:
    """``file`` checked against ``model``; every problem named, after ``invalid``, and exit 1."""
    document = _read_document(file)
    problems = _unknown_keys(model, document)
    parsed: Model | None = None
    try:
        parsed = model.model_validate(document)
    except ValidationError as error:
        problems.extend(_schema_problems(error))
    if problems or parsed is None:
        fail("; ".join(say(message) for message in (invalid, *problems)))
    return parsed
