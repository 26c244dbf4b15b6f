"""Benchmark of the draw engine against the PyPI package ``sortition-algorithms``.

Usage:  python bench/sortition.py [--quick] [--timeout SECONDS]

Prints one table: wall time and smallest selection probability for
- 600 x 30: our leximin, their maximin, their legacy, our legacy;
- 5000 x 30 and 5000 x 60: our leximin.

Their maximin runs in a subprocess with a time limit (it took 33 s for
500 x 30 and more than 300 s for 2000 x 30 on 2 cores), so only on 600 x 30.
Their legacy gives one panel per run: its smallest probability is estimated
from repeated runs (as ours is, over 1,000 seeded runs). ``--quick`` skips
the external package. Needs ``sortition-algorithms`` (the "bench" extra).
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(ROOT))

from consultation.sortition import Person, Quota, draw  # noqa: E402

FEATURES = ("genre", "age", "quartier", "diplome")
ADDRESS = ("adresse", "code_postal")
LEGACY_RUNS = 1000


def load(pool: str, quotas: str):
    with (DATA / pool).open(newline="", encoding="utf-8") as f:
        people = [
            Person(
                r["id"],
                {name: r[name] for name in FEATURES},
                "|".join(r[c].strip().lower() for c in ADDRESS),
            )
            for r in csv.DictReader(f)
        ]
    with (DATA / quotas).open(newline="", encoding="utf-8") as f:
        quota_list = [
            Quota(r["feature"], r["value"], int(r["min"]), int(r["max"])) for r in csv.DictReader(f)
        ]
    return people, quota_list


def ours(pool: str, quotas: str, seats: int, algorithm: str) -> dict:
    people, quota_list = load(pool, quotas)
    started = time.perf_counter()
    result = draw(people, quota_list, seats, "2025", algorithm=algorithm)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "min_probability": result.min_probability,
        "optimum": result.optimal_min_probability,
        "M": result.lottery_size,
    }


def _their_inputs(pool: str, quotas: str, seats: int):
    from sortition_algorithms import Settings, read_in_features, read_in_people

    with (DATA / quotas).open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        features, _, _ = read_in_features(reader.fieldnames, list(reader), seats)
    settings = Settings(
        id_column="id",
        columns_to_keep=["email"],
        check_same_address=True,
        check_same_address_columns=list(ADDRESS),
    )
    with (DATA / pool).open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        people, _ = read_in_people(reader.fieldnames, list(reader), features, settings)
    return features, people, list(ADDRESS)


def _their_maximin(pool, quotas, seats, queue):
    import logging
    import os

    logging.disable(logging.CRITICAL)
    # their solver prints HiGHS's banner on standard output: keep the table clean
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin

    features, people, address = _their_inputs(pool, quotas, seats)
    started = time.perf_counter()
    committees, probabilities, _ = find_distribution_maximin(
        features, people, seats, address, "highspy"
    )
    seconds = time.perf_counter() - started
    marginal = dict.fromkeys(people, 0.0)
    for committee, p in zip(committees, probabilities, strict=True):
        for i in committee:
            marginal[i] += p
    queue.put({"seconds": seconds, "min_probability": min(marginal.values())})


def theirs_maximin(pool: str, quotas: str, seats: int, timeout: float) -> dict:
    queue: mp.Queue = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(target=_their_maximin, args=(pool, quotas, seats, queue))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return {"seconds": None, "min_probability": None, "note": f"> {timeout:.0f} s"}
    return queue.get() if not queue.empty() else {"seconds": None, "note": "failed"}


def theirs_legacy(pool: str, quotas: str, seats: int, runs: int) -> dict:
    import logging

    logging.disable(logging.CRITICAL)
    from sortition_algorithms.committee_generation.legacy import find_random_sample_legacy

    features, people, address = _their_inputs(pool, quotas, seats)
    counts = dict.fromkeys(people, 0)
    started = time.perf_counter()
    for _ in range(runs):
        committees, _ = find_random_sample_legacy(
            people, features, seats, address, max_attempts=100
        )
        for i in committees[0]:
            counts[i] += 1
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "min_probability": min(counts.values()) / runs,
        "note": f"{runs} runs",
    }


def fmt_seconds(row):
    return row.get("note") if row.get("seconds") is None else f"{row['seconds']:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip sortition-algorithms")
    parser.add_argument("--timeout", type=float, default=120.0, help="their maximin, seconds")
    parser.add_argument("--json", action="store_true", help="also print the rows as JSON")
    args = parser.parse_args()

    rows = []
    small = ("city-pool-600.csv", "city-quotas-30.csv", 30)
    lex = ours(*small, "leximin")
    rows.append(("600x30", "ours leximin", lex))
    if not args.quick:
        rows.append(("600x30", "theirs maximin", theirs_maximin(*small, args.timeout)))
        rows.append(("600x30", "theirs legacy", theirs_legacy(*small, LEGACY_RUNS)))
    rows.append(("600x30", "ours legacy", {**ours(*small, "legacy"), "note": "1000 runs"}))
    rows.append(
        ("5000x30", "ours leximin", ours("city-pool-5000.csv", "city-quotas-30.csv", 30, "leximin"))
    )
    rows.append(
        ("5000x60", "ours leximin", ours("city-pool-5000.csv", "city-quotas-60.csv", 60, "leximin"))
    )

    print(
        f"{'case':8} {'method':15} {'seconds':>9} {'min prob':>9} {'optimum':>9} {'M':>7}  "
        f"{'time ratio':>10} {'prob ratio':>10}"
    )
    for case, method, row in rows:
        time_ratio = prob_ratio = ""
        if case == "600x30" and method != "ours leximin":
            if row.get("seconds"):
                time_ratio = f"{row['seconds'] / lex['seconds']:.1f}x"
            if row.get("min_probability"):
                prob_ratio = f"{lex['min_probability'] / row['min_probability']:.3f}"
        low = "" if row.get("min_probability") is None else f"{row['min_probability']:.5f}"
        best = "" if row.get("optimum") is None else f"{row['optimum']:.5f}"
        print(
            f"{case:8} {method:15} {fmt_seconds(row):>9} {low:>9} {best:>9} "
            f"{row.get('M', ''):>7}  {time_ratio:>10} {prob_ratio:>10}"
        )
    print(
        "time ratio = their (or our legacy) time / our leximin time; "
        "prob ratio = our leximin min probability / theirs"
    )
    if args.json:
        print(json.dumps([{"case": c, "method": m, **r} for c, m, r in rows]))


if __name__ == "__main__":
    main()
