"""Matching a learner's skills to what an occupation or a job requires: coverage, the
explanation, and the smallest set of catalogue items that closes the gap. A pure core.

- A learner *has* a skill when an outcome of theirs (or an item that approved conversion rules
  would already give them) is of an item aligned to that skill by an alignment in force: each
  such reason is an :class:`Evidence`.
- What is *required* is the essential skills of an occupation or job (its optional ones are
  shown apart); when it lists only optional skills, all of them are required. A job may also
  ask for certificates (:class:`CertificateNeed`: an item, perhaps at a level), each held when
  the learner has an outcome of it at that level or a higher one of the same framework, or an
  item approved conversion rules would give them (for a certificate asked at no level). The
  *share covered* counts skills and certificates alike, one requirement each: (required skills
  the learner has + certificates held) / (required skills + certificates asked for).
- The *plan* first takes every missing certificate itself (the item at the asked level), then a
  smallest set of catalogue :class:`Offer` s (a course, an X certificate at a level, an
  accreditation unit) whose alignments cover every missing skill that something teaches and
  the certificates taken do not: fewest items first, then fewest credits (an item without
  credits counts none), found exactly as an integer programme (``scipy.optimize.milp``, HiGHS:
  a set-cover). Missing skills that no item teaches are listed as such
  (:attr:`Gap.unteachable`).

Standard library, plus scipy (imported when a plan is first needed) for the solver.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

ESSENTIAL = "essential"
OPTIONAL = "optional"
RELATIONS = (ESSENTIAL, OPTIONAL)


class MatchingError(DomainError):
    """A gap, fit or coverage that cannot be worked out (an unknown occupation or job...)."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a learner has a skill."""

    skill_id: int
    outcome: str
    """The outcome's public id; for a skill conversion would give, the outcome the rule would
    convert (its first source); for one a confirmed conversion gave, the conversion's id."""
    item: str
    """The item aligned to the skill, ``OWNER:CODE``."""
    item_name: str
    level: str | None
    """``FRAMEWORK@VERSION:LEVEL`` of the outcome, or None (an item earned by conversion)."""
    by_conversion: bool
    """Given by what approved conversion rules would grant, not by the outcome itself."""


@dataclass(frozen=True, slots=True)
class Requirement:
    """A skill an occupation or job asks for, essential or optional, with its importance (1..5)
    where the occupation's source gives one (O*NET)."""

    skill_id: int
    relation: str = ESSENTIAL
    importance: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    """A catalogue item, perhaps at one level, and the skills its alignments in force teach."""

    item_id: int
    level_id: int | None
    item: str
    """``OWNER:CODE``."""
    item_name: str
    kind: str
    level: str | None
    credits: Decimal | None
    owner: str
    skills: frozenset[int]
    offered_by: tuple[str, ...] = ()
    """Institutions that offer it besides its owner, where the bank knows (e.g. grants)."""

    @property
    def key(self) -> tuple[int, int]:
        return (self.item_id, -1 if self.level_id is None else self.level_id)

    @property
    def cost(self) -> Decimal:
        """The credits it carries (none: 0) for the second criterion of the plan."""
        return self.credits or Decimal(0)


@dataclass(frozen=True, slots=True)
class CertificateEvidence:
    """Why a learner holds a certificate a job asks for."""

    outcome: str
    """The outcome's public id (by conversion: the outcome, or conversion, it comes from)."""
    level: str | None
    """``FRAMEWORK@VERSION:LEVEL`` of the outcome, or None (an item earned by conversion)."""
    by_conversion: bool


@dataclass(frozen=True, slots=True)
class CertificateNeed:
    """A certificate a job asks for (``OWNER:CODE`` or ``OWNER:CODE@LEVEL``), every reason the
    learner holds it (none: missing), and the offer that would give it (the item at the asked
    level; None where the catalogue no longer holds it)."""

    name: str
    item_name: str
    held: tuple[CertificateEvidence, ...] = ()
    offer: Offer | None = None


@dataclass(frozen=True, slots=True)
class Covered:
    """A required skill the learner has, and every reason why."""

    skill_id: int
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class PlanStep:
    """An item of the plan and the missing skills it teaches."""

    offer: Offer
    teaches: tuple[int, ...]
    certificate: str | None = None
    """The certificate asked for that this step is (None: taken for its skills)."""


@dataclass(frozen=True, slots=True)
class Gap:
    """Where a learner stands against what an occupation or job requires."""

    required: tuple[int, ...]
    optional: tuple[int, ...]
    covered: tuple[Covered, ...]
    """Required skills the learner has, in the order of ``required``."""
    missing: tuple[int, ...]
    optional_covered: tuple[Covered, ...]
    optional_missing: tuple[int, ...]
    plan: tuple[PlanStep, ...]
    """A smallest set of items that teaches every missing skill something teaches."""
    unteachable: tuple[int, ...]
    """Missing skills that no item's alignment in force teaches."""
    certificates: tuple[CertificateNeed, ...] = ()
    """The certificates asked for, held or not."""

    @property
    def certificates_held(self) -> tuple[CertificateNeed, ...]:
        return tuple(c for c in self.certificates if c.held)

    @property
    def certificates_missing(self) -> tuple[CertificateNeed, ...]:
        return tuple(c for c in self.certificates if not c.held)

    @property
    def share(self) -> Fraction:
        """Skills and certificates, one requirement each."""
        return share_of(
            len(self.covered) + len(self.certificates_held),
            len(self.required) + len(self.certificates),
        )

    @property
    def plan_credits(self) -> Decimal:
        return sum((step.offer.cost for step in self.plan), Decimal(0))


def share_of(covered: int, required: int) -> Fraction:
    """``covered`` of ``required`` as a fraction (nothing required: 0)."""
    return Fraction(covered, required) if required else Fraction(0)


def split_requirements(
    requirements: Iterable[Requirement],
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The required and the optional skills, each once, in the order given: the essential
    ones are required; when there are none, every skill listed is."""
    essential: dict[int, None] = {}
    optional: dict[int, None] = {}
    for requirement in requirements:
        if requirement.relation == ESSENTIAL:
            essential[requirement.skill_id] = None
        else:
            optional[requirement.skill_id] = None
    if not essential:
        return tuple(optional), ()
    return tuple(essential), tuple(s for s in optional if s not in essential)


def fit(
    requirements: Iterable[Requirement],
    held: Collection[int],
    *,
    certificates: int = 0,
    certificates_held: int = 0,
) -> tuple[Fraction, int]:
    """The share of the requirements met (the required skills in ``held``, and
    ``certificates_held`` of the ``certificates`` asked for, one requirement each) and how many
    requirements that is."""
    required, _ = split_requirements(requirements)
    count = sum(1 for skill in required if skill in held) + certificates_held
    return share_of(count, len(required) + certificates), count


def analyse_gap(
    requirements: Iterable[Requirement],
    held: Mapping[int, Sequence[Evidence]],
    offers: Iterable[Offer],
    certificates: Sequence[CertificateNeed] = (),
) -> Gap:
    """The learner's coverage of ``requirements`` (``held``: skill -> evidence) and of the
    ``certificates`` asked for, what is missing, and the plan: every missing certificate's
    offer, then the smallest set of ``offers`` that teaches the missing skills those leave."""
    required, optional = split_requirements(requirements)
    offers = list(offers)

    def covered(skills: Sequence[int]) -> tuple[Covered, ...]:
        return tuple(Covered(s, tuple(held[s])) for s in skills if held.get(s))

    missing = tuple(s for s in required if not held.get(s))
    taken = [(c.name, c.offer) for c in certificates if not c.held and c.offer is not None]
    by_certificates = {skill for _, offer in taken for skill in offer.skills}
    teachable = {skill for offer in offers for skill in offer.skills} | by_certificates
    unteachable = tuple(s for s in missing if s not in teachable)
    coverable = [s for s in missing if s in teachable and s not in by_certificates]
    chosen = smallest_cover(coverable, offers)
    wanted = set(coverable)
    first = tuple(
        PlanStep(offer, tuple(s for s in missing if s in offer.skills), certificate=name)
        for name, offer in taken
    )
    return Gap(
        required=required,
        optional=optional,
        covered=covered(required),
        missing=missing,
        optional_covered=covered(optional),
        optional_missing=tuple(s for s in optional if not held.get(s)),
        plan=first
        + tuple(
            PlanStep(offer, tuple(s for s in coverable if s in offer.skills and s in wanted))
            for offer in chosen
        ),
        unteachable=unteachable,
        certificates=tuple(certificates),
    )


def smallest_cover(needed: Collection[int], offers: Iterable[Offer]) -> tuple[Offer, ...]:
    """A smallest set of ``offers`` whose skills include every skill of ``needed`` (each must
    be taught by some offer): fewest offers, then fewest credits; in the order of the offers'
    keys. An exact integer programme (a weighted set cover) solved by HiGHS."""
    wanted = set(needed)
    if not wanted:
        return ()
    useful = sorted({o.key: o for o in offers if o.skills & wanted}.values(), key=lambda o: o.key)
    if not wanted <= {s for o in useful for s in o.skills}:
        message = "every needed skill must be taught by an offer"
        raise ValueError(message)
    if len(useful) == 1:
        return (useful[0],)
    import numpy as np  # noqa: PLC0415 - scipy is loaded with the first plan, not with the app
    from scipy.optimize import Bounds, LinearConstraint, milp  # noqa: PLC0415

    skills = sorted(wanted)
    row = {skill: index for index, skill in enumerate(skills)}
    matrix = np.zeros((len(skills), len(useful)))
    for column, offer in enumerate(useful):
        for skill in offer.skills & wanted:
            matrix[row[skill], column] = 1
    cover = LinearConstraint(matrix, lb=np.ones(len(skills)), ub=np.inf)
    integral = np.ones(len(useful))
    binary = Bounds(0, 1)
    first = milp(np.ones(len(useful)), constraints=[cover], integrality=integral, bounds=binary)
    count = _solved(first.status, first.x)
    fewest = round(float(np.sum(count)))
    # Second criterion: among the covers of that size, the fewest credits (in tenths, exact).
    tenths = np.array([float((o.cost * 10).to_integral_value()) for o in useful])
    size = LinearConstraint(np.ones((1, len(useful))), lb=fewest, ub=fewest)
    second = milp(tenths, constraints=[cover, size], integrality=integral, bounds=binary)
    picked = _solved(second.status, second.x)
    return tuple(offer for offer, x in zip(useful, picked, strict=True) if x > 0.5)  # noqa: PLR2004


def _solved(status: int, x: object) -> list[float]:
    if status != 0 or x is None:  # a cover exists (every skill is taught), so it is optimal
        message = f"the set-cover solver did not finish (status {status})"
        raise RuntimeError(message)
    return [float(value) for value in x]  # type: ignore[attr-defined]


def rank_key(share: Fraction, count: int, name: str) -> tuple[Fraction, int, str]:
    """How fits and matches are ordered: larger share, then more skills, then by name."""
    return (-share, -count, name)


def explain(gap: Gap, skill_names: Mapping[int, str]) -> tuple[Message, ...]:
    """The gap in sentences: the share covered, which outcome gave each skill, what is missing,
    what to learn next and what nothing teaches."""

    def name(skill: int) -> str:
        return skill_names.get(skill, f"#{skill}")

    lines = [
        msg(
            "{covered} of {required} required skills covered ({percent}%).",
            covered=len(gap.covered),
            required=len(gap.required),
            percent=round(gap.share * 100),
        )
        if not gap.certificates
        else msg(
            "{covered} of {required} required skills and {held} of {asked} certificates held "
            "({percent}% of the requirements).",
            covered=len(gap.covered),
            required=len(gap.required),
            held=len(gap.certificates_held),
            asked=len(gap.certificates),
            percent=round(gap.share * 100),
        )
    ]
    for certificate in gap.certificates:
        if not certificate.held:
            lines.append(
                msg(
                    "Certificate {certificate} ({name}) is missing.",
                    certificate=certificate.name,
                    name=certificate.item_name,
                )
            )
        lines.extend(
            msg(
                "Certificate {certificate}: held through outcome {outcome}{level}.",
                certificate=certificate.name,
                outcome=reason.outcome,
                level="" if reason.level is None else f" ({reason.level})",
            )
            if not reason.by_conversion
            else msg(
                "Certificate {certificate}: outcome {outcome} would earn it through "
                "approved conversion rules.",
                certificate=certificate.name,
                outcome=reason.outcome,
            )
            for reason in certificate.held
        )
    for entry in gap.covered:
        for evidence in entry.evidence:
            if evidence.by_conversion:
                lines.append(
                    msg(
                        "{skill}: from {item} {name}, which outcome {outcome} would earn "
                        "through approved conversion rules.",
                        skill=name(entry.skill_id),
                        item=evidence.item,
                        name=evidence.item_name,
                        outcome=evidence.outcome,
                    )
                )
            else:
                lines.append(
                    msg(
                        "{skill}: from outcome {outcome} ({item} {name}).",
                        skill=name(entry.skill_id),
                        outcome=evidence.outcome,
                        item=evidence.item,
                        name=evidence.item_name,
                    )
                )
    for step in gap.plan:
        if step.certificate is None:
            continue
        facts = {
            "item": step.offer.item,
            "name": step.offer.item_name,
            "level": "" if step.offer.level is None else f" ({step.offer.level})",
            "credits": step.offer.credits if step.offer.credits is not None else "-",
        }
        lines.append(
            msg(
                "Take the certificate asked for: {item} {name}{level}, {credits} credits: "
                "teaches {skills}.",
                skills="; ".join(name(s) for s in step.teaches),
                **facts,
            )
            if step.teaches
            else msg(
                "Take the certificate asked for: {item} {name}{level}, {credits} credits.",
                **facts,
            )
        )
    lines.extend(
        msg(
            "Learn next: {item} {name}{level}, {credits} credits: teaches {skills}.",
            item=step.offer.item,
            name=step.offer.item_name,
            level="" if step.offer.level is None else f" ({step.offer.level})",
            credits=step.offer.credits if step.offer.credits is not None else "-",
            skills="; ".join(name(s) for s in step.teaches),
        )
        for step in gap.plan
        if step.certificate is None
    )
    lines.extend(
        msg("No catalogue item teaches {skill}.", skill=name(skill)) for skill in gap.unteachable
    )
    return tuple(lines)
