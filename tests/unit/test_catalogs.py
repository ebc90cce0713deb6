"""Every message in the code and templates has a Chinese translation with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from creditbank.messages import msg
from creditbank.web.i18n import translations

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "creditbank"
KEYWORDS = {**DEFAULT_KEYWORDS, "msg": None, "ProblemType": (3,)}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_is_translated_into_chinese() -> None:
    messages = extracted()
    assert len(messages) > 50  # the extraction itself works
    with (PACKAGE / "i18n" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="zh")
    missing = sorted(m for m in messages if not ((entry := catalog.get(m)) and entry.string))
    assert missing == [], f"run `make catalog` and translate: {missing}"
    fuzzy = sorted(m.id for m in catalog if m.id and m.fuzzy)
    assert fuzzy == []
    mismatched = sorted(
        m.id
        for m in catalog
        if m.id
        and sorted(PLACEHOLDER.findall(str(m.id))) != sorted(PLACEHOLDER.findall(str(m.string)))
    )
    assert mismatched == []


def test_catalogs_compile_and_translate() -> None:
    assert translations("zh").gettext("Level not found") == "未找到等级"
    assert translations("en").gettext("Level not found") == "Level not found"


def test_a_message_inside_a_message_is_rendered_in_the_same_language() -> None:
    conflict = msg(
        "the assessor is staff of {institution}, which {role}",
        institution="CQRT",
        role=msg("taught the learner"),
    )
    assert conflict.render() == "the assessor is staff of CQRT, which taught the learner"
    chinese = conflict.render(translations("zh").gettext)
    assert "CQRT" in chinese
    assert translations("zh").gettext("taught the learner") in chinese
    assert "taught" not in chinese
