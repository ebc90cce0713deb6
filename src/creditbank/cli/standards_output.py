"""How ``creditbank standards`` prints for people: standards and their units, schemes and
certifications, in the run's language (``--json`` prints the API's JSON instead). Identity
numbers are never printed."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Column
from rich.text import Text

from creditbank.accreditation.model import Domain, plain
from creditbank.accreditation.schemas import (
    CertificationRead,
    SchemeRead,
    StandardRead,
    StandardSummaryRead,
)
from creditbank.cli.common import _, in_language, print_line, print_table, say, state
from creditbank.messages import msg

DOMAIN_WORDS = {
    Domain.KNOWLEDGE: msg("Knowledge"),
    Domain.SKILLS: msg("Skills"),
    Domain.COMPETENCY: msg("Competency"),
}


def describe_scheme(scheme: SchemeRead) -> str:
    """e.g. ``theory 40 (≥50) / practice 60; pass mark 60``."""
    parts = " / ".join(
        f"{c.kind.value} {c.weight}" + ("" if c.pass_mark is None else f" (≥{plain(c.pass_mark)})")
        for c in scheme.components
    )
    return say(
        msg("{components}; pass mark {mark}", components=parts, mark=plain(scheme.pass_mark))
    )


def _print_summary(standard: StandardSummaryRead | StandardRead) -> None:
    print_line(
        f"{standard.code} v{standard.version} {in_language(standard.name, standard.name_en)} · "
        f"{standard.institution}"
    )
    print_line(f"{_('Industry')}: {standard.industry} · {_('Occupation')}: {standard.occupation}")


def print_standard(standard: StandardRead) -> None:
    """A standard's version: what it is, a table of its units, then each unit's statements,
    criteria and evidence."""
    _print_summary(standard)
    print_line(
        say(
            msg(
                "Framework {framework} version {version}; valid from {date}",
                framework=standard.framework,
                version=standard.framework_version,
                date=standard.valid_from.isoformat(),
            )
        )
    )
    print_line(f"SHA-256: {standard.source_sha256}")
    columns = (
        Column(_("Code"), no_wrap=True),
        _("Name"),
        Column(_("Level"), no_wrap=True),
        Column(_("Credits"), justify="right"),
        _("Assessment scheme"),
    )
    print_table(
        columns,
        [
            (
                Text(unit.code),
                Text(in_language(unit.name, unit.name_en)),
                Text(f"{unit.level.framework}:{unit.level.level}"),
                str(unit.credits),
                Text(f"v{unit.scheme.version} {describe_scheme(unit.scheme)}"),
            )
            for unit in standard.units
        ],
    )
    for unit in standard.units:
        print_line(f"{unit.code} ({unit.item})")
        for statement in unit.statements:
            text = statement.text_en if state.language == "en" and statement.text_en else None
            print_line(f"{say(DOMAIN_WORDS[statement.domain])}: {text or statement.text}", indent=2)
        for criterion in unit.criteria:
            print_line(f"{_('Criterion')}: {criterion}", indent=2)
        for evidence in unit.evidence:
            needed = _("required") if evidence.required else _("optional")
            print_line(f"{_('Evidence')} ({needed}): {evidence.description}", indent=2)


def print_imported(standard: StandardRead) -> None:
    print_line(
        say(
            msg(
                "Standard {code} version {version} imported for {institution}: {units} units",
                code=standard.code,
                version=standard.version,
                institution=standard.institution,
                units=len(standard.units),
            )
        )
    )
    print_standard(standard)


def print_standards(found: Sequence[StandardSummaryRead]) -> None:
    """The newest version of each standard, as a table."""
    if not found:
        print_line(say(msg("No competence standard has been imported")))
        return
    columns = (
        Column(_("Code"), no_wrap=True),
        Column(_("Version"), justify="right"),
        Column(_("Institution"), no_wrap=True),
        _("Name"),
        Column(_("Framework"), no_wrap=True),
        Column(_("Units"), justify="right"),
        Column(_("Credits"), justify="right"),
        Column(_("Valid from"), no_wrap=True),
    )
    print_table(
        columns,
        [
            (
                Text(standard.code),
                str(standard.version),
                Text(standard.institution),
                Text(in_language(standard.name, standard.name_en)),
                Text(standard.framework),
                str(standard.units),
                str(standard.credits),
                standard.valid_from.isoformat(),
            )
            for standard in found
        ],
        title=_("Competence standards"),
    )


def print_scheme(found: SchemeRead) -> None:
    print_line(
        say(
            msg(
                "Scheme of {item} at {level}: version {version}, {scheme}",
                item=found.item,
                level=found.level,
                version=found.version,
                scheme=describe_scheme(found),
            )
        )
    )


def print_certified(found: CertificationRead) -> None:
    print_line(
        say(
            msg(
                "Certified {email} as {kind} of {item} at {level}, {start} to {end} "
                "(certification {id})",
                email=found.email,
                kind=found.kind,
                item=found.item,
                level=found.level or _("every level"),
                start=found.valid_from.isoformat(),
                end=found.valid_until.isoformat(),
                id=found.id,
            )
        )
    )


def print_certifications(email: str, found: Sequence[CertificationRead]) -> None:
    """A staff user's certifications, a line each."""
    if not found:
        print_line(say(msg("{email} holds no certification", email=email)))
    for certification in found:
        level = certification.level or _("every level")
        print_line(
            f"{certification.id}  {certification.email}  {certification.kind}  "
            f"{certification.item}  {level}  {certification.valid_from.isoformat()}/"
            f"{certification.valid_until.isoformat()}  {certification.training}"
        )
