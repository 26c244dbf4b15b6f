"""The pricing program: the feasible panel of largest total weight."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import Problem
from .solver import INF, MatrixFormat, ModelStatus, ObjSense, add_rows


@dataclass(frozen=True)
class Face:
    """A face of the panel polytope: ``rows`` held at ``values``, units in
    ``zero`` never taken, units in ``full`` always taken to their cap."""

    rows: np.ndarray
    values: np.ndarray
    zero: np.ndarray
    full: np.ndarray


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
        self.lp_calls = 0
        self.lp = problem.build_model(integer=False)
        self.lp.changeObjectiveSense(ObjSense.kMaximize)
        self.lp.setOptionValue("presolve", "off")
        lp = self.lp.getLp()
        self._row_lower = np.asarray(lp.row_lower_)
        self._row_upper = np.asarray(lp.row_upper_)
        self.caps = problem.caps
        self.lower = np.zeros(self.n)
        self.upper = self.caps.copy()
        self.face: Face | None = None

    def restrict(self, face: Face) -> None:
        """Look for panels on ``face`` only."""
        self.face = face
        self.lower = np.zeros(self.n)
        self.upper = self.caps.copy()
        self.upper[face.zero] = 0.0
        self.lower[face.full] = self.caps[face.full]
        self._bounds(face.rows, face.values, face.values)

    def release(self) -> None:
        """Look for panels anywhere again."""
        face, self.face = self.face, None
        self.lower = np.zeros(self.n)
        self.upper = self.caps.copy()
        if face is not None:
            rows = face.rows
            self._bounds(rows, self._row_lower[rows], self._row_upper[rows])

    def _bounds(self, rows, row_lower, row_upper) -> None:
        cols = np.arange(self.n, dtype=np.int32)
        for h in (self.mip, self.lp):
            h.changeColsBounds(self.n, cols, self.lower, self.upper)
            for r, lo, up in zip(rows, row_lower, row_upper, strict=True):
                h.changeRowBounds(int(r), float(lo), float(up))

    def rows(self):
        """The pricing program's rows as (dense matrix, lower, upper), as now
        set (on the face, if restricted)."""
        lp = self.lp.getLp()
        m = self.lp.getNumRow()
        a = lp.a_matrix_
        start, index, value = np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_)
        matrix = np.zeros((m, self.n))
        rowwise = a.format_ != MatrixFormat.kColwise
        for k in range(len(start) - 1):
            span = slice(int(start[k]), int(start[k + 1]))
            if rowwise:
                matrix[k, index[span]] = value[span]
            else:
                matrix[index[span], k] = value[span]
        return matrix, np.asarray(lp.row_lower_).copy(), np.asarray(lp.row_upper_).copy()

    def narrow(self, lower, upper, rows, row_lower, row_upper) -> None:
        """Set the columns' bounds (all of them) and those of ``rows``."""
        self.lower = np.asarray(lower, dtype=np.float64).copy()
        self.upper = np.asarray(upper, dtype=np.float64).copy()
        for h in (self.mip, self.lp):
            h.changeColsBounds(self.n, self.index, self.lower, self.upper)
            for r, lo, up in zip(rows, row_lower, row_upper, strict=True):
                h.changeRowBounds(int(r), float(lo), float(up))

    def add_cut(self, units, bound) -> None:
        """Forbid panels taking more than ``bound`` people from ``units``."""
        for h in (self.mip, self.lp):
            add_rows(h, [-INF], [float(bound)], [(list(units), [1.0] * len(units))])

    def best(self, weights: np.ndarray) -> np.ndarray | None:
        """An optimal panel as integer counts per unit (None when the program
        has no panel: the face set by ``restrict`` holds none, or, on merged
        units, none meets the household cuts)."""
        self.calls += 1
        h = self.mip
        h.changeColsCost(self.n, self.index, np.asarray(weights, dtype=np.float64))
        h.run()
        if h.getModelStatus() == ModelStatus.kInfeasible:
            return None
        if h.getModelStatus() != ModelStatus.kOptimal:
            raise RuntimeError(f"pricing program ended with {h.getModelStatus()}")
        x = np.asarray(h.getSolution().col_value)
        return np.rint(x).astype(np.int64)

    def quick(self, weights: np.ndarray, dives: int = 20):
        """A good panel, fast: the linear relaxation, then diving.

        Returns (panel or None, upper bound on the best weight). When the
        relaxation's optimum is already whole, the panel is optimal. Otherwise
        the most nearly whole fractional count is fixed to its rounding and the
        relaxation solved again, up to ``dives`` times.
        """
        self.lp_calls += 1
        h = self.lp
        h.changeColsCost(self.n, self.index, np.asarray(weights, dtype=np.float64))
        h.run()
        if h.getModelStatus() != ModelStatus.kOptimal:
            return None, np.inf
        x = np.asarray(h.getSolution().col_value)
        bound = float(weights @ x)
        frac = np.abs(x - np.rint(x))
        if frac.max() <= 1e-7:
            return np.rint(x).astype(np.int64), bound
        fixed: list[int] = []
        result = None
        for _ in range(dives):
            candidates = np.flatnonzero(frac > 1e-7)
            if len(candidates) == 0:
                result = np.rint(x).astype(np.int64)
                break
            j = int(candidates[np.argmin(frac[candidates])])
            v = float(np.rint(x[j]))
            h.changeColBounds(j, v, v)
            fixed.append(j)
            self.lp_calls += 1
            h.run()
            if h.getModelStatus() != ModelStatus.kOptimal:
                break
            x = np.asarray(h.getSolution().col_value)
            frac = np.abs(x - np.rint(x))
        for j in fixed:
            h.changeColBounds(j, float(self.lower[j]), float(self.upper[j]))
        return result, bound
