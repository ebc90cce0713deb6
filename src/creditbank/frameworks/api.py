"""What other business areas may use of the framework registry.

Records elsewhere (catalogue items, learning outcomes, accreditation decisions)
store a ``level_id``: a level *of one framework version*. They pin it with
:func:`pin_level` when they are made and read it back with :func:`pinned_level`,
so a later version of the framework never changes what an old record says.
"""

from __future__ import annotations

from creditbank.frameworks.crosswalk import Kind, LevelRef, Route
from creditbank.frameworks.model import (
    FrameworkError,
    FrameworkVersion,
    Level,
    NotFoundError,
    PinnedLevel,
    Text,
)
from creditbank.frameworks.service import (
    compare_levels,
    get_framework,
    latest_frameworks,
    list_frameworks,
    pin_level,
    pinned_level,
    pinned_levels,
    translate_level,
)

__all__ = [
    "FrameworkError",
    "FrameworkVersion",
    "Kind",
    "Level",
    "LevelRef",
    "NotFoundError",
    "PinnedLevel",
    "Route",
    "Text",
    "compare_levels",
    "get_framework",
    "latest_frameworks",
    "list_frameworks",
    "pin_level",
    "pinned_level",
    "pinned_levels",
    "translate_level",
]
