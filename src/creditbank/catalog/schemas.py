"""JSON shapes of catalogue items (``ItemCreate`` in, ``ItemRead`` out)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from creditbank.catalog.model import AchievementType, ItemDraft, ItemKind
from creditbank.catalog.service import CatalogItem


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
