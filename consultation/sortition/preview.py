"""How fair can a draw be with these quotas? A quick answer while they are edited.

The exact answer (the leximin lottery) takes seconds to minutes; this one takes a
fraction of a second, from the linear relaxation of the panel program: the largest
``z`` such that a "fractional panel" (unit counts between 0 and their size, meeting
the seats, every quota and the one-per-household rule) gives each volunteer at least
``z``. Every lottery of real panels averages to such a fractional panel, so no lottery
gives everyone more than ``z``: it is an upper bound on the smallest selection
probability of any draw (often reached, never exceeded).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .feasibility import feasible_problem
from .model import InfeasibilityReason, InfeasibleError, Person, Quota
from .solver import INF, ModelStatus, ObjSense, add_empty_cols, add_rows

#: A volunteer whose dual weight exceeds this cannot rise above the bound.
BINDING = 1e-9
PRIMAL_SIMPLEX = 4


@dataclass(frozen=True)
class Preview:
    """What a facilitator sees while editing quotas.

    ``feasible``: some panel meets every quota; otherwise ``reasons`` say why.
    ``min_probability_bound``: no draw can give every volunteer a larger chance
    (None when infeasible). ``at_bound``: how many volunteers cannot be given more
    than that bound. ``mean_probability``: seats over eligible volunteers, the chance
    everyone would have if the pool were perfectly representative.
    """

    feasible: bool
    pool: int
    seats: int
    mean_probability: float
    min_probability_bound: float | None = None
    at_bound: int = 0
    reasons: list[InfeasibilityReason] = field(default_factory=list)


def preview(
    people: Iterable[Person],
    quotas: Iterable[Quota],
    seats: int,
    forced: Iterable[str] = (),
    excluded: Iterable[str] = (),
) -> Preview:
    """Feasibility, then the relaxation's bound on the smallest selection probability.

    Raises ValueError for malformed input, as ``compile_problem`` does.
    """
    people = list(people)
    try:
        problem = feasible_problem(people, quotas, seats, forced, excluded)
    except InfeasibleError as error:
        return Preview(
            feasible=False,
            pool=len(people),
            seats=seats,
            mean_probability=seats / len(people) if people else 0.0,
            reasons=error.details,
        )
    eligible = sum(u.size for u in problem.units)
    mean = problem.seats / eligible if eligible else 0.0
    if problem.seats == 0 or not problem.units:
        return Preview(True, len(people), seats, mean, 0.0 if eligible else None, 0)
    z, at_bound = relaxation_bound(problem)
    return Preview(True, len(people), seats, mean, z, at_bound)


def relaxation_bound(problem) -> tuple[float, int]:
    """(largest z, volunteers held at z) of: maximise z subject to the panel program's
    rows with unit counts relaxed to reals and ``count_u >= size_u * z`` for every unit."""
    n = len(problem.units)
    sizes = problem.sizes
    h = problem.build_model(integer=False)
    h.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)  # twice as fast here as the dual
    h.changeObjectiveSense(ObjSense.kMaximize)
    add_empty_cols(h, [1.0], [0.0], [1.0])  # z, column n
    base = h.getNumRow()
    add_rows(h, [0.0] * n, [INF] * n, [([u, n], [1.0, -float(sizes[u])]) for u in range(n)])
    h.run()
    if h.getModelStatus() != ModelStatus.kOptimal:  # pragma: no cover - feasible checked before
        raise RuntimeError("the relaxation has no optimum")
    solution = h.getSolution()
    z = min(1.0, max(0.0, float(solution.col_value[n])))
    # maximising: the duals of these >= rows come out non-positive
    duals = -np.asarray(solution.row_dual)[base:]
    at_bound = int(sizes[duals > BINDING].sum())
    return z, at_bound
