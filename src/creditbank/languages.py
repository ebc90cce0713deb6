"""The message catalogs: Chinese first, English too (gettext ``.po`` files, compiled in memory).

The catalogs live in ``creditbank/i18n/<lang>/LC_MESSAGES/messages.po`` and are compiled when
first used (no build step, nothing generated in the repository). English is the source
language: the English catalog may leave a message untranslated and the key itself is shown.
Services use them for documents that carry both languages at once (e.g. a credential's
description); pages and the CLI choose one through :mod:`creditbank.web.i18n`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("zh", "en")


@cache
def translations(language: str) -> Translations:
    """The compiled catalog of ``language`` (zh or en)."""
    path = resources.files("creditbank") / "i18n" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)
