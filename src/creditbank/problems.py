"""Problem types: the kinds of error the bank reports, each declared by the area that raises it.

A :class:`ProblemType` is one kind of RFC 9457 problem: its slug (``/problems/<slug>``, a page
that explains it, and the ``code`` of a :class:`~creditbank.errors.DomainError` with ``-`` for
``_``), HTTP status and title (a catalog key: ``make catalog`` extracts the third argument of
every ``ProblemType(...)``). Each area lists its own in ``<area>/problems.py`` with
:func:`declare`; ``creditbank.web.problems`` collects them all with :func:`collect`. Pure: areas
declare their errors without importing the web layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProblemType:
    """One kind of error: its slug (in the type URI), HTTP status and title (a catalog key)."""

    slug: str
    status: int
    title: str

    @property
    def uri(self) -> str:
        return f"/problems/{self.slug}"


def declare(*items: ProblemType) -> dict[str, ProblemType]:
    """An area's problem types by slug; a slug declared twice is a mistake."""
    return collect(*({item.slug: item} for item in items))


def collect(*groups: Mapping[str, ProblemType]) -> dict[str, ProblemType]:
    """The problem types of several areas together, in order; each slug belongs to one."""
    found: dict[str, ProblemType] = {}
    for group in groups:
        for slug, item in group.items():
            if slug in found:
                msg = f"problem type {slug!r} is declared twice"
                raise ValueError(msg)
            found[slug] = item
    return found
