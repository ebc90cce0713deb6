"""XLSX workbooks read within limits: every inflated byte counted, strings and sheets scanned.

The zip directory's total is checked and the shared strings are counted in a streaming pass
(openpyxl keeps them all in memory). Every byte openpyxl inflates is counted too, so a directory
that lies about the sizes cannot get past the limit; a part it reads whole (all but the shared
strings and the worksheets, which it streams) may unpack to :data:`PART_MAX_BYTES` at most; each
worksheet is scanned in a streaming pass before openpyxl opens it (its rows counted, each row's
width and cells bounded).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, BinaryIO, Final, Literal, cast
from xml.etree import ElementTree as ET
from xml.parsers import expat

from openpyxl.reader.excel import ExcelReader

from creditbank.errors import DomainError
from creditbank.file_limits.limits import (
    MIB,
    FileLimits,
    FileRefusedError,
    invalid,
    too_large,
    too_many_rows,
)
from creditbank.file_limits.text import row_place
from creditbank.messages import msg

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook


# The XML parts of a workbook other than its sheets (content types, relationships, styles,
# theme...) are small; openpyxl reads each whole, so each is held to this size.
PART_MAX_BYTES: Final = 8 * MIB
XLSX_MAX_COLUMNS: Final = 16_384  # Excel's own limit of cells in a row
_READ_BLOCK: Final = 64 * 1024
_SHARED_STRINGS_TYPE: Final = "sharedStrings+xml"
_WORKSHEET_TYPE: Final = "worksheet+xml"
_CONTENT_TYPES: Final = "[Content_Types].xml"


class _Overflow(Exception):  # noqa: N818 - not a ValueError: openpyxl rewraps those
    """More was inflated than the workbook's budget allows (``part``: one part read whole
    beyond :data:`PART_MAX_BYTES`; None: all the parts together beyond the limit)."""

    def __init__(self, part: str | None = None) -> None:
        super().__init__(part)
        self.part = part


class _Budget:
    """The bytes the workbook may still inflate, across all its parts."""

    def __init__(self, total: int) -> None:
        self.left = total

    def spend(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise _Overflow


class _CountedPart(io.BufferedIOBase):
    """A part of the workbook being inflated, every byte counted against the budget, and
    against :data:`PART_MAX_BYTES` unless it is a part openpyxl streams."""

    def __init__(self, part: IO[bytes], budget: _Budget, name: str, *, capped: bool) -> None:
        super().__init__()
        self._part = part
        self._budget = budget
        self._name = name
        self._left = PART_MAX_BYTES if capped else None

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:  # the rest, read a block at a time, each block counted
            return b"".join(iter(lambda: self.read(_READ_BLOCK), b""))
        data = self._part.read(size)
        self._budget.spend(len(data))
        if self._left is not None:
            self._left -= len(data)
            if self._left < 0:
                raise _Overflow(self._name)
        return data

    def read1(self, size: int = -1) -> bytes:
        return self.read(size)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._part.close()
        super().close()


class _CountedZip(zipfile.ZipFile):
    """A zip archive whose parts count what they inflate (openpyxl reads through ``open``):
    the parts in ``streamed`` (shared strings, worksheets: read as streams) against the budget
    only; any other part, which openpyxl reads whole, also at most :data:`PART_MAX_BYTES`."""

    budget: _Budget
    streamed: set[str]

    def open(  # type: ignore[override] # reading only: the parts openpyxl and the scans read
        self, name: str | zipfile.ZipInfo, mode: Literal["r"] = "r", pwd: bytes | None = None
    ) -> IO[bytes]:
        part = super().open(name, mode, pwd)
        key = name.filename if isinstance(name, zipfile.ZipInfo) else name
        counted = _CountedPart(part, self.budget, key, capped=key not in self.streamed)
        return cast("IO[bytes]", counted)


def _not_a_workbook() -> FileRefusedError:
    return invalid(msg("the file is not a readable XLSX workbook"))


def _unpacks_too_large(limits: FileLimits) -> FileRefusedError:
    return too_large(
        msg("the workbook unpacks to more than {limit} bytes", limit=limits.xlsx_max_bytes)
    )


def _check_directory(archive: zipfile.ZipFile, limits: FileLimits) -> None:
    """The sizes the zip directory states: the total, and each part openpyxl reads whole."""
    infos = archive.infolist()
    if sum(info.file_size for info in infos) > limits.xlsx_max_bytes:
        raise _unpacks_too_large(limits)
    for info in infos:
        streamed = info.filename.startswith("xl/worksheets/") or info.filename.endswith(
            "sharedStrings.xml"
        )
        if info.file_size > PART_MAX_BYTES and not streamed:
            raise _part_too_large(info.filename)


def _declared_parts(archive: _CountedZip, content_type: str) -> set[str]:
    """The parts the content types declare of a type ending in ``content_type``."""
    names = set(archive.namelist())
    if _CONTENT_TYPES not in names:
        return set()
    with archive.open(_CONTENT_TYPES) as part:
        types = ET.fromstring(part.read())  # noqa: S314 - size checked before
    return {
        item.get("PartName", "").lstrip("/")
        for item in types
        if item.get("ContentType", "").endswith(content_type)
    } & names


def _shared_strings_parts(archive: _CountedZip) -> list[str]:
    """The parts holding shared strings: those the content types name, and the usual one."""
    usual = {"xl/sharedStrings.xml"} & set(archive.namelist())
    return sorted(usual | _declared_parts(archive, _SHARED_STRINGS_TYPE))


def _count_shared_strings(part: IO[bytes], limits: FileLimits) -> None:
    """Stream one shared strings part through expat (no tree is built): at most
    ``max_shared_strings`` strings, each at most ``max_field_chars`` characters."""
    count = 0
    length = 0

    def start(name: str, _attributes: object) -> None:
        nonlocal count, length
        if name.rpartition(":")[2] == "si":
            count += 1
            length = 0
            if count > limits.max_shared_strings:
                raise too_large(
                    msg(
                        "the workbook holds more than {limit} shared strings",
                        limit=limits.max_shared_strings,
                    )
                )

    def text(data: str) -> None:
        nonlocal length
        length += len(data)
        if length > limits.max_field_chars:
            raise invalid(
                msg(
                    "shared string {index}: more than {limit} characters",
                    index=count,
                    limit=limits.max_field_chars,
                )
            )

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    while block := part.read(_READ_BLOCK):
        parser.Parse(block, False)  # noqa: FBT003 - expat's signature
    parser.Parse(b"", True)  # noqa: FBT003


def _scan_sheet(part: IO[bytes], limits: FileLimits) -> None:
    """Stream one worksheet part through expat (no tree is built): at most ``max_rows`` rows
    besides the header, :data:`XLSX_MAX_COLUMNS` cells in a row and ``max_field_chars``
    characters in a cell. openpyxl builds a whole row before it gives it, so a row must be
    bounded before it reads."""
    row = cells = length = rows = 0
    column = ""
    in_text = False

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal row, cells, length, column, in_text, rows
        tag = name.rpartition(":")[2]
        if tag == "row":
            row = _number(attributes.get("r"), row + 1)
            cells = 0
            rows += 1
            if rows > limits.max_rows + 1:
                raise too_many_rows(limits)
        elif tag == "c":
            cells += 1
            length = 0
            column = attributes.get("r", "")[:12].rstrip("0123456789")
            if cells > XLSX_MAX_COLUMNS:
                raise invalid(
                    msg(
                        "{place}: more than {limit} cells",
                        place=row_place(row),
                        limit=XLSX_MAX_COLUMNS,
                    )
                )
        elif tag in {"v", "t", "f"}:
            in_text = True

    def end(name: str) -> None:
        nonlocal in_text
        if name.rpartition(":")[2] in {"v", "t", "f"}:
            in_text = False

    def text(data: str) -> None:
        nonlocal length
        if not in_text:
            return
        length += len(data)
        if length > limits.max_field_chars:
            place = row_place(row, column) if column else row_place(row)
            raise invalid(
                msg(
                    "{place}: {problem}",
                    place=place,
                    problem=msg("more than {limit} characters", limit=limits.max_field_chars),
                )
            )

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    while block := part.read(_READ_BLOCK):
        parser.Parse(block, False)  # noqa: FBT003 - expat's signature
    parser.Parse(b"", True)  # noqa: FBT003


def _number(text: str | None, default: int) -> int:
    return int(text) if text is not None and text.isdigit() and len(text) < 10 else default  # noqa: PLR2004


def open_workbook(stream: BinaryIO, limits: FileLimits) -> Workbook:
    """The workbook in ``stream`` (seekable), opened read-only with cached values, within
    ``limits``: refused before openpyxl reads it when the zip directory states more than
    ``xlsx_max_bytes`` (or an oversized part openpyxl reads whole) or the shared strings are
    too many or too long; while it reads, as soon as what it inflates exceeds the limit or a
    part read whole exceeds :data:`PART_MAX_BYTES`; and before any row is read, when a
    worksheet has a row too wide or a cell too long. Iterate the rows through
    :func:`guarded_rows`."""
    try:
        archive = _CountedZip(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _not_a_workbook() from error
    archive.budget = _Budget(limits.xlsx_max_bytes)
    archive.streamed = set()
    try:
        _check_directory(archive, limits)
        archive.streamed.update(_shared_strings_parts(archive))
        for name in sorted(archive.streamed):
            with archive.open(name) as part:
                _count_shared_strings(part, limits)
        archive.budget = _Budget(limits.xlsx_max_bytes)  # each pass may read it all once
        # The declared worksheets are scanned before openpyxl opens them: it streams a sheet,
        # but looks for its dimensions first, and a sheet that states none (as streaming
        # writers make them) it reads to the end, keeping an element per row. Once its rows
        # are counted and bounded, that costs little, however large the sheet is.
        for name in sorted(_declared_parts(archive, _WORKSHEET_TYPE)):
            archive.streamed.add(name)
            with archive.open(name) as part:
                _scan_sheet(part, limits)
        archive.budget = _Budget(limits.xlsx_max_bytes)
        reader = ExcelReader(stream, read_only=True, data_only=True)
        reader.archive = archive
        reader.read()  # every part but the worksheets' rows (and only those parts) read whole
        archive.budget = _Budget(limits.xlsx_max_bytes)
        for sheet in reader.wb.worksheets:
            path = getattr(sheet, "_worksheet_path", None)  # where openpyxl will stream it from
            if isinstance(path, str) and path not in archive.streamed:
                archive.streamed.add(path)
                with archive.open(path) as part:
                    _scan_sheet(part, limits)
        archive.budget = _Budget(limits.xlsx_max_bytes)
    except DomainError:
        archive.close()
        raise
    except _Overflow as error:
        archive.close()
        raise _overflow_refusal(error, limits) from error
    except Exception as error:  # any failure of a broken workbook is a refusal
        archive.close()
        raise _not_a_workbook() from error
    workbook: Workbook = reader.wb
    return workbook


def _overflow_refusal(error: _Overflow, limits: FileLimits) -> FileRefusedError:
    if error.part is None:
        return _unpacks_too_large(limits)
    return _part_too_large(error.part)


def _part_too_large(part: str) -> FileRefusedError:
    return too_large(
        msg(
            "the workbook part {part} unpacks to more than {limit} bytes",
            part=part[:80],
            limit=PART_MAX_BYTES,
        )
    )


def guarded_rows(
    rows: Iterator[tuple[object, ...]], limits: FileLimits, first_row: int = 1
) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(row number, values) of a read-only sheet's rows: a row wider than Excel allows, more
    than ``max_rows`` rows or a part that cannot be read is a refusal naming the row."""
    number = first_row - 1
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except _Overflow as error:
            raise _overflow_refusal(error, limits) from error
        except DomainError:
            raise
        except Exception as error:  # a broken sheet is a refusal, not a 500
            raise invalid(
                msg("the workbook cannot be read after row {row}", row=max(number, 0))
            ) from error
        number += 1
        if number > limits.max_rows + 1:  # the header row does not count
            raise too_many_rows(limits)
        if len(values) > XLSX_MAX_COLUMNS:
            raise invalid(
                msg(
                    "{place}: more than {limit} cells",
                    place=row_place(number),
                    limit=XLSX_MAX_COLUMNS,
                )
            )
        yield number, values
