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

The shortcut tried first: the same leximin over the *linear relaxation* of
the pricing program (expected counts m in the relaxed polytope instead of
in the hull of whole panels) is a small explicit program, solved in
milliseconds, and it can only be better in the leximin order, the
relaxation containing the hull. So if some lottery of whole panels has
exactly those expected counts m*, that lottery is leximin-optimal. Finding
one is first tried by walking down the relaxation's faces
(``decompose``: a panel on the smallest face holding the current point,
then on to the boundary along the ray from it; at most one step per
dimension, no master program at all). If the walk gets stuck (a face
without panels, a household cut), a single weighted maximin (rows
``>= m*_u z``, optimum at most 1) by column generation, starting from the
panels found, stopped as soon as z reaches 1 (no optimality proof needed:
the relaxation already bounds it). Every panel of such a lottery lies on
the smallest face of the relaxation holding m*, so pricing looks there
only. When z cannot reach 1 (the relaxation's fractional corners matter:
small or tight pools), the rounds above run, with the panels found.

Where the time goes and what is done about it: the pricing program is first
solved as a linear program (its optimum is often already whole; otherwise
diving fixes the most nearly whole count and solves again) and the integer
program runs only when that finds nothing; the master program keeps its
basis between solves (primal simplex, no presolve); several panels are
added per iteration (pricing at perturbed duals, each steered away from the
units the batch already took); initial panels cover every unit; people are
grouped into units (types).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import InfeasibilityReason, InfeasibleError
from .pricing import Face, Pricer
from .problem import Problem
from .solver import INF, ModelStatus, ObjSense, add_empty_cols, add_rows, new_highs

#: Dual weight (times unit size) above which a unit is held at the round's value.
FIX_TOLERANCE = 1e-7
#: Relative gain a new panel must bring to be added.
PRICE_TOLERANCE = 1e-7
#: Slack granted to probabilities fixed in earlier rounds (solver tolerances).
FIXED_SLACK = 1e-8
#: The same, in the small relaxed program (its target must be accurate).
RELAXED_SLACK = 0.0
#: Panels with probability below this are dropped from the distribution.
SUPPORT_CUTOFF = 1e-10
#: A round stops when the Lagrangian bound is within this (relative) of z.
GAP_TOLERANCE = 1e-6
#: The lottery may fall short of the relaxation's leximin by this share.
DECOMPOSE_TOLERANCE = 1e-7
#: A row or bound of the relaxation within this of its limit is tight.
FACE_TOLERANCE = 1e-6
#: Extra pricing calls per iteration, at randomly perturbed weights: several
#: good, different panels per solve of the master program.
PERTURBED = 10
#: How strongly each perturbed pricing avoids the units earlier panels of the
#: same batch took (weights multiplied by exp(-DIVERSITY * share of cap taken)).
DIVERSITY = 1.0
#: Size of those perturbations (weights multiplied by 1 + NOISE * U(0, 1)).
NOISE = 0.1
#: Dual smoothing (Wentges): price at SMOOTHING * best dual + (1 - SMOOTHING) * current.
SMOOTHING = 0.7
#: Face walk (``decompose``): a count within this of a limit is on it.
WALK_TOLERANCE = 1e-9
#: Its pricing weights: y / n_u times 1 + WALK_NOISE * U(0, 1).
WALK_NOISE = 0.1
#: It stops when this little weight is left (then dropped) ...
WALK_REMAINDER = 1e-12
#: ... or after this many steps.
WALK_STEPS = 100_000
#: Why there is no lottery when no panel exists (``draw`` checks first, on
#: the people themselves; on merged units households are only checked panel
#: by panel). Worded as ``feasibility.program_reasons`` does.
NO_PANEL = "each quota can be met on its own, but no panel meets all quotas together"
NO_PANEL_HOUSEHOLDS = (
    "each quota can be met on its own, but no panel meets all quotas "
    "together while taking at most one person per household"
)


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

    def __init__(self, problem: Problem, scale: np.ndarray | None = None):
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
        scale = self.sizes if scale is None else scale
        rows = [([0], [-float(s)]) for s in scale] + [([], [])]
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
            if x is None:
                break  # no panel at all (the caller finds one, or reports it)
        panels.append(x)
        new = ~covered & (x > 0)
        if not new.any() and len(panels) >= 4:
            break  # whoever is still uncovered cannot sit on any panel
        covered |= x > 0
    return panels


def relaxed_leximin(problem: Problem) -> tuple[np.ndarray, Face] | None:
    """Expected unit counts of the leximin over the pricing program's linear
    relaxation, and the smallest face of the relaxation holding them (None
    if the solver fails: the caller then goes the exact way)."""
    n = len(problem.units)
    sizes = problem.sizes
    h = problem.build_model(integer=False)
    h.changeObjectiveSense(ObjSense.kMaximize)
    add_empty_cols(h, [1.0], [-INF], [INF])  # z, column n
    base = h.getNumRow()
    add_rows(h, [0.0] * n, [INF] * n, [([u, n], [1.0, -float(sizes[u])]) for u in range(n)])
    unfixed = np.ones(n, dtype=bool)
    while True:
        h.run()
        if h.getModelStatus() != ModelStatus.kOptimal:
            return None
        sol = h.getSolution()
        z = sol.col_value[n]
        # maximising: duals of the >= rows come out non-positive
        dual = -np.asarray(sol.row_dual)[base:]
        binding = unfixed & (dual * sizes > FIX_TOLERANCE)
        if not binding.any():  # numerical corner: fix the lowest instead
            counts = np.asarray(sol.col_value[:n])
            binding = unfixed & (counts <= sizes * z + 1e-9)
        for u in np.flatnonzero(binding):
            h.changeCoeff(base + int(u), n, 0.0)
            h.changeRowBounds(base + int(u), sizes[u] * max(0.0, z - RELAXED_SLACK), INF)
        unfixed &= ~binding
        if not unfixed.any() or not binding.any():
            break
    counts = np.clip(np.asarray(sol.col_value[:n]), 0.0, None)
    # the smallest face of the relaxation holding the target: a row or bound
    # tight there is tight for every panel of a lottery reaching it (the
    # average of panels within a limit sits on it only if each one does).
    # Only the seats row and the quotas (the first rows) are used: a
    # larger face than needed costs nothing but time.
    lp = h.getLp()
    last = 1 + len(problem.rows)
    activity = np.asarray(sol.row_value)[:last]
    lower, upper = np.asarray(lp.row_lower_)[:last], np.asarray(lp.row_upper_)[:last]
    tight = np.flatnonzero(
        (activity <= lower + FACE_TOLERANCE) | (activity >= upper - FACE_TOLERANCE)
    )
    face = Face(
        rows=tight,
        values=np.rint(activity[tight]),
        zero=np.flatnonzero(counts <= FACE_TOLERANCE),
        full=np.flatnonzero(counts >= problem.caps - FACE_TOLERANCE),
    )
    return counts, face


def decompose(problem: Problem, pricer: Pricer, target: np.ndarray, offer):
    """Whole panels and weights whose expected counts are ``target``, by
    walking down the faces of the relaxation (Caratheodory's construction).

    From the current point y (at first the target), find a panel x on the
    smallest face of the relaxation holding y (pricing at weights close to
    y), and follow the ray from x through y to the relaxation's boundary, at
    y' = x + t (y - x), t > 1. Then y = y' / t + (1 - 1 / t) x: x gets weight
    1 - 1 / t of what is left, and y' lies on a smaller face. Each step
    lowers the face's dimension, so at most (units + 1) steps. It fails
    when a face holds no panel (the relaxation's fractional corners), or a
    household cut learnt on the way (merged units) separates the point; the caller then
    generates columns, starting from the panels found (returned either way).
    ``offer(x)`` says whether a panel can be used (households).

    Returns (panels, weights, complete). Deterministic: fixed seed, fixed
    order, no clock.
    """
    rng = np.random.default_rng(20211206)
    n = len(target)
    matrix, row_lower, row_upper = pricer.rows()
    base_rows = (row_lower.copy(), row_upper.copy())
    lower, upper = pricer.lower.copy(), pricer.upper.copy()
    base_cols = (lower.copy(), upper.copy())
    y, mass = target.astype(np.float64).copy(), 1.0
    panels: list[np.ndarray] = []
    weights: list[float] = []
    complete = False
    tol = WALK_TOLERANCE
    try:
        for _ in range(WALK_STEPS):
            # the smallest face holding y: whatever is tight stays tight
            ay = matrix @ y
            lo = np.where(ay >= row_upper - tol, row_upper, row_lower)
            up = np.where(ay <= row_lower + tol, row_lower, row_upper)
            col_lo = np.where(y >= upper - tol, upper, lower)
            col_up = np.where(y <= lower + tol, lower, upper)
            changed = np.flatnonzero((lo != row_lower) | (up != row_upper))
            row_lower, row_upper, lower, upper = lo, up, col_lo, col_up
            pricer.narrow(lower, upper, changed, lo[changed], up[changed])
            if np.abs(y - np.rint(y)).max() <= tol:  # a corner: a panel itself
                x = np.rint(y).astype(np.int64)
                if not offer(x):
                    break
                panels.append(x)
                weights.append(mass)
                complete = True
                break
            w = y / problem.sizes * (1.0 + WALK_NOISE * rng.random(n))
            x, _ = pricer.quick(w)
            if x is None:
                x = pricer.best(w)
                if x is None:
                    break  # no panel on this face
            if not offer(x):
                # a household cut was learnt: go on if y meets it
                more, more_lower, more_upper = pricer.rows()
                new = slice(len(row_lower), len(more_lower))
                if not np.all(more[new] @ y <= more_upper[new] + tol):
                    break
                matrix = more
                row_lower = np.append(row_lower, more_lower[new])
                row_upper = np.append(row_upper, more_upper[new])
                base_rows = tuple(
                    np.append(b, m[new])
                    for b, m in zip(base_rows, (more_lower, more_upper), strict=True)
                )
                continue
            d = y - x
            ad, ax = matrix @ d, matrix @ x
            with np.errstate(divide="ignore", invalid="ignore"):
                t_col = np.where(
                    d > tol, (upper - x) / d, np.where(d < -tol, (lower - x) / d, np.inf)
                )
                t_row = np.where(
                    ad > tol,
                    (row_upper - ax) / ad,
                    np.where(ad < -tol, (row_lower - ax) / ad, np.inf),
                )
            t_col[lower >= upper] = np.inf
            t_row[row_lower >= row_upper] = np.inf
            t = min(float(t_col.min()), float(t_row.min()))
            if not t > 1.0 + 1e-12:
                break  # numerical trouble
            panels.append(x)
            weights.append(mass * (1.0 - 1.0 / t))
            mass /= t
            if mass <= WALK_REMAINDER:
                complete = True
                break
            y = x + t * d
    finally:
        rows = np.arange(len(base_rows[0]))
        pricer.narrow(*base_cols, rows, *base_rows)
    return panels, np.array(weights), complete


class _Generator:
    """Column generation on a master program, shared by both ways of solving."""

    def __init__(self, problem: Problem, pricer: Pricer):
        self.problem = problem
        self.pricer = pricer
        self.rng = np.random.default_rng(7)
        self.iterations = 0
        self.exact = 0
        self.walked = 0

    def usable(self, x) -> bool:
        """Whether people can fill the panel one per household (merged
        units); if not, the pricing program learns a cut."""
        problem = self.problem
        if problem.merged:
            _, cut = problem.fill(x)
            if cut is not None:
                problem.cuts.append(cut)
                self.pricer.add_cut(*cut)
                return False
        return True

    def offer(self, master: Master, x) -> bool:
        """Add a panel to the master if people can fill it one per household."""
        return self.usable(x) and master.add(x)

    def seed(self, master: Master, weights: np.ndarray) -> bool:
        """Make sure the master has a column: when none of the panels offered
        was usable (on merged units the starting panels ignore households
        until cuts are learnt), the pricing program's exact optimum, again
        and again as cuts are learnt, until people can fill it one per
        household. False when the pricing program (on its face, if
        restricted) has no such panel."""
        while not master.columns:
            self.exact += 1
            x = self.pricer.best(weights)
            if x is None:
                return False
            cuts = len(self.problem.cuts)
            if not self.offer(master, x) and len(self.problem.cuts) == cuts:
                # refused without a new cut: cannot happen (a usable panel
                # not yet in an empty master), but never loop on it
                raise RuntimeError("the pricing program repeats a refused panel")
        return True

    def run(self, master: Master, floor: np.ndarray, done):
        """Add improving panels until ``done(z, bound)`` or none improves.

        Each iteration prices at the smoothed dual, at the current dual and at
        a few randomly perturbed ones with the fast linear pricing, adding every
        improving panel; only when none improves does the exact integer program
        decide whether the program is optimal. ``bound`` is the best Lagrangian
        bound on z found so far. Returns (z, p, w, optimal).
        """
        n = len(floor)
        pricer = self.pricer
        center, best_bound = None, np.inf
        z, p, w, mu = master.solve()
        while not done(z, best_bound):
            self.iterations += 1
            threshold = mu + PRICE_TOLERANCE * max(abs(mu), 1e-9)
            smoothed = [] if center is None else [SMOOTHING * center + (1 - SMOOTHING) * w]
            trials = [*smoothed, w]
            # perturbations are pseudo-random with a fixed seed: same run every time
            base = center if center is not None else w
            for _ in range(PERTURBED):
                trials.append(base * (1.0 + NOISE * self.rng.random(n)))
            added = 0
            taken = np.zeros(n)  # share of each unit's cap taken by this batch
            for t, wt in enumerate(trials):
                if t > len(smoothed):
                    # steer away from units this batch already takes: panels
                    # that complement each other, not near copies
                    wt = wt * np.exp(-DIVERSITY * taken)
                x, lp_bound = pricer.quick(wt)
                if x is not None:
                    taken += x / pricer.caps
                if t <= len(smoothed):
                    bound = lp_bound - float(floor @ wt)
                    if bound < best_bound:
                        best_bound, center = bound, wt
                if x is not None and float(w @ x) > threshold:
                    added += self.offer(master, x)
            if not added:
                self.exact += 1
                x = pricer.best(w)
                if x is None:  # no panel at all on the pricer's face
                    return z, p, w, True
                bound = float(w @ x) - float(floor @ w)
                if bound < best_bound:
                    best_bound, center = bound, w
                if float(w @ x) > threshold:
                    cuts = len(self.problem.cuts)
                    added += self.offer(master, x)
                    if not added and len(self.problem.cuts) > cuts:
                        continue  # a household cut changed the pricing program: again
                if not added:
                    return z, p, w, True
            z, p, w, mu = master.solve()
        return z, p, w, False


def leximin(problem: Problem, initial: int = 400, walk: bool = True) -> Distribution:
    """Leximin probabilities for the units of ``problem``, with the panels
    (unit counts) and weights that achieve them.

    First the relaxation's leximin and a lottery reaching it (see the module
    docstring; ``walk=False`` skips the face walk and goes straight to column
    generation); if none does, the exact method, level by level.
    """
    n = len(problem.units)
    if problem.seats == 0 or n == 0:
        x = np.zeros(n, dtype=np.int64)
        return Distribution([x], np.ones(1), np.zeros(n), 0.0, {"rounds": 0})
    pricer = Pricer(problem)
    gen = _Generator(problem, pricer)

    relaxed = relaxed_leximin(problem)
    # the relaxation bounds the weighted maximin by 1: stop on reaching it,
    # or when a bound proves it out of reach
    reach = 1.0 - DECOMPOSE_TOLERANCE
    z, rounds, found = 0.0, 0, []
    if relaxed is not None and walk:
        target, face = relaxed
        pricer.restrict(face)
        found, w, complete = decompose(problem, pricer, target, gen.usable)
        gen.walked = len(found)
        if complete:
            panels, weights = _merge(found, w)
            got = np.array(panels).T @ weights
            positive = target > 0
            if np.all(got[positive] >= reach * target[positive]):
                return _distribution(problem, panels, weights, rounds, gen, len(panels))
        pricer.release()
    start = initial_panels(problem, pricer, initial)
    columns = [*start, *found]
    if relaxed is not None:
        target, face = relaxed
        pricer.restrict(face)
        master = Master(problem, target)
        for x in columns:
            gen.offer(master, x)
        if gen.seed(master, target / problem.sizes):
            z, p, _, _ = gen.run(master, np.zeros(n), lambda z, bound: z >= reach or bound < reach)
            columns = master.columns
        # else no usable panel on the face: the exact way, from the whole polytope
        pricer.release()
    if z < reach:
        master = Master(problem)
        for x in columns:
            gen.offer(master, x)
        if not gen.seed(master, 1.0 / problem.sizes):
            homes = problem.merged or bool(problem.households)
            message = NO_PANEL_HOUSEHOLDS if homes else NO_PANEL
            raise InfeasibleError([InfeasibilityReason("no_panel", message)])
        z, p, fixed = _exact(problem, gen, master)
        rounds = len(np.unique(fixed))
    weights = np.clip(p, 0.0, None)
    keep = weights > SUPPORT_CUTOFF
    panels = [c for c, k in zip(master.columns, keep, strict=True) if k]
    return _distribution(problem, panels, weights[keep], rounds, gen, len(master.columns))


def _merge(panels: list[np.ndarray], weights: np.ndarray):
    """Repeated panels merged (weights added), in order of first appearance;
    panels below ``SUPPORT_CUTOFF`` dropped."""
    index: dict[bytes, int] = {}
    out: list[np.ndarray] = []
    total: list[float] = []
    for x, w in zip(panels, weights, strict=True):
        key = x.tobytes()
        if key not in index:
            index[key] = len(out)
            out.append(x)
            total.append(0.0)
        total[index[key]] += float(w)
    keep = [j for j, w in enumerate(total) if w > SUPPORT_CUTOFF]
    return [out[j] for j in keep], np.array([total[j] for j in keep])


def _distribution(problem, panels, weights, rounds, gen, columns) -> Distribution:
    weights = weights / weights.sum()
    unit_prob = np.array(panels).T @ weights / problem.sizes
    return Distribution(
        panels,
        weights,
        unit_prob,
        float(unit_prob.min()),
        {
            "rounds": rounds,
            "walk_steps": gen.walked,
            "iterations": gen.iterations,
            "exact_pricing": gen.exact,
            "pricing_calls": gen.pricer.calls,
            "lp_calls": gen.pricer.lp_calls,
            "columns": columns,
        },
    )


def _exact(problem: Problem, gen: _Generator, master: Master):
    """Leximin level by level: maximise the smallest, fix the units that cannot
    rise (positive duals), repeat. Returns (z, p, level of each unit)."""
    n = len(problem.units)
    sizes = problem.sizes
    fixed = np.full(n, np.nan)
    floor = np.zeros(n)  # n_u * f_u for fixed units, 0 otherwise
    while np.isnan(fixed).any():
        z, p, w, _ = gen.run(
            master, floor, lambda z, bound: bound - z <= GAP_TOLERANCE * max(z, 1e-6)
        )
        unfixed = np.isnan(fixed)
        binding = unfixed & (w * sizes > FIX_TOLERANCE)
        if not binding.any():  # numerical corner: fix the lowest instead
            coverage = np.array(master.columns).T @ p / sizes
            binding = unfixed & (coverage <= z + 1e-9)
        for u in np.flatnonzero(binding):
            fixed[u] = z
            floor[u] = master.fix(int(u), z)
    return z, p, fixed
