"""Framework and crosswalk definition files: schema errors name their place in the file."""

from __future__ import annotations

import pytest

from creditbank.frameworks.crosswalk import Kind
from creditbank.frameworks.files import (
    builtin_crosswalks,
    builtin_frameworks,
    parse_crosswalk,
    parse_framework,
)
from creditbank.frameworks.model import Domain, FrameworkError

EXPECTED = {"NVQC", "QCPTP", "QCSW", "LOFOUC", "GDLEQF", "CLEQF", "1X", "EQF", "ISCED"}


def test_builtin_frameworks_are_all_there() -> None:
    drafts = {d.code: d for d in builtin_frameworks()}
    assert set(drafts) == EXPECTED
    sizes = {code: sum(len(t.levels) for t in d.tracks) for code, d in drafts.items()}
    assert sizes["NVQC"] == 5 and sizes["LOFOUC"] == 10 and sizes["GDLEQF"] == 7
    assert sizes["EQF"] == 8 and sizes["ISCED"] == 9 and sizes["1X"] == 3 and sizes["QCPTP"] == 3
    cleqf = {t.code: len(t.levels) for t in drafts["CLEQF"].tracks}
    assert cleqf["general"] == 7 and cleqf["continuing"] == 5 and cleqf["vocational"] == 5


def test_every_name_is_bilingual() -> None:
    for draft in builtin_frameworks():
        assert draft.name.zh and draft.name.en, draft.code
        for track in draft.tracks:
            for level in track.levels:
                assert level.name.zh and level.name.en, (draft.code, level.code)


def test_descriptors_only_where_the_seed_gives_them() -> None:
    with_descriptors = {
        d.code
        for d in builtin_frameworks()
        for t in d.tracks
        for lvl in t.levels
        if lvl.descriptors
    }
    assert with_descriptors == {"NVQC"}
    nvqc = next(d for d in builtin_frameworks() if d.code == "NVQC")
    level_5 = next(lvl for lvl in nvqc.tracks[0].levels if lvl.code == "5")
    assert (
        level_5.descriptors[Domain.COMPETENCY].en
        == "Can complete regular work independently with basic skills."
    )


def test_only_table_14_is_published() -> None:
    published = {c.code for c in builtin_crosswalks() if c.kind is Kind.PUBLISHED}
    assert published == {"NVQC-QCPTP", "NVQC-QCSW"}
    assert all(c.note.en for c in builtin_crosswalks() if c.kind is Kind.ASSUMED)


def test_schema_errors_name_their_place() -> None:
    head = b'code = "X"\nsource = "s"\neffective_from = 2020-01-01\nname = { en = "X" }\n'
    nameless = head + b'[[tracks]]\ncode = "a"\nhighest = "last"\n[[tracks.levels]]\ncode = "1"\n'
    with pytest.raises(FrameworkError) as raised:
        parse_framework(nameless, "x.toml")
    assert [str(p) for p in raised.value.problems] == ["tracks[0].levels[0].name: Field required"]
    unordered = (
        head + b'[[tracks]]\ncode = "a"\n[[tracks.levels]]\ncode = "1"\nname = { en = "one" }\n'
    )
    with pytest.raises(
        FrameworkError, match=r"tracks\[0\]: Value error, an ordered track must say"
    ):
        parse_framework(unordered, "x.toml")


def test_unknown_keys_are_refused() -> None:
    data = b'code = "X"\nsource = "s"\neffective_from = 2020-01-01\nname = { en = "X" }\nhighest = "last"\nlevles = []\n[[levels]]\ncode = "1"\nname = { en = "one" }\n'
    with pytest.raises(FrameworkError, match="levles: Extra inputs are not permitted"):
        parse_framework(data, "x.toml")


def test_json_is_accepted() -> None:
    data = b'{"code": "x", "source": "s", "effective_from": "2020-01-01", "name": {"en": "X"}, "highest": "last", "levels": [{"code": "1", "name": {"zh": "\\u4e00"}}]}'
    draft = parse_framework(data, "x.json")
    assert draft.code == "X" and draft.tracks[0].levels[0].name.zh == "一"


def test_an_assumed_crosswalk_must_explain_itself() -> None:
    data = b'code = "a-b"\nfrom = "A"\nto = "B"\nkind = "assumed"\nsource = "me"\npairs = [["1", "1"]]\n'
    with pytest.raises(FrameworkError, match="needs a `note`"):
        parse_crosswalk(data, "a-b.toml")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"code = [", "cannot be parsed"),
        (b"[1, 2]", "cannot be parsed"),
    ],
)
def test_unreadable_files(data: bytes, expected: str) -> None:
    with pytest.raises(FrameworkError, match=expected) as raised:
        parse_framework(data, "x.toml")
    assert raised.value.code == "invalid_file"
