"""Helpers of the conversion pages' tests: logged-in clients, a page's text and sections, the
draft form of a rule, the id a draft redirects to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape

import httpx2

from tests import conversion_world as world
from tests.support.pages import log_in, page_client

PASSWORD = "correct horse battery"
X_PROGRAMME = world.X_PROGRAMME


@contextmanager
def staff(bank: str, email: str, language: str = "en") -> Iterator[httpx2.Client]:
    with page_client(bank, language) as client:
        assert log_in(client, "staff", email, PASSWORD).status_code == 303
        yield client


@contextmanager
def learner(bank: str, number: str, language: str = "en") -> Iterator[httpx2.Client]:
    with page_client(bank, language) as client:
        assert log_in(client, "learner", number, PASSWORD).status_code == 303
        yield client


def text(html: str) -> str:
    """The page's text: tags removed, entities decoded, white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, tag: str, element_id: str) -> str:
    found = re.search(rf'<{tag}[^>]* id="{element_id}".*?</{tag}>', html, re.DOTALL)
    assert found is not None, f"no <{tag} id={element_id}>"
    return found.group(0)


def theory_rule_form(code: str, **changes: str) -> dict[str, str]:
    """BIMTEO's rule as the draft form sends it: course BIM-101 scored 80+ exempts THEORY."""
    return {
        "programme": X_PROGRAMME,
        "code": code,
        "name": "BIM-101 成绩 80 分以上免理论考试",
        "name_en": "BIM-101 at 80 or more exempts the theory exam",
        "source_item_1": "SHVC:BIM-101",
        "source_kind_1": "course",
        "source_framework_1": "",
        "source_level_1": "",
        "target_component_1": "THEORY",
        "min_score": "80",
        "max_age_years": "5",
        "settings": "formal",
        "valid_from": "2025-09-01",
        "valid_until": "",
        **changes,
    }


def drafted_id(response: httpx2.Response) -> int:
    assert response.status_code == 303, text(response.text)
    found = re.fullmatch(r"/staff/rules/(\d+)\?done=drafted", response.headers["location"])
    assert found is not None, response.headers["location"]
    return int(found.group(1))
