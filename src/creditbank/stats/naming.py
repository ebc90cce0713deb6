"""What the rows of a figure are called, and where an institution belongs (its region and
type, as the institutions area holds them now), for :mod:`creditbank.stats.reading`.

Names come from their owners: institutions (``institutions.api``), framework levels
(``frameworks.api``), certificates (``catalog.api``); fixed words (settings, kinds, sex, age
bands) from ``stats.model`` through the message catalogs.
"""

from __future__ import annotations

from collections.abc import Collection

from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.languages import translations
from creditbank.messages import Message
from creditbank.regions import region_of
from creditbank.stats.model import ALL, NOT_STATED, VALUE_LABELS

Labels = dict[str, tuple[str, str]]
"""(Chinese, English) by row value."""


def both(message: Message) -> tuple[str, str]:
    """``message`` in Chinese and in English."""
    return message.render(translations("zh").gettext), message.render()


def places(uow: UnitOfWork, by: str, codes: Collection[str]) -> dict[str, str]:
    """The row each institution (code) counts in when a figure is read ``by`` region or
    institution type (a region as its ISO 3166-2 code where it is one of China's); codes the
    bank does not know are left out."""
    found = institutions.institutions_coded(uow=uow, codes=codes)
    if by == "institution_type":
        return {code: institution.type.value for code, institution in found.items()}
    placed: dict[str, str] = {}
    for code, institution in found.items():
        region = region_of(institution.region)
        placed[code] = region[0] if region else institution.region
    return placed


def labels(uow: UnitOfWork, by: str, values: Collection[str]) -> Labels:
    """The labels of rows ``values`` of a figure read ``by`` a dimension; a value with no name
    is its own label."""
    named: Labels = {"": both(NOT_STATED)} if "" in values else {}
    wanted = [value for value in values if value]
    if by == "institution":
        found = institutions.institutions_coded(uow=uow, codes=wanted)
        for code, institution in found.items():
            named[code] = (institution.name, institution.name_en or institution.name)
    elif by == "region":
        for value in wanted:
            region = region_of(value)
            if region is not None:
                named[value] = (region[1], region[2].render())
    elif by == "level":
        named.update(_levels(uow, wanted))
    elif by == "certificate":
        named.update(_certificates(uow, wanted))
    elif by == "month":
        named.update({value: (value, value) for value in wanted})
    else:
        for value in wanted:
            message = VALUE_LABELS.get((by, value))
            if message is not None:
                named[value] = both(message)
    return {value: named.get(value, (value, value)) for value in values}


def _levels(uow: UnitOfWork, values: Collection[str]) -> Labels:
    """Levels "<framework>@<version>:<level>" named "<framework> <level's name>"."""
    refs: dict[str, tuple[str, int, str]] = {}
    for value in values:
        framework, _, rest = value.partition("@")
        version, _, level = rest.partition(":")
        if framework and level and version.isdigit():
            refs[value] = (framework, int(version), level)
    names = frameworks.level_names(uow=uow, levels=refs.values())
    named: Labels = {}
    for value, ref in refs.items():
        text = names.get(ref)
        if text is not None:
            named[value] = (
                f"{ref[0]} {text.zh or text.en}",
                f"{ref[0]} {text.en or text.zh}",
            )
    return named


def _certificates(uow: UnitOfWork, values: Collection[str]) -> Labels:
    """Certificates "<owner>:<code>" named by the catalogue."""
    refs: dict[str, tuple[str, str]] = {}
    for value in values:
        owner, _, code = value.partition(":")
        if owner and code:
            refs[value] = (owner, code)
    names = catalog.item_names_coded(uow=uow, items=refs.values())
    named: Labels = {}
    for value, ref in refs.items():
        name = names.get(ref)
        if name is not None:
            named[value] = (name[0], name[1] or name[0])
    return named


def total_labels() -> tuple[str, str]:
    """The total row's labels."""
    return both(VALUE_LABELS[ALL, ""])
