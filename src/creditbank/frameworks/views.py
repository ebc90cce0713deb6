"""Handlers of the registry's public queries: frameworks, levels, comparisons, crosswalks.

The registry is public (no login): every handler here accepts any principal, or none.
"""

from __future__ import annotations

from dataclasses import dataclass

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.db import UnitOfWork
from creditbank.frameworks import service
from creditbank.frameworks.alignment import Alignment, align
from creditbank.frameworks.commands import (
    AlignFrameworks,
    CompareLevels,
    ListCrosswalks,
    ListFrameworks,
    ShowFramework,
    ShowLevel,
    TranslateLevel,
)
from creditbank.frameworks.crosswalk import Crosswalk, LevelRef, Route
from creditbank.frameworks.model import FrameworkError, FrameworkVersion, Level
from creditbank.frameworks.service import CrosswalkAnswer, FrameworkSummary, VersionInfo
from creditbank.messages import msg
from creditbank.usecases import handler

Anyone = Principal | LearnerPrincipal | None


@dataclass(frozen=True, slots=True)
class FrameworkDetail:
    """A version of a framework and the list of all its versions."""

    framework: FrameworkVersion
    versions: list[VersionInfo]


@dataclass(frozen=True, slots=True)
class LevelDetail:
    """A level of a framework version and the levels it corresponds to directly."""

    framework: FrameworkVersion
    level: Level
    correspondences: list[tuple[Route, Level]]


@dataclass(frozen=True, slots=True)
class FrameworksAligned:
    """Every framework placed against a reference framework's levels."""

    alignment: Alignment
    frameworks: list[FrameworkVersion]
    crosswalks: tuple[Crosswalk, ...]


@handler
def list_frameworks(
    query: ListFrameworks, *, principal: Anyone, uow: UnitOfWork
) -> list[FrameworkSummary]:
    del principal  # public
    return service.list_frameworks(uow=uow, on=query.on)


@handler
def show_framework(query: ShowFramework, *, principal: Anyone, uow: UnitOfWork) -> FrameworkDetail:
    del principal  # public
    framework = service.get_framework(uow=uow, code=query.code, on=query.on, version=query.version)
    return FrameworkDetail(framework, service.list_versions(uow=uow, code=query.code))


@handler
def show_level(query: ShowLevel, *, principal: Anyone, uow: UnitOfWork) -> LevelDetail:
    del principal  # public
    framework = service.get_framework(uow=uow, code=query.code, version=query.version)
    found = framework.level(query.level)
    graph = service.crosswalk_graph(uow=uow)
    correspondences = [
        (Route(step.start, step.end, (step,)), graph.level(step.end))
        for step in graph.neighbours(LevelRef(framework.code, found.code))
    ]
    return LevelDetail(framework, found, correspondences)


@handler
def compare_levels(query: CompareLevels, *, principal: Anyone, uow: UnitOfWork) -> int:
    """-1, 0 or 1 as level ``a`` is below, equal to or above ``b``."""
    del principal  # public
    return service.compare_levels(uow=uow, code=query.code, a=query.a, b=query.b, on=query.on)


@handler
def translate_level(
    query: TranslateLevel, *, principal: Anyone, uow: UnitOfWork
) -> CrosswalkAnswer:
    del principal  # public
    return service.translate_level(uow=uow, origin=query.origin, target=query.target)


@handler
def list_crosswalks(
    query: ListCrosswalks, *, principal: Anyone, uow: UnitOfWork
) -> list[Crosswalk]:
    del query, principal  # public, and asks nothing
    return service.list_crosswalks(uow=uow)


@handler
def align_frameworks(
    query: AlignFrameworks, *, principal: Anyone, uow: UnitOfWork
) -> FrameworksAligned:
    del principal  # public
    graph = service.crosswalk_graph(uow=uow)
    reference = query.reference.upper()
    if reference not in graph.frameworks:
        raise FrameworkError(
            "framework_not_found", msg("there is no framework {framework}", framework=reference)
        )
    return FrameworksAligned(
        align(graph, reference),
        [graph.frameworks[code] for code in sorted(graph.frameworks)],
        graph.crosswalks,
    )
