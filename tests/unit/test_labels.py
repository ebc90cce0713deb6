"""Words pages show for codes: in the reader's language, the code itself where none is known."""

from __future__ import annotations

import pytest

from creditbank.languages import translations
from creditbank.regions import REGIONS
from creditbank.web.labels import labeller


@pytest.mark.parametrize(
    ("written", "english", "chinese"),
    [
        ("上海", "Shanghai", "上海"),
        ("上海市", "Shanghai", "上海"),
        ("CN-SH", "Shanghai", "上海"),
        ("新疆", "Xinjiang", "新疆"),
        ("内蒙古自治区", "Inner Mongolia", "内蒙古"),
        ("Atlantis", "Atlantis", "Atlantis"),  # unknown: as written
    ],
)
def test_a_region_in_either_language(written: str, english: str, chinese: str) -> None:
    assert labeller(translations("en").gettext)("region", written) == english
    assert labeller(translations("zh").gettext)("region", written) == chinese


def test_every_region_has_its_chinese_name_in_the_catalog() -> None:
    label = labeller(translations("zh").gettext)
    assert [label("region", code) for code, _, _ in REGIONS] == [zh for _, zh, _ in REGIONS]


@pytest.mark.parametrize(
    ("group", "code", "english", "chinese"),
    [
        ("role", "accreditation_officer", "Accreditation officer", "认证专员"),
        ("category", "core", "Core courses", "专业核心课程"),
        ("category", "capstone", "capstone", "capstone"),  # a programme's own: its code
        ("component", "theory", "Theory", "理论"),
        ("institution", "higher_vocational_college", "Higher vocational college", "高等职业院校"),
    ],
)
def test_codes_become_words(group: str, code: str, english: str, chinese: str) -> None:
    assert labeller(translations("en").gettext)(group, code) == english
    assert labeller(translations("zh").gettext)(group, code) == chinese
