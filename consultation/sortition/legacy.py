"""The Sortition Foundation's historical greedy method, kept for comparison.

One run fills the seats one at a time: among the quota values still open it
takes the one most in need, ``(minimum - selected) / people left with it``,
and selects a random person with that value; their housemates leave the
pool, and a value whose maximum is reached has all its remaining people
removed. A run that reaches a dead end starts again (up to ``RETRIES``).

The method gives no selection probabilities, so the engine estimates them:
it makes ``runs`` runs (1,000 by default) with random generators seeded
0, 1, 2, ... (independent of the draw's seed, which only picks a panel
afterwards), and the lottery is uniform over those runs: M = runs, each run
one ticket, identical panels merged.
"""

from __future__ import annotations

import random

import numpy as np

from .model import InfeasibilityReason, InfeasibleError
from .problem import Problem

RETRIES = 100


class _Pool:
    def __init__(self, problem: Problem):
        ids, unit_of = [], []
        for u, unit in enumerate(problem.units):
            for i in unit.members:
                ids.append(i)
                unit_of.append(u)
        self.ids = ids
        n = len(ids)
        unit_of = np.array(unit_of, dtype=np.int64)
        self.row_min = np.array([r.min for r in problem.rows], dtype=np.int64)
        self.row_max = np.array([r.max for r in problem.rows], dtype=np.int64)
        member = np.zeros((len(problem.rows), n), dtype=bool)
        for r, row in enumerate(problem.rows):
            member[r] = np.isin(unit_of, row.units)
        self.member = member
        self.rows_of = [np.flatnonzero(member[:, i]) for i in range(n)]
        self.people_of = [np.flatnonzero(member[r]) for r in range(len(problem.rows))]
        housemates = [[] for _ in range(n)]
        first = {u: int(np.flatnonzero(unit_of == u)[0]) for u in range(len(problem.units))}
        for hh in problem.households:
            people = [first[u] for u in hh]
            for p in people:
                housemates[p] = [q for q in people if q != p]
        self.housemates = housemates
        self.seats = problem.seats


def _one_run(pool: _Pool, rng: random.Random) -> list[int] | None:
    alive = np.ones(len(pool.ids), dtype=bool)
    remaining = pool.member.sum(axis=1)
    chosen_per_row = np.zeros(len(pool.row_min), dtype=np.int64)
    chosen: list[int] = []

    def remove(p: int) -> None:
        alive[p] = False
        remaining[pool.rows_of[p]] -= 1

    for r in np.flatnonzero(pool.row_max == 0):
        for p in pool.people_of[r]:
            if alive[p]:
                remove(p)
    while len(chosen) < pool.seats:
        if np.any(remaining + chosen_per_row < pool.row_min):
            return None
        need = np.maximum(pool.row_min - chosen_per_row, 0)
        open_rows = np.flatnonzero((remaining > 0) & (chosen_per_row < pool.row_max))
        if len(open_rows) == 0:
            return None
        ratio = need[open_rows] / remaining[open_rows]
        row = int(open_rows[int(np.argmax(ratio))])  # first of the most in need
        candidates = pool.people_of[row][alive[pool.people_of[row]]]
        p = int(candidates[rng.randrange(len(candidates))])
        remove(p)
        chosen.append(p)
        chosen_per_row[pool.rows_of[p]] += 1
        for q in pool.housemates[p]:
            if alive[q]:
                remove(q)
        for r in pool.rows_of[p]:
            if chosen_per_row[r] == pool.row_max[r]:
                for q in pool.people_of[r]:
                    if alive[q]:
                        remove(q)
    if np.any(chosen_per_row < pool.row_min):
        return None
    return chosen


def legacy_panels(problem: Problem, runs: int) -> list[tuple[str, ...]]:
    """``runs`` panels of the eligible pool (continuing members not included)."""
    if problem.seats == 0:
        return [()] * runs
    pool = _Pool(problem)
    panels = []
    for run in range(runs):
        rng = random.Random(run)
        for _ in range(RETRIES):
            chosen = _one_run(pool, rng)
            if chosen is not None:
                break
        else:
            raise InfeasibleError(
                [
                    InfeasibilityReason(
                        "draw_failed",
                        f"the legacy method found no panel in {RETRIES} attempts; "
                        "try the leximin method",
                    )
                ]
            )
        panels.append(tuple(sorted(pool.ids[p] for p in chosen)))
    return panels
