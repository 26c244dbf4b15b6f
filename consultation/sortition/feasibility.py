"""Can any panel be drawn at all? And if not, why, in a facilitator's words."""

from __future__ import annotations

from collections.abc import Iterable

from .model import InfeasibilityReason, InfeasibleError, Person, Quota
from .problem import Problem, compile_problem
from .solver import ModelStatus


def check_feasibility(
    people: Iterable[Person],
    quotas: Iterable[Quota],
    seats: int,
    forced: Iterable[str] = (),
    excluded: Iterable[str] = (),
) -> None:
    """Raise InfeasibleError if no panel of ``seats`` people meets the quotas.

    Quick counts first, each reported with the feature and value, how many
    the quotas ask for and how many the pool has: a minimum above what the
    pool holds, a feature whose minimums add up to more than the seats or
    whose maximums add up to fewer. When all of those pass, an integer
    program decides; if it has no solution the reason says that no panel
    meets all quotas together (and whether the one-per-household rule is
    what makes it impossible). Returns None when a panel exists.
    """
    feasible_problem(people, quotas, seats, forced, excluded)


def feasible_problem(people, quotas, seats, forced=(), excluded=()) -> Problem:
    """``compile_problem`` followed by every feasibility check."""
    if seats < 1:
        raise InfeasibleError(
            [InfeasibilityReason("seats", "a panel needs at least one seat", asked=seats)]
        )
    problem = compile_problem(people, quotas, seats, forced, excluded)
    reasons = quick_reasons(problem)
    if not reasons:
        reasons = program_reasons(problem)
    if reasons:
        raise InfeasibleError(reasons)
    return problem


def _more(problem: Problem) -> str:
    return " besides the continuing members" if problem.forced else ""


def quick_reasons(problem: Problem) -> list[InfeasibilityReason]:
    reasons: list[InfeasibilityReason] = []
    k = problem.seats
    if k == 0:
        return reasons
    n_people = sum(u.size for u in problem.units)
    n_households = n_people - sum(len(h) - 1 for h in problem.households)
    if n_people < k:
        reasons.append(
            InfeasibilityReason(
                "seats",
                f"{k} seats to fill{_more(problem)}, but only {n_people} people "
                "can be drawn from the pool",
                asked=k,
                available=n_people,
            )
        )
    elif n_households < k:
        reasons.append(
            InfeasibilityReason(
                "seats",
                f"{k} seats to fill{_more(problem)}, but the pool has only "
                f"{n_households} households and at most one person per household "
                "can be selected",
                asked=k,
                available=n_households,
            )
        )
    household_of = {}
    for hh in problem.households:
        for u in hh:
            household_of[u] = hh[0]
    by_feature: dict[str, list] = {}
    for row in problem.rows:
        by_feature.setdefault(row.feature, []).append(row)
        people = sum(problem.units[u].size for u in row.units)
        # housemates sharing the value count once: only one of them can sit
        households = people - sum(
            len(hh) - 1 for hh in _households_within(problem, row.units, household_of)
        )
        if row.min > people:
            reasons.append(
                InfeasibilityReason(
                    "value_short",
                    f"{row.feature} = {row.value}: the quotas ask for at least "
                    f"{row.min}{_more(problem)}, but the pool has only {people} "
                    f"{'person' if people == 1 else 'people'} with this value",
                    feature=row.feature,
                    value=row.value,
                    asked=row.min,
                    available=people,
                )
            )
        elif row.min > households:
            reasons.append(
                InfeasibilityReason(
                    "value_short",
                    f"{row.feature} = {row.value}: the quotas ask for at least "
                    f"{row.min}{_more(problem)}, but the {people} people with this "
                    f"value live in only {households} "
                    f"{'household' if households == 1 else 'households'} (one per household "
                    "can be selected)",
                    feature=row.feature,
                    value=row.value,
                    asked=row.min,
                    available=households,
                )
            )
    for feature in sorted(by_feature):
        rows = by_feature[feature]
        total_min = sum(r.min for r in rows)
        if total_min > k:
            reasons.append(
                InfeasibilityReason(
                    "minimums_exceed_seats",
                    f"{feature}: the minimums add up to {total_min}, more than "
                    f"the {k} seats{' left' if problem.forced else ''}",
                    feature=feature,
                    asked=total_min,
                    available=k,
                )
            )
        covered = {u for r in rows for u in r.units}
        if len(covered) == len(problem.units):  # every eligible value has a quota
            total_max = sum(r.max for r in rows)
            if total_max < k:
                reasons.append(
                    InfeasibilityReason(
                        "maximums_below_seats",
                        f"{feature}: the maximums add up to {total_max}, fewer than "
                        f"the {k} seats{' left' if problem.forced else ''}",
                        feature=feature,
                        asked=k,
                        available=total_max,
                    )
                )
    return reasons


def _households_within(problem, units, household_of):
    groups: dict[int, list[int]] = {}
    for u in units:
        if u in household_of:
            groups.setdefault(household_of[u], []).append(u)
    return [g for _, g in sorted(groups.items()) if len(g) > 1]


def _has_panel(problem: Problem, relax_households: bool = False) -> bool:
    if problem.seats == 0 or not problem.units:
        return problem.seats == 0 and all(r.min == 0 for r in problem.rows)
    h = problem.build_model(integer=True, relax_households=relax_households)
    h.run()
    return h.getModelStatus() == ModelStatus.kOptimal


def program_reasons(problem: Problem) -> list[InfeasibilityReason]:
    if _has_panel(problem):
        return []
    if problem.households and _has_panel(problem, relax_households=True):
        message = (
            "each quota can be met on its own, but no panel meets all quotas "
            "together while taking at most one person per household"
        )
    else:
        message = "each quota can be met on its own, but no panel meets all quotas together"
    return [InfeasibilityReason("no_panel", message)]
