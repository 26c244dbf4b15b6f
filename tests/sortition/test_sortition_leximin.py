"""The leximin solver's two ways: through the linear relaxation, and level by level."""

import numpy as np
import pytest
from sortition_support import feasible_panels, leximin_by_enumeration, maximin_by_enumeration

from consultation.sortition import Person, Quota
from consultation.sortition.leximin import (
    Master,
    _exact,
    _Generator,
    initial_panels,
    leximin,
    relaxed_leximin,
)
from consultation.sortition.pricing import Pricer
from consultation.sortition.problem import compile_problem


def gap_instance():
    """Six people, two seats: the relaxation's leximin is out of reach of
    whole panels, so the solver must fall back to the level-by-level way."""
    values = ["110", "001", "111", "100", "010", "110"]
    people = [
        Person(f"p{i}", {f"f{j}": f"v{v[j]}" for j in range(3)}) for i, v in enumerate(values)
    ]
    quotas = [
        Quota("f0", "v0", 1, 1),
        Quota("f0", "v1", 1, 1),
        Quota("f1", "v0", 1, 2),
        Quota("f1", "v1", 0, 1),
        Quota("f2", "v0", 0, 1),
        Quota("f2", "v1", 1, 1),
    ]
    return people, quotas, 2


def person_probabilities(problem, unit_probabilities):
    return sorted(
        float(unit_probabilities[u]) for u, unit in enumerate(problem.units) for _ in unit.members
    )


def test_relaxation_out_of_reach_falls_back_to_the_exact_leximin():
    people, quotas, seats = gap_instance()
    problem = compile_problem(people, quotas, seats)
    dist = leximin(problem)
    assert dist.stats["rounds"] > 0  # the fallback ran
    panels = feasible_panels(people, quotas, seats)
    expected = leximin_by_enumeration(people, panels)
    assert person_probabilities(problem, dist.unit_probabilities) == pytest.approx(
        expected, abs=1e-6
    )
    # the relaxation is an upper bound in the leximin order, here a strict one
    counts, _ = relaxed_leximin(compile_problem(people, quotas, seats))
    relaxed = person_probabilities(problem, counts / problem.sizes)
    first = next(
        i for i, (a, b) in enumerate(zip(relaxed, expected, strict=True)) if abs(a - b) > 1e-9
    )
    assert relaxed[first] > expected[first]


def test_shortcut_matches_the_level_by_level_method_on_the_sample_pool(sample_pool, quotas_30):
    """On the sample pool the lottery reaches the relaxation's leximin (no
    fallback), and the exact method, which proves each level optimal with
    the integer program, finds the same probabilities."""
    problem = compile_problem(sample_pool, quotas_30, 30)
    fast = leximin(problem)
    assert fast.stats["rounds"] == 0
    pricer = Pricer(problem)
    master = Master(problem)
    for x in initial_panels(problem, pricer, 400):
        master.add(x)
    _, p, fixed = _exact(problem, _Generator(problem, pricer), master)
    exact = np.array(master.columns).T @ np.clip(p, 0, None) / problem.sizes
    assert fast.unit_probabilities.min() == pytest.approx(fixed.min(), rel=1e-6)
    assert fast.unit_probabilities == pytest.approx(exact, abs=1e-6)
    # every panel of the lottery meets the quotas and the seats
    for x in fast.panels:
        assert x.sum() == 30
        for row in problem.rows:
            assert row.min <= x[list(row.units)].sum() <= row.max


def test_tiny_instance_with_the_shortcut_is_the_maximin():
    people = [Person(f"p{i}", {"g": "ab"[i % 2], "h": "xyz"[i % 3]}) for i in range(9)]
    quotas = [
        Quota("g", "a", 1, 2),
        Quota("g", "b", 1, 2),
        Quota("h", "x", 0, 1),
        Quota("h", "y", 1, 2),
        Quota("h", "z", 0, 2),
    ]
    problem = compile_problem(people, quotas, 3)
    dist = leximin(problem)
    best = maximin_by_enumeration(people, feasible_panels(people, quotas, 3))
    assert dist.unit_probabilities.min() == pytest.approx(best, abs=1e-7)
