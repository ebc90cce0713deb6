"""The menu shows each role what it may open: logged in as every role (and as a visitor), every
link of the page header is followed, and none answers 403, 404 or 5xx; on both databases.

The menu is web/templates/base.html; links other engineers add there (inside the conditions of
the roles that may open them) are followed too. The learner's links stand in a few groups, so
that a phone's screen holds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx2
import pytest

from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from tests.api.signed_in import SignedIn
from tests.conftest import LiveBank
from tests.support.pages import page_client
from tests.support.records import PASSWORD, Record, build_record

STAFF = {
    "registrar": "reg@jsvc.example",
    "bank_admin": "admin@bank.example",
    "auditor": "auditor@bank.example",
    "accreditation_officer": "officer@jsvc.example",
    "assessor": "assessor@jsvc.example",
}
ROLES = [*STAFF, "learner", "visitor"]


@dataclass
class Link:
    href: str
    group: str | None
    """The id of the ``<details>`` menu the link stands in (None: outside any)."""


class Header(HTMLParser):
    """The links of a page's header (but the language switches) and the menu's groups."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[Link] = []
        self.groups: list[str] = []
        self._in_header = False
        self._in_menu = False
        self._group: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "header":
            self._in_header = True
        elif tag == "nav" and "menu" in (found.get("class") or "").split():
            self._in_menu = True
        elif tag == "details" and self._in_menu:
            self._group = found.get("id") or "?"
            self.groups.append(self._group)
        elif tag == "a" and self._in_header and "hreflang" not in found:
            self.links.append(Link(found.get("href") or "", self._group))

    def handle_endtag(self, tag: str) -> None:
        if tag == "header":
            self._in_header = False
        elif tag == "nav":
            self._in_menu = False
        elif tag == "details":
            self._group = None


def header_of(html: str) -> Header:
    header = Header()
    header.feed(html)
    return header


@pytest.fixture(scope="module")
def record(live_bank: LiveBank) -> Record:
    built = build_record(live_bank.database, live_bank.cipher)
    with live_bank.database.unit_of_work() as uow:
        for role, email in STAFF.items():
            if role == "registrar":
                continue
            institution = "JSVC" if Role(role).needs_institution else None
            institutions.add_user(
                uow=uow, email=email, role=Role(role), institution=institution, password=PASSWORD
            )
    return built


@pytest.fixture(scope="module")
def signed_in(bank: str, record: Record) -> SignedIn:
    return (
        SignedIn(bank, PASSWORD).log_in("staff", *STAFF.values()).log_in("learner", record.account)
    )


@contextmanager
def as_role(role: str, bank: str, signed_in: SignedIn, record: Record) -> Iterator[httpx2.Client]:
    if role == "visitor":
        with page_client(bank) as client:
            yield client
    elif role == "learner":
        with signed_in.learner(record.account) as client:
            yield client
    else:
        with signed_in.staff(STAFF[role]) as client:
            yield client


def desk_links(html: str) -> list[Link]:
    """The links of the cards on a staff user's desk (what it offers them to do)."""
    cards = re.search(r'<ul class="cards">(.*?)</ul>', html, re.DOTALL)
    found = re.findall(r'href="([^"]+)"', cards.group(1)) if cards else []
    return [Link(href, None) for href in found]


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_link_opens(role: str, bank: str, signed_in: SignedIn, record: Record) -> None:
    """Every link of the menu, and of a staff user's desk, opens for the role."""
    with as_role(role, bank, signed_in, record) as client:
        home = client.get("/")
        assert home.status_code == 200
        links = header_of(home.text).links
        assert len(links) >= 5, links  # the public links at least
        if role in STAFF:
            links += desk_links(client.get("/staff").text)
        refused = []
        for link in links:
            answer = client.get(link.href)
            if answer.status_code != 200:
                refused.append((link.href, answer.status_code, answer.headers.get("location")))
        assert refused == [], f"{role} is shown links it may not open: {refused}"


def hrefs(role: str, bank: str, signed_in: SignedIn, record: Record) -> set[str]:
    with as_role(role, bank, signed_in, record) as client:
        return {link.href for link in header_of(client.get("/").text).links}


def test_each_role_sees_its_own_links(bank: str, signed_in: SignedIn, record: Record) -> None:
    public = {"/frameworks", "/xcerts", "/verify", "/api/docs"}
    visitor = hrefs("visitor", bank, signed_in, record)
    assert visitor >= public | {"/login"}
    assert not {href for href in visitor if href.startswith(("/staff", "/me", "/account"))}
    learner = hrefs("learner", bank, signed_in, record)
    assert learner >= public | {"/me", "/me/shares", "/account/progress"}
    assert not {href for href in learner if href.startswith("/staff")}
    registrar = hrefs("registrar", bank, signed_in, record)
    assert registrar >= {"/staff", "/staff/deposit", "/staff/rules"}
    assert "/staff/rules/queue" not in registrar  # the bank approves rules
    assert not {href for href in registrar if href.startswith(("/me", "/account"))}
    admin = hrefs("bank_admin", bank, signed_in, record)
    assert admin >= {"/staff/rules/queue", "/staff/accreditation/queue"}
    assert "/staff/deposit" not in hrefs("auditor", bank, signed_in, record)  # reads only


def test_the_learners_menu_stands_in_a_few_groups(signed_in: SignedIn, record: Record) -> None:
    with signed_in.learner(record.account) as client:
        header = header_of(client.get("/me").text)
    menu = [link for link in header.links if link.href != "/"]
    grouped = [link for link in menu if link.group is not None]
    # outside the groups: the brand's link home only (and no link of the account's menu)
    assert {link.href for link in menu if link.group is None} == set()
    assert len(header.groups) <= 4
    for group in header.groups:
        assert 1 <= len([link for link in grouped if link.group == group]) <= 6
