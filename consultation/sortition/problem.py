"""The draw as a compact integer program over *units*.

People with the same values on every quota feature, who share a household
with nobody else still eligible, are interchangeable: they form one unit (a
*type*) with an integer count ``0 <= x_u <= n_u``. People whose household
has other eligible members stay alone in their unit (``n_u = 1``) so the
one-per-household rule can be written on them.

Continuing members (``forced``) are taken out of the pool and the quotas are
shifted by them; excluded people, and the housemates of continuing members,
are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .model import InfeasibilityReason, InfeasibleError, Person, Quota
from .solver import INF, VarType, add_empty_cols, add_rows, new_highs


@dataclass(frozen=True)
class Unit:
    values: tuple[str, ...]  # one value per quota feature, in feature order
    members: tuple[str, ...]  # sorted person ids
    household: str | None  # set only for a lone person whose household has other eligible members
    cap: int = 0  # most members one panel can take (distinct households among them)

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Row:
    """One quota, shifted by the continuing members."""

    feature: str
    value: str
    min: int
    max: int
    units: tuple[int, ...]  # indices of the units with this value


@dataclass
class Problem:
    features: tuple[str, ...]
    seats: int  # seats to fill from the eligible pool (k minus continuing members)
    total_seats: int
    units: list[Unit]
    rows: list[Row]
    households: list[tuple[int, ...]]  # unit indices sharing a household (2 or more)
    forced: tuple[str, ...]
    excluded: tuple[str, ...]
    dropped: tuple[str, ...]  # housemates of continuing members
    quotas: tuple[Quota, ...]
    people: dict[str, Person]
    #: Merged mode: units mix people with and without housemates; the
    #: one-per-household rule is then checked on each panel (``fill``) and
    #: enforced by ``cuts`` learnt on the way, instead of ``households`` rows.
    merged: bool = False
    cuts: list[tuple[tuple[int, ...], int]] = field(default_factory=list)

    @property
    def caps(self) -> np.ndarray:
        return np.array([u.cap or u.size for u in self.units], dtype=np.float64)

    def shared_household(self, person_id: str) -> str | None:
        """The person's household if other eligible people share it."""
        return self._shared.get(person_id)

    def __post_init__(self):
        counts: dict[str, int] = {}
        for u in self.units:
            for i in u.members:
                h = self.people[i].household
                if h is not None:
                    counts[h] = counts.get(h, 0) + 1
        self._shared = {
            i: self.people[i].household
            for u in self.units
            for i in u.members
            if self.people[i].household is not None and counts[self.people[i].household] > 1
        }

    def fill(self, x: np.ndarray):
        """Choose people for a panel of unit counts, one per household.

        Returns (ids per unit, None) or (None, cut) where the cut
        ``(units, bound)`` says those units together can take at most
        ``bound`` people, which ``x`` exceeds (Hall's condition).
        """
        chosen: dict[int, list[str]] = {}
        need: list[tuple[int, int]] = []  # (unit, copies still to fill from shared homes)
        for u in np.flatnonzero(x):
            u = int(u)
            singles = [i for i in self.units[u].members if i not in self._shared]
            take = min(int(x[u]), len(singles))
            chosen[u] = singles[:take]
            if int(x[u]) > take:
                need.append((u, int(x[u]) - take))
        if not need:
            return chosen, None
        # bipartite matching: copies of units on one side, shared homes on the other
        homes_of = {
            u: sorted({self._shared[i] for i in self.units[u].members if i in self._shared})
            for u, _ in need
        }
        slots = [u for u, k in need for _ in range(k)]
        owner: dict[str, int] = {}  # home -> slot

        def augment(slot, seen):
            for home in homes_of[slots[slot]]:
                if home in seen:
                    continue
                seen.add(home)
                if home not in owner or augment(owner[home], seen):
                    owner[home] = slot
                    return True
            return False

        for slot in range(len(slots)):
            seen: set[str] = set()
            if not augment(slot, seen):
                units_hit = {slots[slot]}
                # units reachable by alternating paths form the Hall violator
                frontier = list(seen)
                while frontier:
                    home = frontier.pop()
                    if home in owner:
                        u = slots[owner[home]]
                        if u not in units_hit:
                            units_hit.add(u)
                            for h2 in homes_of[u]:
                                if h2 not in seen:
                                    seen.add(h2)
                                    frontier.append(h2)
                units_s = tuple(sorted(units_hit))
                homes = {h for u in units_s for h in homes_of[u]}
                singles = sum(
                    sum(1 for i in self.units[u].members if i not in self._shared) for u in units_s
                )
                return None, (units_s, singles + len(homes))
        for home, slot in sorted(owner.items()):
            u = slots[slot]
            member = next(i for i in self.units[u].members if self._shared.get(i) == home)
            chosen[u].append(member)
        return chosen, None

    @property
    def sizes(self) -> np.ndarray:
        return np.array([u.size for u in self.units], dtype=np.float64)

    def build_model(self, integer: bool = True, relax_households: bool = False):
        """A HiGHS model over unit counts: sum = seats, quotas, households.

        Column u is the number of people taken from unit u. The objective is
        left at zero for the caller to set.
        """
        h = new_highs()
        n = len(self.units)
        add_empty_cols(h, np.zeros(n), np.zeros(n), self.caps)
        if integer and n:
            h.changeColsIntegrality(
                n, np.arange(n, dtype=np.int32), np.array([VarType.kInteger] * n)
            )
        lower, upper, rows = [self.seats], [self.seats], [(list(range(n)), [1.0] * n)]
        for row in self.rows:
            lower.append(row.min)
            upper.append(row.max)
            rows.append((list(row.units), [1.0] * len(row.units)))
        if not relax_households:
            for units, bound in self.cuts:
                lower.append(-INF)
                upper.append(float(bound))
                rows.append((list(units), [1.0] * len(units)))
            for hh in self.households:
                lower.append(-INF)
                upper.append(1.0)
                rows.append((list(hh), [1.0] * len(hh)))
        add_rows(h, lower, upper, rows)
        return h


def canonical_quotas(quotas: Iterable[Quota]) -> tuple[Quota, ...]:
    out = tuple(sorted(quotas, key=lambda q: (q.feature, q.value)))
    seen = set()
    for q in out:
        if (q.feature, q.value) in seen:
            raise ValueError(f"two quotas for {q.feature} = {q.value}")
        seen.add((q.feature, q.value))
    return out


def index_people(people: Iterable[Person], features: Sequence[str]) -> dict[str, Person]:
    by_id: dict[str, Person] = {}
    for p in people:
        if p.id in by_id:
            raise ValueError(f"person id {p.id!r} appears twice in the pool")
        for f in features:
            if f not in p.features:
                raise ValueError(f"person {p.id!r} has no value for feature {f!r}")
        by_id[p.id] = p
    return by_id


def compile_problem(
    people: Iterable[Person],
    quotas: Iterable[Quota],
    seats: int,
    forced: Iterable[str] = (),
    excluded: Iterable[str] = (),
    merge_households: bool = False,
    alone: Iterable[str] = (),
) -> Problem:
    """Build the unit program.

    ``merge_households``: put people who have housemates in the units of
    their values too (fewer units, faster); ``alone``: ids kept in units of
    their own all the same. Raises InfeasibleError for problems with the
    continuing members (unknown, excluded, too many, over a maximum, or two
    in one household); other checks are in ``feasibility``."""
    quotas = canonical_quotas(quotas)
    features = tuple(sorted({q.feature for q in quotas}))
    by_id = index_people(people, features)
    forced_ids = tuple(sorted(set(forced)))
    excluded_ids = tuple(sorted(set(excluded)))
    problems: list[InfeasibilityReason] = []

    unknown = [i for i in forced_ids if i not in by_id]
    if unknown:
        problems.append(
            InfeasibilityReason(
                "forced_conflict",
                f"continuing members not in the pool: {', '.join(unknown)}",
            )
        )
    both = sorted(set(forced_ids) & set(excluded_ids))
    if both:
        problems.append(
            InfeasibilityReason(
                "forced_conflict",
                f"people both continuing and excluded: {', '.join(both)}",
            )
        )
    if len(forced_ids) > seats:
        problems.append(
            InfeasibilityReason(
                "forced_conflict",
                f"{len(forced_ids)} continuing members for {seats} seats",
                asked=seats,
                available=len(forced_ids),
            )
        )
    forced_people = [by_id[i] for i in forced_ids if i in by_id]
    forced_households: dict[str, str] = {}
    for p in forced_people:
        if p.household is None:
            continue
        if p.household in forced_households:
            problems.append(
                InfeasibilityReason(
                    "forced_conflict",
                    f"continuing members {forced_households[p.household]} and {p.id} "
                    "share a household",
                )
            )
        else:
            forced_households[p.household] = p.id

    rows: list[Row] = []
    for q in quotas:
        if q.min > q.max:
            problems.append(
                InfeasibilityReason(
                    "quota_bounds",
                    f"{q.feature} = {q.value}: the minimum ({q.min}) is above "
                    f"the maximum ({q.max})",
                    feature=q.feature,
                    value=q.value,
                    asked=q.min,
                    available=q.max,
                )
            )
        c = sum(1 for p in forced_people if p.features[q.feature] == q.value)
        if c > q.max:
            problems.append(
                InfeasibilityReason(
                    "forced_over_maximum",
                    f"{q.feature} = {q.value}: {c} continuing members already exceed "
                    f"the maximum of {q.max}",
                    feature=q.feature,
                    value=q.value,
                    asked=q.max,
                    available=c,
                )
            )
        rows.append(Row(q.feature, q.value, max(0, q.min - c), max(0, q.max - c), ()))
    if problems:
        raise InfeasibleError(problems)

    forced_set, excluded_set = set(forced_ids), set(excluded_ids)
    dropped = tuple(
        sorted(
            p.id
            for p in by_id.values()
            if p.id not in forced_set
            and p.id not in excluded_set
            and p.household is not None
            and p.household in forced_households
        )
    )
    dropped_set = set(dropped)
    eligible = sorted(
        (p for p in by_id.values() if p.id not in forced_set | excluded_set | dropped_set),
        key=lambda p: p.id,
    )
    household_size: dict[str, int] = {}
    for p in eligible:
        if p.household is not None:
            household_size[p.household] = household_size.get(p.household, 0) + 1

    groups: dict[tuple[str, ...], list[str]] = {}
    loners: list[Unit] = []
    alone = set(alone)
    for p in eligible:
        values = tuple(p.features[f] for f in features)
        shared = p.household is not None and household_size[p.household] > 1
        if (shared and not merge_households) or p.id in alone:
            loners.append(Unit(values, (p.id,), p.household if shared else None, 1))
        else:
            groups.setdefault(values, []).append(p.id)

    def cap(ids):
        homes = {by_id[i].household for i in ids if by_id[i].household is not None}
        return len(homes) + sum(1 for i in ids if by_id[i].household is None)

    units = [Unit(v, tuple(ids), None, cap(ids)) for v, ids in groups.items()] + loners
    units.sort(key=lambda u: (u.values, u.household is not None, u.members))

    rows = [
        Row(
            r.feature,
            r.value,
            r.min,
            r.max,
            tuple(i for i, u in enumerate(units) if u.values[features.index(r.feature)] == r.value),
        )
        for r in rows
    ]
    members_of: dict[str, list[int]] = {}
    for i, u in enumerate(units):
        if u.household is not None:
            members_of.setdefault(u.household, []).append(i)
    households = [tuple(members_of[h]) for h in sorted(members_of) if len(members_of[h]) > 1]
    if merge_households:
        households = []
    return Problem(
        features=features,
        seats=seats - len(forced_ids),
        total_seats=seats,
        units=units,
        rows=rows,
        households=households,
        forced=forced_ids,
        excluded=excluded_ids,
        dropped=dropped,
        quotas=quotas,
        people=by_id,
        merged=merge_households,
    )
