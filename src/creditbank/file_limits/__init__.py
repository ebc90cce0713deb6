"""Reading uploaded files within limits: a bad file is refused with a clear reason, memory bounded.

Bulk deposit files, 1+X results files and competence standard files come from other systems
and from people. Whatever they hold, reading them must neither crash nor let a small upload
take the server's memory. This module holds what their readers share:

- :class:`FileLimits`: the limits (each a setting, see :func:`limits_of`).
- :class:`FileRefusedError`: a file refused as a whole; a 413 problem (``file-too-large``)
  when it is too big, else a 422 (``invalid-file``); nothing is stored. Its message names the
  place (line, row, column) and the reason, never the value (which may be personal data).
- :func:`text_lines`: a text file's lines, each at most ``max_line_bytes``, decoded as UTF-8
  (the byte and line that are not UTF-8 are named), NUL refused.
- :func:`check_texts` (no NUL, no lone UTF-16 surrogate, no field over ``max_field_chars``)
  and :func:`check_json_depth` (nesting of a JSON text, without parsing it).
- :func:`open_workbook`: an XLSX workbook opened by openpyxl in read-only mode, after the
  zip directory's total is checked and the shared strings are counted in a streaming pass
  (openpyxl keeps them all in memory). Every byte openpyxl inflates is counted too, so a
  directory that lies about the sizes cannot get past the limit; a part it reads whole (all
  but the shared strings and the worksheets, which it streams) may unpack to
  :data:`PART_MAX_BYTES` at most; each worksheet is scanned in a streaming pass before
  openpyxl opens it (its rows counted, each row's width and cells bounded: openpyxl builds a
  whole row before giving it, and reads a sheet that states no dimensions to its end first).
  CPython's zipfile itself stops a part at the size the directory states (and fails its
  CRC); the counting holds whatever the zip reader does.

The package holds :mod:`.limits` (the limits and the refusal), :mod:`.text` (text files, fields,
JSON, places) and :mod:`.xlsx` (workbooks); it re-exports their public names.
"""

from __future__ import annotations

from creditbank.file_limits.limits import (
    INVALID,
    MIB,
    TOO_LARGE,
    FileLimits,
    FileRefusedError,
    LimitSettings,
    invalid,
    limits_of,
    too_large,
    too_many_rows,
)
from creditbank.file_limits.text import (
    Where,
    check_json_depth,
    check_texts,
    line_place,
    row_place,
    text_lines,
)
from creditbank.file_limits.xlsx import (
    PART_MAX_BYTES,
    XLSX_MAX_COLUMNS,
    guarded_rows,
    open_workbook,
)

__all__ = [
    "INVALID",
    "MIB",
    "PART_MAX_BYTES",
    "TOO_LARGE",
    "XLSX_MAX_COLUMNS",
    "FileLimits",
    "FileRefusedError",
    "LimitSettings",
    "Where",
    "check_json_depth",
    "check_texts",
    "guarded_rows",
    "invalid",
    "limits_of",
    "line_place",
    "open_workbook",
    "row_place",
    "text_lines",
    "too_large",
    "too_many_rows",
]
