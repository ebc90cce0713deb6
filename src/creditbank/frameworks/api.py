"""What other business areas may use of the framework registry.

Records elsewhere (catalogue items, learning outcomes, accreditation decisions)
store a ``level_id``: a level *of one framework version*. They pin it with
:func:`pin_level` when they are made and read it back with :func:`pinned_level`,
so a later version of the framework never changes what an old record says.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, tuple_

from creditbank.db import UnitOfWork
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
from creditbank.frameworks.tables import FrameworkLevelRow, FrameworkVersionRow


def level_names(
    *, uow: UnitOfWork, levels: Iterable[tuple[str, int, str]]
) -> dict[tuple[str, int, str], Text]:
    """The names (Chinese, English) of these levels, each given as (framework code, version,
    level code), in one query; unknown ones are left out."""
    wanted = set(levels)
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(
            FrameworkVersionRow.code,
            FrameworkVersionRow.version,
            FrameworkLevelRow.code.label("level"),
            FrameworkLevelRow.name_zh,
            FrameworkLevelRow.name_en,
        )
        .join(FrameworkLevelRow, FrameworkLevelRow.framework_version_id == FrameworkVersionRow.id)
        .where(
            tuple_(FrameworkVersionRow.code, FrameworkVersionRow.version).in_(
                {(code, version) for code, version, _ in wanted}
            )
        )
    )
    return {
        (row.code, row.version, row.level): Text(zh=row.name_zh, en=row.name_en)
        for row in rows
        if (row.code, row.version, row.level) in wanted
    }


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
    "level_names",
    "list_frameworks",
    "pin_level",
    "pinned_level",
    "pinned_levels",
    "translate_level",
]
