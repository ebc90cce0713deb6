"""A search over short texts, each score explained: the method the occupations' and the skills'
searches share. Pure (no database).

An index holds entries (an occupation, a skill...), each with one or more rows (a name, an alias,
an English name) and a description. Every row is searched two ways and fused: character n-grams
(1 and 2) weighted by TF-IDF, compared by cosine (scikit-learn), and BM25 over words (jieba's
segmentation; rank-bm25), its scores divided by the query's best so that both lie in 0..1; a
row's score is their weighted mean (``tfidf_weight``). An entry's score is its best row's, fused
with BM25 over its description (``description_weight``; 0 leaves descriptions out). A hit names
the row that matched best and the query's words and characters found in it. Equal scores are
ranked by the entries' keys.

scikit-learn and rank-bm25 are imported by the first index built (scikit-learn takes about a
second), not by the app. :class:`IndexCache` keeps one index per database per process, and
:func:`text_index` one index per set of entries (databases holding the same classification, as a
test process's many do, share it).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import jieba
import numpy as np
import numpy.typing as npt

TFIDF_WEIGHT = 0.6
"""The weight of the character TF-IDF in a row's fused score; BM25 has the rest."""
DESCRIPTION_WEIGHT = 0.35
"""The weight of BM25 over an entry's description in its fused score; its best row has the rest
(0.35 chosen on one half of the labelled job titles over 0.15-0.5, judged on the other: MRR 0.503
-> 0.509 against 0.15; docs/performance.md, "Matching quality")."""
NGRAMS = (1, 2)
Method = Literal["fused", "tfidf", "bm25"]
Scores = npt.NDArray[np.float64]
T = TypeVar("T")

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
class Entry:
    """What an index finds: its key (equal scores are ranked by it), its rows (each searched on
    its own; the entry scores as its best) and its description (one document)."""

    key: str
    rows: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Found:
    """An entry found: its key, score (0..1), the row that matched best, and the query's words and
    characters found in that row."""

    key: str
    score: float
    matched: str
    matched_words: tuple[str, ...]
    matched_characters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Row:
    entry: int
    text: str
    words: tuple[str, ...]


def _scaled(raw: Scores) -> Scores:
    """``raw`` divided by its best (all zeros when nothing scored)."""
    top = raw.max() if len(raw) else 0.0
    return raw / top if top > 0 else np.zeros(len(raw))


class TextIndex:
    """Entries' rows and descriptions, indexed both ways."""

    def __init__(
        self,
        entries: Sequence[Entry],
        *,
        tfidf_weight: float = TFIDF_WEIGHT,
        description_weight: float = DESCRIPTION_WEIGHT,
    ) -> None:
        self.tfidf_weight = tfidf_weight
        self.description_weight = description_weight
        self.keys = sorted(entry.key for entry in entries)
        """The entries' keys, in the order of every array of entry scores."""
        place = {key: number for number, key in enumerate(self.keys)}
        self._rows = [
            _Row(place[entry.key], text, tuple(words(text)))
            for entry in entries
            for text in dict.fromkeys(row for row in entry.rows if row)
        ]
        self._owner = np.array([row.entry for row in self._rows], dtype=np.int64)
        self._rows_of: list[list[int]] = [[] for _ in self.keys]
        for number, row in enumerate(self._rows):
            self._rows_of[row.entry].append(number)
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
        by_key = {entry.key: entry for entry in entries}
        descriptions = [words(by_key[key].description) for key in self.keys]
        self._descriptions = (
            BM25Okapi([found or [""] for found in descriptions])
            if self.keys and description_weight > 0
            else None
        )

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
                bm25 = _scaled(np.asarray(self._bm25.get_scores(query_words), dtype=float))
        if method == "tfidf":
            return tfidf
        if method == "bm25":
            return bm25
        return self.tfidf_weight * tfidf + (1 - self.tfidf_weight) * bm25

    def scores(self, query: str, method: Method = "fused") -> tuple[Scores, Scores]:
        """Every entry's score for ``query`` (in the order of :attr:`keys`), and every row's."""
        rows = self.row_scores(query, method)
        best = np.zeros(len(self.keys))
        if not self._rows:
            return best, rows
        np.maximum.at(best, self._owner, rows)
        if method != "fused" or self._descriptions is None:
            return best, rows
        query_words = words(query)
        if not query_words:
            return (1 - self.description_weight) * best, rows
        described = _scaled(np.asarray(self._descriptions.get_scores(query_words), dtype=float))
        weight = self.description_weight
        return (1 - weight) * best + weight * described, rows

    def best(self, scores: Scores, limit: int) -> list[int]:
        """The positions of the ``limit`` best entries by ``scores``, best first (ties by key),
        leaving out those scoring nothing."""
        order = np.argsort(-scores, kind="stable")[:limit]
        return [int(number) for number in order if scores[number] > 0]

    def search(self, query: str, limit: int = 10, method: Method = "fused") -> list[Found]:
        """The ``limit`` best entries for ``query``, best first (ties by key); entries scoring
        nothing are left out."""
        scores, rows = self.scores(query, method)
        return [
            self.found(query, number, float(scores[number]), rows)
            for number in self.best(scores, limit)
        ]

    def found(self, query: str, number: int, score: float, rows: Scores) -> Found:
        """The entry at position ``number`` as a hit with ``score``, explained by its best row
        (by ``rows``, the rows' scores for ``query``; the first of equals)."""
        own = self._rows_of[number]
        position = max(own, key=lambda row: (float(rows[row]), -row)) if own else None
        row = self._rows[position] if position is not None else _Row(number, "", ())
        query_words = words(query)
        found_words = tuple(dict.fromkeys(w for w in query_words if w in row.words))
        lowered = row.text.lower()
        found_characters = tuple(
            dict.fromkeys(c for c in query.lower() if not c.isspace() and c in lowered)
        )
        return Found(
            key=self.keys[number],
            score=round(min(max(score, 0.0), 1.0), 4),
            matched=row.text,
            matched_words=found_words,
            matched_characters=found_characters,
        )


_BuiltKey = tuple[tuple[Entry, ...], float, float]
_BUILT: OrderedDict[_BuiltKey, TextIndex] = OrderedDict()
_BUILT_KEPT = 8
_BUILT_LOCK = threading.Lock()


def text_index(
    entries: Sequence[Entry],
    *,
    tfidf_weight: float = TFIDF_WEIGHT,
    description_weight: float = DESCRIPTION_WEIGHT,
) -> TextIndex:
    """A :class:`TextIndex` of ``entries``: the one this process built before from equal entries
    and weights, else a new one. An index is made of nothing else and never changes once built,
    so equal entries give an equal index (databases holding the same classification share one);
    the ``_BUILT_KEPT`` used last are kept."""
    key = (tuple(entries), tfidf_weight, description_weight)
    with _BUILT_LOCK:
        index = _BUILT.get(key)
        if index is not None:
            _BUILT.move_to_end(key)
            return index
        index = TextIndex(key[0], tfidf_weight=tfidf_weight, description_weight=description_weight)
        _BUILT[key] = index
        while len(_BUILT) > _BUILT_KEPT:
            _BUILT.popitem(last=False)
        return index


class IndexCache(Generic[T]):
    """The indexes of one kind a process keeps: one per database, built again when the
    ``fingerprint`` of what it was built from changes; at most ``size`` (a bank has one database,
    a test process many), the one built longest ago dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._indexes: dict[str, tuple[Hashable, T]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._indexes)

    def __contains__(self, database: object) -> bool:
        return database in self._indexes

    def get(self, database: str, fingerprint: Hashable, build: Callable[[], T]) -> T:
        """The index of ``database``: the one built before when ``fingerprint`` is the same, else
        ``build()``."""
        with self._lock:
            cached = self._indexes.get(database)
            if cached is not None and cached[0] == fingerprint:
                return cached[1]
            index = build()
            self._indexes.pop(database, None)
            while len(self._indexes) >= self.size:
                del self._indexes[next(iter(self._indexes))]
            self._indexes[database] = (fingerprint, index)
            return index
