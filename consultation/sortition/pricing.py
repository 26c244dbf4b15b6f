"""The pricing program: the feasible panel of largest total weight."""

from __future__ import annotations

import numpy as np

from .problem import Problem
from .solver import ModelStatus, ObjSense


class Pricer:
    """Finds, for unit weights w, a feasible panel maximising ``sum w_u x_u``.

    One HiGHS model is built once; only the objective changes between calls.
    """

    def __init__(self, problem: Problem):
        self.problem = problem
        self.n = len(problem.units)
        self.mip = problem.build_model(integer=True)
        self.mip.changeObjectiveSense(ObjSense.kMaximize)
        self.index = np.arange(self.n, dtype=np.int32)
        self.calls = 0
        self.a = problem.quota_matrix()
        self.row_min = np.array([r.min for r in problem.rows], dtype=np.float64)
        self.row_max = np.array([r.max for r in problem.rows], dtype=np.float64)
        self.sizes = problem.sizes
        self.household = np.full(self.n, -1)
        for h, units in enumerate(problem.households):
            self.household[list(units)] = h

    def best(self, weights: np.ndarray) -> np.ndarray:
        """An optimal panel as integer counts per unit."""
        self.calls += 1
        h = self.mip
        h.changeColsCost(self.n, self.index, np.asarray(weights, dtype=np.float64))
        h.run()
        if h.getModelStatus() != ModelStatus.kOptimal:
            raise RuntimeError(f"pricing program ended with {h.getModelStatus()}")
        x = np.asarray(h.getSolution().col_value)
        return np.rint(x).astype(np.int64)

    def neighbours(self, x: np.ndarray, weights: np.ndarray, floor: float, count: int):
        """Up to ``count`` panels one swap away from ``x`` weighing more than ``floor``.

        A swap takes one person of unit a out and one of unit b in, keeping
        every quota and household rule. Best first; ties in unit order.
        """
        out = np.flatnonzero(x > 0)
        into = np.flatnonzero(x < self.sizes)
        if len(out) == 0 or len(into) == 0 or count <= 0:
            return []
        base = float(weights @ x)
        gain = weights[into][None, :] - weights[out][:, None]  # out x into
        ok = base + gain > floor
        ok &= out[:, None] != into[None, :]
        if not ok.any():
            return []
        counts = self.a @ x
        # rows after the swap: counts - a[:, out] + a[:, into]
        after = counts[:, None, None] - self.a[:, out][:, :, None] + self.a[:, into][:, None, :]
        ok &= np.all(after >= self.row_min[:, None, None] - 1e-9, axis=0)
        ok &= np.all(after <= self.row_max[:, None, None] + 1e-9, axis=0)
        hh = self.household[into]
        if (hh >= 0).any():
            taken = np.zeros(len(self.household) and (self.household.max() + 1), dtype=np.int64)
            chosen = np.flatnonzero((x > 0) & (self.household >= 0))
            np.add.at(taken, self.household[chosen], x[chosen])
            clash = (hh >= 0) & (taken[np.maximum(hh, 0)] > 0)
            # moving into a household is fine only if its member is the one leaving
            same = (self.household[out][:, None] == hh[None, :]) & (hh[None, :] >= 0)
            ok &= ~clash[None, :] | same
        i, j = np.nonzero(ok)
        if len(i) == 0:
            return []
        order = np.lexsort((j, i, -gain[i, j]))[:count]
        panels = []
        for k in order:
            y = x.copy()
            y[out[i[k]]] -= 1
            y[into[j[k]]] += 1
            panels.append(y)
        return panels
