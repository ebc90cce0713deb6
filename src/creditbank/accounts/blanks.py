"""The bulk deposit template of an institution: a blank XLSX or CSV file with the columns of
:mod:`creditbank.accounts.fields` (Chinese and English headers), drop-down lists of the
institution's catalogue items, their levels and the learning settings, the identity number
column formatted as text (see :mod:`creditbank.file_limits.blank_files`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from creditbank.accounts.fields import FIELDS
from creditbank.accounts.files import FileFormat
from creditbank.accounts.model import LearningSetting
from creditbank.catalog import api as catalog
from creditbank.file_limits.blank_files import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    BlankColumn,
    blank_csv,
    blank_workbook,
)

TEMPLATE_FORMATS = (FileFormat.XLSX, FileFormat.CSV)
_WIDTHS = {"id_number": 22, "name": 12, "evidence_sha256": 30}


@dataclass(frozen=True, slots=True)
class Template:
    """A file to download: its name, media type and bytes."""

    filename: str
    media_type: str
    content: bytes


def template_columns(items: Sequence[catalog.CatalogItem]) -> list[BlankColumn]:
    """The deposit file's columns, with the choices the institution's catalogue offers."""
    levels = sorted({pinned.level.code for item in items for pinned in item.levels})
    choices = {
        "item_code": tuple(item.code for item in items),
        "level": tuple(levels),
        "setting": tuple(setting.value for setting in LearningSetting),
    }
    return [
        BlankColumn(
            field.name,
            field.chinese,
            text=field.name in {"record_id", "id_number", "item_code", "level"},
            date=field.name == "assessed_on",
            choices=choices.get(field.name, ()),
            width=_WIDTHS.get(field.name, 14),
        )
        for field in FIELDS
    ]


def deposit_template(
    institution: str, items: Sequence[catalog.CatalogItem], file_format: FileFormat
) -> Template:
    """``institution``'s bulk deposit template in ``file_format`` (XLSX or CSV)."""
    columns = template_columns(items)
    name = f"deposits-{institution.lower()}"
    if file_format is FileFormat.CSV:
        return Template(f"{name}.csv", CSV_MEDIA_TYPE, blank_csv(columns))
    return Template(
        f"{name}.xlsx", XLSX_MEDIA_TYPE, blank_workbook(columns, sheet_title="deposits")
    )
