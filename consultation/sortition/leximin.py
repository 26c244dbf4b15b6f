"""Leximin selection probabilities by column generation (Flanigan et al. 2021).

Each round solves, over the panels generated so far,

    maximise z  subject to  sum_P x_{P,u} p_P >= n_u z   (unit u not yet fixed)
                            sum_P x_{P,u} p_P >= n_u f_u (unit u fixed at f_u)
                            sum_P p_P = 1, p >= 0

where x_{P,u} is how many people of unit u panel P takes and n_u the unit's
size, so ``sum_P x_{P,u} p_P / n_u`` is the selection probability of each of
its members. With w_u the duals of the unit rows and mu the dual of the last
row, a panel improves the program when ``sum_u w_u x_u > mu``: the pricing
program looks for the best one. When none is better the round is optimal;
units with positive duals cannot go above z and are fixed there. Rounds go
on until every unit is fixed.

Where the time goes and what is done about it: the pricing program is first
solved as a linear program (its optimum is often already whole; otherwise
diving fixes the most nearly whole count and solves again) and the integer
program runs only when that finds nothing; the master program keeps its
basis between solves (primal simplex, no presolve); several panels are
added per iteration (pricing at perturbed duals); initial panels cover every
unit; people are grouped into units (types).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pricing import Pricer
from .problem import Problem
from .solver import INF, ModelStatus, ObjSense, add_empty_cols, add_rows, new_highs

#: Dual weight (times unit size) above which a unit is held at the round's value.
FIX_TOLERANCE = 1e-7
#: Relative gain a new panel must bring to be added.
PRICE_TOLERANCE = 1e-7
#: Slack granted to probabilities fixed in earlier rounds (solver tolerances).
FIXED_SLACK = 1e-8
#: Panels with probability below this are dropped from the distribution.
SUPPORT_CUTOFF = 1e-10
#: A round stops when the Lagrangian bound is within this (relative) of z.
GAP_TOLERANCE = 1e-6
#: Extra pricing calls per iteration, at randomly perturbed weights: several
#: good, different panels per solve of the master program.
PERTURBED = 8
#: Size of those perturbations (weights multiplied by 1 + NOISE * U(0, 1)).
NOISE = 0.5
#: Dual smoothing (Wentges): price at SMOOTHING * best dual + (1 - SMOOTHING) * current.
SMOOTHING = 0.7


@dataclass
class Distribution:
    """Probability distribution over unit-count panels."""

    panels: list[np.ndarray]  # integer count per unit
    weights: np.ndarray  # probability of each panel, sum 1
    unit_probabilities: np.ndarray  # selection probability of each member of each unit
    optimal_min_probability: float
    stats: dict


class Master:
    """The restricted master program, kept warm between solves."""

    def __init__(self, problem: Problem):
        self.sizes = problem.sizes
        self.n = len(problem.units)
        self.h = new_highs()
        h = self.h
        # presolve would throw the warm basis away at every solve
        h.setOptionValue("presolve", "off")
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 4)  # primal: columns keep the basis feasible
        h.changeObjectiveSense(ObjSense.kMaximize)
        add_empty_cols(h, [1.0], [-INF], [INF])  # z
        lower = [0.0] * self.n + [1.0]
        upper = [INF] * self.n + [1.0]
        rows = [([0], [-float(s)]) for s in self.sizes] + [([], [])]
        add_rows(h, lower, upper, rows)
        self.columns: list[np.ndarray] = []
        self.keys: set[bytes] = set()

    def add(self, x: np.ndarray) -> bool:
        key = x.tobytes()
        if key in self.keys:
            return False
        self.keys.add(key)
        self.columns.append(x)
        nz = np.flatnonzero(x)
        index = np.append(nz, self.n).astype(np.int32)
        value = np.append(x[nz].astype(np.float64), 1.0)
        self.h.addCol(0.0, 0.0, INF, len(index), index, value)
        return True

    def solve(self):
        h = self.h
        h.run()
        status = h.getModelStatus()
        if status != ModelStatus.kOptimal:
            # numerical trouble with the warm basis: start afresh, then with
            # the dual simplex method
            for strategy in (4, 1):
                h.setOptionValue("simplex_strategy", strategy)
                h.clearSolver()
                h.run()
                status = h.getModelStatus()
                if status == ModelStatus.kOptimal:
                    break
            h.setOptionValue("simplex_strategy", 4)
        if status != ModelStatus.kOptimal:
            raise RuntimeError(f"master program ended with {status}")
        sol = h.getSolution()
        col = np.asarray(sol.col_value)
        dual = np.asarray(sol.row_dual)
        # maximising: duals of the >= rows come out non-positive
        return col[0], col[1:], np.clip(-dual[: self.n], 0.0, None), dual[self.n]

    def fix(self, u: int, value: float) -> float:
        """Hold unit u at ``value`` (less a tiny slack); returns n_u f_u."""
        bound = self.sizes[u] * max(0.0, value - FIXED_SLACK)
        self.h.changeCoeff(u, 0, 0.0)
        self.h.changeRowBounds(u, bound, INF)
        return bound


def initial_panels(problem: Problem, pricer: Pricer, limit: int) -> list[np.ndarray]:
    """Diverse feasible panels that between them include every unit that can sit.

    Each is the pricing program with pseudo-random weights, boosted for
    units no panel has taken yet. The generator's seed is fixed: the lottery
    must not depend on the draw's seed, which only picks a panel afterwards.
    """
    rng = np.random.default_rng(20210804)
    sizes = problem.sizes
    covered = np.zeros(len(sizes), dtype=bool)
    panels: list[np.ndarray] = []
    while len(panels) < limit:
        w = rng.random(len(sizes)) / sizes + 10.0 * ~covered
        x, _ = pricer.quick(w)
        if x is None:
            x = pricer.best(w)
        panels.append(x)
        new = ~covered & (x > 0)
        if not new.any() and len(panels) >= 4:
            break  # whoever is still uncovered cannot sit on any panel
        covered |= x > 0
    return panels


def leximin(problem: Problem, initial: int = 400) -> Distribution:
    """Leximin probabilities for the units of ``problem``, with the panels
    (unit counts) and weights that achieve them.

    Each iteration prices at the smoothed dual, at the current dual and at
    a few randomly perturbed ones with the fast linear pricing, adding every
    improving panel; only when none improves does the exact integer program
    decide whether the round is over. In merged mode each panel is first
    checked to be fillable one per household (else a cut is learnt).
    """
    smoothing = SMOOTHING
    n = len(problem.units)
    sizes = problem.sizes
    if problem.seats == 0 or n == 0:
        x = np.zeros(n, dtype=np.int64)
        return Distribution([x], np.ones(1), np.zeros(n), 0.0, {"rounds": 0})
    pricer = Pricer(problem)
    master = Master(problem)

    def offer(x) -> bool:
        """Add a panel to the master if people can fill it one per household."""
        if problem.merged:
            _, cut = problem.fill(x)
            if cut is not None:
                problem.cuts.append(cut)
                pricer.add_cut(*cut)
                return False
        return master.add(x)

    for x in initial_panels(problem, pricer, initial):
        offer(x)
    fixed = np.full(n, np.nan)
    floor = np.zeros(n)  # n_u * f_u for fixed units, 0 otherwise
    rounds = iterations = exact = 0
    rng = np.random.default_rng(7)
    p = None
    while np.isnan(fixed).any():
        rounds += 1
        center, best_bound = None, np.inf
        z, p, w, mu = master.solve()
        while True:
            iterations += 1
            threshold = mu + PRICE_TOLERANCE * max(abs(mu), 1e-9)
            trials = [w] if center is None else [smoothing * center + (1 - smoothing) * w, w]
            # perturbations are pseudo-random with a fixed seed: same run every time
            base = center if center is not None else w
            for _ in range(PERTURBED):
                trials.append(base * (1.0 + NOISE * rng.random(n)))
            added = 0
            for t, wt in enumerate(trials):
                x, lp_bound = pricer.quick(wt)
                if t < (1 if center is None else 2):
                    bound = lp_bound - float(floor @ wt)
                    if bound < best_bound:
                        best_bound, center = bound, wt
                if x is not None and float(w @ x) > threshold:
                    added += offer(x)
            if not added:
                exact += 1
                x = pricer.best(w)
                bound = float(w @ x) - float(floor @ w)
                if bound < best_bound:
                    best_bound, center = bound, w
                if float(w @ x) > threshold:
                    cuts = len(problem.cuts)
                    added += offer(x)
                    if not added and len(problem.cuts) > cuts:
                        continue  # a household cut changed the pricing program: again
            if not added or best_bound - z <= GAP_TOLERANCE * max(z, 1e-6):
                break
            z, p, w, mu = master.solve()
        unfixed = np.isnan(fixed)
        binding = unfixed & (w * sizes > FIX_TOLERANCE)
        if not binding.any():  # numerical corner: fix the lowest instead
            coverage = np.array(master.columns).T @ p / sizes
            binding = unfixed & (coverage <= z + 1e-9)
        for u in np.flatnonzero(binding):
            fixed[u] = z
            floor[u] = master.fix(int(u), z)
    weights = np.clip(p, 0.0, None)
    keep = weights > SUPPORT_CUTOFF
    panels = [c for c, k in zip(master.columns, keep, strict=True) if k]
    weights = weights[keep]
    weights = weights / weights.sum()
    unit_prob = np.array(panels).T @ weights / sizes
    return Distribution(
        panels,
        weights,
        unit_prob,
        float(np.nanmin(fixed)),
        {
            "rounds": rounds,
            "iterations": iterations,
            "exact_pricing": exact,
            "pricing_calls": pricer.calls,
            "lp_calls": pricer.lp_calls,
            "columns": len(master.columns),
        },
    )
