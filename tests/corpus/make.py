"""The bad-file corpus: small files kept in ``tests/corpus/files/``, large ones made at test time.

Each :class:`Case` is a file a registrar could send as a bulk deposit (or 1+X results) file,
with what the bank must answer: the status of the refusal (413 or 422) and the words that name
the place and the reason. The small files are made by :func:`small_files` and committed (a
test checks that they still are what this module makes: run ``python -m tests.corpus.make`` to
write them again); the large ones (a 1 MB line or field, a workbook that unpacks to 1 GiB)
are written by :func:`make_large` into a temporary folder, as streams, so that making them
takes little memory either.
"""

from __future__ import annotations

import io
import json
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from creditbank.accounts.files import COLUMNS
from tests.bulk_files import id_number

FILES = Path(__file__).resolve().parent / "files"
MIB = 1024 * 1024
GIB = 1024 * MIB
ZIP64_MARK = 0xFFFFFFFF
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Case:
    """A bad file and the refusal it must get (``says``: words of the English message)."""

    name: str
    status: int
    says: str
    large: bool = False  # made at test time by make_large, not committed

    @property
    def format(self) -> str:
        return self.name.rsplit(".", 1)[1]


def good_values(serial: int, **changes: str) -> list[str]:
    """A good row's values (course CAD-201 at LOFOUC 4), in :data:`COLUMNS` order."""
    values = {
        "record_id": f"BAD-{serial:04d}",
        "id_number": id_number(serial),
        "name": f"学员{serial}",
        "item_code": "CAD-201",
        "level": "4",
        "credits": "3",
        "score": "80",
        "assessed_on": "2024-06-30",
        "setting": "formal",
        "evidence_sha256": "",
        **changes,
    }
    return [values.get(column, "") for column in COLUMNS]


def csv_text(rows: Iterable[list[str]]) -> str:
    return "\r\n".join(",".join(row) for row in [list(COLUMNS), *rows]) + "\r\n"


def jsonl_text(rows: Iterable[list[str]]) -> str:
    return "".join(json.dumps(dict(zip(COLUMNS, row, strict=True))) + "\n" for row in rows)


# --- workbooks, written part by part (so that a part may be a stream of any size) ----------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPES}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPES}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPES}.sharedStrings+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_DOC}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def _column(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


def sheet_xml(rows: list[list[str]]) -> str:
    """A sheet of inline strings (the header first), as the XML of its part."""
    cells = []
    for number, row in enumerate([list(COLUMNS), *rows], start=1):
        values = "".join(
            f'<c r="{_column(i)}{number}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
            for i, value in enumerate(row)
            if value
        )
        cells.append(f'<row r="{number}">{values}</row>')
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>{"".join(cells)}</sheetData></worksheet>'


def shared_sheet_xml(rows: list[list[str]]) -> tuple[str, str]:
    """A sheet whose texts are shared strings, and its shared strings part."""
    strings: list[str] = []
    cells = []
    for number, row in enumerate([list(COLUMNS), *rows], start=1):
        values = ""
        for i, value in enumerate(row):
            if value:
                strings.append(value)
                values += f'<c r="{_column(i)}{number}" t="s"><v>{len(strings) - 1}</v></c>'
        cells.append(f'<row r="{number}">{values}</row>')
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>{"".join(cells)}</sheetData></worksheet>'
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{value}</t></si>" for value in strings)  # already XML-safe
        + "</sst>"
    )
    return sheet, shared


Part = str | bytes | Callable[[], Iterator[bytes]]


class _PieceByPieceDeflate:
    """Deflates a part piece by piece, each piece on its own (a fresh compressor, ended with a
    full flush: byte-aligned, no reference to earlier data), so a piece repeated is deflated
    once and its bytes repeated: the bomb's 1,024 MiB of one letter cost one MiB's deflating
    (zipfile's own compressor deflated all of it, about 3 s of CPU). The pieces' outputs in a
    row, then a final empty block, are one valid deflate stream; zipfile still counts the
    sizes and the CRC of what is written."""

    def __init__(self) -> None:
        self._deflated: dict[bytes, bytes] = {}

    def compress(self, piece: bytes) -> bytes:
        if piece not in self._deflated:
            alone = zlib.compressobj(9, zlib.DEFLATED, -15)
            self._deflated[piece] = alone.compress(piece) + alone.flush(zlib.Z_FULL_FLUSH)
        return self._deflated[piece]

    def flush(self) -> bytes:
        return zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # the final, empty block


def write_workbook(target: Path | io.BytesIO, parts: dict[str, Part]) -> None:
    """A workbook of the package parts above and ``parts`` (a stream part is written as it is
    made, in pieces, never held whole)."""
    every: dict[str, Part] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        **parts,
    }
    if not any(name.endswith("sharedStrings.xml") for name in parts):  # named only when there
        for name, content in every.items():
            if isinstance(content, str):
                kept = re.sub(r'<Override PartName="[^"]*sharedStrings.xml"[^>]*/>', "", content)
                every[name] = re.sub(r'<Relationship Id="rId2"[^>]*/>', "", kept)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in every.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)  # the same bytes every time
            info.compress_type = zipfile.ZIP_DEFLATED
            if callable(content):
                with archive.open(info, "w", force_zip64=True) as part:
                    part._compressor = _PieceByPieceDeflate()  # type: ignore[attr-defined]
                    for piece in content():
                        part.write(piece)
            else:
                archive.writestr(info, content)


def workbook_bytes(parts: dict[str, Part]) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, parts)
    return buffer.getvalue()


def shared_parts(rows: list[list[str]]) -> dict[str, Part]:
    sheet, shared = shared_sheet_xml(rows)
    return {"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": shared}


# --- the small files (committed) ---------------------------------------------------------------


def small_files() -> dict[str, bytes]:
    """The committed corpus: file name -> bytes (made the same way every time)."""
    noise = random.Random(15).randbytes(600)  # noqa: S311 - noise, not a secret
    good = workbook_bytes(shared_parts([good_values(1), good_values(2)]))
    return {
        # GBK (as Excel saves CSV on a Chinese Windows) is read; one byte that is neither GBK nor
        # UTF-8 (0x80 alone) on line 3 refuses the file
        "gbk-bad-byte.csv": csv_text([good_values(1), good_values(2, name="张X")])
        .encode("gbk")
        .replace(b"X", b"\x80"),
        "utf16.csv": csv_text([good_values(1)]).encode("utf-16"),
        "png.csv": bytes.fromhex("89504e470d0a1a0a0000000d49484452") + noise,
        "nul.csv": csv_text([good_values(1), good_values(2, name="学员\x002")]).encode(),
        "encoded-surrogate.csv": csv_text([good_values(1)]).encode()
        + ",".join(good_values(2, name="X")).encode().replace(b"X", b"\xed\xa0\x80")
        + b"\r\n",
        "nul.jsonl": (
            jsonl_text([good_values(1)]) + jsonl_text([good_values(2, name="a\x00b")])
        ).encode(),
        "surrogate.jsonl": (
            jsonl_text([good_values(1)])
            + jsonl_text([good_values(2, name="X")]).replace("X", "\\ud800")
        ).encode(),
        "deep.jsonl": (jsonl_text([good_values(1)]) + "[" * 2000 + "]" * 2000 + "\n").encode(),
        "deep-object.jsonl": (
            jsonl_text([good_values(1)]) + '{"name": ' + '{"a": ' * 100 + "1" + "}" * 101 + "\n"
        ).encode(),
        "noise.jsonl": noise,
        "text.xlsx": csv_text([good_values(1)]).encode(),
        "truncated.xlsx": good[: len(good) // 2],
        "empty-zip.xlsx": _empty_zip(),
        "nul.xlsx": workbook_bytes(shared_parts([good_values(1), good_values(2, name="a&#0;b")])),
        "surrogate.xlsx": workbook_bytes(
            shared_parts([good_values(1), good_values(2, name="a&#xD800;b")])
        ),
        "long-cell.xlsx": workbook_bytes(
            {"xl/worksheets/sheet1.xml": sheet_xml([good_values(1, name="长" * 5000)])}
        ),
        "sheet-elsewhere.xlsx": workbook_bytes(
            {
                "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.replace(
                    "worksheets/sheet1.xml", "elsewhere.xml"
                ),
                "xl/elsewhere.xml": sheet_xml([good_values(1)]).replace(
                    '<row r="2">', '<row r="2">' + "<c/>" * 20_000
                ),
            }
        ),
        "wide-row.xlsx": workbook_bytes(
            {
                "xl/worksheets/sheet1.xml": sheet_xml([good_values(1)]).replace(
                    '<row r="2">', '<row r="2">' + "<c/>" * 20_000
                )
            }
        ),
    }


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w"):
        pass
    return buffer.getvalue()


SMALL = (
    Case(
        "gbk-bad-byte.csv",
        422,
        "neither UTF-8 nor GBK/GB18030 text (tried both; byte 0x80 at line 3)",
    ),
    Case("utf16.csv", 422, "neither UTF-8 nor GBK/GB18030 text (tried both; byte 0xFF at line 1)"),
    Case("png.csv", 422, "neither UTF-8 nor GBK/GB18030 text (tried both; byte 0xFC at line 4)"),
    Case("nul.csv", 422, "line 3: a NUL character cannot be stored"),
    Case(
        "encoded-surrogate.csv",
        422,
        "neither UTF-8 nor GBK/GB18030 text (tried both; byte 0x80 at line 3)",
    ),
    Case("nul.jsonl", 422, "line 2, column name: a NUL character cannot be stored"),
    Case("surrogate.jsonl", 422, "line 2, column name: a lone UTF-16 surrogate"),
    Case("deep.jsonl", 422, "line 2: JSON nested deeper than 32 levels"),
    Case("deep-object.jsonl", 422, "line 2: JSON nested deeper than 32 levels"),
    Case("noise.jsonl", 422, "not UTF-8 text"),
    Case("text.xlsx", 422, "not a readable XLSX workbook"),
    Case("truncated.xlsx", 422, "not a readable XLSX workbook"),
    Case("empty-zip.xlsx", 422, "not a readable XLSX workbook"),
    # XML cannot hold NUL or a surrogate, even as a character reference
    Case("nul.xlsx", 422, "not a readable XLSX workbook"),
    Case("surrogate.xlsx", 422, "not a readable XLSX workbook"),
    Case("long-cell.xlsx", 422, "row 2, column C: more than 4096 characters"),
    Case("wide-row.xlsx", 422, "row 2: more than 16384 cells"),
    Case("sheet-elsewhere.xlsx", 422, "row 2: more than 16384 cells"),
)


# --- the large files (made at test time) -------------------------------------------------------


def _long_line_csv() -> Iterator[bytes]:
    yield csv_text([good_values(1)]).encode()
    yield ",".join(good_values(2, name="x" * MIB)).encode() + b"\r\n"


def _long_field_csv() -> Iterator[bytes]:
    """A quoted field of 1 MB whose lines are short (a line break every 1000 characters)."""
    yield csv_text([good_values(1)]).encode()
    field = '"' + ("y" * 999 + "\n") * (MIB // 1000) + '"'
    yield ",".join(good_values(2, name=field)).encode() + b"\r\n"


def _long_line_jsonl() -> Iterator[bytes]:
    yield jsonl_text([good_values(1), good_values(2, name="z" * MIB)]).encode()


def _long_field_jsonl() -> Iterator[bytes]:
    yield jsonl_text([good_values(1), good_values(2, name="字" * 10_000)]).encode()


def _shared_strings_bomb(unpacked: int) -> Callable[[], Iterator[bytes]]:
    """A shared strings part that inflates to ``unpacked`` bytes: one string of that length
    (a run of one letter, which deflate packs about 1000 to 1)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}"><si><t>'.encode()
    block = b"x" * MIB

    def pieces() -> Iterator[bytes]:
        yield head
        for _ in range(unpacked // MIB):
            yield block
        yield b"</t></si></sst>"

    return pieces


def bomb(path: Path, unpacked: int = GIB) -> Path:
    """A workbook of about 1 MB whose shared strings inflate to ``unpacked`` bytes (1 GiB)."""
    sheet, _ = shared_sheet_xml([good_values(1)])
    write_workbook(
        path,
        {"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": _shared_strings_bomb(unpacked)},
    )
    return path


def many_shared_strings(path: Path, count: int) -> Path:
    """A workbook with ``count`` tiny shared strings (the limit's default is 1,000,000)."""
    sheet, _ = shared_sheet_xml([good_values(1)])
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">'.encode()

    def pieces() -> Iterator[bytes]:
        yield head
        for _ in range(count // 10_000):
            yield b"<si><t>s</t></si>" * 10_000
        yield b"</sst>"

    write_workbook(path, {"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": pieces})
    return path


def lying_directory(path: Path, unpacked: int = 256 * MIB) -> Path:
    """A workbook whose sheet inflates to ``unpacked`` bytes while its zip directory (and local
    header) say 4 KiB: a reader that trusts the directory's sizes would be fooled."""
    sheet, _ = shared_sheet_xml([good_values(1)])
    head, tail = sheet.split("</sheetData>")
    padding = b"<row/>" * (MIB // 6)

    def pieces() -> Iterator[bytes]:
        yield head.encode()
        for _ in range(unpacked // len(padding)):
            yield padding
        yield ("</sheetData>" + tail).encode()

    write_workbook(path, {"xl/worksheets/sheet1.xml": pieces})
    _understate(path, "xl/worksheets/sheet1.xml", 4096)
    return path


def _understate(path: Path, member: str, size: int) -> None:
    """Make the zip state ``size`` as ``member``'s uncompressed size, in its central directory
    entry and its local header (and in their zip64 extra fields)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    # signature, fixed length, offsets of: uncompressed size, name length, extra length
    layouts = ((b"PK\x01\x02", 46, 24, 28, 30), (b"PK\x03\x04", 30, 22, 26, 28))
    for signature, fixed, size_at, name_length_at, extra_length_at in layouts:
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_length = struct.unpack_from("<H", data, start + name_length_at)[0]
            extra_length = struct.unpack_from("<H", data, start + extra_length_at)[0]
            if data[start + fixed : start + fixed + name_length] == name:
                stated = struct.unpack_from("<I", data, start + size_at)[0]
                if stated != ZIP64_MARK:
                    struct.pack_into("<I", data, start + size_at, size)
                _understate_zip64(data, start + fixed + name_length, extra_length, size)
            start += 4
    path.write_bytes(bytes(data))


def _understate_zip64(data: bytearray, at: int, length: int, size: int) -> None:
    """In a zip64 extra field, the uncompressed size comes first."""
    end = at + length
    while at + 4 <= end:
        tag, field_length = struct.unpack_from("<HH", data, at)
        if tag == 1 and field_length >= 8:
            struct.pack_into("<Q", data, at + 4, size)
        at += 4 + field_length


def big_workbook_part(path: Path, unpacked: int = 20 * MIB) -> Path:
    """A workbook whose workbook part (which openpyxl reads whole) sits among the worksheets
    and unpacks to ``unpacked`` bytes (a comment): the zip directory's check lets a worksheet
    be large, so only counting what is read while reading can refuse it."""
    head, tail = WORKBOOK.split("<sheets>")
    padding = b"-" * MIB

    def pieces() -> Iterator[bytes]:
        yield (head + "<!-- ").encode()
        for _ in range(unpacked // MIB):
            yield padding.replace(b"--", b"- ")
        yield (" --><sheets>" + tail).encode()

    write_workbook(
        path,
        {
            "[Content_Types].xml": CONTENT_TYPES.replace(
                "/xl/workbook.xml", "/xl/worksheets/book.xml"
            ),
            "_rels/.rels": PACKAGE_RELS.replace("xl/workbook.xml", "xl/worksheets/book.xml"),
            "xl/worksheets/book.xml": pieces,
            "xl/worksheets/_rels/book.xml.rels": WORKBOOK_RELS.replace(
                "worksheets/sheet1.xml", "sheet1.xml"
            ),
            "xl/worksheets/sheet1.xml": sheet_xml([good_values(1)]),
        },
    )
    return path


def _stream(path: Path, pieces: Callable[[], Iterator[bytes]]) -> Path:
    with path.open("wb") as out:
        for piece in pieces():
            out.write(piece)
    return path


LARGE: dict[str, tuple[Case, Callable[[Path], Path]]] = {
    case.name: (case, make)
    for case, make in (
        (
            Case("long-line.csv", 422, "line 3 is longer than 65536 bytes", large=True),
            lambda path: _stream(path, _long_line_csv),
        ),
        (
            Case(
                "long-field.csv",
                422,
                "line 3: not valid CSV (a field too long or a quote not closed)",
                large=True,
            ),
            lambda path: _stream(path, _long_field_csv),
        ),
        (
            Case("long-line.jsonl", 422, "line 2 is longer than 65536 bytes", large=True),
            lambda path: _stream(path, _long_line_jsonl),
        ),
        (
            Case(
                "long-field.jsonl",
                422,
                "line 2, column name: more than 4096 characters",
                large=True,
            ),
            lambda path: _stream(path, _long_field_jsonl),
        ),
        (
            Case(
                "many-shared-strings.xlsx",
                413,
                "the workbook holds more than 1000000 shared strings",
                large=True,
            ),
            lambda path: many_shared_strings(path, 1_010_000),
        ),
        (
            Case("lying-directory.xlsx", 422, "not a readable XLSX workbook", large=True),
            lying_directory,
        ),
        (
            Case(
                "big-workbook-part.xlsx",
                413,
                "the workbook part xl/worksheets/book.xml unpacks to more than 8388608 bytes",
                large=True,
            ),
            big_workbook_part,
        ),
        (
            Case("bomb.xlsx", 413, "the workbook unpacks to more than 104857600 bytes", large=True),
            bomb,
        ),
    )
}


def make_large(folder: Path) -> dict[str, Path]:
    """Write every large file of the corpus into ``folder``: name -> path."""
    return {name: make(folder / name) for name, (_, make) in LARGE.items()}


CASES = (*SMALL, *(case for case, _ in LARGE.values()))


def write_small(folder: Path = FILES) -> None:
    """Write the small files (``python -m tests.corpus.make``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in small_files().items():
        (folder / name).write_bytes(content)


if __name__ == "__main__":
    write_small()
