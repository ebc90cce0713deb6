"""Moments on pages: stored in UTC, shown in the bank's time zone by one Jinja filter.

The zone is the setting ``CREDITBANK_TIME_ZONE`` (Asia/Shanghai unless set); the filter
``local_time`` reads it from the page's context, so every template shows a moment the same way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment
from pydantic import ValidationError

from creditbank.settings import Settings
from creditbank.web.app import _templates
from creditbank.web.formats import TIME_ZONE, local_time, local_time_filter, zone

# 2026-11-22 23:30 in UTC is already the 23rd in Shanghai (UTC+8), still the 22nd in London
MOMENT = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "creditbank" / "web" / "templates"


def _environment(source: str) -> Environment:
    environment = Environment(loader=DictLoader({"page.html": source}), autoescape=True)
    environment.filters["local_time"] = local_time_filter
    return environment


def test_the_default_zone_is_shanghai() -> None:
    assert Settings().time_zone == "Asia/Shanghai"
    assert local_time(MOMENT) == "2026-11-23 07:30"


def test_a_moment_without_an_offset_is_utc() -> None:
    # SQLite gives the stored UTC moments back without their offset
    assert local_time(MOMENT.replace(tzinfo=None)) == "2026-11-23 07:30"
    assert local_time(MOMENT.astimezone(timezone(timedelta(hours=-5)))) == "2026-11-23 07:30"
    assert local_time(None) == ""


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Asia/Shanghai", "2026-11-23 07:30"),
        ("Europe/London", "2026-11-22 23:30"),
        ("America/New_York", "2026-11-22 18:30"),
    ],
)
def test_the_filter_shows_the_moment_in_the_zone_of_the_page(name: str, shown: str) -> None:
    page = _environment("<p>{{ moment | local_time }}</p>").get_template("page.html")
    assert page.render(moment=MOMENT, **{TIME_ZONE: zone(name)}) == f"<p>{shown}</p>"


def test_the_filter_reaches_macros_and_included_templates() -> None:
    environment = Environment(
        loader=DictLoader(
            {
                "_parts.html": "{% macro when(m) %}{{ m | local_time }}{% endmacro %}",
                "_row.html": "[{{ moment | local_time }}]",
                "page.html": '{% from "_parts.html" import when with context %}'
                '{{ when(moment) }} {% include "_row.html" %}',
            }
        ),
        autoescape=True,
    )
    environment.filters["local_time"] = local_time_filter
    rendered = environment.get_template("page.html").render(
        moment=MOMENT, **{TIME_ZONE: zone("Europe/London")}
    )
    assert rendered == "2026-11-22 23:30 [2026-11-22 23:30]"


def test_the_pages_environment_has_the_filter() -> None:
    assert _templates().filters["local_time"] is local_time_filter


def test_templates_show_moments_through_the_filter() -> None:
    """No template formats a moment another way: the filter is the one way (``isoformat()`` in
    a ``datetime=`` attribute is for machines, and dates are dates)."""
    offending = [
        f"{path.relative_to(TEMPLATES)}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"\blocal_time\(|strftime|astimezone", line)
    ]
    assert offending == []


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "UTC+8"])
def test_an_unknown_zone_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="CREDITBANK_TIME_ZONE"):
        Settings(time_zone=name)


def test_the_zone_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDITBANK_TIME_ZONE", "Europe/Berlin")
    assert Settings().time_zone == "Europe/Berlin"
