"""The caps are described once (:data:`creditbank.conversion.model.CAP_TYPES`): the settings on
``Caps``, the API's shape, the storage's columns and the engine's limits must agree with it."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal

import pytest
from sqlalchemy import Numeric

from creditbank.conversion.model import (
    CAP_SETTINGS,
    CAP_TYPES,
    CapKind,
    Caps,
    CapScope,
    CapUnit,
    Programme,
    cap_type,
    check_programme,
)
from creditbank.conversion.schemas import CapsCreate
from creditbank.conversion.tables import ProgrammeRow
from creditbank.web.i18n import translations
from creditbank.web.pages.conversion_common import TERMS

SCALE = {CapUnit.CREDITS: 1, CapUnit.SHARE: 3}


def test_every_field_of_caps_is_a_setting_of_one_cap_type() -> None:
    settings = [name for cap in CAP_TYPES for name in cap.settings]
    assert sorted(settings) == sorted(f.name for f in fields(Caps))
    assert len(settings) == len(set(settings))
    assert [cap.kind for cap in CAP_TYPES] == [
        CapKind.PER_SOURCE_ITEM,
        CapKind.PER_ISSUER,
        CapKind.PER_YEAR,
        CapKind.PROGRAMME,
    ]
    assert {cap.kind for cap in CAP_TYPES} == set(CapKind)


def test_items_and_issuers_have_one_cap_each() -> None:
    """The engine's flow has one layer for items and one for issuers."""
    scopes = [cap.scope for cap in CAP_TYPES]
    assert scopes.count(CapScope.SOURCE_ITEM) == 1
    assert scopes.count(CapScope.ISSUER) == 1


def test_the_api_shape_has_each_setting_with_the_bounds_of_its_unit() -> None:
    properties = CapsCreate.model_json_schema()["properties"]
    assert list(properties) == [f.name for f in fields(Caps)]
    for name, unit in CAP_SETTINGS.items():
        bounds = {
            key: value
            for option in properties[name]["anyOf"]
            for key, value in option.items()
            if key in {"minimum", "maximum"}
        }
        assert bounds == ({"minimum": 0, "maximum": 1} if unit is CapUnit.SHARE else {"minimum": 0})
    with pytest.raises(ValueError, match="decimal"):
        CapsCreate(programme_share=Decimal("0.3333"))
    with pytest.raises(ValueError, match="decimal"):
        CapsCreate(per_year=Decimal("1.25"))
    caps = Caps(per_source_item=Decimal(6), programme_share=Decimal("0.333"))
    assert CapsCreate.of(caps).caps() == caps


def test_each_setting_has_a_column_of_its_scale() -> None:
    columns = ProgrammeRow.__table__.columns
    for name, unit in CAP_SETTINGS.items():
        column_type = columns[f"cap_{name}"].type
        assert isinstance(column_type, Numeric)
        assert column_type.scale == SCALE[unit]
        assert columns[f"cap_{name}"].nullable


def test_a_cap_s_limit_is_the_tightest_of_its_settings() -> None:
    caps = Caps(
        per_year=Decimal(4), programme_credits=Decimal(12), programme_share=Decimal("0.333")
    )
    assert cap_type(CapKind.PER_YEAR).limit(caps, Decimal(30)) == Decimal("4.0")
    assert cap_type(CapKind.PROGRAMME).limit(caps, Decimal(30)) == Decimal("9.9")
    assert cap_type(CapKind.PROGRAMME).limit(caps, Decimal(40)) == Decimal("12.0")
    assert caps.programme_limit(Decimal(40)) == Decimal("12.0")
    assert cap_type(CapKind.PER_ISSUER).limit(caps, Decimal(30)) is None


def test_settings_are_checked_credits_first_then_shares() -> None:
    caps = Caps(
        per_source_item=Decimal(1000),
        programme_share=Decimal("1.5"),
        per_issuer=Decimal("0.25"),
    )
    problems = check_programme(Programme("P", "I", "A programme", Decimal(30), caps=caps))
    assert [str(problem) for problem in problems] == [
        "cap per_source_item must be between 0 and 999 credits",
        "cap per_issuer has more than one decimal",
        "programme_share must be between 0 and 1",
    ]


def test_the_pages_have_a_word_for_each_cap_in_both_languages() -> None:
    zh = translations("zh").gettext
    words = {kind: TERMS[("cap", kind.value)] for kind in CapKind}
    assert {kind: word.render() for kind, word in words.items()} == {
        CapKind.PER_SOURCE_ITEM: "per source item",
        CapKind.PER_ISSUER: "per issuing institution",
        CapKind.PER_YEAR: "per academic year",
        CapKind.PROGRAMME: "programme total",
    }
    assert all(word.render(zh) not in {"", word.render()} for word in words.values())
