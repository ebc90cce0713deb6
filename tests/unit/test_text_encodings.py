"""CSV as registrars have it: UTF-8 with or without a BOM, or GBK/GB18030 (Excel on a Chinese
Windows), told apart by charset-normalizer; anything else refused naming what was tried."""

from __future__ import annotations

import io

import pytest

from creditbank.file_limits import FileLimits, FileRefusedError
from creditbank.file_limits.text import text_lines

TEXT = "记录编号,姓名,等级\r\nR-1,张三,中级\r\nR-2,李𠀀四,初级\r\n"
"""Chinese text, with a character outside GBK (U+20000) that GB18030 writes in four bytes."""
LIMITS = FileLimits()


def lines(data: bytes, *, chinese: bool = True, limits: FileLimits = LIMITS) -> str:
    return "".join(text_lines(io.BytesIO(data), limits, chinese_encodings=chinese))


@pytest.mark.parametrize(
    ("encoded", "text"),
    [
        (TEXT.encode("utf-8"), TEXT),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT),
        (TEXT.replace("𠀀", "").encode("gbk"), TEXT.replace("𠀀", "")),
        (TEXT.encode("gb18030"), TEXT),
    ],
    ids=["utf-8", "utf-8 with BOM", "gbk", "gb18030"],
)
def test_utf8_gbk_and_gb18030_read_as_the_same_text(encoded: bytes, text: str) -> None:
    assert lines(encoded) == text


def test_without_chinese_encodings_gbk_is_refused_as_not_utf8() -> None:
    with pytest.raises(FileRefusedError) as refused:
        lines(TEXT.replace("𠀀", "").encode("gbk"), chinese=False)
    assert "not UTF-8 text (byte 0xBC at line 1)" in refused.value.message.render(str)


def test_neither_encoding_is_refused_naming_both() -> None:
    with pytest.raises(FileRefusedError) as refused:
        lines(TEXT.encode("utf-16"))
    assert refused.value.message.render(str) == (
        "the file is neither UTF-8 nor GBK/GB18030 text (tried both; byte 0xFF at line 1); "
        "save it as CSV UTF-8"
    )


def test_a_file_that_changes_encoding_after_its_start_names_the_line() -> None:
    """The encoding is told from the start of the file; a later block that is not in it (here
    past the first MiB) refuses the file at its line."""
    start = ("R-0,张三,中级\r\n" * 80_000).encode("gbk")
    assert len(start) > 1024 * 1024
    data = start + "R-9,李四,初级\r\n".encode("gbk").replace("李".encode("gbk"), b"\x80")
    with pytest.raises(FileRefusedError) as refused:
        lines(data)
    assert refused.value.message.render(str) == (
        "the file starts as GBK/GB18030 text but is not so at line 80001 (byte 0x80); "
        "save it again in one encoding, UTF-8 preferred"
    )
