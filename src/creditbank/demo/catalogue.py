"""The demo's catalogue: the items of its data file and the round-4 X certificates."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from creditbank.catalog.model import AchievementType, ItemDraft, ItemKind
from creditbank.demo.common import X_CERTIFICATE_ROUND, X_LEVELS, x_certificate_code


def drafts(data: dict[str, Any]) -> Iterator[ItemDraft]:
    for entry in data["items"]:
        achievement = entry.get("achievement_type")
        yield ItemDraft(
            institution=entry["institution"],
            code=entry["code"],
            kind=ItemKind(entry["kind"]),
            name=entry["name"],
            name_en=entry["name_en"],
            framework=entry["framework"],
            levels=tuple(entry["levels"]),
            credits=Decimal(entry["credits"]) if "credits" in entry else None,
            achievement_type=AchievementType(achievement) if achievement else None,
        )
    provider_names = {entry["code"]: entry["name_en"] for entry in data["institutions"]}
    for entry in data["x_certificates"]:
        yield ItemDraft(
            institution=entry["provider"],
            code=x_certificate_code(entry["number"]),
            kind=ItemKind.X_CERTIFICATE,
            name=entry["name"],
            name_en=entry["name_en"],
            framework="1X",
            levels=X_LEVELS,
            provider=provider_names[entry["provider"]],
            approval_round=X_CERTIFICATE_ROUND,
        )
    bim = data["bim"]
    yield ItemDraft(
        institution=bim["provider"],
        code=bim["code"],
        kind=ItemKind.X_CERTIFICATE,
        name=bim["name"],
        name_en=bim["name_en"],
        framework="1X",
        levels=X_LEVELS,
        provider=provider_names[bim["provider"]],
        approval_round=bim["approval_round"],
    )
