"""The draw: fingerprint, lottery, seeded pick, reserves, replacement."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence

import numpy as np

from .feasibility import feasible_problem
from .legacy import legacy_panels
from .leximin import leximin
from .lottery import (
    choose_lottery_size,
    expand,
    locate,
    marginals,
    round_weights,
    seed_to_index,
)
from .model import (
    ALGORITHMS,
    ENGINE_VERSION,
    DrawResult,
    InfeasibilityReason,
    InfeasibleError,
    Person,
    Quota,
    Replacement,
)
from .problem import Problem, canonical_quotas, compile_problem, index_people

#: Runs of the legacy method behind its estimated lottery.
LEGACY_RUNS = 1_000
#: From this many people sharing a household, solve with merged units.
MERGE_HOUSEHOLDS = 100
#: A member below their unit's probability by more than this share gets a unit of their own.
SPLIT_SLACK = 0.05
SPLIT_ROUNDS = 3
#: From this many units (before merging), the face walk is tried first.
WALK_MIN_UNITS = 1_000
#: Lottery draws tried when filling the reserve list (see ``choose_reserves``).
RESERVE_DRAWS = 1_000


def fingerprint(
    people: Iterable[Person],
    quotas: Iterable[Quota],
    seats: int,
    algorithm: str,
    forced: Iterable[str] = (),
    excluded: Iterable[str] = (),
    engine_version: str = ENGINE_VERSION,
) -> str:
    """SHA-256 (hex) of the draw's inputs in canonical form.

    The serialisation is compact JSON with sorted keys of: the engine
    version; the algorithm; the seats; the quota features (sorted); the
    quotas as [feature, value, min, max] sorted by feature then value; the
    pool as [id, [its value for each quota feature], household key or null]
    sorted by id (columns no quota uses do not count); the continuing
    members and the excluded ids, sorted. ``engine_version`` is this
    engine's unless checking a draw an earlier version made.
    """
    quotas = canonical_quotas(quotas)
    features = sorted({q.feature for q in quotas})
    by_id = index_people(people, features)
    payload = {
        "engine_version": engine_version,
        "algorithm": algorithm,
        "seats": int(seats),
        "features": features,
        "quotas": [[q.feature, q.value, int(q.min), int(q.max)] for q in quotas],
        "people": [
            [i, [by_id[i].features[f] for f in features], by_id[i].household] for i in sorted(by_id)
        ],
        "forced": sorted(set(forced)),
        "excluded": sorted(set(excluded)),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def draw(
    people: Sequence[Person],
    quotas: Iterable[Quota],
    seats: int,
    seed: str,
    algorithm: str = "leximin",
    reserves: int = 0,
    forced: Iterable[str] = (),
    excluded: Iterable[str] = (),
    lottery_size: int | None = None,
) -> DrawResult:
    """Draw a panel of ``seats`` people meeting every quota, one per household.

    The lottery (the list of M equally likely panels) depends only on the
    pool, quotas, seats, algorithm, continuing members (``forced``: always
    in the panel, counted in the quotas) and ``excluded`` ids (never
    selected). ``seed`` then picks one ticket (``seed_to_index``). Same
    inputs, same result, on any machine.

    ``algorithm``: ``"leximin"`` (fairest: maximise the smallest selection
    probability, then the next...) or ``"legacy"`` (the historical greedy
    method; probabilities estimated from its runs).
    ``lottery_size``: M; by default chosen from the result (leximin) or the
    number of runs (legacy, 1,000).
    ``reserves``: how many replacements to list, in order (``choose_reserves``).

    Raises InfeasibleError when no panel exists, ValueError for malformed
    input (duplicate ids, a person lacking a quota feature, an unknown
    algorithm).
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}; expected one of {ALGORITHMS}")
    if not isinstance(seed, str):
        raise ValueError("the seed must be a string")
    if lottery_size is not None and lottery_size < 1:
        raise ValueError("lottery_size must be at least 1")
    people = list(people)
    quotas = canonical_quotas(quotas)
    forced = tuple(sorted(set(forced)))
    excluded = tuple(sorted(set(excluded)))
    started = time.perf_counter()
    problem = feasible_problem(people, quotas, seats, forced, excluded)
    print_ = fingerprint(people, quotas, seats, algorithm, forced, excluded)
    stats: dict = {}

    if algorithm == "leximin":
        lottery, size, optimal_min = _leximin_lottery(
            problem, people, quotas, seats, forced, excluded, lottery_size, stats
        )
    else:
        size = lottery_size or LEGACY_RUNS
        counts: dict[tuple[str, ...], int] = {}
        for panel in legacy_panels(problem, size):
            key = tuple(sorted(problem.forced + panel))
            counts[key] = counts.get(key, 0) + 1
        lottery = tuple(sorted(counts.items()))
        optimal_min = None
    stats["solve_seconds"] = time.perf_counter() - started

    probabilities = marginals(lottery, [p.id for p in people])
    eligible = [i for u in problem.units for i in u.members]
    eligible_p = np.array([probabilities[i] for i in eligible]) if eligible else np.zeros(1)
    if optimal_min is None:
        optimal_min = float(eligible_p.min())
    ticket = seed_to_index(seed, print_, size)
    index = locate(lottery, ticket)
    selected = lottery[index][0]
    reserve_ids = choose_reserves(problem, lottery, selected, seed, print_, reserves)
    return DrawResult(
        fingerprint=print_,
        seed=seed,
        algorithm=algorithm,
        seats=seats,
        selected=selected,
        reserves=reserve_ids,
        probabilities=probabilities,
        lottery=lottery,
        lottery_size=size,
        ticket=ticket,
        panel_index=index,
        min_probability=float(eligible_p.min()),
        mean_probability=float(eligible_p.mean()),
        optimal_min_probability=optimal_min,
        forced=forced,
        excluded=excluded,
        stats=stats,
    )


def _shared_count(problem: Problem) -> int:
    return sum(1 for u in problem.units if u.household is not None)


def _lottery_of(problem: Problem, lottery_size, stats, walk: bool = True):
    dist = leximin(problem, walk=walk)
    for key, value in dist.stats.items():
        stats[key] = stats.get(key, 0) + value if isinstance(value, int) else value
    optimal_min = float(dist.unit_probabilities.min()) if problem.units else 0.0
    size = lottery_size or choose_lottery_size(optimal_min)
    order = sorted(range(len(dist.panels)), key=lambda j: tuple(dist.panels[j]))
    panels = [dist.panels[j] for j in order]
    tickets = round_weights(panels, dist.weights[order], problem.sizes, size)
    return expand(problem, panels, tickets), size, optimal_min, dist.unit_probabilities


def _leximin_lottery(problem, people, quotas, seats, forced, excluded, lottery_size, stats):
    """The leximin lottery; on pools with many housemates, by merged units.

    With ``MERGE_HOUSEHOLDS`` or more people sharing a household, those
    people join the units of their values (far fewer units, a much faster
    solve), the one-per-household rule being enforced panel by panel. Each
    member of a unit should then get the unit's probability; whoever falls
    short of the unit's average by more than ``SPLIT_SLACK`` (and a ticket)
    is given a unit of their own and the program is solved again (at most
    ``SPLIT_ROUNDS`` times). The face walk (``leximin.decompose``) is fast
    but its panels can keep a member's housemates on most of the unit's
    tickets: when its lottery leaves someone short, the same units are
    solved again by column generation before anyone is split out. Below
    ``WALK_MIN_UNITS`` units column generation is quick and goes first.
    """
    if _shared_count(problem) < MERGE_HOUSEHOLDS:
        lottery, size, optimal_min, _ = _lottery_of(problem, lottery_size, stats)
        return lottery, size, optimal_min
    # housemates with the same values could never both sit: keep them apart
    by_values: dict[tuple, list[str]] = {}
    for u in problem.units:
        if u.household is not None:
            key = (u.household, u.values)
            by_values.setdefault(key, []).append(u.members[0])
    alone = {i for ids in by_values.values() if len(ids) > 1 for i in ids}
    walk = len(problem.units) >= WALK_MIN_UNITS
    attempt = 0
    while True:
        merged = compile_problem(
            people, quotas, seats, forced, excluded, merge_households=True, alone=alone
        )
        lottery, size, optimal_min, unit_prob = _lottery_of(merged, lottery_size, stats, walk)
        counts = dict.fromkeys((i for u in merged.units for i in u.members), 0)
        for ids, m in lottery:
            for i in ids:
                if i in counts:
                    counts[i] += m
        # short of the unit's own average: housemates kept them off tickets
        # (a unit short as a whole lost to rounding, which splitting cannot mend)
        short = set()
        for unit in merged.units:
            average = sum(counts[i] for i in unit.members) / unit.size
            short.update(i for i in unit.members if counts[i] < average * (1 - SPLIT_SLACK) - 1)
        stats["split_out"] = len(alone)
        stats["units"] = len(merged.units)
        if short and walk:
            walk = False  # the same units again, by column generation
            stats["walk_dropped"] = True
            continue
        if not short or attempt == SPLIT_ROUNDS:
            break
        alone |= short
        attempt += 1
    return lottery, size, optimal_min


def _order_key(fingerprint_: str, seed: str, person_id: str) -> str:
    return hashlib.sha256(f"{fingerprint_}:{seed}:{person_id}".encode()).hexdigest()


def choose_reserves(
    problem: Problem,
    lottery,
    selected: Sequence[str],
    seed: str,
    fingerprint_: str,
    count: int,
) -> tuple[str, ...]:
    """An ordered list of ``count`` reserves, drawn like the panel itself.

    Reserve draw r (r = 1, 2, ...) picks the lottery panel of ticket
    ``seed_to_index(seed + ":reserve:" + r, fingerprint, M)``; its members
    who are not selected, not already reserves and share no household with
    a selected person join the list, ordered by the SHA-256 of
    ``fingerprint + ":" + seed + ":" + id``. People thus become reserves with
    their selection probabilities, and in mixes that meet the quotas. After
    1,000 reserve draws, anyone eligible still missing is appended in the
    same hash order.
    """
    if count <= 0:
        return ()
    taken = set(selected)
    households = {
        problem.people[i].household for i in selected if problem.people[i].household is not None
    }
    eligible = {i for u in problem.units for i in u.members}

    def usable(i: str) -> bool:
        return (
            i in eligible
            and i not in taken
            and (
                problem.people[i].household is None or problem.people[i].household not in households
            )
        )

    size = sum(m for _, m in lottery)
    reserves: list[str] = []
    for r in range(1, RESERVE_DRAWS + 1):
        if len(reserves) >= count:
            break
        panel = lottery[locate(lottery, seed_to_index(f"{seed}:reserve:{r}", fingerprint_, size))][
            0
        ]
        fresh = sorted(
            (i for i in panel if usable(i)), key=lambda i: _order_key(fingerprint_, seed, i)
        )
        for i in fresh:
            reserves.append(i)
            taken.add(i)
    if len(reserves) < count:
        rest = sorted(
            (i for i in eligible if usable(i)), key=lambda i: _order_key(fingerprint_, seed, i)
        )
        reserves.extend(rest)
    return tuple(reserves[:count])


def panel_problems(
    people_by_id: dict[str, Person], quotas: Iterable[Quota], seats: int, panel: Sequence[str]
) -> list[str]:
    """What is wrong with a whole panel: size, unknown or repeated ids,
    households, quotas. Empty when it is valid."""
    problems = []
    if len(panel) != seats:
        problems.append(f"{len(panel)} members for {seats} seats")
    if len(set(panel)) != len(panel):
        problems.append("someone appears twice")
    unknown = [i for i in panel if i not in people_by_id]
    if unknown:
        problems.append(f"not in the pool: {', '.join(sorted(unknown))}")
    members = [people_by_id[i] for i in panel if i in people_by_id]
    seen: dict[str, str] = {}
    for p in members:
        if p.household is None:
            continue
        if p.household in seen:
            problems.append(f"{seen[p.household]} and {p.id} share a household")
        else:
            seen[p.household] = p.id
    for q in quotas:
        n = sum(1 for p in members if p.features.get(q.feature) == q.value)
        if not q.min <= n <= q.max:
            problems.append(f"{q.feature} = {q.value}: {n} selected, quota {q.min} to {q.max}")
    return problems


def replacement(
    people: Sequence[Person],
    quotas: Iterable[Quota],
    seats: int,
    members: Iterable[str],
    leaving: str,
    seed: str,
    reserves: Sequence[str] = (),
    excluded: Iterable[str] = (),
    algorithm: str = "leximin",
) -> Replacement:
    """Replace one leaving member, keeping the whole panel within the quotas.

    First the reserves, in order: the first one who is still eligible (not a
    member, not excluded) and with whom the panel meets every quota and the
    one-per-household rule. If none fits, a new draw for the one seat:
    the other members forced in, the leaving member and ``excluded``
    excluded, the same ``seed``.

    Raises InfeasibleError when no one can fill the seat.
    """
    quotas = canonical_quotas(quotas)
    people = list(people)
    by_id = {p.id: p for p in people}
    members = sorted(set(members))
    if leaving not in members:
        raise ValueError(f"{leaving!r} is not a member of the panel")
    staying = [i for i in members if i != leaving]
    excluded = set(excluded) | {leaving}
    for r in reserves:
        if r in excluded or r in members or r not in by_id:
            continue
        panel = sorted([*staying, r])
        if not panel_problems(by_id, quotas, seats, panel):
            return Replacement(person_id=r, source="reserve", panel=tuple(panel))
    result = draw(
        people,
        quotas,
        seats,
        seed,
        algorithm=algorithm,
        forced=staying,
        excluded=sorted(excluded),
    )
    new = [i for i in result.selected if i not in set(staying)]
    if len(new) != 1:
        raise InfeasibleError(
            [InfeasibilityReason("no_panel", "no replacement keeps the panel within the quotas")]
        )
    return Replacement(person_id=new[0], source="draw", panel=result.selected, draw=result)
