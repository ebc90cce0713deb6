"""Words for the enumerations pages show (roles, learning settings, kinds of item), translatable.

Pages call ``label("role", principal.role)``; the words are catalog keys like every other text.
"""

from __future__ import annotations

from collections.abc import Callable

from creditbank.messages import Message, Translate, msg

LABELS: dict[tuple[str, str], Message] = {
    ("role", "bank_admin"): msg("Bank administrator"),
    ("role", "registrar"): msg("Registrar"),
    ("role", "assessor"): msg("Assessor"),
    ("role", "accreditation_officer"): msg("Accreditation officer"),
    ("role", "auditor"): msg("Auditor"),
    ("setting", "formal"): msg("Formal learning"),
    ("setting", "non-formal"): msg("Non-formal learning"),
    ("setting", "informal"): msg("Informal learning"),
    ("kind", "qualification"): msg("Qualification"),
    ("kind", "course"): msg("Course"),
    ("kind", "x_certificate"): msg("X certificate"),
    ("kind", "vocational_qualification"): msg("Vocational qualification"),
    ("kind", "training_certificate"): msg("Training certificate"),
    ("kind", "achievement"): msg("Achievement"),
    ("kind", "accreditation_unit"): msg("Accreditation unit"),
    ("kind", "transferred_credit"): msg("Transferred credit"),
    ("id", "resident_id"): msg("Resident identity card"),
    ("id", "passport"): msg("Passport"),
    ("status", "active"): msg("active"),
    ("status", "expired"): msg("expired"),
    ("status", "withdrawn"): msg("withdrawn"),
    ("status", "revoked"): msg("revoked"),
    ("outcome", "deposited"): msg("deposited"),
    ("outcome", "verified"): msg("verified"),
    ("outcome", "superseded"): msg("corrected (superseded)"),
    ("outcome", "revoked"): msg("revoked"),
    ("import_status", "pending"): msg("awaiting recognition"),
    ("import_status", "recognised"): msg("recognised"),
    ("import_status", "refused"): msg("not recognised"),
    ("import_status", "source_revoked"): msg("revoked at its source"),
    ("batch", "processing"): msg("processing"),
    ("batch", "committed"): msg("deposited"),
    ("batch", "rejected"): msg("rejected"),
    ("institution", "university"): msg("University"),
    ("institution", "higher_vocational_college"): msg("Higher vocational college"),
    ("institution", "secondary_vocational_school"): msg("Secondary vocational school"),
    ("institution", "open_university"): msg("Open university"),
    ("institution", "technical_school"): msg("Technical school"),
    ("institution", "enterprise"): msg("Enterprise"),
    ("institution", "industry_association"): msg("Industry association"),
    ("institution", "training_evaluation_organisation"): msg("Training-evaluation organisation"),
    ("institution", "accreditation_centre"): msg("Accreditation centre"),
    ("institution", "credit_bank_office"): msg("Credit bank office"),
    # the categories programmes usually give their components (a programme may name others)
    ("category", "core"): msg("Core courses"),
    ("category", "elective"): msg("Electives"),
    ("category", "general"): msg("General education"),
    ("category", "practice"): msg("Practical training"),
    # how a scheme assesses (accreditation units, X certificates)
    ("component", "theory"): msg("Theory"),
    ("component", "practice"): msg("Practice"),
    ("component", "portfolio"): msg("Portfolio"),
    ("component", "interview"): msg("Interview"),
}


REGIONS: tuple[tuple[str, str, Message], ...] = (
    ("CN-BJ", "北京", msg("Beijing")),
    ("CN-TJ", "天津", msg("Tianjin")),
    ("CN-HE", "河北", msg("Hebei")),
    ("CN-SX", "山西", msg("Shanxi")),
    ("CN-NM", "内蒙古", msg("Inner Mongolia")),
    ("CN-LN", "辽宁", msg("Liaoning")),
    ("CN-JL", "吉林", msg("Jilin")),
    ("CN-HL", "黑龙江", msg("Heilongjiang")),
    ("CN-SH", "上海", msg("Shanghai")),
    ("CN-JS", "江苏", msg("Jiangsu")),
    ("CN-ZJ", "浙江", msg("Zhejiang")),
    ("CN-AH", "安徽", msg("Anhui")),
    ("CN-FJ", "福建", msg("Fujian")),
    ("CN-JX", "江西", msg("Jiangxi")),
    ("CN-SD", "山东", msg("Shandong")),
    ("CN-HA", "河南", msg("Henan")),
    ("CN-HB", "湖北", msg("Hubei")),
    ("CN-HN", "湖南", msg("Hunan")),
    ("CN-GD", "广东", msg("Guangdong")),
    ("CN-GX", "广西", msg("Guangxi")),
    ("CN-HI", "海南", msg("Hainan")),
    ("CN-CQ", "重庆", msg("Chongqing")),
    ("CN-SC", "四川", msg("Sichuan")),
    ("CN-GZ", "贵州", msg("Guizhou")),
    ("CN-YN", "云南", msg("Yunnan")),
    ("CN-XZ", "西藏", msg("Tibet")),
    ("CN-SN", "陕西", msg("Shaanxi")),
    ("CN-GS", "甘肃", msg("Gansu")),
    ("CN-QH", "青海", msg("Qinghai")),
    ("CN-NX", "宁夏", msg("Ningxia")),
    ("CN-XJ", "新疆", msg("Xinjiang")),
    ("CN-HK", "香港", msg("Hong Kong")),
    ("CN-MO", "澳门", msg("Macao")),
    ("CN-TW", "台湾", msg("Taiwan")),
)
"""China's provincial-level regions: their ISO 3166-2 code, Chinese name and English name (an
institution's region is written either way; pages show it in the reader's language)."""
_SUFFIXES = ("市", "省", "自治区", "特别行政区")
for _code, _chinese, _english in REGIONS:
    for _written in (_code, _chinese, *(_chinese + suffix for suffix in _SUFFIXES)):
        LABELS["region", _written] = _english


def labeller(translate: Translate) -> Callable[[str, object], str]:
    """The ``label(group, value)`` function of a page in one language."""

    def label(group: str, value: object) -> str:
        text = str(getattr(value, "value", value))
        found = LABELS.get((group, text))
        return found.render(translate) if found else text

    return label
