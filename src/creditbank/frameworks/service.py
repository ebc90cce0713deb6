"""Use cases of the framework registry. Each takes a unit of work and never commits.

Crosswalk queries run over the latest published version of every framework:
level codes are stable across versions (publishing a version that drops a level
a crosswalk uses is refused), so the latest version's names are the ones shown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from creditbank.db import UnitOfWork
from creditbank.frameworks import records
from creditbank.frameworks.crosswalk import Crosswalk, CrosswalkGraph, Kind, LevelRef, Route
from creditbank.frameworks.files import builtin_crosswalks, builtin_frameworks
from creditbank.frameworks.model import (
    Domain,
    FrameworkDraft,
    FrameworkError,
    FrameworkVersion,
    Level,
    NotFoundError,
    PinnedLevel,
    Text,
    Track,
    build_framework,
    version_in_force,
)
from creditbank.frameworks.tables import (
    CrosswalkPairRow,
    CrosswalkRow,
    FrameworkLevelRow,
    FrameworkTrackRow,
    FrameworkVersionRow,
)
from creditbank.kept import KeptModels
from creditbank.ledger import api as ledger
from creditbank.messages import msg


@dataclass(frozen=True, slots=True)
class FrameworkSummary:
    """One line of the framework list: the latest version, the one in force, how many there are."""

    code: str
    name: Text
    version: int
    in_force: int
    versions: int
    effective_from: date
    tracks: int
    levels: int


@dataclass(frozen=True, slots=True)
class VersionInfo:
    version: int
    effective_from: date
    published_at: datetime
    published_by: str


@dataclass(frozen=True, slots=True)
class CrosswalkAnswer:
    """The answer to "what does FRAMEWORK:LEVEL correspond to in TARGET?"."""

    origin: LevelRef
    origin_level: Level
    target: str
    routes: list[Route]
    target_levels: dict[LevelRef, Level]


@dataclass(frozen=True, slots=True)
class InstallReport:
    frameworks_added: list[str]
    crosswalks_added: list[str]


# --- reading -----------------------------------------------------------------


def _to_model(row: FrameworkVersionRow) -> FrameworkVersion:
    tracks = []
    for track in row.tracks:
        levels = tuple(
            Level(
                code=level.code,
                track=level.track_code,
                rank=level.rank,
                name=Text(zh=level.name_zh, en=level.name_en),
                descriptors={
                    Domain(domain): Text(zh=text.get("zh", ""), en=text.get("en", ""))
                    for domain, text in level.descriptors.items()
                },
            )
            for level in row.levels
            if level.track_code == track.code
        )
        tracks.append(
            Track(
                code=track.code,
                name=Text(zh=track.name_zh, en=track.name_en),
                ordered=track.ordered,
                highest_first=track.highest_first,
                levels=levels,
            )
        )
    return FrameworkVersion(
        code=row.code,
        version=row.version,
        name=Text(zh=row.name_zh, en=row.name_en),
        description=Text(zh=row.description_zh, en=row.description_en),
        source=row.source,
        effective_from=row.effective_from,
        tracks=tuple(tracks),
    )


def _all_versions(session: Session) -> dict[str, list[FrameworkVersion]]:
    keys = session.execute(
        select(*_VERSION_KEY_COLUMNS).order_by(
            FrameworkVersionRow.code, FrameworkVersionRow.version
        )
    ).all()
    models = _version_models(session, [_VersionKey(*key) for key in keys])
    versions: dict[str, list[FrameworkVersion]] = {}
    for key in keys:
        versions.setdefault(key.code, []).append(models[key.id])
    return versions


def _latest(session: Session) -> dict[str, FrameworkVersion]:
    """The latest version of every framework, by code."""
    return {code: history[-1] for code, history in _all_versions(session).items()}


def _versions_of(session: Session, code: str) -> list[FrameworkVersion]:
    keys = session.execute(
        select(*_VERSION_KEY_COLUMNS)
        .where(FrameworkVersionRow.code == code.upper())
        .order_by(FrameworkVersionRow.version)
    ).all()
    models = _version_models(session, [_VersionKey(*key) for key in keys])
    versions = [models[key.id] for key in keys]
    if not versions:
        raise NotFoundError(
            "framework_not_found", msg("there is no framework {framework}", framework=code.upper())
        )
    return versions


# Crosswalks are never changed once added either: their models are kept the same way, by the
# row's id, code and time of adding (creditbank/kept.py).
_CrosswalkKey = tuple[int, str, datetime]
_CROSSWALK_MODELS: KeptModels[_CrosswalkKey, Crosswalk] = KeptModels(256)


def _crosswalk_model(row: CrosswalkRow) -> Crosswalk:
    return Crosswalk(
        code=row.code,
        from_framework=row.from_framework,
        to_framework=row.to_framework,
        kind=Kind(row.kind),
        source=row.source,
        note=Text(zh=row.note_zh, en=row.note_en),
        pairs=tuple((pair.from_level, pair.to_level) for pair in row.pairs),
    )


def _crosswalks(session: Session) -> list[Crosswalk]:
    keys: list[_CrosswalkKey] = [
        (key.id, key.code, key.created_at)
        for key in session.execute(
            select(CrosswalkRow.id, CrosswalkRow.code, CrosswalkRow.created_at).order_by(
                CrosswalkRow.code
            )
        )
    ]
    models: dict[int, Crosswalk] = {}
    for key in keys:
        kept = _CROSSWALK_MODELS.get(key)
        if kept is not None:
            models[key[0]] = kept
    missing = {key[0] for key in keys} - set(models)
    if missing:
        rows = session.scalars(
            select(CrosswalkRow)
            .options(selectinload(CrosswalkRow.pairs))
            .where(CrosswalkRow.id.in_(missing))
        )
        for row in rows:
            models[row.id] = _CROSSWALK_MODELS.keep(
                (row.id, row.code, row.created_at), _crosswalk_model(row)
            )
    return [models[key[0]] for key in keys]


def list_frameworks(*, uow: UnitOfWork, on: date) -> list[FrameworkSummary]:
    """Every framework: its latest version, and which version is in force ``on`` a date."""
    summaries = []
    for code, versions in _all_versions(uow.session).items():
        latest = versions[-1]
        summaries.append(
            FrameworkSummary(
                code=code,
                name=latest.name,
                version=latest.version,
                in_force=version_in_force(versions, on).version,
                versions=len(versions),
                effective_from=latest.effective_from,
                tracks=len(latest.tracks),
                levels=sum(1 for _ in latest.levels()),
            )
        )
    return summaries


def latest_frameworks(*, uow: UnitOfWork) -> dict[str, FrameworkVersion]:
    """The latest version of every framework, by code, in code order (one read for all)."""
    return dict(sorted(_latest(uow.session).items()))


def get_framework(
    *, uow: UnitOfWork, code: str, on: date | None = None, version: int | None = None
) -> FrameworkVersion:
    """A given ``version`` of a framework, else the one in force ``on`` a date, else the latest."""
    versions = _versions_of(uow.session, code)
    if version is None:
        return versions[-1] if on is None else version_in_force(versions, on)
    for candidate in versions:
        if candidate.version == version:
            return candidate
    raise NotFoundError(
        "version_not_found",
        msg(
            "framework {framework} has no version {version} (versions 1 to {latest})",
            framework=code.upper(),
            version=version,
            latest=versions[-1].version,
        ),
    )


def list_versions(*, uow: UnitOfWork, code: str) -> list[VersionInfo]:
    rows = uow.session.scalars(
        select(FrameworkVersionRow)
        .where(FrameworkVersionRow.code == code.upper())
        .order_by(FrameworkVersionRow.version)
    ).all()
    if not rows:
        raise NotFoundError(
            "framework_not_found", msg("there is no framework {framework}", framework=code.upper())
        )
    return [
        VersionInfo(row.version, row.effective_from, row.published_at, row.published_by)
        for row in rows
    ]


def crosswalk_graph(*, uow: UnitOfWork) -> CrosswalkGraph:
    """All crosswalks over the latest version of every framework."""
    return CrosswalkGraph.build(_latest(uow.session), _crosswalks(uow.session))


def translate_level(*, uow: UnitOfWork, origin: LevelRef, target: str) -> CrosswalkAnswer:
    """Which level(s) of ``target`` the level ``origin`` corresponds to, with paths and kinds."""
    graph = crosswalk_graph(uow=uow)
    routes = graph.translate(origin, target)
    canonical = graph.canonical(origin)
    return CrosswalkAnswer(
        origin=canonical,
        origin_level=graph.level(canonical),
        target=target.upper(),
        routes=routes,
        target_levels={route.target: graph.level(route.target) for route in routes},
    )


def list_crosswalks(*, uow: UnitOfWork) -> list[Crosswalk]:
    return _crosswalks(uow.session)


def compare_levels(*, uow: UnitOfWork, code: str, a: str, b: str, on: date) -> int:
    """-1, 0 or 1 as level ``a`` of framework ``code`` is below, equal to or above ``b``."""
    return get_framework(uow=uow, code=code, on=on).compare(a, b)


# --- writing -----------------------------------------------------------------


def _level_rows(framework: FrameworkVersion) -> list[FrameworkLevelRow]:
    rows = []
    position = 0
    for track in framework.tracks:
        for level in track.levels:
            rows.append(
                FrameworkLevelRow(
                    track_code=track.code,
                    code=level.code,
                    code_key=level.key,
                    position=position,
                    rank=level.rank,
                    name_zh=level.name.zh,
                    name_en=level.name.en,
                    descriptors={
                        domain.value: text.as_dict() for domain, text in level.descriptors.items()
                    },
                )
            )
            position += 1
    return rows


def _insert_version(
    session: Session, framework: FrameworkVersion, actor: str
) -> FrameworkVersionRow:
    row = FrameworkVersionRow(
        code=framework.code,
        version=framework.version,
        name_zh=framework.name.zh,
        name_en=framework.name.en,
        description_zh=framework.description.zh,
        description_en=framework.description.en,
        source=framework.source,
        effective_from=framework.effective_from,
        published_at=datetime.now(UTC),
        published_by=actor,
        tracks=[
            FrameworkTrackRow(
                code=track.code,
                position=position,
                name_zh=track.name.zh,
                name_en=track.name.en,
                ordered=track.ordered,
                highest_first=track.highest_first,
            )
            for position, track in enumerate(framework.tracks)
        ],
        levels=_level_rows(framework),
    )
    session.add(row)
    return row


def _insert_crosswalk(session: Session, crosswalk: Crosswalk) -> None:
    session.add(
        CrosswalkRow(
            code=crosswalk.code,
            from_framework=crosswalk.from_framework,
            to_framework=crosswalk.to_framework,
            kind=crosswalk.kind.value,
            source=crosswalk.source,
            note_zh=crosswalk.note.zh,
            note_en=crosswalk.note.en,
            created_at=datetime.now(UTC),
            pairs=[
                CrosswalkPairRow(position=position, from_level=a, to_level=b)
                for position, (a, b) in enumerate(crosswalk.pairs)
            ],
        )
    )


def _same_content(a: FrameworkVersion, b: FrameworkVersion) -> bool:
    return (a.name, a.description, a.source, a.effective_from, a.tracks) == (
        b.name,
        b.description,
        b.source,
        b.effective_from,
        b.tracks,
    )


def publish_framework(*, uow: UnitOfWork, draft: FrameworkDraft, actor: str) -> FrameworkVersion:
    """Publish ``draft`` as a new framework, or as the next version of an existing one.

    Refused, with nothing written, when the definition is invalid, identical to
    the latest version, effective before the latest version, or when it drops
    or reorders levels so that an existing crosswalk breaks.
    """
    session = uow.session
    latest_versions = _latest(session)
    previous = latest_versions.get(draft.code.upper())
    framework = build_framework(draft, version=previous.version + 1 if previous else 1)
    if previous:
        if _same_content(previous, framework):
            raise FrameworkError(
                "framework_unchanged",
                msg(
                    "{framework} is identical to version {version}; nothing published",
                    framework=framework.code,
                    version=previous.version,
                ),
            )
        if framework.effective_from < previous.effective_from:
            raise FrameworkError(
                "version_conflict",
                msg(
                    "a new version of {framework} must take effect on or after {date} "
                    "(version {version}), not {requested}",
                    framework=framework.code,
                    date=previous.effective_from.isoformat(),
                    version=previous.version,
                    requested=framework.effective_from.isoformat(),
                ),
            )
    latest_versions[framework.code] = framework
    CrosswalkGraph.build(latest_versions, _crosswalks(session))
    row = _insert_version(session, framework, actor)
    session.flush()
    ledger.append(uow, [records.published_fact(uow, row)])
    return framework


def add_crosswalk(*, uow: UnitOfWork, crosswalk: Crosswalk) -> None:
    """Add a crosswalk; refused when it names missing levels or contradicts the others."""
    session = uow.session
    if session.scalar(select(func.count()).where(CrosswalkRow.code == crosswalk.code)):
        raise FrameworkError(
            "crosswalk_exists",
            msg("crosswalk {crosswalk} exists already", crosswalk=crosswalk.code),
        )
    CrosswalkGraph.build(_latest(session), [*_crosswalks(session), crosswalk])
    _insert_crosswalk(session, crosswalk)
    session.flush()


def install_builtin_frameworks(*, uow: UnitOfWork, actor: str = "creditbank") -> InstallReport:
    """Add the built-in frameworks and crosswalks that the database does not hold yet.

    Idempotent: frameworks already present (in any version) are left alone.
    """
    session = uow.session
    present = set(_latest(session))
    added_frameworks = []
    rows = []
    for draft in builtin_frameworks():
        if draft.code not in present:
            rows.append(_insert_version(session, build_framework(draft, version=1), actor))
            added_frameworks.append(draft.code)
    session.flush()
    ledger.append(uow, [records.published_fact(uow, row) for row in rows])
    have = set(session.scalars(select(CrosswalkRow.code)))
    missing = [crosswalk for crosswalk in builtin_crosswalks() if crosswalk.code not in have]
    added_crosswalks = []
    if missing:
        CrosswalkGraph.build(_latest(session), [*_crosswalks(session), *missing])
        for crosswalk in missing:
            _insert_crosswalk(session, crosswalk)
            added_crosswalks.append(crosswalk.code)
    session.flush()
    return InstallReport(added_frameworks, added_crosswalks)


# --- pinning records to a level of a version --------------------------------


# Framework versions never change once published, so their models are kept between calls (a
# transcript names a few levels, and rebuilding their versions was half of its time). The key
# holds the row's identity and publication time as well as its id: a version inserted by a
# transaction that rolled back can leave its id to another, published at another time. Readers
# ask for the keys alone (a light query) and load the rows, tracks and levels of the versions
# not kept yet.
class _VersionKey(NamedTuple):
    id: int
    code: str
    version: int
    published_at: datetime


_VERSION_KEY_COLUMNS = (
    FrameworkVersionRow.id,
    FrameworkVersionRow.code,
    FrameworkVersionRow.version,
    FrameworkVersionRow.published_at,
)
_VERSION_MODELS: KeptModels[_VersionKey, FrameworkVersion] = KeptModels(256)


def _version_model(row: FrameworkVersionRow) -> FrameworkVersion:
    key = _VersionKey(row.id, row.code, row.version, row.published_at)
    kept = _VERSION_MODELS.get(key)
    return kept if kept is not None else _VERSION_MODELS.keep(key, _to_model(row))


def _version_models(session: Session, keys: Collection[_VersionKey]) -> dict[int, FrameworkVersion]:
    """The models of the versions with these keys, by row id: the kept ones, and the others
    read (with their tracks and levels) in one query."""
    models: dict[int, FrameworkVersion] = {}
    missing: set[int] = set()
    for key in keys:
        model = _VERSION_MODELS.get(key)
        if model is None:
            missing.add(key.id)
        else:
            models[key.id] = model
    if missing:
        rows = session.scalars(
            select(FrameworkVersionRow)
            .options(
                selectinload(FrameworkVersionRow.tracks), selectinload(FrameworkVersionRow.levels)
            )
            .where(FrameworkVersionRow.id.in_(missing))
        )
        for row in rows:
            models[row.id] = _version_model(row)
    return models


def _pinned_where(session: Session, *conditions: ColumnElement[bool]) -> list[PinnedLevel]:
    rows = session.execute(
        select(FrameworkLevelRow.id.label("level_id"), FrameworkLevelRow.code.label("level_code"))
        .add_columns(*_VERSION_KEY_COLUMNS)
        .join(FrameworkVersionRow, FrameworkLevelRow.framework_version_id == FrameworkVersionRow.id)
        .where(*conditions)
    ).all()
    models = _version_models(
        session, {_VersionKey(row.id, row.code, row.version, row.published_at) for row in rows}
    )
    pinned = []
    for row in rows:
        framework = models[row.id]
        pinned.append(
            PinnedLevel(
                row.level_id, framework.code, framework.version, framework.level(row.level_code)
            )
        )
    return pinned


def pin_level(*, uow: UnitOfWork, ref: LevelRef, on: date) -> PinnedLevel:
    """The level ``ref`` of the framework version in force ``on`` a date, with its row id."""
    framework = get_framework(uow=uow, code=ref.framework, on=on)
    level = framework.level(ref.level)
    [pinned] = _pinned_where(
        uow.session,
        FrameworkVersionRow.code == framework.code,
        FrameworkVersionRow.version == framework.version,
        FrameworkLevelRow.code_key == level.key,
    )
    return pinned


def pinned_levels(*, uow: UnitOfWork, level_ids: Collection[int]) -> dict[int, PinnedLevel]:
    """The levels records point at, by id, exactly as their versions define them."""
    if not level_ids:
        return {}
    found = _pinned_where(uow.session, FrameworkLevelRow.id.in_(set(level_ids)))
    return {pinned.level_id: pinned for pinned in found}


def pinned_level(*, uow: UnitOfWork, level_id: int) -> PinnedLevel:
    """The level a record points at, exactly as its version defines it."""
    found = pinned_levels(uow=uow, level_ids=[level_id])
    if level_id not in found:
        raise NotFoundError(
            "level_not_found", msg("there is no level with id {level_id}", level_id=level_id)
        )
    return found[level_id]
