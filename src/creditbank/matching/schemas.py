"""The HTTP shapes of matching (``*Read``): gaps, fits, a job's matches, a programme's coverage.
Shares are given as numbers from 0 to 1 (four decimals); explanations in the request's
language."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from pydantic import BaseModel, Field

from creditbank.matching.coverage import Coverage
from creditbank.matching.gaps import Fit, Fits, GapReport, Target
from creditbank.matching.matches import JobMatches
from creditbank.matching.model import CertificateNeed, Covered, Evidence, Offer, explain
from creditbank.skills import api as skills
from creditbank.web.i18n import translations


def _share(value: Fraction) -> Decimal:
    """A share as a number from 0 to 1, four decimals."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001"))


class SkillRead(BaseModel):
    id: int
    uri: str
    name: str
    name_en: str | None
    importance: Decimal | None = Field(
        default=None,
        description="How important the skill is to the occupation, 1 to 5, where its source "
        "says (O*NET).",
    )

    @classmethod
    def of(
        cls,
        skill_id: int,
        named: dict[int, skills.Skill],
        importance: dict[int, Decimal | None] | None = None,
    ) -> SkillRead:
        weight = (importance or {}).get(skill_id)
        found = named.get(skill_id)
        if found is None:
            return cls(id=skill_id, uri="", name=f"#{skill_id}", name_en=None, importance=weight)
        return cls(
            id=found.id,
            uri=found.uri,
            name=found.name,
            name_en=found.name_en,
            importance=weight,
        )


class EvidenceRead(BaseModel):
    outcome: str = Field(description="The outcome's public id (by conversion: its source's).")
    item: str
    item_name: str
    level: str | None
    by_conversion: bool

    @classmethod
    def of(cls, evidence: Evidence) -> EvidenceRead:
        return cls(
            outcome=evidence.outcome,
            item=evidence.item,
            item_name=evidence.item_name,
            level=evidence.level,
            by_conversion=evidence.by_conversion,
        )


class CoveredRead(BaseModel):
    skill: SkillRead
    evidence: list[EvidenceRead]

    @classmethod
    def of(cls, covered: Covered, named: dict[int, skills.Skill]) -> CoveredRead:
        return cls(
            skill=SkillRead.of(covered.skill_id, named),
            evidence=[EvidenceRead.of(e) for e in covered.evidence],
        )


class CertificateEvidenceRead(BaseModel):
    outcome: str = Field(description="The outcome's public id (by conversion: its source's).")
    level: str | None
    by_conversion: bool


class CertificateRead(BaseModel):
    certificate: str = Field(description="As the job asks for it: OWNER:CODE or OWNER:CODE@LEVEL.")
    item_name: str
    evidence: list[CertificateEvidenceRead] = Field(
        description="The outcomes of the item at that level or higher (or what conversion "
        "would give) that make the learner hold it; empty when missing."
    )

    @classmethod
    def of(cls, need: CertificateNeed) -> CertificateRead:
        return cls(
            certificate=need.name,
            item_name=need.item_name,
            evidence=[
                CertificateEvidenceRead(
                    outcome=e.outcome, level=e.level, by_conversion=e.by_conversion
                )
                for e in need.held
            ],
        )


class TargetRead(BaseModel):
    kind: str = Field(description='"occupation" or "job".')
    code: str = Field(description="The occupation's code or the job's id.")
    name: str
    name_en: str | None
    institution: str | None = Field(description="A job's employer.")

    @classmethod
    def of(cls, target: Target) -> TargetRead:
        return cls(
            kind=target.kind,
            code=target.code,
            name=target.name,
            name_en=target.name_en,
            institution=target.institution,
        )


class OfferRead(BaseModel):
    item: str
    item_name: str
    kind: str
    level: str | None
    credits: Decimal | None
    owner: str
    offered_by: list[str]
    teaches: list[SkillRead]
    certificate: str | None = Field(
        default=None, description="The certificate asked for that this item is, if it is one."
    )

    @classmethod
    def of(
        cls,
        offer: Offer,
        teaches: tuple[int, ...],
        named: dict[int, skills.Skill],
        certificate: str | None = None,
    ) -> OfferRead:
        return cls(
            item=offer.item,
            item_name=offer.item_name,
            kind=offer.kind,
            level=offer.level,
            credits=offer.credits,
            owner=offer.owner,
            offered_by=list(offer.offered_by),
            teaches=[SkillRead.of(s, named) for s in teaches],
            certificate=certificate,
        )


class GapRead(BaseModel):
    account_number: str
    target: TargetRead
    share: Decimal = Field(
        description="The share of the requirements met, 0 to 1: required skills covered and "
        "certificates held, one requirement each."
    )
    required: int
    covered: list[CoveredRead]
    missing: list[SkillRead]
    optional_covered: list[CoveredRead]
    optional_missing: list[SkillRead]
    certificates_held: list[CertificateRead] = Field(
        description="The certificates the job asks for that the learner holds."
    )
    certificates_missing: list[CertificateRead]
    plan: list[OfferRead] = Field(
        description="Every missing certificate (the item at the asked level), then a smallest "
        "set of items teaching every missing skill that something teaches and those do not: "
        "fewest items, then fewest credits."
    )
    plan_credits: Decimal
    unteachable: list[SkillRead] = Field(description="Missing skills no item teaches.")
    explanation: list[str]

    @classmethod
    def of(cls, report: GapReport, language: str) -> GapRead:
        gap, named = report.gap, report.skills
        translate = translations(language).gettext
        names = {k: v.name for k, v in named.items()}
        weights = {r.skill_id: r.importance for r in report.target.requirements}
        return cls(
            account_number=report.account_number,
            target=TargetRead.of(report.target),
            share=_share(gap.share),
            required=len(gap.required),
            covered=[CoveredRead.of(c, named) for c in gap.covered],
            missing=[SkillRead.of(s, named, weights) for s in gap.missing],
            optional_covered=[CoveredRead.of(c, named) for c in gap.optional_covered],
            optional_missing=[SkillRead.of(s, named, weights) for s in gap.optional_missing],
            certificates_held=[CertificateRead.of(c) for c in gap.certificates_held],
            certificates_missing=[CertificateRead.of(c) for c in gap.certificates_missing],
            plan=[
                OfferRead.of(step.offer, step.teaches, named, step.certificate) for step in gap.plan
            ],
            plan_credits=gap.plan_credits,
            unteachable=[SkillRead.of(s, named, weights) for s in gap.unteachable],
            explanation=[line.render(translate) for line in explain(gap, names)],
        )


class FitRead(BaseModel):
    target: TargetRead
    share: Decimal = Field(description="Of required skills and certificates asked for.")
    covered: int
    required: int
    certificates_held: list[str] = Field(default_factory=list)
    certificates_missing: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, found: Fit) -> FitRead:
        return cls(
            target=TargetRead.of(found.target),
            share=_share(found.share),
            covered=found.covered,
            required=found.required,
            certificates_held=list(found.certificates_held),
            certificates_missing=list(found.certificates_missing),
        )


class FitsRead(BaseModel):
    account_number: str
    skills_held: int
    occupations: list[FitRead]
    jobs: list[FitRead]

    @classmethod
    def of(cls, fits: Fits) -> FitsRead:
        return cls(
            account_number=fits.account_number,
            skills_held=fits.skills_held,
            occupations=[FitRead.of(f) for f in fits.occupations],
            jobs=[FitRead.of(f) for f in fits.jobs],
        )


class MatchRead(BaseModel):
    name: str | None = Field(description="None where the learner's personal data was erased.")
    account_number: str
    share: Decimal = Field(description="Of required skills and certificates asked for.")
    covered: list[CoveredRead]
    missing: list[SkillRead]
    certificates_held: list[str] = Field(default_factory=list)
    certificates_missing: list[str] = Field(default_factory=list)


class MatchesRead(BaseModel):
    job: TargetRead
    public_id: str
    required: int
    certificates: list[str] = Field(description="The certificates the job asks for.")
    learners: list[MatchRead]

    @classmethod
    def of(cls, found: JobMatches) -> MatchesRead:
        named = found.skills
        required = {s.skill_id for s in found.job.skills if s.relation == "essential"}
        return cls(
            job=TargetRead(
                kind="job",
                code=str(found.job.id),
                name=found.job.title,
                name_en=None,
                institution=found.job.institution,
            ),
            public_id=found.job.public_id,
            required=len(required) or len(found.job.skills),
            certificates=list(found.job.certificates),
            learners=[
                MatchRead(
                    name=one.name,
                    account_number=one.match.account_number,
                    share=_share(one.match.share),
                    covered=[CoveredRead.of(c, named) for c in one.match.covered],
                    missing=[SkillRead.of(s, named) for s in one.match.missing],
                    certificates_held=list(one.match.certificates_held),
                    certificates_missing=list(one.match.certificates_missing),
                )
                for one in found.learners
            ],
        )


class TaughtByRead(BaseModel):
    component: str
    component_name: str
    item: str


class SkillCoverageRead(BaseModel):
    skill: SkillRead
    required: bool
    demand: int = Field(description="How many of the targets list the skill.")
    taught_by: list[TaughtByRead]


class TargetShareRead(BaseModel):
    target: TargetRead
    share: Decimal


class CoverageRead(BaseModel):
    programme: str
    institution: str
    kind: str = Field(description='"occupation", "job" or "region".')
    region: str | None
    share: Decimal = Field(description="The share of the required skills some component teaches.")
    targets: list[TargetShareRead]
    skills: list[SkillCoverageRead]
    untaught: list[SkillRead] = Field(description="Required skills no component teaches.")

    @classmethod
    def of(cls, found: Coverage) -> CoverageRead:
        named = found.skill_details
        return cls(
            programme=found.programme.code,
            institution=found.programme.institution,
            kind=found.kind,
            region=found.region,
            share=_share(found.share),
            targets=[
                TargetShareRead(target=TargetRead.of(t.target), share=_share(t.share))
                for t in found.targets
            ],
            skills=[
                SkillCoverageRead(
                    skill=SkillRead.of(s.skill_id, named),
                    required=s.required,
                    demand=s.demand,
                    taught_by=[
                        TaughtByRead(
                            component=t.component, component_name=t.component_name, item=t.item
                        )
                        for t in s.taught_by
                    ],
                )
                for s in found.skills
            ],
            untaught=[SkillRead.of(s, named) for s in found.untaught],
        )
