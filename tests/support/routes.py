"""Each route's set-up made once per test process, not once per app.

FastAPI 0.165 sets a route up lazily, per app: on an app's first requests, each route of each
included router gets its dependency tree (the endpoint's signature read, a pydantic field and
type adapter made for every parameter), its body field and its response field. That is about
0.15 s of CPU per app, and a test process builds a few hundred apps (one per module and
backend, and those some tests build for themselves) from the same routers, whose endpoints are
module-level functions.

:func:`set_up_routes_once` makes the three steps that cost (``fastapi.routing``'s
``_build_dependant_with_parameterless_dependencies``, ``_get_body_field`` and
``create_model_field``) remember their answer for the same arguments: the same path, endpoint
function (a module-level one: not a closure an app made for itself), equal dependencies, the same parameters (the very same objects), the same response
type. Those answers depend on nothing else (not on the app: what is per app, the dependency
overrides and the request handler, is still made per app), so every app gets what it would
have built itself. The app's code is untouched and production builds one app: nothing to share.

If FastAPI renames these functions, nothing is remembered (each app builds its routes again).

:func:`describe_routes_once` does the same for ``/openapi.json`` (about 0.4 s of CPU per app
that is asked for it: a dozen modules on both backends, the fuzzer, the API docs' pages): the
schemas of the routes' fields (``fastapi.openapi.utils.get_definitions``) are remembered for
the very same field objects (which the steps above share between apps), and the fields of a
model class (``get_model_fields``, read again for every nested model) for the same class. The
rest of the document (paths, operations, what the app adds itself) is still made per app. Each
app gets a copy of the remembered schemas (FastAPI edits what it is given), so the document is
the one the app would have built itself, byte for byte.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from fastapi import routing
from fastapi._compat import v2
from fastapi.openapi import utils as openapi_utils

_lock = threading.Lock()


def _remembering(
    build: Callable[..., Any], key_of: Callable[[dict[str, Any]], Hashable | None]
) -> Callable[..., Any]:
    """``build`` (keyword arguments only) answering again what it answered for the same key;
    the arguments are kept with the answer, so that the objects a key names by ``id`` live on."""
    answers: dict[Hashable, tuple[Any, dict[str, Any]]] = {}

    def remembered(**arguments: Any) -> Any:
        key = key_of(arguments)
        if key is None:
            return build(**arguments)
        with _lock:
            known = answers.get(key)
        if known is not None:
            return known[0]
        answer = build(**arguments)
        with _lock:
            answers.setdefault(key, (answer, arguments))
            return answers[key][0]

    remembered.__wrapped__ = build  # type: ignore[attr-defined]
    return remembered


def _dependant_key(arguments: dict[str, Any]) -> Hashable | None:
    if set(arguments) != {"path", "call", "dependencies"}:
        return None
    if getattr(arguments["call"], "__closure__", None) is not None:
        return None  # a closure made per app (the API docs' pages): kept, it would keep the app
    dependencies = tuple(arguments["dependencies"])
    try:  # each app declares its own Depends(check_request): equal, frozen, hashable
        hash(dependencies)
    except TypeError:
        return None
    return (arguments["path"], arguments["call"], dependencies)


def _body_key(arguments: dict[str, Any]) -> Hashable | None:
    if set(arguments) != {"body_params", "name", "embed_body_fields"}:
        return None
    return (id(arguments["body_params"]), arguments["name"], arguments["embed_body_fields"])


def _field_key(arguments: dict[str, Any]) -> Hashable | None:
    if set(arguments) != {"name", "type_", "mode"}:
        return None
    try:
        hash(arguments["type_"])
    except TypeError:
        return None
    return (arguments["name"], arguments["type_"], arguments["mode"])


_STEPS = {
    "_build_dependant_with_parameterless_dependencies": _dependant_key,
    "_get_body_field": _body_key,
    "create_model_field": _field_key,
}


def set_up_routes_once() -> None:
    """Make ``fastapi.routing``'s costly set-up steps remember their answers (idempotent)."""
    for name, key_of in _STEPS.items():
        build = getattr(routing, name, None)
        if build is None or hasattr(build, "__wrapped__"):
            continue
        setattr(routing, name, _remembering(build, key_of))


def _remembering_definitions(build: Callable[..., Any]) -> Callable[..., Any]:
    """``get_definitions`` answering a copy of what it answered for the same field objects
    (kept with the answer, so that their ids stay theirs), names of models and mode."""
    answers: dict[Hashable, tuple[Any, Any, Sequence[Any]]] = {}

    def remembered(
        *, fields: Sequence[Any], model_name_map: dict[Any, str], **options: Any
    ) -> tuple[dict[Any, Any], dict[str, Any]]:
        key = (
            tuple(map(id, fields)),
            frozenset(model_name_map.items()),
            frozenset(options.items()),
        )
        with _lock:
            known = answers.get(key)
        if known is None:
            mapping, definitions = build(fields=fields, model_name_map=model_name_map, **options)
            with _lock:
                known = answers.setdefault(key, (mapping, definitions, list(fields)))
        mapping, definitions, _ = known
        # The keys are the fields themselves (looked up by FastAPI); the schemas are copied.
        return (
            {field: copy.deepcopy(schema) for field, schema in mapping.items()},
            copy.deepcopy(definitions),
        )

    remembered.__wrapped__ = build  # type: ignore[attr-defined]
    return remembered


def describe_routes_once() -> None:
    """Make the costly steps of ``/openapi.json`` remember their answers (idempotent)."""
    build_fields = getattr(v2, "get_model_fields", None)
    if build_fields is not None and not hasattr(build_fields, "__wrapped__"):
        v2.get_model_fields = functools.cache(build_fields)  # keyed by the model class
    build_definitions = getattr(openapi_utils, "get_definitions", None)
    if build_definitions is not None and not hasattr(build_definitions, "__wrapped__"):
        openapi_utils.get_definitions = _remembering_definitions(build_definitions)  # type: ignore[attr-defined]
