"""Infeasible quotas are explained in a facilitator's words, with data."""

import pytest

from consultation.sortition import InfeasibleError, Person, Quota, check_feasibility


def pool(n=12):
    return [
        Person(f"p{i:02d}", {"gender": "fm"[i % 2], "age": ["young", "old"][i % 3 == 0]})
        for i in range(n)
    ]


def reasons(people, quotas, seats, **kwargs):
    with pytest.raises(InfeasibleError) as caught:
        check_feasibility(people, quotas, seats, **kwargs)
    return caught.value


def test_a_feasible_pool_passes():
    quotas = [Quota("gender", "f", 2, 3), Quota("gender", "m", 2, 3)]
    assert check_feasibility(pool(), quotas, 5) is None


def test_minimum_above_the_pool_names_value_asked_and_available():
    people = pool()  # 4 "old" people: p00, p03, p06, p09
    error = reasons(people, [Quota("age", "old", 5, 6), Quota("age", "young", 0, 6)], 6)
    detail = error.details[0]
    assert (detail.kind, detail.feature, detail.value) == ("value_short", "age", "old")
    assert (detail.asked, detail.available) == (5, 4)
    assert error.reasons[0] == (
        "age = old: the quotas ask for at least 5, but the pool has only 4 people with this value"
    )


def test_minimums_adding_up_to_more_than_the_seats():
    quotas = [Quota("gender", "f", 3, 4), Quota("gender", "m", 3, 4)]
    error = reasons(pool(), quotas, 5)
    detail = error.details[0]
    assert (detail.kind, detail.feature, detail.asked, detail.available) == (
        "minimums_exceed_seats",
        "gender",
        6,
        5,
    )
    assert "minimums add up to 6, more than the 5 seats" in error.reasons[0]


def test_maximums_adding_up_to_fewer_than_the_seats():
    quotas = [Quota("gender", "f", 0, 2), Quota("gender", "m", 0, 2)]
    error = reasons(pool(), quotas, 5)
    assert [d.kind for d in error.details] == ["maximums_below_seats"]
    assert "maximums add up to 4, fewer than the 5 seats" in error.reasons[0]


def test_minimum_above_maximum():
    error = reasons(pool(), [Quota("gender", "f", 3, 2)], 4)
    assert error.details[0].kind == "quota_bounds"


def test_more_seats_than_people():
    error = reasons(pool(4), [Quota("gender", "f", 0, 9)], 5)
    assert error.details[0].kind == "seats"
    assert (error.details[0].asked, error.details[0].available) == (5, 4)


def test_quotas_that_clash_only_together():
    # gender f is exactly age young here, so "2 f" and "at most 1 young" clash
    people = [
        Person(f"p{i}", {"gender": g, "age": a})
        for i, (g, a) in enumerate([("f", "young")] * 3 + [("m", "old")] * 3)
    ]
    quotas = [Quota("gender", "f", 2, 3), Quota("age", "young", 0, 1)]
    error = reasons(people, quotas, 3)
    assert [d.kind for d in error.details] == ["no_panel"]
    assert "no panel meets all quotas together" in error.reasons[0]
    assert "household" not in error.reasons[0]


def test_households_that_make_it_impossible_are_named():
    people = [
        Person("a", {"gender": "f", "age": "old"}, "12 rue X"),
        Person("b", {"gender": "m", "age": "young"}, "12 rue X"),
        Person("c", {"gender": "m", "age": "old"}),
    ]
    quotas = [Quota("gender", "f", 1, 2), Quota("age", "young", 1, 2)]
    error = reasons(people, quotas, 2)
    assert [d.kind for d in error.details] == ["no_panel"]
    assert "one person per household" in error.reasons[0]


def test_housemates_count_once_towards_a_minimum():
    people = [
        Person("a", {"gender": "f"}, "h1"),
        Person("b", {"gender": "f"}, "h1"),
        Person("c", {"gender": "m"}),
        Person("d", {"gender": "m"}),
    ]
    error = reasons(people, [Quota("gender", "f", 2, 2), Quota("gender", "m", 0, 2)], 3)
    detail = error.details[0]
    assert (detail.kind, detail.asked, detail.available) == ("value_short", 2, 1)
    assert "live in only 1 household (one per household" in error.reasons[0]


def test_continuing_members_shift_the_quotas():
    people = pool()
    quotas = [Quota("gender", "f", 2, 2), Quota("gender", "m", 0, 4)]
    # two continuing women fill the women's maximum: a third cannot be forced
    error = reasons(people, quotas, 4, forced=["p00", "p02", "p04"])
    assert error.details[0].kind == "forced_over_maximum"
    assert check_feasibility(people, quotas, 4, forced=["p00", "p02"]) is None


def test_every_reason_is_reported_at_once():
    quotas = [
        Quota("gender", "f", 9, 9),
        Quota("gender", "m", 0, 9),
        Quota("age", "old", 5, 5),
        Quota("age", "young", 0, 5),
    ]
    error = reasons(pool(), quotas, 6)
    kinds = sorted(d.kind for d in error.details)
    assert kinds == ["minimums_exceed_seats", "value_short", "value_short"]
    assert all(isinstance(r, str) and r for r in error.reasons)
