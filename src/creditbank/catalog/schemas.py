"""JSON shapes of catalogue items (``ItemCreate`` in, ``ItemRead`` out) and of grants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from creditbank.catalog.grants import Grant
from creditbank.catalog.model import AchievementType, CatalogItem, ItemDraft, ItemKind
from creditbank.web.formats import UtcDateTime


class ItemCreate(BaseModel):
    institution: str = Field(description="The owning institution's code.", examples=["SHOU"])
    code: str = Field(examples=["BIM-X"])
    kind: ItemKind
    name: str = Field(examples=["建筑信息模型（BIM）职业技能等级证书"])
    name_en: str = ""
    framework: str = Field(description="Framework code, e.g. 1X, NVQC, CLEQF.", examples=["1X"])
    levels: list[str] = Field(description="Level codes the item is awarded at.", min_length=1)
    credits: Decimal | None = Field(default=None, ge=0, le=Decimal("999.9"), decimal_places=1)
    provider: str = ""
    approval_round: int | None = Field(default=None, ge=1, le=4)
    achievement_type: AchievementType | None = None

    def to_draft(self) -> ItemDraft:
        return ItemDraft(
            institution=self.institution,
            code=self.code,
            kind=self.kind,
            name=self.name,
            name_en=self.name_en,
            framework=self.framework,
            levels=tuple(self.levels),
            credits=self.credits,
            provider=self.provider,
            approval_round=self.approval_round,
            achievement_type=self.achievement_type,
        )


class ItemLevelRead(BaseModel):
    framework: str
    version: int = Field(description="The framework version the item was made under.")
    level: str


class ItemRead(BaseModel):
    id: int
    institution: str
    code: str
    kind: ItemKind
    name: str
    name_en: str
    framework: str
    levels: list[ItemLevelRead]
    credits: Decimal | None
    provider: str
    approval_round: int | None
    achievement_type: AchievementType | None

    @classmethod
    def of(cls, item: CatalogItem) -> ItemRead:
        return cls(
            id=item.id,
            institution=item.institution,
            code=item.code,
            kind=item.kind,
            name=item.name,
            name_en=item.name_en,
            framework=item.framework,
            levels=[
                ItemLevelRead(framework=p.framework, version=p.version, level=p.level.code)
                for p in item.levels
            ],
            credits=item.credits,
            provider=item.provider,
            approval_round=item.approval_round,
            achievement_type=item.achievement_type,
        )


class GrantCreate(BaseModel):
    """Accredit another institution to issue one of the owner's items."""

    owner: str = Field(description="The institution that owns the item.", examples=["TEO-BIM"])
    institution: str = Field(description="The institution accredited to issue it.")
    valid_from: date | None = Field(
        default=None, description="First assessment date covered; default: today."
    )
    valid_until: date | None = Field(
        default=None, description="Last assessment date covered; default: open-ended."
    )


class GrantRead(BaseModel):
    id: int
    owner: str
    item_code: str
    institution: str = Field(description="The institution accredited to issue the item.")
    valid_from: date
    valid_until: date | None
    granted_by: str
    granted_at: UtcDateTime
    withdrawn_by: str | None
    withdrawn_at: UtcDateTime | None = Field(description="Set once the grant is withdrawn.")

    @classmethod
    def of(cls, grant: Grant) -> GrantRead:
        return cls(
            id=grant.id,
            owner=grant.owner,
            item_code=grant.item_code,
            institution=grant.institution,
            valid_from=grant.window.valid_from,
            valid_until=grant.window.valid_until,
            granted_by=grant.granted_by,
            granted_at=grant.granted_at,
            withdrawn_by=grant.withdrawn_by,
            withdrawn_at=grant.withdrawn_at,
        )
