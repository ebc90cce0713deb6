"""The search over occupations: names and aliases ranked for a query, each score explained.

Every name and alias is a row of the index, searched two ways and fused: character n-grams (1 and
2) weighted by TF-IDF, compared by cosine (scikit-learn), and BM25 over words (jieba's
segmentation; rank-bm25), its scores divided by the query's best so that both lie in 0..1; a
row's score is their weighted mean (:data:`TFIDF_WEIGHT`). An occupation's score is its best
row's, fused with BM25 over its description (its name, aliases and definition as one document;
:data:`DESCRIPTION_WEIGHT`). A hit names the row that matched best and the query's words and
characters found in it. (Measured on 5,891 labelled job titles: ``benchmarks/occupations.py``,
figures in docs/performance.md.)

An index is built from a list of occupations (:meth:`OccupationIndex.build`); the bank keeps one
per database per process (:func:`index_for`), built on first use and again when the imports
stored in the database differ from those it was built from. scikit-learn and rank-bm25 are
imported by the first index built (scikit-learn takes about a second), not by the app.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import jieba
import numpy as np
import numpy.typing as npt

from creditbank.occupations.model import Occupation

TFIDF_WEIGHT = 0.6
"""The weight of the character TF-IDF in a row's fused score; BM25 has the rest."""
DESCRIPTION_WEIGHT = 0.15
"""The weight of BM25 over an occupation's description (name, aliases and definition) in its
fused score; its best row has the rest."""
NGRAMS = (1, 2)
Method = Literal["fused", "tfidf", "bm25"]
Scores = npt.NDArray[np.float64]

jieba.setLogLevel(logging.WARNING)
_TOKENIZER = jieba.Tokenizer()
_TOKENIZER_LOCK = threading.Lock()


def words(text: str) -> list[str]:
    """The words of ``text`` for BM25: jieba's segmentation for search, lower case, no spaces or
    punctuation."""
    with _TOKENIZER_LOCK:  # jieba builds its dictionary on first use, not thread-safely
        tokens = _TOKENIZER.lcut_for_search(text.lower())
    return [token for token in tokens if token.strip() and any(c.isalnum() for c in token)]


@dataclass(frozen=True, slots=True)
class Hit:
    """An occupation found: its score (0..1), the name or alias that matched best, and the
    query's words and characters found in it."""

    occupation: Occupation
    score: float
    matched: str
    matched_words: tuple[str, ...]
    matched_characters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Row:
    code: str
    text: str
    words: tuple[str, ...]


class OccupationIndex:
    """The rows (names and aliases) of a set of occupations, indexed both ways."""

    def __init__(self, occupations: Sequence[Occupation]) -> None:
        self.occupations = {o.code: o for o in occupations}
        self._rows = [
            _Row(o.code, text, tuple(words(text)))
            for o in occupations
            for text in dict.fromkeys((o.name, *((o.name_en,) if o.name_en else ()), *o.aliases))
        ]
        from rank_bm25 import BM25Okapi  # noqa: PLC0415 (imported when first needed)
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415

        texts = [row.text.lower() for row in self._rows] or [""]
        self._vectorizer = TfidfVectorizer(
            analyzer="char", ngram_range=NGRAMS, sublinear_tf=True, lowercase=True
        )
        self._matrix: Any = self._vectorizer.fit_transform(texts) if self._rows else None
        self._bm25 = (
            BM25Okapi([list(row.words) or [""] for row in self._rows]) if self._rows else None
        )
        self._order = sorted(self.occupations)
        """The occupations by code: ties are ranked by code."""
        place = {code: number for number, code in enumerate(self._order)}
        self._owner = np.array([place[row.code] for row in self._rows], dtype=np.int64)
        self._rows_of: list[list[int]] = [[] for _ in self._order]
        for number, row in enumerate(self._rows):
            self._rows_of[place[row.code]].append(number)
        descriptions = [
            words(" ".join((o.name, *o.aliases, o.definition)))
            for o in (self.occupations[code] for code in self._order)
        ]
        self._descriptions = (
            BM25Okapi([found or [""] for found in descriptions]) if self._order else None
        )

    @classmethod
    def build(cls, occupations: Sequence[Occupation]) -> OccupationIndex:
        return cls(occupations)

    def __len__(self) -> int:
        return len(self._rows)

    def row_scores(self, query: str, method: Method = "fused") -> Scores:
        """Every row's score for ``query`` (an array in the rows' order)."""
        if not self._rows:
            return np.zeros(0)
        tfidf = np.zeros(len(self._rows))
        bm25 = np.zeros(len(self._rows))
        if method in {"fused", "tfidf"}:
            vector = self._vectorizer.transform([query.lower()])
            tfidf = np.asarray((self._matrix @ vector.T).toarray()).ravel()
        if method in {"fused", "bm25"} and self._bm25 is not None:
            query_words = words(query)
            if query_words:
                raw = np.asarray(self._bm25.get_scores(query_words), dtype=float)
                best = raw.max()
                bm25 = raw / best if best > 0 else np.zeros(len(self._rows))
        if method == "tfidf":
            return tfidf
        if method == "bm25":
            return bm25
        return TFIDF_WEIGHT * tfidf + (1 - TFIDF_WEIGHT) * bm25

    def occupation_scores(self, query: str, method: Method = "fused") -> tuple[Scores, Scores]:
        """Every occupation's score for ``query`` (in code order), and its rows' scores."""
        rows = self.row_scores(query, method)
        best = np.zeros(len(self._order))
        if not self._rows:
            return best, rows
        np.maximum.at(best, self._owner, rows)
        if method != "fused" or self._descriptions is None:
            return best, rows
        query_words = words(query)
        described = np.zeros(len(self._order))
        if query_words:
            raw = np.asarray(self._descriptions.get_scores(query_words), dtype=float)
            top = raw.max()
            described = raw / top if top > 0 else described
        return (1 - DESCRIPTION_WEIGHT) * best + DESCRIPTION_WEIGHT * described, rows

    def search(self, query: str, limit: int = 10, method: Method = "fused") -> list[Hit]:
        """The ``limit`` best occupations for ``query``, best first (ties by code); occupations
        scoring nothing are left out."""
        scores, rows = self.occupation_scores(query, method)
        hits: list[Hit] = []
        for number in np.argsort(-scores, kind="stable")[:limit]:
            if scores[number] <= 0:
                break
            own = self._rows_of[number]
            position = max(own, key=lambda row: (float(rows[row]), -row))
            hits.append(self._hit(query, self._order[number], position, float(scores[number])))
        return hits

    def _hit(self, query: str, code: str, position: int, score: float) -> Hit:
        row = self._rows[position]
        query_words = words(query)
        found_words = tuple(dict.fromkeys(w for w in query_words if w in row.words))
        lowered = row.text.lower()
        found_characters = tuple(
            dict.fromkeys(c for c in query.lower() if not c.isspace() and c in lowered)
        )
        return Hit(
            occupation=self.occupations[code],
            score=round(min(score, 1.0), 4),
            matched=row.text,
            matched_words=found_words,
            matched_characters=found_characters,
        )


_INDEXES: dict[str, tuple[Hashable, OccupationIndex]] = {}
_INDEXES_LOCK = threading.Lock()
MAX_INDEXES = 8
"""Indexes kept per process (one per database; a bank has one, a test process many)."""


def index_for(
    database: str, fingerprint: Hashable, load: Callable[[], Sequence[Occupation]]
) -> OccupationIndex:
    """The process's index of ``database``'s occupations: the one built before when the
    ``fingerprint`` of the stored imports is the same, else built again from ``load()``."""
    with _INDEXES_LOCK:
        cached = _INDEXES.get(database)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        index = OccupationIndex.build(load())
        _INDEXES.pop(database, None)
        while len(_INDEXES) >= MAX_INDEXES:
            del _INDEXES[next(iter(_INDEXES))]  # the one built longest ago
        _INDEXES[database] = (fingerprint, index)
        return index
