"""Keeping a test process's heap small: apps freed when their module ends, the imports frozen.

A worker of ``make test`` builds a few hundred apps (one per module and backend, and the apps
some tests build for themselves). FastAPI keeps three module-level caches of what kind of
callable each endpoint and dependency is (``fastapi.dependencies.models``: generator, async
generator, coroutine; 4,096 entries each), keyed by the callable itself. The endpoints an app
defines inside ``build_app`` (the API docs' pages) are closures over the app, so each of these
caches kept every app of the run alive, and with it its routes, their pydantic fields and its
templates' globals: 3.6 million objects at the end of a serial run of tests/api, 0.64 million
when they are freed. The garbage collector walks all of them in each full collection (the end of
that run alone made two such collections, 2.7 s of CPU each). :func:`forget_apps`, called when a
module ends, empties those caches (they fill again at the next app's first requests: a few
``inspect`` calls per endpoint), so an app whose module has ended is freed like any object.

:func:`freeze_imports` moves everything made before the first test (the imported modules,
the collected tests) into the collector's permanent generation (``gc.freeze``): it lives as
long as the process anyway, and full collections then no longer walk it; and it spaces full
collections further apart (:data:`FULL_COLLECTION_EVERY`).
"""

from __future__ import annotations

import gc
from typing import Any

from fastapi.dependencies import models as dependency_models

FULL_COLLECTION_EVERY = 100
"""Collections of the middle generation between two full ones (Python's default: 10). Once the
imports are frozen, the generation that full collections walk is small, and CPython's other
condition for one (a quarter of it new since the last) came every few modules: 33 full
collections, 4.8 s of CPU, in 21 api modules; with 100, 9 of them, 1.8 s, for 26 MiB more at the
peak. The young generations are collected as often as ever."""
_CALLABLE_CACHES = (
    "_is_gen_callable_cached",
    "_is_async_gen_callable_cached",
    "_is_coroutine_callable_cached",
)


def forget_apps() -> None:
    """Empty FastAPI's caches of callables, the last references to the apps of ended modules."""
    for name in _CALLABLE_CACHES:
        cache: Any = getattr(dependency_models, name, None)
        if cache is not None:
            cache.cache_clear()


def freeze_imports() -> None:
    """Exempt what exists now from every later garbage collection (``gc.freeze``), and make
    full collections rarer (:data:`FULL_COLLECTION_EVERY`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*gc.get_threshold()[:2], FULL_COLLECTION_EVERY)
