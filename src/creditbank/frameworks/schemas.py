"""The JSON shapes of the registry (``*Read``), shared by the HTTP API and ``--json`` CLI output."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from creditbank.frameworks.crosswalk import Crosswalk, Kind, Route, Step
from creditbank.frameworks.model import FrameworkVersion, Level, Text
from creditbank.frameworks.service import CrosswalkAnswer, FrameworkSummary, VersionInfo


class TextRead(BaseModel):
    zh: str = ""
    en: str = ""

    @classmethod
    def of(cls, text: Text) -> TextRead:
        return cls(zh=text.zh, en=text.en)


class LevelRead(BaseModel):
    code: str
    track: str
    rank: int = Field(description="Position in its track, 0 = lowest (0 for unordered tracks).")
    name: TextRead
    descriptors: dict[str, TextRead] = Field(
        description="knowledge / skills / competency; only those the source gives."
    )

    @classmethod
    def of(cls, level: Level) -> LevelRead:
        return cls(
            code=level.code,
            track=level.track,
            rank=level.rank,
            name=TextRead.of(level.name),
            descriptors={
                domain.value: TextRead.of(text) for domain, text in level.descriptors.items()
            },
        )


class TrackRead(BaseModel):
    code: str
    name: TextRead
    ordered: bool
    highest_first: bool = Field(description="Whether the source lists the highest level first.")
    levels: list[LevelRead] = Field(description="In the order the source lists them.")


class VersionRead(BaseModel):
    version: int
    effective_from: date
    published_by: str

    @classmethod
    def of(cls, info: VersionInfo) -> VersionRead:
        return cls(
            version=info.version, effective_from=info.effective_from, published_by=info.published_by
        )


class FrameworkSummaryRead(BaseModel):
    code: str
    name: TextRead
    version: int = Field(description="The latest published version.")
    in_force: int = Field(description="The version in force on the date asked (default today).")
    versions: int
    effective_from: date
    tracks: int
    levels: int

    @classmethod
    def of(cls, summary: FrameworkSummary) -> FrameworkSummaryRead:
        return cls(
            code=summary.code,
            name=TextRead.of(summary.name),
            version=summary.version,
            in_force=summary.in_force,
            versions=summary.versions,
            effective_from=summary.effective_from,
            tracks=summary.tracks,
            levels=summary.levels,
        )


class FrameworkRead(BaseModel):
    code: str
    version: int
    name: TextRead
    description: TextRead
    source: str
    effective_from: date
    tracks: list[TrackRead]
    versions: list[VersionRead]

    @classmethod
    def of(cls, framework: FrameworkVersion, versions: list[VersionInfo]) -> FrameworkRead:
        return cls(
            code=framework.code,
            version=framework.version,
            name=TextRead.of(framework.name),
            description=TextRead.of(framework.description),
            source=framework.source,
            effective_from=framework.effective_from,
            tracks=[
                TrackRead(
                    code=track.code,
                    name=TextRead.of(track.name),
                    ordered=track.ordered,
                    highest_first=track.highest_first,
                    levels=[LevelRead.of(level) for level in track.levels],
                )
                for track in framework.tracks
            ],
            versions=[VersionRead.of(info) for info in versions],
        )


class StepRead(BaseModel):
    crosswalk: str
    kind: Kind
    source: str
    from_level: str = Field(alias="from")
    to_level: str = Field(alias="to")

    @classmethod
    def of(cls, step: Step) -> StepRead:
        return cls.model_validate(
            {
                "crosswalk": step.crosswalk,
                "kind": step.kind,
                "source": step.source,
                "from": str(step.start),
                "to": str(step.end),
            }
        )


class CorrespondenceRead(BaseModel):
    level: str = Field(description="FRAMEWORK:LEVEL reached.")
    name: TextRead
    kind: Kind = Field(description="The weakest kind on the path: assumed if any step is.")
    path: list[str]
    steps: list[StepRead]

    @classmethod
    def of(cls, route: Route, level: Level) -> CorrespondenceRead:
        return cls(
            level=str(route.target),
            name=TextRead.of(level.name),
            kind=route.kind,
            path=[str(ref) for ref in route.path],
            steps=[StepRead.of(step) for step in route.steps],
        )


class CrosswalkQueryRead(BaseModel):
    from_level: str = Field(alias="from")
    from_name: TextRead
    to: str
    results: list[CorrespondenceRead] = Field(
        description="Empty when no chain of crosswalks connects the two."
    )

    @classmethod
    def of(cls, answer: CrosswalkAnswer) -> CrosswalkQueryRead:
        return cls.model_validate(
            {
                "from": str(answer.origin),
                "from_name": TextRead.of(answer.origin_level.name),
                "to": answer.target,
                "results": [
                    CorrespondenceRead.of(route, answer.target_levels[route.target])
                    for route in answer.routes
                ],
            }
        )


class CrosswalkRead(BaseModel):
    code: str
    from_framework: str = Field(alias="from")
    to_framework: str = Field(alias="to")
    kind: Kind
    source: str
    note: TextRead
    pairs: list[tuple[str, str]]

    @classmethod
    def of(cls, crosswalk: Crosswalk) -> CrosswalkRead:
        return cls.model_validate(
            {
                "code": crosswalk.code,
                "from": crosswalk.from_framework,
                "to": crosswalk.to_framework,
                "kind": crosswalk.kind,
                "source": crosswalk.source,
                "note": TextRead.of(crosswalk.note),
                "pairs": list(crosswalk.pairs),
            }
        )


class ComparisonRead(BaseModel):
    framework: str
    a: str
    b: str
    comparison: int = Field(description="1 when a is higher than b, 0 when equal, -1 when lower.")
    a_at_least_b: bool
