"""The limits uploaded files are read within (each a setting), and a file refused as a whole."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

MIB: Final = 1024 * 1024
TOO_LARGE: Final = "file_too_large"
INVALID: Final = "invalid_file"


@dataclass(frozen=True, slots=True)
class FileLimits:
    """How much of a file the bank reads before refusing it (defaults: the settings')."""

    xlsx_max_bytes: int = 100 * MIB
    max_rows: int = 1_000_000
    max_shared_strings: int = 1_000_000
    max_field_chars: int = 4096
    max_line_bytes: int = 64 * 1024
    max_json_depth: int = 32


class LimitSettings(Protocol):
    """The settings that set the limits (``creditbank.settings.Settings``; not imported here,
    so that the bulk worker's modules stay free of the settings and pydantic)."""

    @property
    def file_xlsx_max_bytes(self) -> int: ...
    @property
    def file_max_rows(self) -> int: ...
    @property
    def file_max_shared_strings(self) -> int: ...
    @property
    def file_max_field_chars(self) -> int: ...
    @property
    def file_max_line_bytes(self) -> int: ...
    @property
    def file_max_json_depth(self) -> int: ...


def limits_of(settings: LimitSettings) -> FileLimits:
    """The limits the settings set (``CREDITBANK_FILE_*``)."""
    return FileLimits(
        xlsx_max_bytes=settings.file_xlsx_max_bytes,
        max_rows=settings.file_max_rows,
        max_shared_strings=settings.file_max_shared_strings,
        max_field_chars=settings.file_max_field_chars,
        max_line_bytes=settings.file_max_line_bytes,
        max_json_depth=settings.file_max_json_depth,
    )


class FileRefusedError(DomainError):
    """A file refused as a whole (``file_too_large``: 413; ``invalid_file``: 422)."""


def too_large(message: Message) -> FileRefusedError:
    return FileRefusedError(TOO_LARGE, message)


def invalid(message: Message) -> FileRefusedError:
    return FileRefusedError(INVALID, message)


def too_many_rows(limits: FileLimits) -> FileRefusedError:
    return too_large(msg("the file holds more than {limit} rows", limit=limits.max_rows))
