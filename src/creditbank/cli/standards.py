"""Competence standards from the command line: ``creditbank standards ...``.

Import a standard from a file, list and show standards, set the assessment scheme of a level
of an item, and certify staff as teachers or assessors of an item. Each command parses,
calls the use case's handler and prints. Commands that change something act as a staff user
(``--as EMAIL``) held to the same policy as the HTTP API; reading commands are the bank
operator's (:data:`~creditbank.access.policy.OPERATOR`). ``--json`` prints what the API
answers; :mod:`creditbank.cli.standards_output` prints for people. Identity numbers are never
printed.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, cast

import typer

from creditbank import clock
from creditbank.access.policy import OPERATOR
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accreditation import certifications, schemes, standards
from creditbank.accreditation.commands import (
    CertifyStaff,
    ImportStandard,
    ListCertifications,
    ListStandards,
    SetScheme,
    ShowStandard,
)
from creditbank.accreditation.files import StandardFile, read_standard_file
from creditbank.accreditation.model import (
    DEFAULT_PASS_MARK,
    ComponentKind,
    Scheme,
    SchemeComponent,
)
from creditbank.accreditation.schemas import (
    CertificationRead,
    SchemeRead,
    StandardRead,
    StandardSummaryRead,
)
from creditbank.cli.common import (
    AsOption,
    JsonOption,
    act,
    fail,
    parse_date,
    print_result,
    refusals_fail,
    say,
    unit_of_work,
)
from creditbank.cli.standards_output import (
    print_certifications,
    print_certified,
    print_imported,
    print_scheme,
    print_standard,
    print_standards,
)
from creditbank.messages import Message, msg
from creditbank.settings import get_settings

standards_app = typer.Typer(
    help="Competence standards, assessment schemes, certified teachers and assessors.",
    no_args_is_help=True,
)


# --- helpers ------------------------------------------------------------------------------


def _day(text: str, option: str) -> date:
    return cast("date", parse_date(text, option))


def _parsed(file: Path) -> StandardFile:
    """The standard in ``file``, or every problem with it and exit 1."""
    with refusals_fail():
        return read_standard_file(file)


def _fail_all(problems: list[Message]) -> None:
    if problems:
        fail("; ".join(say(problem) for problem in problems))


def _pairs(values: list[str], option: str) -> tuple[list[tuple[str, str]], list[Message]]:
    """``KIND=VALUE`` options split, with a problem for each that is not of that shape."""
    pairs: list[tuple[str, str]] = []
    problems: list[Message] = []
    for value in values:
        kind, separator, number = value.partition("=")
        if not separator or not kind.strip() or not number.strip():
            problems.append(
                msg(
                    "{option} {value}: write KIND=NUMBER, e.g. theory=20",
                    option=option,
                    value=value,
                )
            )
            continue
        pairs.append((kind.strip().lower(), number.strip()))
    return pairs, problems


def _kind(name: str, option: str, problems: list[Message]) -> ComponentKind | None:
    try:
        return ComponentKind(name)
    except ValueError:
        problems.append(
            msg(
                "{option}: {kind} is not a component; the components are {kinds}",
                option=option,
                kind=name,
                kinds=", ".join(k.value for k in ComponentKind),
            )
        )
        return None


def _scheme_from_options(
    components: list[str], minimums: list[str], pass_mark: str | None
) -> Scheme | list[Message]:
    """The scheme the options describe, or every problem with them."""
    pairs, problems = _pairs(components, "--component")
    weights: list[tuple[ComponentKind, int]] = []
    for name, number in pairs:
        kind = _kind(name, "--component", problems)
        try:
            weight = int(number)
        except ValueError:
            problems.append(
                msg(
                    "--component {kind}: the weight is a whole percent, not {weight}",
                    kind=name,
                    weight=number,
                )
            )
            continue
        if kind is not None:
            weights.append((kind, weight))
    least: dict[ComponentKind, Decimal] = {}
    minimum_pairs, minimum_problems = _pairs(minimums, "--component-min")
    problems.extend(minimum_problems)
    listed = {kind for kind, _weight in weights}
    for name, number in minimum_pairs:
        kind = _kind(name, "--component-min", problems)
        mark = _decimal(number, f"--component-min {name}", problems)
        if kind is not None and kind not in listed:
            problems.append(
                msg(
                    "--component-min {kind}: the scheme has no component {kind}",
                    kind=kind.value,
                )
            )
        elif kind is not None and mark is not None:
            least[kind] = mark
    overall = (
        DEFAULT_PASS_MARK if pass_mark is None else _decimal(pass_mark, "--pass-mark", problems)
    )
    if problems or overall is None:
        return problems
    return Scheme(
        tuple(SchemeComponent(kind, weight, least.get(kind)) for kind, weight in weights),
        overall,
    )


def _decimal(text: str, option: str, problems: list[Message]) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        problems.append(msg("{option} must be a number, not {value}", option=option, value=text))
        return None
    return value


# --- commands -------------------------------------------------------------------------------


@standards_app.command("import")
def import_standard(
    file: Annotated[Path, typer.Argument(help="A competence standard (.toml or .json).")],
    acting: AsOption,
    institution: Annotated[
        str | None,
        typer.Option(
            "--institution",
            help="The owning institution (default: the acting user's; bank administrators "
            "name it).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a version of a competence standard (TOML or JSON, by the file's extension; format
    and samples in
    [`src/creditbank/accreditation/data/standards/`](src/creditbank/accreditation/data/standards/README.md)):
    all its units or none, each unit a catalogue item of kind `accreditation_unit` of the owning
    institution at a level of the standard's framework, with its assessment scheme. `--as` must
    be an accreditation officer of the owning institution (the user's own) or a bank
    administrator, who names it with `--institution`. Version 1 starts a standard; each later
    version is the next number, from the same institution; a kept unit keeps its level and
    credits (a changed unit needs a new code). Every problem of the file is named with its place,
    e.g. `units[1].scheme.components[0].weight`, and nothing is stored. The file's SHA-256 is
    kept with the version."""
    parsed = _parsed(file)
    command = ImportStandard(
        draft=parsed.draft, source_sha256=parsed.sha256, on=clock.today(), institution=institution
    )
    standard = StandardRead.of(
        act(
            acting,
            lambda uow, who: standards.import_standard_version(command, principal=who, uow=uow),
        )
    )
    print_result(standard, print_imported, as_json=as_json)


@standards_app.command("list")
def list_standards(as_json: JsonOption = False) -> None:
    """The newest version of every competence standard: owner, framework, units, credits, in
    force from."""
    with unit_of_work() as uow:
        found = [
            StandardSummaryRead.of(s)
            for s in standards.show_standards(ListStandards(), principal=OPERATOR, uow=uow)
        ]
    print_result(found, print_standards, as_json=as_json)


@standards_app.command("show")
def show_standard(
    code: Annotated[str, typer.Argument(help="The standard's code.")],
    version: Annotated[int | None, typer.Option(help="A version; default: the newest.")] = None,
    as_json: JsonOption = False,
) -> None:
    """A standard's version (newest unless `--version`): each unit's level, credits and
    assessment scheme, its outcome statements (knowledge / skills / competency), assessment
    criteria and the evidence a candidate shows."""
    with unit_of_work() as uow:
        query = ShowStandard(code, version)
        standard = StandardRead.of(standards.show_standard(query, principal=OPERATOR, uow=uow))
    print_result(standard, print_standard, as_json=as_json)


@standards_app.command("scheme")
def set_scheme(
    item_ref: Annotated[str, typer.Argument(help="The item, as OWNER:CODE.")],
    level: Annotated[str, typer.Argument(help="A level the item is awarded at.")],
    acting: AsOption,
    component: Annotated[
        list[str],
        typer.Option("--component", help="KIND=WEIGHT, e.g. theory=20 (repeat for each)."),
    ],
    component_min: Annotated[
        list[str] | None,
        typer.Option("--component-min", help="KIND=MARK: the least mark of a component."),
    ] = None,
    pass_mark: Annotated[
        str | None,
        typer.Option("--pass-mark", help="The weighted mark needed to pass (default 60)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Set the assessment scheme of one level of an item (a unit, an X certificate), e.g. the BIM
    certificate's `--component theory=20 --component practice=80` at beginner and intermediate
    and `theory=60 practice=40` at advanced: components theory, practice, portfolio, interview
    with whole-percent weights adding up to 100, an optional least mark per component, and the
    weighted mark needed to pass (default 60). A new version unless it is the same scheme.
    `--as`: a registrar or accreditation officer of the item's owner, or a bank administrator."""
    scheme = _scheme_from_options(component, component_min or [], pass_mark)
    if isinstance(scheme, list):
        _fail_all(scheme)
        return
    command = SetScheme(item_ref, level, scheme)
    stored = act(acting, lambda uow, who: schemes.define_scheme(command, principal=who, uow=uow))
    found = SchemeRead.of(stored.item, stored.level or level, stored.scheme)
    print_result(found, print_scheme, as_json=as_json)


@standards_app.command("certify")
def certify(
    email: Annotated[str, typer.Argument(help="The staff user certified.")],
    item_ref: Annotated[str, typer.Argument(help="The item, as OWNER:CODE.")],
    kind: Annotated[str, typer.Option("--kind", help="assessor or teacher.")],
    id_number: Annotated[
        str,
        typer.Option(
            "--id-number",
            help="The person's identity number (kept only as its index, never shown); "
            "'-' reads it from standard input.",
        ),
    ],
    valid_from: Annotated[str, typer.Option("--from", help="First day it is valid.")],
    valid_until: Annotated[str, typer.Option("--until", help="Last day it is valid.")],
    training: Annotated[
        str, typer.Option("--training", help="The training that led to it, e.g. a 5-day course.")
    ],
    acting: AsOption,
    level: Annotated[
        str | None, typer.Option("--level", help="One level (default: every level).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Certify a staff user as a teacher or an assessor of an item (one level, or every level),
    for the dates given, after the training named; only a user with the assessor role can be
    certified to assess. The identity number (`-` reads it from standard input) is kept only as
    its index, so that nobody is assigned to assess their own application, and is never printed.
    `--as`: a registrar or accreditation officer of the item's owner, or a bank administrator."""
    start, end = _day(valid_from, "--from"), _day(valid_until, "--until")
    number = sys.stdin.readline().strip() if id_number == "-" else id_number
    settings = get_settings()
    cipher = PersonalDataCipher.from_base64(settings.data_key.get_secret_value())
    command = CertifyStaff(
        email=email,
        kind=kind,
        item_ref=item_ref,
        level=level,
        id_number=number,
        valid_from=start,
        valid_until=end,
        training=training,
    )
    found = CertificationRead.of(
        act(
            acting,
            lambda uow, who: certifications.certify_staff(
                command, principal=who, uow=uow, cipher=cipher
            ),
        )
    )
    print_result(found, print_certified, as_json=as_json)


@standards_app.command("certifications")
def list_certifications(
    email: Annotated[str, typer.Argument(help="The staff user.")],
    as_json: JsonOption = False,
) -> None:
    """A staff user's certifications as teacher and as assessor, with their items, levels and
    dates."""
    query = ListCertifications(email)
    with unit_of_work() as uow:
        found = [
            CertificationRead.of(c)
            for c in certifications.list_certifications(query, principal=OPERATOR, uow=uow)
        ]
    print_result(found, lambda found: print_certifications(email, found), as_json=as_json)


GROUPS = ((standards_app, "standards"),)
