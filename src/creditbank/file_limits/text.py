"""Text files read within limits: lines of bounded length, UTF-8, no NUL; fields and JSON checked.

Also the places a refusal names (a line, or a row, and a column), never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO, Literal, NamedTuple, NoReturn

import charset_normalizer

from creditbank.file_limits.limits import (
    FileLimits,
    FileRefusedError,
    invalid,
)
from creditbank.messages import Message, msg

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_lines(
    stream: BinaryIO, limits: FileLimits, *, chinese_encodings: bool = False
) -> Iterator[str]:
    """The lines of a UTF-8 text file, line ends kept (``\n``, ``\r\n`` or ``\r``, as a text
    file opened with ``newline=""`` splits them), a leading BOM dropped. A line longer than
    ``max_line_bytes``, a byte that is not UTF-8 or a NUL character refuses the whole file,
    naming the line. Read a block at a time and checked by block (in C, mostly): memory stays
    within a block and a line.

    With ``chinese_encodings`` (CSV, which Excel on a Chinese Windows saves in GBK) a file whose
    start is not UTF-8 is read as GB18030 (a superset of GBK) when charset-normalizer, asked to
    choose between the two on the start of the file, says so; otherwise it is refused naming
    the encodings tried. Neither encoding has a byte of ``\n`` or ``\r`` inside a character,
    so lines are split as bytes in both."""
    limit = limits.max_line_bytes
    encoding = "utf-8"
    before = 0  # lines in the blocks before
    carry = b""  # the start of a line that goes on in the next block
    first = True
    while True:
        block = stream.read(_TEXT_BLOCK)
        data = carry + block
        if not data:
            return
        if block:  # keep the last, perhaps unfinished, line for the next block
            cut = data.rfind(b"\n") + 1 or data.rfind(b"\r", 0, len(data) - 1) + 1
            data, carry = data[:cut], data[cut:]
            if len(carry) > limit + 1:
                raise _line_too_long(before + len(data.splitlines()) + 1, limit)
        else:
            carry = b""
        pieces = []
        if first:
            first = False
            data = data.removeprefix(b"\xef\xbb\xbf")
            pieces = data.splitlines(keepends=True)
            if chinese_encodings and not _decodes(pieces, "utf-8"):
                encoding = _encoding_of(data, pieces, before)
        pieces = pieces or data.splitlines(keepends=True)
        _check_lengths(pieces, before, limit)
        try:
            lines = [piece.decode(encoding) for piece in pieces]
        except UnicodeDecodeError:
            _refuse_undecodable(pieces, before, encoding)
        if b"\x00" in data:
            _refuse_nul(pieces, before)
        before += len(pieces)
        yield from lines


_TEXT_BLOCK = 1024 * 1024


def _line_too_long(line: int, limit: int) -> FileRefusedError:
    return invalid(msg("line {line} is longer than {limit} bytes", line=line, limit=limit))


def _check_lengths(pieces: list[bytes], before: int, limit: int) -> None:
    """No line of the block too long (in C unless one is)."""
    if pieces and max(map(len, pieces)) > limit:
        for number, piece in enumerate(pieces, start=before + 1):
            if len(piece.rstrip(b"\r\n")) > limit:
                raise _line_too_long(number, limit)


def _refuse_nul(pieces: list[bytes], before: int) -> NoReturn:
    number = before + next(i for i, piece in enumerate(pieces, 1) if b"\x00" in piece)
    raise invalid(
        msg(
            "{place}: {problem}",
            place=line_place(number),
            problem=msg("a NUL character cannot be stored"),
        )
    )


_SAMPLE_BYTES = 64 * 1024
"""How much of a file's start the encoding is told from."""
GB18030 = "gb18030"


def _decodes(pieces: list[bytes], encoding: str) -> bool:
    try:
        for piece in pieces:
            piece.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _encoding_of(data: bytes, pieces: list[bytes], before: int) -> str:
    """GB18030 when charset-normalizer, choosing between UTF-8 and GB18030 on the start of a
    file that is not UTF-8, finds it GB18030 and the whole block decodes so; else a refusal that
    names both encodings."""
    found = charset_normalizer.from_bytes(
        data[:_SAMPLE_BYTES], cp_isolation=["utf_8", GB18030]
    ).best()
    if found is None or found.encoding != GB18030 or not _decodes(pieces, GB18030):
        # name the place the file reads furthest to, in the encoding that gets furthest
        furthest = max(("utf-8", GB18030), key=lambda encoding: _first_failure(pieces, encoding))
        _refuse_undecodable(pieces, before, furthest, tried=True)
    return GB18030


def _first_failure(pieces: list[bytes], encoding: str) -> tuple[int, int]:
    """Where ``pieces`` stop decoding in ``encoding``: (line index, byte offset); past the end
    when they all decode."""
    for index, piece in enumerate(pieces):
        try:
            piece.decode(encoding)
        except UnicodeDecodeError as error:
            return index, error.start
    return len(pieces), 0


def _refuse_undecodable(
    pieces: list[bytes], before: int, encoding: str = "utf-8", *, tried: bool = False
) -> NoReturn:
    for number, piece in enumerate(pieces, start=before + 1):
        try:
            piece.decode(encoding)
        except UnicodeDecodeError as error:
            byte, line = f"{piece[error.start]:02X}", number
            if encoding == GB18030 and not tried:
                message = msg(
                    "the file starts as GBK/GB18030 text but is not so at line {line} "
                    "(byte 0x{byte}); save it again in one encoding, UTF-8 preferred",
                    byte=byte,
                    line=line,
                )
            elif tried:
                message = msg(
                    "the file is neither UTF-8 nor GBK/GB18030 text (tried both; byte 0x{byte} "
                    "at line {line}); save it as CSV UTF-8",
                    byte=byte,
                    line=line,
                )
            else:
                message = msg(
                    "the file is not UTF-8 text (byte 0x{byte} at line {line})",
                    byte=byte,
                    line=line,
                )
            raise invalid(message) from None
    raise AssertionError  # called only when a piece does not decode


def line_place(line: int, column: str | None = None) -> Message:
    """Where in a text file: a line, or a line and column."""
    if column is None:
        return msg("line {line}", line=line)
    return msg("line {line}, column {column}", line=line, column=column)


def row_place(row: int, column: str | None = None) -> Message:
    """Where in a workbook: a row, or a row and column."""
    if column is None:
        return msg("row {row}", row=row)
    return msg("row {row}, column {column}", row=row, column=column)


class Where(NamedTuple):
    """A line of a text file or a row of a workbook, made into a message only when a problem
    is found there (a message per row would cost more than the checks)."""

    kind: Literal["line", "row"]
    number: int

    def message(self, column: str | None = None) -> Message:
        place = line_place if self.kind == "line" else row_place
        return place(self.number, column or None)


def check_texts(
    texts: dict[str, str] | Iterable[str], limits: FileLimits, place: Where | Message
) -> None:
    """Refuse (naming ``place`` and the column, never the value) a text over
    ``max_field_chars``, a NUL character (PostgreSQL cannot store it) or a lone UTF-16
    surrogate (no character; no database can store it as text). ``texts``: a row's
    {column: text}, or texts such as its keys."""
    limit = limits.max_field_chars
    joined = "".join(texts.values() if isinstance(texts, dict) else texts)
    if len(joined) <= limit and _UNSTORABLE.search(joined) is None:
        return  # the usual case, in two calls to C: nothing too long, nothing unstorable
    items = list(texts.items()) if isinstance(texts, dict) else [("", t) for t in texts]
    for column, text in items:
        problem = None
        if len(text) > limit:
            problem = msg("more than {limit} characters", limit=limit)
        elif (found := _UNSTORABLE.search(text)) is not None:
            problem = (
                msg("a NUL character cannot be stored")
                if found.group() == "\x00"
                else msg("a lone UTF-16 surrogate is not a character")
            )
        if problem is not None:
            where = place.message(column) if isinstance(place, Where) else place
            raise invalid(msg("{place}: {problem}", place=where, problem=problem))


def check_json_depth(text: str, limits: FileLimits, place: Where | Message) -> None:
    """Refuse a JSON text nested deeper than ``max_json_depth`` (before parsing it: the parser
    recurses, and fails past Python's recursion limit). Brackets in strings do not count."""
    limit = limits.max_json_depth
    if text.count("[") + text.count("{") <= limit:  # the usual case: cannot be that deep
        return
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                raise invalid(
                    msg(
                        "{place}: JSON nested deeper than {limit} levels",
                        place=place.message() if isinstance(place, Where) else place,
                        limit=limit,
                    )
                )
        elif char in "]}":
            depth -= 1
