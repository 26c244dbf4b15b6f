"""The face walk (``leximin.decompose``): whole panels reaching the relaxation's
leximin, deterministic, and the fallbacks when it cannot finish."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from sortition_support import (
    feasible_panels,
    instances,
    leximin_by_enumeration,
    maximin_by_enumeration,
)
from test_sortition_leximin import gap_instance, person_probabilities

from consultation.sortition import (
    InfeasibleError,
    Person,
    Quota,
    draw,
    engine,
    panel_problems,
    verify,
)
from consultation.sortition import leximin as leximin_module
from consultation.sortition.leximin import (
    DECOMPOSE_TOLERANCE,
    _Generator,
    decompose,
    leximin,
    relaxed_leximin,
)
from consultation.sortition.pricing import Face, Pricer
from consultation.sortition.problem import compile_problem

QUICK = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def walk(problem, target=None):
    """``decompose`` as ``leximin`` calls it: on the face of the relaxation's
    leximin (or from ``target``, on the whole relaxation: as a face without
    rows, the walk narrowing it itself). Returns
    (target, panels, weights, complete, pricer, the pricer's bounds before),
    or None when the relaxation's solve fails (``leximin`` then skips the walk)."""
    pricer = Pricer(problem)
    gen = _Generator(problem, pricer)
    if target is None:
        relaxed = relaxed_leximin(problem)
        if relaxed is None:
            return None
        target, face = relaxed
    else:
        nothing = np.array([], dtype=np.int64)
        face = Face(rows=nothing, values=np.array([]), zero=nothing, full=nothing)
    pricer.restrict(face)
    _, row_lower, row_upper = pricer.rows()
    before = (row_lower, row_upper, pricer.lower.copy(), pricer.upper.copy())
    panels, weights, complete = decompose(problem, pricer, target, gen.usable)
    return target, panels, weights, complete, pricer, before


def panel_ids(problem, x):
    """People for a panel of unit counts: the first members of each unit, or
    one per household by matching on merged units."""
    if problem.merged:
        chosen, cut = problem.fill(x)
        assert cut is None, f"panel {x} breaks the one-per-household rule"
        return sorted(i for ids in chosen.values() for i in ids)
    return sorted(i for u in np.flatnonzero(x) for i in problem.units[u].members[: int(x[u])])


def assert_valid_unit_panel(problem, people, quotas, seats, x):
    assert x.dtype.kind == "i"
    assert np.all(x >= 0) and np.all(x <= problem.caps)
    assert int(x.sum()) == problem.seats
    for row in problem.rows:
        assert row.min <= x[list(row.units)].sum() <= row.max
    for home in problem.households:
        assert x[list(home)].sum() <= 1
    by_id = {p.id: p for p in people}
    assert panel_problems(by_id, quotas, seats, panel_ids(problem, x)) == []


def in_relaxation(problem, y, tol=1e-7) -> bool:
    """Whether unit counts ``y`` meet the seats, quotas, household rows and
    caps (the relaxation without household cuts)."""
    ok = abs(y.sum() - problem.seats) <= tol and np.all(y >= -tol)
    ok &= np.all(y <= problem.caps + tol)
    for row in problem.rows:
        ok &= row.min - tol <= y[list(row.units)].sum() <= row.max + tol
    for home in problem.households:
        ok &= y[list(home)].sum() <= 1 + tol
    return bool(ok)


def assert_walk_result(problem, people, quotas, seats, target, panels, weights, complete):
    n = len(problem.units)
    # at most one step per dimension of the face: units + 1 panels at most
    assert len(panels) == len(weights) <= n + 1
    assert np.all(weights > 0)
    for x in panels:
        assert_valid_unit_panel(problem, people, quotas, seats, x)
    got = np.array(panels).T @ weights if panels else np.zeros(n)
    if complete:
        assert weights.sum() == pytest.approx(1.0, abs=1e-9)
        assert np.all(np.abs(got - target) <= DECOMPOSE_TOLERANCE * np.maximum(target, 1.0))
    else:
        # what is left, rescaled, is the point the walk stood on: still in
        # the relaxation (every count non-negative)
        left = 1.0 - weights.sum()
        assert left > 0
        assert np.all(got <= target + 1e-9)
        if left > 1e-6:
            assert in_relaxation(problem, (target - got) / left)


def same_walk(a, b):
    (_, pa, wa, ca, *_), (_, pb, wb, cb, *_) = a, b
    return (
        ca == cb
        and len(pa) == len(pb)
        and all(np.array_equal(x, y) for x, y in zip(pa, pb, strict=True))
        and np.array_equal(wa, wb)
    )


@QUICK
@given(instances(max_people=30, max_seats=8), st.booleans())
def test_walk_splits_the_relaxed_leximin_into_valid_panels(instance, merged):
    people, quotas, seats = instance
    problem = compile_problem(people, quotas, seats, merge_households=merged)
    walked = walk(problem) if problem.seats else None
    if walked is None:
        return
    target, panels, weights, complete, pricer, before = walked
    assert_walk_result(problem, people, quotas, seats, target, panels, weights, complete)
    # the pricer is handed back on the face it was given (plus any cut learnt)
    row_lower, row_upper, lower, upper = before
    _, row_lower_after, row_upper_after = pricer.rows()
    assert np.array_equal(row_lower_after[: len(row_lower)], row_lower)
    assert np.array_equal(row_upper_after[: len(row_upper)], row_upper)
    assert np.array_equal(pricer.lower, lower) and np.array_equal(pricer.upper, upper)


@QUICK
@given(instances(max_people=12, max_seats=5), st.data())
def test_walk_splits_a_mix_of_whole_panels_back_into_whole_panels(instance, data):
    """From any lottery's expected counts (not only the leximin), on the
    whole relaxation: whatever the walk returns is exact or a valid part."""
    people, quotas, seats = instance
    problem = compile_problem(people, quotas, seats)
    unit_of = {i: u for u, unit in enumerate(problem.units) for i in unit.members}
    vectors = {}
    for panel in feasible_panels(people, quotas, seats):
        x = np.zeros(len(problem.units), dtype=np.int64)
        for i in panel:
            x[unit_of[i]] += 1
        vectors[x.tobytes()] = x
    vectors = list(vectors.values())
    chosen = data.draw(st.lists(st.sampled_from(range(len(vectors))), min_size=1, max_size=4))
    mix = np.array(data.draw(st.lists(st.integers(1, 9), min_size=len(chosen))))[: len(chosen)]
    mix = mix / mix.sum()
    target = sum(w * vectors[j] for w, j in zip(mix, chosen, strict=True))
    target, panels, weights, complete, *_ = walk(problem, target)
    assert_walk_result(problem, people, quotas, seats, target, panels, weights, complete)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_people=30, max_seats=8), st.booleans())
def test_walk_is_deterministic(instance, merged):
    people, quotas, seats = instance

    def fresh():
        return compile_problem(people, quotas, seats, merge_households=merged)

    if fresh().seats == 0:
        return
    first = walk(fresh())
    if first is not None:
        assert same_walk(first, walk(fresh()))
    first, second = leximin(fresh(), walk=True), leximin(fresh(), walk=True)
    assert first.stats == second.stats
    assert len(first.panels) == len(second.panels)
    assert all(np.array_equal(x, y) for x, y in zip(first.panels, second.panels, strict=True))
    assert np.array_equal(first.weights, second.weights)


def tiny_instance():
    people = [Person(f"p{i}", {"g": "ab"[i % 2], "h": "xyz"[i % 3]}) for i in range(9)]
    quotas = [
        Quota("g", "a", 1, 2),
        Quota("g", "b", 1, 2),
        Quota("h", "x", 0, 1),
        Quota("h", "y", 1, 2),
        Quota("h", "z", 0, 2),
    ]
    return people, quotas, 3


def test_when_the_walk_finishes_no_column_is_generated():
    people, quotas, seats = tiny_instance()
    problem = compile_problem(people, quotas, seats)
    target, panels, weights, complete, *_ = walk(problem)
    assert complete
    assert_walk_result(problem, people, quotas, seats, target, panels, weights, complete)
    dist = leximin(compile_problem(people, quotas, seats), walk=True)
    assert dist.stats["walk_steps"] == len(panels)
    assert (dist.stats["rounds"], dist.stats["iterations"], dist.stats["exact_pricing"]) == (
        0,
        0,
        0,
    )
    assert len(dist.panels) <= len(panels)
    expected = leximin_by_enumeration(people, feasible_panels(people, quotas, seats))
    assert person_probabilities(problem, dist.unit_probabilities) == pytest.approx(
        expected, abs=1e-7
    )


def test_a_walk_claiming_success_wrongly_is_caught_by_the_check(monkeypatch):
    """The counts of a 'complete' walk are checked against the target: a
    walk that stopped after its first panel must not become the lottery."""
    real = leximin_module.decompose

    def first_panel_only(problem, pricer, target, offer):
        panels, _, _ = real(problem, pricer, target, offer)
        return panels[:1], np.ones(1), True

    monkeypatch.setattr(leximin_module, "decompose", first_panel_only)
    people, quotas, seats = tiny_instance()
    problem = compile_problem(people, quotas, seats)
    dist = leximin(problem, walk=True)
    assert dist.stats["walk_steps"] == 1
    assert dist.stats["columns"] > 1  # column generation ran after the check
    expected = leximin_by_enumeration(people, feasible_panels(people, quotas, seats))
    assert person_probabilities(problem, dist.unit_probabilities) == pytest.approx(
        expected, abs=1e-7
    )


def test_no_panel_on_the_face_falls_back_to_the_exact_leximin(monkeypatch):
    """The relaxation's leximin of the six-person instance is out of reach of
    whole panels: the walk takes one step, then finds the face empty."""
    people, quotas, seats = gap_instance()
    problem = compile_problem(people, quotas, seats)
    target, panels, weights, complete, *_ = walk(problem)
    assert not complete
    assert len(panels) == 1
    assert_walk_result(problem, people, quotas, seats, target, panels, weights, complete)
    expected = leximin_by_enumeration(people, feasible_panels(people, quotas, seats))
    for merged in (False, True):
        problem = compile_problem(people, quotas, seats, merge_households=merged)
        dist = leximin(problem, walk=True)
        assert dist.stats["walk_steps"] == 1  # the walk ran, and its panel was offered
        assert dist.stats["rounds"] > 0  # then the level-by-level method
        assert person_probabilities(problem, dist.unit_probabilities) == pytest.approx(
            expected, abs=1e-6
        )
    # through the engine, on merged units with the walk on
    monkeypatch.setattr(engine, "MERGE_HOUSEHOLDS", 0)
    monkeypatch.setattr(engine, "WALK_MIN_UNITS", 1)
    result = draw(people, quotas, seats, "gap")
    assert result.stats["units"] == len(problem.units)  # the merged path ran
    assert result.stats["walk_steps"] == 1 and result.stats["rounds"] > 0
    assert "walk_dropped" not in result.stats
    assert result.optimal_min_probability == pytest.approx(expected[0], abs=1e-6)
    assert verify(people, quotas, seats, result) == []


def cut_instance():
    """Merged households: the relaxation's target puts weight on three people
    of unit (p000, p001, p002, p005) together with p007, but p001 and p002
    share p007's home. The walk meets that panel, learns the cut, and the cut
    separates the target."""
    spec = [
        ("000", None),
        ("000", "h1"),
        ("000", "h1"),
        ("001", None),
        ("110", None),
        ("000", None),
        ("001", None),
        ("111", "h1"),
    ]
    people = [
        Person(f"p{i:03d}", {f"f{j}": f"v{v[j]}" for j in range(3)}, home)
        for i, (v, home) in enumerate(spec)
    ]
    quotas = [
        Quota(f"f{j}", f"v{v}", count, count) for j in range(3) for v, count in (("0", 3), ("1", 1))
    ]
    return people, quotas, 4


def test_a_household_cut_separating_the_target_falls_back():
    people, quotas, seats = cut_instance()
    problem = compile_problem(people, quotas, seats, merge_households=True)
    target, panels, weights, complete, *_ = walk(problem)
    assert not complete
    assert problem.cuts  # learnt on the way
    assert_walk_result(problem, people, quotas, seats, target, panels, weights, complete)
    walked = leximin(compile_problem(people, quotas, seats, merge_households=True), walk=True)
    assert walked.stats["walk_steps"] == len(panels)
    generated = leximin(compile_problem(people, quotas, seats, merge_households=True), walk=False)
    assert generated.stats["walk_steps"] == 0
    assert walked.unit_probabilities == pytest.approx(generated.unit_probabilities, abs=1e-7)
    # every member of a merged unit is symmetric here: the unit averages are
    # the people's leximin probabilities
    expected = leximin_by_enumeration(people, feasible_panels(people, quotas, seats))
    assert person_probabilities(problem, walked.unit_probabilities) == pytest.approx(
        expected, abs=1e-6
    )
    for x in walked.panels:
        assert_valid_unit_panel(problem, people, quotas, seats, x)


def dropped_instance():
    """Six people, two at home h1: the walk's lottery leaves one of them
    short, so the engine solves the same units again without it."""
    spec = [
        ("010", "h1"),
        ("000", None),
        ("000", None),
        ("000", None),
        ("000", None),
        ("000", "h1"),
    ]
    people = [
        Person(f"p{i:03d}", {f"f{j}": f"v{v[j]}" for j in range(3)}, home)
        for i, (v, home) in enumerate(spec)
    ]
    quotas = [
        Quota("f0", "v0", 4, 4),
        Quota("f0", "v1", 0, 0),
        Quota("f0", "v2", 0, 0),
        Quota("f1", "v0", 3, 4),
        Quota("f1", "v1", 0, 1),
        Quota("f2", "v0", 4, 4),
        Quota("f2", "v1", 0, 0),
    ]
    return people, quotas, 4


def walk_everywhere(mp):
    """Merged units and the face walk on any pool, however small."""
    mp.setattr(engine, "MERGE_HOUSEHOLDS", 1)
    mp.setattr(engine, "WALK_MIN_UNITS", 1)


def test_a_walk_lottery_leaving_someone_short_is_solved_again(monkeypatch):
    people, quotas, seats = dropped_instance()
    best = maximin_by_enumeration(people, feasible_panels(people, quotas, seats))
    walk_everywhere(monkeypatch)
    result = draw(people, quotas, seats, "short")
    assert result.stats["walk_dropped"] is True
    assert result.stats["walk_steps"] > 0
    assert result.optimal_min_probability == pytest.approx(best, abs=1e-6)
    assert result.min_probability >= best - 3 / result.lottery_size
    assert verify(people, quotas, seats, result) == []
    again = draw(people, quotas, seats, "short")
    assert again.lottery == result.lottery and again.stats["walk_dropped"] is True


def test_below_walk_min_units_merged_pools_are_not_walked(monkeypatch):
    people, quotas, seats = dropped_instance()
    monkeypatch.setattr(engine, "MERGE_HOUSEHOLDS", 1)
    result = draw(people, quotas, seats, "short")
    assert "units" in result.stats  # the merged path ran
    assert result.stats["walk_steps"] == 0
    assert "walk_dropped" not in result.stats


@QUICK
@given(instances(min_people=6, max_people=11, max_seats=4))
def test_walk_and_retry_keep_the_maximin(instance):
    people, quotas, seats = instance
    best = maximin_by_enumeration(people, feasible_panels(people, quotas, seats))
    with pytest.MonkeyPatch.context() as mp:
        walk_everywhere(mp)
        try:
            result = draw(people, quotas, seats, "0")
        except RuntimeError:
            # only the known failure of column generation on merged units
            # (see test_merged_units_whose_first_panels_all_break_a_household),
            # which happens with the walk off too
            mp.setattr(engine, "WALK_MIN_UNITS", 10**9)
            with pytest.raises(RuntimeError, match="master program"):
                draw(people, quotas, seats, "0")
            reject()
    assert result.optimal_min_probability == pytest.approx(best, abs=1e-6)
    # on merged units a member may stay up to SPLIT_SLACK (and a ticket)
    # below the unit's average, with the walk or without it
    tickets = 3 / result.lottery_size
    floor = (best - tickets) * (1 - engine.SPLIT_SLACK) - 1 / result.lottery_size
    assert result.min_probability >= floor
    assert verify(people, quotas, seats, result) == []


def test_merged_units_whose_first_panels_all_break_a_household():
    """Not the walk (below WALK_MIN_UNITS it never runs here): three people of
    home h1, two of them with the same values (so split out at once), and 100
    housemates the quotas keep out to reach MERGE_HOUSEHOLDS. Once p005 is
    split out too, every initial panel takes two of h1: the master program
    then starts from the pricing program's exact panel under the cuts."""
    spec = ["000", "000", "000", "100", "000", "100", "000", "000", "000", "000"]
    homes = {5: "h1", 8: "h1", 9: "h1"}
    people = [
        Person(f"p{i:03d}", {f"f{j}": f"v{v[j]}" for j in range(3)}, homes.get(i))
        for i, v in enumerate(spec)
    ]
    people += [
        Person(f"q{i:03d}", {"f0": "v0", "f1": "v1", "f2": "v0"}, f"g{i // 2}") for i in range(100)
    ]
    quotas = [
        Quota("f0", "v0", 3, 3),
        Quota("f0", "v1", 1, 1),
        Quota("f1", "v0", 4, 4),
        Quota("f1", "v1", 0, 0),
        Quota("f2", "v0", 4, 4),
        Quota("f2", "v1", 0, 0),
    ]
    assert engine.MERGE_HOUSEHOLDS <= 100 < engine.WALK_MIN_UNITS
    result = draw(people, quotas, 4, "0")
    assert verify(people, quotas, 4, result) == []
    by_id = {p.id: p for p in people}
    for ids, _ in result.lottery:
        assert panel_problems(by_id, quotas, 4, list(ids)) == []
    assert len({by_id[i].household for i in result.selected if by_id[i].household}) == sum(
        1 for i in result.selected if by_id[i].household
    )
    small = people[:10]
    best = maximin_by_enumeration(small, feasible_panels(small, quotas, 4))
    assert best > 0
    # the housemates the quotas keep out have probability 0 (so does
    # optimal_min_probability): the maximin is over the ten who can sit, and
    # no lottery of valid panels beats it
    lowest = min(result.probabilities[p.id] for p in small)
    assert best - 3 / result.lottery_size <= lowest <= best + 1e-9


def test_merged_units_without_any_household_valid_panel_report_infeasible():
    """On merged units households are only checked panel by panel: when every
    panel breaks one (here the only two people of value v1 share a home),
    ``leximin`` reports it like the feasibility check (``draw`` checks the
    people first), not with a solver error."""
    people = [
        Person("a", {"f": "v1", "g": "x"}, "h1"),
        Person("b", {"f": "v1", "g": "y"}, "h1"),
        Person("c", {"f": "v0", "g": "x"}),
    ]
    quotas = [
        Quota("f", "v1", 2, 2),
        Quota("f", "v0", 0, 1),
        Quota("g", "x", 0, 2),
        Quota("g", "y", 0, 2),
    ]
    problem = compile_problem(people, quotas, 2, merge_households=True)
    with pytest.raises(InfeasibleError) as info:
        leximin(problem)
    assert [d.kind for d in info.value.details] == ["no_panel"]
    assert "one person per household" in info.value.reasons[0]
    assert problem.cuts  # the household was learnt, then the program ran dry
