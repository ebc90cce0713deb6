"""China's provincial-level regions, however an institution's region is written (its ISO 3166-2
code, its Chinese name, with or without 市/省/自治区/特别行政区), and their English names.
Pure: pages label regions with them (``web.labels``), the statistics group by them."""

from __future__ import annotations

from creditbank.messages import Message, msg

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
SUFFIXES = ("市", "省", "自治区", "特别行政区")
"""What a Chinese region name may end with."""

_CODES: dict[str, tuple[str, str, Message]] = {}
for _region in REGIONS:
    _code, _chinese, _english = _region
    for _written in (_code, _chinese, *(_chinese + suffix for suffix in SUFFIXES)):
        _CODES[_written] = _region


def region_of(written: str) -> tuple[str, str, Message] | None:
    """The region ``written`` names (code, Chinese name, English name), or None."""
    return _CODES.get(written.strip())
