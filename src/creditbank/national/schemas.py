"""JSON shapes of the national platform (``*Create`` in, ``*Read`` out)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from creditbank.national.counting import Counts
from creditbank.national.receiving import BatchReceipt, School
from creditbank.national.sending import SentBatch
from creditbank.suppression import Figure
from creditbank.web.formats import UtcDateTime


class BatchRead(BaseModel):
    id: int
    sender: str = Field(description="The sender's log origin.")
    sender_kind: str = Field(description="bank (a trusted peer) or school (a pilot school).")
    references: int = Field(description="References the batch held.")
    new_references: int = Field(description="Of them, references not held before.")
    withdrawn: int = Field(
        description="References its withdrawals took out of the count (revoked, superseded)."
    )
    received_at: UtcDateTime

    @classmethod
    def of(cls, receipt: BatchReceipt) -> BatchRead:
        return cls(
            id=receipt.id,
            sender=receipt.sender,
            sender_kind=receipt.sender_kind,
            references=receipt.references,
            new_references=receipt.new_references,
            withdrawn=receipt.withdrawn,
            received_at=receipt.received_at,
        )


class SchoolCreate(BaseModel):
    code: str = Field(max_length=64, examples=["GZ-VC-01"])
    name: str = Field(max_length=200)
    origin: str = Field(
        max_length=255,
        description="The origin its references name (and its key's name).",
        examples=["gz-vc-01.example/results"],
    )
    verifier_key: str = Field(
        max_length=400, description="Its signed-note verifier key (Ed25519, name+hash+base64)."
    )


class SchoolRead(SchoolCreate):
    registered_at: UtcDateTime

    @classmethod
    def of(cls, school: School) -> SchoolRead:
        return cls(
            code=school.code,
            name=school.name,
            origin=school.origin,
            verifier_key=school.verifier_key,
            registered_at=school.registered_at,
        )


class FigureRead(BaseModel):
    count: int | None = Field(
        description="The count; null when suppressed (a small cell, or one hidden so that a "
        "small one cannot be worked out from a total)."
    )
    shown: str = Field(
        description="The count as shown: the number, '<N' when small, 'x' when hidden."
    )

    @classmethod
    def of(cls, figure: Figure) -> FigureRead:
        return cls(count=figure.value, shown=figure.shown)


class BankFigureRead(FigureRead):
    bank: str = Field(description="The bank's (or pilot school's) log origin.")


class YearFigureRead(FigureRead):
    year: int


class CellRead(FigureRead):
    bank: str
    year: int


class QuestionRead(BaseModel):
    kind: str | None
    item_owner: str | None
    item_code: str | None
    level_framework: str | None
    level_version: int | None
    level_code: str | None
    year: int | None
    bank: str | None


class CountsRead(BaseModel):
    question: QuestionRead
    suppress_below: int = Field(description="Counts below this are suppressed ('<N').")
    total: FigureRead
    by_bank: list[BankFigureRead]
    by_year: list[YearFigureRead]
    cells: list[CellRead] = Field(description="Each bank's count in each year.")

    @classmethod
    def of(cls, counts: Counts) -> CountsRead:
        q = counts.question
        return cls(
            question=QuestionRead(
                kind=q.item_kind,
                item_owner=q.item_owner,
                item_code=q.item_code,
                level_framework=q.level_framework,
                level_version=q.level_version,
                level_code=q.level_code,
                year=q.year,
                bank=q.bank,
            ),
            suppress_below=counts.suppress_below,
            total=FigureRead.of(counts.total),
            by_bank=[
                BankFigureRead(bank=bank, count=f.value, shown=f.shown)
                for bank, f in counts.by_bank
            ],
            by_year=[
                YearFigureRead(year=year, count=f.value, shown=f.shown)
                for year, f in counts.by_year
            ],
            cells=[
                CellRead(bank=c.bank, year=c.year, count=c.count.value, shown=c.count.shown)
                for c in counts.cells
            ],
        )


class SendCreate(BaseModel):
    url: str | None = Field(
        default=None,
        max_length=500,
        description="The national bank's public URL (default: CREDITBANK_NATIONAL_URL).",
    )


class SentRead(BaseModel):
    target: str
    first_leaf: int
    last_leaf: int
    references: int
    withdrawals: int = Field(description="Outcomes referred to before, now revoked or superseded.")
    digest: str
    answer: dict[str, Any] = Field(description="What the national bank answered.")

    @classmethod
    def of(cls, sent: SentBatch) -> SentRead:
        return cls(
            target=sent.target,
            first_leaf=sent.first_leaf,
            last_leaf=sent.last_leaf,
            references=sent.references,
            withdrawals=sent.withdrawals,
            digest=sent.digest,
            answer=dict(sent.answer),
        )
