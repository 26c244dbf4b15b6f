"""Shared helpers for the draw engine tests: sample data, random instances,
and an independent maximin computation by brute force."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
from hypothesis import strategies as st
from scipy.optimize import linprog

from consultation.sortition import Person, Quota, panel_problems

DATA = Path(__file__).resolve().parent.parent / "data"


def load_pool(path: Path, features=("genre", "age", "quartier", "diplome")) -> list[Person]:
    """People from a CSV in the Sortition Foundation's format; the address
    columns, lower-cased and trimmed, make the household key."""
    with path.open(newline="", encoding="utf-8") as f:
        return [
            Person(
                row["id"],
                {name: row[name] for name in features},
                f"{row['adresse'].strip().lower()}|{row['code_postal'].strip()}",
            )
            for row in csv.DictReader(f)
        ]


def load_quotas(path: Path) -> list[Quota]:
    with path.open(newline="", encoding="utf-8") as f:
        return [
            Quota(r["feature"], r["value"], int(r["min"]), int(r["max"])) for r in csv.DictReader(f)
        ]


@st.composite
def instances(draw, min_people=8, max_people=30, max_seats=8, households=True):
    """A random pool with 2-3 features and quotas that some panel meets.

    Quotas are built around a reference panel (one per household) so the
    instance is feasible, then loosened at random.
    """
    n = draw(st.integers(min_people, max_people))
    n_features = draw(st.integers(2, 3))
    names = [f"f{j}" for j in range(n_features)]
    arity = [draw(st.integers(2, 3)) for _ in names]
    values = [[draw(st.integers(0, arity[j] - 1)) for j in range(n_features)] for _ in range(n)]
    people = []
    for i in range(n):
        home = draw(st.none() | st.integers(0, n // 2)) if households else None
        features = {names[j]: f"v{values[i][j]}" for j in range(n_features)}
        people.append(Person(f"p{i:03d}", features, None if home is None else f"h{home}"))
    # a reference panel, at most one per household, that the quotas will fit
    order = draw(st.permutations(range(n)))
    seen, heads = set(), []
    for i in order:
        key = people[i].household or people[i].id
        if key not in seen:
            seen.add(key)
            heads.append(i)
    seats = draw(st.integers(1, min(max_seats, len(heads))))
    reference = heads[:seats]
    quotas = []
    for j, name in enumerate(names):
        for v in range(arity[j]):
            count = sum(1 for i in reference if values[i][j] == v)
            low = max(0, count - draw(st.integers(0, 2)))
            high = count + draw(st.integers(0, 2))
            quotas.append(Quota(name, f"v{v}", low, high))
    return people, quotas, seats


def feasible_panels(people, quotas, seats, forced=(), excluded=()):
    """Every panel meeting the quotas and households, by enumeration."""
    by_id = {p.id: p for p in people}
    rest = [p.id for p in people if p.id not in set(forced) | set(excluded)]
    panels = []
    for combo in itertools.combinations(rest, seats - len(forced)):
        panel = tuple(sorted((*forced, *combo)))
        if not panel_problems(by_id, quotas, seats, panel):
            panels.append(panel)
    return panels


def maximin_by_enumeration(people, panels, among=None) -> float:
    """The largest possible smallest selection probability, by LP over all panels.

    ``among``: the ids whose probabilities count (default: everyone).
    """
    ids = sorted(among if among is not None else (p.id for p in people))
    if not panels:
        return 0.0
    index = {i: r for r, i in enumerate(ids)}
    n_panels = len(panels)
    # variables: p_1..p_P, z ; minimise -z
    a_ub = np.zeros((len(ids), n_panels + 1))
    for c, panel in enumerate(panels):
        for i in panel:
            if i in index:
                a_ub[index[i], c] = -1.0
    a_ub[:, -1] = 1.0
    a_eq = np.ones((1, n_panels + 1))
    a_eq[0, -1] = 0.0
    res = linprog(
        c=np.r_[np.zeros(n_panels), -1.0],
        A_ub=a_ub,
        b_ub=np.zeros(len(ids)),
        A_eq=a_eq,
        b_eq=[1.0],
        bounds=[(0, None)] * n_panels + [(None, None)],
        method="highs",
    )
    assert res.status == 0, res.message
    return float(res.x[-1])


def _probability_lp(ids, panels, lower, objective):
    """Maximise ``objective`` (a vector over ids, or None for z) over lotteries
    of ``panels`` with ``pi_i >= lower[i]`` (a number, or "z")."""
    index = {i: r for r, i in enumerate(ids)}
    n = len(panels)
    cover = np.zeros((len(ids), n))
    for c, panel in enumerate(panels):
        for i in panel:
            cover[index[i], c] = 1.0
    rows, rhs = [], []
    for r, i in enumerate(ids):
        row = np.r_[-cover[r], 0.0]
        if lower[i] == "z":
            row[-1] = 1.0
            rhs.append(0.0)
        else:
            rhs.append(-lower[i])
        rows.append(row)
    cost = np.r_[np.zeros(n), -1.0] if objective is None else np.r_[-objective @ cover, 0.0]
    res = linprog(
        c=cost,
        A_ub=np.array(rows),
        b_ub=rhs,
        A_eq=np.r_[np.ones(n), 0.0][None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * n + [(None, None) if objective is None else (0, 0)],
        method="highs",
    )
    assert res.status == 0, res.message
    return -res.fun


def leximin_by_enumeration(people, panels) -> list[float]:
    """The leximin probabilities, sorted, by the textbook method on all panels:
    maximise the smallest, then fix whoever cannot go above it, repeat."""
    ids = sorted(p.id for p in people)
    if not panels:
        return [0.0] * len(ids)
    fixed: dict[str, float] = {}
    while len(fixed) < len(ids):
        lower = {i: fixed.get(i, "z") for i in ids}
        level = _probability_lp(ids, panels, lower, None)
        lower = {i: fixed.get(i, level - 1e-9) for i in ids}
        newly = []
        for i in ids:
            if i in fixed:
                continue
            objective = np.array([1.0 if j == i else 0.0 for j in ids])
            if _probability_lp(ids, panels, lower, objective) <= level + 1e-7:
                newly.append(i)
        for i in newly:
            fixed[i] = level
    return sorted(fixed.values())
