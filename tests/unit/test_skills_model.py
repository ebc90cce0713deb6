"""The skills' pure core: the numbered main tasks of one text, the built-in URIs, what a URI is,
an ESCO file's language; no database."""

from __future__ import annotations

import pytest

from creditbank.skills.esco import language_of
from creditbank.skills.model import builtin_uri, is_uri, split_tasks


@pytest.mark.parametrize(
    ("text", "tasks"),
    [
        (
            "1.研究、应用计算机网络技术 2.规划、设计计算机网络系统 3.提供技术咨询。",
            ["研究、应用计算机网络技术", "规划、设计计算机网络系统", "提供技术咨询"],
        ),
        # a number inside a task that is not the next one stays in it, as does 3.5
        ("1.搭建3.5米高的脚手架； 2.检查安全带 3.5米以上须系安全带。", None),
        ("1．测量 2、记录", ["测量", "记录"]),
        ("负责   日常 工作。", ["负责 日常 工作"]),
        ("前言 1.不在开头", ["前言 1.不在开头"]),
        ("", []),
        ("   ", []),
    ],
)
def test_the_numbered_tasks_of_a_text(text: str, tasks: list[str] | None) -> None:
    if tasks is None:
        assert split_tasks(text) == ["搭建3.5米高的脚手架", "检查安全带 3.5米以上须系安全带"]
    else:
        assert split_tasks(text) == tasks


def test_uris() -> None:
    assert builtin_uri("4-08-08-23", 2) == "urn:creditbank:csco2022:4-08-08-23:task:2"
    assert is_uri(builtin_uri("4-08-08-23", 2))
    assert is_uri("http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab")
    for bad in ("", "no scheme", "urn:with space", "1urn:x", "urn:" + "x" * 300, "urn:<x>"):
        assert not is_uri(bad)


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("skills_en.csv", "en"),
        ("esco/skills_zh.CSV", "zh"),
        ("skills.csv", None),
        ("x_1.csv", None),
    ],
)
def test_an_esco_files_language(name: str, language: str | None) -> None:
    assert language_of(name) == language
