"""HiGHS, set up to be silent and deterministic."""

from __future__ import annotations

import highspy
import numpy as np

INF = highspy.kHighsInf
ObjSense = highspy.ObjSense
ModelStatus = highspy.HighsModelStatus
VarType = highspy.HighsVarType
MatrixFormat = highspy.MatrixFormat


def new_highs(mip_gap: float = 1e-9):
    """A HiGHS instance that prints nothing and gives the same answer every run.

    The public ``highspy.Highs`` wrapper prints a banner on standard output
    the moment it is created, before any option can be set (that would break
    JSON written to stdout), so the underlying core object is used and
    silenced first. Fixed random seed and a single thread make the solver's
    path, and so its answer, the same on every run.
    """
    core = getattr(getattr(highspy, "_core", None), "_Highs", None)
    h = core() if core is not None else highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", mip_gap)
    h.setOptionValue("mip_abs_gap", 1e-12)
    return h


def add_rows(h, lower, upper, rows: list[tuple[list[int], list[float]]]) -> None:
    """Add rows given as (column indices, coefficients) pairs."""
    starts, index, value = [], [], []
    for cols, coefs in rows:
        starts.append(len(index))
        index.extend(cols)
        value.extend(coefs)
    h.addRows(
        len(rows),
        np.asarray(lower, dtype=np.float64),
        np.asarray(upper, dtype=np.float64),
        len(index),
        np.asarray(starts, dtype=np.int32),
        np.asarray(index, dtype=np.int32),
        np.asarray(value, dtype=np.float64),
    )


def add_empty_cols(h, costs, lower, upper) -> None:
    n = len(costs)
    h.addCols(
        n,
        np.asarray(costs, dtype=np.float64),
        np.asarray(lower, dtype=np.float64),
        np.asarray(upper, dtype=np.float64),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.float64),
    )
