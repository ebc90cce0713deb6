"""JSON shapes of the 1+X operations (``*Create`` in, ``*Read`` out)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from creditbank.accreditation import api as accreditation
from creditbank.frameworks.api import PinnedLevel
from creditbank.web.formats import UtcDateTime
from creditbank.xcerts.data import (
    Candidate,
    LevelScheme,
    OfferingView,
    ResultsRecorded,
    School,
    SessionDetail,
    SessionView,
    Stats,
    TeacherRecord,
    TrainingView,
    Xcert,
    XcertDetail,
)
from creditbank.xcerts.model import Certifying, Offering, Profile, ResultStatus, Tally, Training


def _level(pinned: PinnedLevel, language: str) -> LevelRead:
    return LevelRead(code=pinned.level.code, name=pinned.level.name.get(language))


class LevelRead(BaseModel):
    code: str = Field(examples=["intermediate"])
    name: str = Field(examples=["中级"])


class SchoolRead(BaseModel):
    code: str
    name: str
    name_en: str
    type: str
    region: str

    @classmethod
    def of(cls, school: School) -> SchoolRead:
        return cls(
            code=school.code,
            name=school.name,
            name_en=school.name_en,
            type=school.type,
            region=school.region,
        )


class ProfileCreate(BaseModel):
    industry: str = Field(examples=["土木建筑"])
    industry_en: str = Field(default="", examples=["Civil engineering and construction"])
    valid_years: int | None = Field(
        default=None, description="Years a certificate stays valid (none: no limit)."
    )

    def profile(self) -> Profile:
        return Profile(self.industry, self.industry_en, self.valid_years)


class ProfileRead(BaseModel):
    industry: str
    industry_en: str
    valid_years: int | None

    @classmethod
    def of(cls, profile: Profile | None) -> ProfileRead | None:
        if profile is None:
            return None
        return cls(
            industry=profile.industry,
            industry_en=profile.industry_en,
            valid_years=profile.valid_years,
        )


class XcertRead(BaseModel):
    code: str = Field(description="OWNER:CODE", examples=["LFZK:BIM"])
    name: str
    name_en: str
    provider: SchoolRead
    approval_round: int | None
    levels: list[LevelRead]
    profile: ProfileRead | None
    pilot_schools: int
    assessment_centres: int

    @classmethod
    def of(cls, xcert: Xcert, language: str) -> XcertRead:
        item = xcert.item
        return cls(
            code=xcert.ref,
            name=item.name,
            name_en=item.name_en,
            provider=SchoolRead.of(xcert.provider),
            approval_round=item.approval_round,
            levels=[_level(pinned, language) for pinned in item.levels],
            profile=ProfileRead.of(xcert.profile),
            pilot_schools=xcert.schools,
            assessment_centres=xcert.centres,
        )


class ComponentRead(BaseModel):
    kind: accreditation.ComponentKind
    weight: int = Field(description="Whole percent; a scheme's weights add up to 100.")
    pass_mark: Decimal | None = Field(
        default=None, description="The least mark of this component on its own (none: no minimum)."
    )


class SchemeRead(BaseModel):
    level: LevelRead
    version: int | None
    components: list[ComponentRead]
    pass_mark: Decimal | None

    @classmethod
    def of(cls, found: LevelScheme, language: str) -> SchemeRead:
        version = found.scheme
        return cls(
            level=_level(found.level, language),
            version=None if version is None else version.version,
            components=[]
            if version is None
            else [
                ComponentRead(kind=c.kind, weight=c.weight, pass_mark=c.pass_mark)
                for c in version.scheme.components
            ],
            pass_mark=None if version is None else version.scheme.pass_mark,
        )


class SchemeCreate(BaseModel):
    level: str = Field(examples=["advanced"])
    components: list[ComponentRead] = Field(
        examples=[[{"kind": "theory", "weight": 60}, {"kind": "practice", "weight": 40}]]
    )
    pass_mark: Decimal = Field(default=Decimal(60), ge=0, le=100, decimal_places=2)

    def scheme(self) -> accreditation.Scheme:
        return accreditation.Scheme(
            tuple(
                accreditation.SchemeComponent(c.kind, c.weight, c.pass_mark)
                for c in self.components
            ),
            self.pass_mark,
        )


class OfferingCreate(BaseModel):
    school: str = Field(examples=["PJVC"])
    level: str = Field(examples=["intermediate"])
    assessment_centre: bool = False
    active: bool = Field(default=True, description="False: the school no longer offers it.")

    def offering(self) -> Offering:
        return Offering(self.school, self.level, self.assessment_centre, self.active)


class OfferingRead(BaseModel):
    school: SchoolRead
    level: LevelRead
    assessment_centre: bool
    declared_by: str
    declared_at: UtcDateTime

    @classmethod
    def of(cls, offering: OfferingView, language: str) -> OfferingRead:
        return cls(
            school=SchoolRead.of(offering.school),
            level=_level(offering.level, language),
            assessment_centre=offering.assessment_centre,
            declared_by=offering.declared_by,
            declared_at=offering.declared_at,
        )


class TrainingCreate(BaseModel):
    course: str = Field(examples=["BIM 职业技能等级证书师资培训"])
    days: int = Field(examples=[5])
    completed_on: date

    def training(self) -> Training:
        return Training(self.course, self.days, self.completed_on)


class CertifyingCreate(BaseModel):
    kinds: list[str] = Field(
        examples=[["teacher", "assessor"]], description="teacher, assessor, or both (dual)."
    )
    level: str | None = Field(default=None, description="One level, or none for every level.")
    valid_from: date
    valid_until: date

    def certifying(self) -> Certifying:
        return Certifying(tuple(self.kinds), self.level, self.valid_from, self.valid_until)


class TeacherCreate(BaseModel):
    email: str = Field(examples=["assessor@pjvc.example"])
    id_number: str = Field(
        description="The teacher's identity number: kept only as its index, so that nobody "
        "is assigned to assess themselves."
    )
    training: TrainingCreate | None = None
    certify: CertifyingCreate | None = None


class TrainingRead(BaseModel):
    email: str
    institution: str | None
    course: str
    days: int
    completed_on: date
    recorded_by: str

    @classmethod
    def of(cls, training: TrainingView) -> TrainingRead:
        return cls(
            email=training.email,
            institution=training.institution,
            course=training.course,
            days=training.days,
            completed_on=training.completed_on,
            recorded_by=training.recorded_by,
        )


class CertificationRead(BaseModel):
    id: int
    email: str
    institution: str | None
    kind: str
    level: str | None
    valid_from: date
    valid_until: date
    training: str
    certified_by: str

    @classmethod
    def of(cls, certification: accreditation.Certification) -> CertificationRead:
        return cls(
            id=certification.id,
            email=certification.email,
            institution=certification.institution,
            kind=certification.kind,
            level=certification.level,
            valid_from=certification.valid_from,
            valid_until=certification.valid_until,
            training=certification.training,
            certified_by=certification.certified_by,
        )


class TeacherRead(BaseModel):
    email: str
    xcert: str
    training: TrainingRead | None
    certifications: list[CertificationRead]

    @classmethod
    def of(cls, record: TeacherRecord) -> TeacherRead:
        return cls(
            email=record.email,
            xcert=record.xcert,
            training=None if record.training is None else TrainingRead.of(record.training),
            certifications=[CertificationRead.of(c) for c in record.certifications],
        )


class TallyRead(BaseModel):
    registered: int
    fee_exempt: int
    assessed: int
    certified: int
    pass_rate: Decimal | None = Field(description="Certified of assessed, in percent.")

    @classmethod
    def of(cls, tally: Tally) -> TallyRead:
        return cls(
            registered=tally.registered,
            fee_exempt=tally.fee_exempt,
            assessed=tally.assessed,
            certified=tally.certified,
            pass_rate=tally.pass_rate,
        )


class SessionCreate(BaseModel):
    centre: str = Field(examples=["PJVC"], description="The assessment centre (a pilot school).")
    level: str = Field(examples=["intermediate"])
    held_on: date


class SessionRead(BaseModel):
    id: int
    xcert: str
    xcert_name: str
    level: LevelRead
    centre: SchoolRead
    held_on: date
    scheduled_by: str
    candidates: TallyRead

    @classmethod
    def of(cls, session: SessionView, language: str) -> SessionRead:
        return cls(
            id=session.id,
            xcert=session.xcert,
            xcert_name=session.xcert_name_en
            if language == "en" and session.xcert_name_en
            else session.xcert_name,
            level=_level(session.level, language),
            centre=SchoolRead.of(session.centre),
            held_on=session.held_on,
            scheduled_by=session.scheduled_by,
            candidates=TallyRead.of(session.tally),
        )


class CandidateCreate(BaseModel):
    account_number: str = Field(examples=["CB000000000000"])
    fee_exempt: bool = Field(
        default=False,
        description="A student from a family with financial difficulties: no assessment fee.",
    )


class CandidateRead(BaseModel):
    account_number: str
    fee_exempt: bool
    status: ResultStatus
    registered_by: str
    registered_at: UtcDateTime
    weighted: Decimal | None = None
    marks: dict[str, Decimal] = Field(default_factory=dict)
    outcome: str | None = Field(
        default=None, description="The X-certificate outcome a pass deposited."
    )
    assessor: str | None = None
    scheme_version: int | None = None

    @classmethod
    def of(cls, candidate: Candidate) -> CandidateRead:
        return cls(
            account_number=candidate.account_number,
            fee_exempt=candidate.fee_exempt,
            status=candidate.status,
            registered_by=candidate.registered_by,
            registered_at=candidate.registered_at,
            weighted=candidate.weighted,
            marks={kind: Decimal(mark) for kind, mark in candidate.marks.items()},
            outcome=candidate.outcome,
            assessor=candidate.assessor,
            scheme_version=candidate.scheme_version,
        )


class SessionDetailRead(SessionRead):
    registrations: list[CandidateRead]

    @classmethod
    def of_detail(cls, detail: SessionDetail, language: str) -> SessionDetailRead:
        return cls(
            **SessionRead.of(detail.session, language).model_dump(),
            registrations=[CandidateRead.of(c) for c in detail.candidates],
        )


class ResultsRead(BaseModel):
    session: SessionDetailRead
    batch: str = Field(description="The deposit batch that carried the passing candidates.")
    assessed: int
    passed: int
    failed: int

    @classmethod
    def of(cls, recorded: ResultsRecorded, language: str) -> ResultsRead:
        return cls(
            session=SessionDetailRead.of_detail(recorded.session, language),
            batch=recorded.batch,
            assessed=recorded.assessed,
            passed=recorded.passed,
            failed=recorded.failed,
        )


class XcertDetailRead(XcertRead):
    schemes: list[SchemeRead]
    offerings: list[OfferingRead]
    sessions: list[SessionRead]
    trainings: list[TrainingRead]
    certifications: list[CertificationRead]

    @classmethod
    def of_detail(cls, detail: XcertDetail, language: str) -> XcertDetailRead:
        return cls(
            **XcertRead.of(detail.xcert, language).model_dump(),
            schemes=[SchemeRead.of(s, language) for s in detail.schemes],
            offerings=[OfferingRead.of(o, language) for o in detail.offerings],
            sessions=[SessionRead.of(s, language) for s in detail.sessions],
            trainings=[TrainingRead.of(t) for t in detail.trainings],
            certifications=[CertificationRead.of(c) for c in detail.certifications],
        )


class RoundRead(BaseModel):
    approval_round: int
    certificates: int


class SchoolTypeRead(BaseModel):
    type: str
    schools: int


class ProvinceRead(TallyRead):
    province: str


class CertificateStatsRead(TallyRead):
    xcert: str
    name: str
    approval_round: int | None


class StatsRead(BaseModel):
    certificates: int
    pilot_schools: int
    sessions: int
    candidates: TallyRead
    certificates_by_round: list[RoundRead]
    pilot_schools_by_type: list[SchoolTypeRead]
    by_province: list[ProvinceRead]
    by_certificate: list[CertificateStatsRead]

    @classmethod
    def of(cls, found: Stats, language: str) -> StatsRead:
        return cls(
            certificates=found.certificates,
            pilot_schools=found.pilot_schools,
            sessions=found.sessions,
            candidates=TallyRead.of(found.total),
            certificates_by_round=[
                RoundRead(approval_round=r, certificates=n) for r, n in found.certificates_by_round
            ],
            pilot_schools_by_type=[
                SchoolTypeRead(type=t, schools=n) for t, n in found.schools_by_type
            ],
            by_province=[
                ProvinceRead(province=p, **TallyRead.of(t).model_dump())
                for p, t in found.by_province
            ],
            by_certificate=[
                CertificateStatsRead(
                    xcert=c.xcert,
                    name=c.name_en if language == "en" and c.name_en else c.name,
                    approval_round=c.approval_round,
                    **TallyRead.of(c.tally).model_dump(),
                )
                for c in found.by_certificate
            ],
        )
