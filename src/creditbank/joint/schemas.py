"""JSON shapes of joint certification (``*Create`` in, ``*Read`` out)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from creditbank.joint.model import Scheme
from creditbank.joint.model import joined_levels as _joined
from creditbank.joint.schemes import JointOutcome, LinkedOutcome


class JointBodyCreate(BaseModel):
    institution: str = Field(max_length=64)
    item_code: str = Field(max_length=64)
    levels: str = Field(
        max_length=2000, description="RESULT=LEVEL,... e.g. pass=4,merit=5", examples=["pass=4"]
    )


class JointSchemeCreate(BaseModel):
    code: str = Field(max_length=64, examples=["GBA-CAD"])
    name: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    result_levels: list[str] = Field(max_length=20, examples=[["pass", "merit"]])
    bodies: list[JointBodyCreate] = Field(max_length=20)


class JointSchemeRead(BaseModel):
    code: str
    name: str
    name_en: str
    result_levels: list[str]
    bodies: list[JointBodyCreate]

    @classmethod
    def of(cls, scheme: Scheme) -> JointSchemeRead:
        return cls(
            code=scheme.code,
            name=scheme.name,
            name_en=scheme.name_en,
            result_levels=list(scheme.result_levels),
            bodies=[
                JointBodyCreate(
                    institution=p.institution, item_code=p.item_code, levels=_joined(p.levels)
                )
                for p in scheme.participants
            ],
        )


class JointOutcomeCreate(BaseModel):
    account_number: str = Field(max_length=32)
    record_id: str = Field(max_length=64)
    result: str = Field(max_length=64)
    assessed_on: date
    score: Decimal | None = Field(default=None, ge=0, le=100, max_digits=5, decimal_places=2)


class LinkedOutcomeRead(BaseModel):
    outcome: str = Field(description="The outcome's public id.")
    institution: str
    item_code: str

    @classmethod
    def of(cls, linked: LinkedOutcome) -> LinkedOutcomeRead:
        return cls(
            outcome=linked.outcome, institution=linked.institution, item_code=linked.item_code
        )


class JointOutcomeRead(BaseModel):
    scheme: str
    record_id: str
    created: bool
    outcomes: list[LinkedOutcomeRead]

    @classmethod
    def of(cls, made: JointOutcome) -> JointOutcomeRead:
        return cls(
            scheme=made.scheme,
            record_id=made.record_id,
            created=made.created,
            outcomes=[LinkedOutcomeRead.of(o) for o in made.outcomes],
        )
