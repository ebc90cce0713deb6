"""Skills suggested for a text (a catalogue item's names and statements, a job's title and
description), ranked, each score explained (contract 2 of issue 20).

Two routes, fused:

- direct: the skills' own texts (name, English name; description) searched as the occupations are
  (:mod:`creditbank.textindex`: character TF-IDF fused with BM25 over jieba's words);
- through occupations: the text searched among the occupations (the occupations' search), and
  the skills the best :data:`VIA_OCCUPATIONS` of them require scored by that occupation's score
  (a skill several require: the best). A course named 前厅服务与管理 finds 前厅服务员 (4-03-01-01)
  and its tasks 迎送宾客, 预订房间... though they share few words with it.

A skill's score is ``(1 - VIA_WEIGHT) * direct + VIA_WEIGHT * through occupations`` (0..1); a hit
names the query's words and characters found in the skill's text, and ``via``, the occupation it
was found through when that route gave it something. The three occupations and the weight 0.5
were chosen on 38 hand-labelled items of ``benchmarks/data`` and judged on the demo's 35
(``benchmarks/occupations.py``; docs/performance.md, "Matching quality": the route through
occupations more than doubles what the tasks' own words find).

The bank keeps one index of the skills per database per process, built again when
:func:`creditbank.skills.reading.skills_version` changes; the occupations' index is theirs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from creditbank.db import UnitOfWork
from creditbank.occupations import api as occupations
from creditbank.skills import reading
from creditbank.skills.model import Skill
from creditbank.textindex import (
    DESCRIPTION_WEIGHT,
    Entry,
    IndexCache,
    Scores,
    text_index,
)

VIA_OCCUPATIONS = 3
"""How many of the best occupations for a text lend their skills to it."""
VIA_WEIGHT = 0.5
"""The weight of the route through occupations in a skill's score; the direct one has the rest."""
MAX_TEXT = 4000
"""Characters of a text searched (the rest is left out: a job ad's first paragraphs say it)."""
MAX_INDEXES = 8
"""Skill indexes kept per process (one per database)."""


def plain(text: str) -> str:
    """``text`` as searched: its first :data:`MAX_TEXT` characters, punctuation as spaces (tasks
    are full of 、 and ，), spaces collapsed; "" when nothing is left."""
    kept = "".join(c if c.isalnum() else " " for c in text[:MAX_TEXT])
    return " ".join(kept.split())


@dataclass(frozen=True, slots=True)
class SkillHit:
    """A skill suggested for a text: its score (0..1), the text's words and characters found in
    the skill's, and the occupation it was found through (None: by its own text alone)."""

    skill: Skill
    score: float
    matched_words: tuple[str, ...]
    matched_characters: tuple[str, ...]
    via: str | None = None


class SkillIndex:
    """A set of skills, searched by their texts, and the occupations requiring each. Pure."""

    def __init__(
        self, skills: Sequence[Skill], occupations_of: Mapping[int, Sequence[str]]
    ) -> None:
        self.skills = {skill.uri: skill for skill in skills}
        described = any(skill.description for skill in skills)
        self.text = text_index(
            [
                Entry(
                    key=skill.uri,
                    rows=(skill.name, *((skill.name_en,) if skill.name_en else ())),
                    description=skill.description,
                )
                for skill in self.skills.values()
            ],
            description_weight=DESCRIPTION_WEIGHT if described else 0.0,
        )
        place = {key: number for number, key in enumerate(self.text.keys)}
        self._ids = np.array([self.skills[key].id for key in self.text.keys], dtype=np.int64)
        self._required: dict[str, list[int]] = {}
        """Each occupation's skills, by their positions."""
        for skill in self.skills.values():
            for code in occupations_of.get(skill.id, ()):
                self._required.setdefault(code, []).append(place[skill.uri])

    def __len__(self) -> int:
        return len(self.skills)

    def suggest(
        self,
        text: str,
        occupations_found: Sequence[tuple[str, float]] = (),
        *,
        limit: int = 10,
        within: Collection[int] | None = None,
        via_weight: float = VIA_WEIGHT,
        via_occupations: int = VIA_OCCUPATIONS,
    ) -> list[SkillHit]:
        """The ``limit`` best skills for ``text``, best first (ties by URI), given the
        occupations found for it (code and score, best first; the first
        ``via_occupations`` lend their skills, weighed ``via_weight``); only skills of
        ``within`` when given; skills scoring nothing are left out."""
        text = plain(text)
        if limit <= 0 or not text:
            return []
        direct, rows = self.text.scores(text)
        via_scores, via_codes = self._through(occupations_found[:via_occupations])
        scores: Scores = (1 - via_weight) * direct + via_weight * via_scores
        if within is not None:
            scores = np.where(np.isin(self._ids, list(within)), scores, 0.0)
        hits = []
        for number in self.text.best(scores, limit):
            found = self.text.found(text, number, float(scores[number]), rows)
            hits.append(
                SkillHit(
                    skill=self.skills[found.key],
                    score=found.score,
                    matched_words=found.matched_words,
                    matched_characters=found.matched_characters,
                    via=via_codes.get(number),
                )
            )
        return hits

    def _through(
        self, occupations_found: Sequence[tuple[str, float]]
    ) -> tuple[Scores, dict[int, str]]:
        """Each skill's score through the occupations found (its best occupation's), and the
        code of that occupation for the skills given one."""
        scores = np.zeros(len(self.text.keys))
        codes: dict[int, str] = {}
        for code, score in occupations_found:
            for number in self._required.get(code, ()):
                if score > scores[number]:
                    scores[number] = score
                    codes[number] = code
        return scores, codes


_INDEXES = IndexCache[SkillIndex](MAX_INDEXES)


def skill_index(uow: UnitOfWork) -> SkillIndex:
    """The process's index of the skills the unit of work's database holds."""

    def build() -> SkillIndex:
        skills = reading.all_skills(uow)
        return SkillIndex(skills, reading.occupations_requiring(uow, [s.id for s in skills]))

    database = str(uow.session.get_bind().engine.url)
    return _INDEXES.get(database, reading.skills_version(uow), build)


def suggest_skills(
    uow: UnitOfWork, text: str, *, limit: int = 10, within: Collection[int] | None = None
) -> list[SkillHit]:
    """The skills the bank holds that best fit ``text``, best first, each explained; only
    skills of ``within`` when given. No access check: the caller's handler made its own."""
    text = plain(text)
    if not text or limit <= 0:
        return []
    index = skill_index(uow)
    if not len(index):
        return []
    found = [
        (hit.occupation.code, hit.score)
        for hit in occupations.search_occupations(uow, text, VIA_OCCUPATIONS)
    ]
    return index.suggest(text, found, limit=limit, within=within)
