"""From an optimal distribution to a public lottery of M equally likely panels.

Steps, all deterministic (no clock, no set or dict order):

1. probabilities from the solver are rounded to 1e-9 so that noise in the
   last digits cannot flip a decision;
2. each panel gets ``floor(M p)`` tickets, the tickets left over go to the
   largest remainders (ties: canonical panel order);
3. a local search moves single tickets between panels to lift whoever lost
   most in step 2, for at most ``ROUNDING_MOVES`` moves;
4. panels of *units* are turned into panels of people: for each unit, its
   members (sorted by id) are taken in turn, continuing where the previous
   ticket stopped, so members of one unit get the same number of tickets
   give or take one;
5. identical panels are merged and all are sorted by their member ids.
"""

from __future__ import annotations

import hashlib
import math
import re

import numpy as np

from .problem import Problem

#: Rounding should cost at most about this share of the smallest probability.
ROUNDING_BUDGET = 0.01
MIN_LOTTERY_SIZE = 1_000
#: Largest lottery: beyond it the published list gets unwieldy. Pools where
#: the smallest probability is below about 2.5 / (0.01 * 100,000) = 0.0025
#: may lose a little more than 1 % of it to rounding.
MAX_LOTTERY_SIZE = 100_000
#: Bound of step 3, counted in moves (never in seconds).
ROUNDING_MOVES = 2_000

_DIGITS = re.compile(r"[0-9]+")


def choose_lottery_size(min_probability: float) -> int:
    """M large enough that rounding costs about 1 % of the smallest probability.

    Rounding moves a person's probability by up to about 2.5 / M (a
    fraction of a ticket per unit, then one ticket between members of a
    unit), so M = 2.5 / (0.01 * p_min), rounded up to a multiple of 1,000 and kept
    between 1,000 and 100,000.
    """
    if min_probability <= 0:
        return MIN_LOTTERY_SIZE
    m = math.ceil(2.5 / (ROUNDING_BUDGET * min_probability) / 1000) * 1000
    return int(min(MAX_LOTTERY_SIZE, max(MIN_LOTTERY_SIZE, m)))


def seed_to_index(seed: str, fingerprint: str, size: int) -> int:
    """The lottery number (0 .. size-1) that a seed picks.

    - If the seed is written only with the digits 0-9 (e.g. a number read
      from dice or balls drawn in public), the number is ``int(seed) mod size``.
    - Any other text: take the SHA-256 digest of the UTF-8 text
      ``fingerprint + ":" + seed``, read it as one big (big-endian) integer,
      and take it ``mod size``.

    Anyone can redo either by hand or with a one-line program, e.g.
    ``int(hashlib.sha256(f"{fingerprint}:{seed}".encode()).hexdigest(), 16) % size``.
    """
    if size < 1:
        raise ValueError("lottery size must be at least 1")
    if _DIGITS.fullmatch(seed):
        return int(seed) % size
    digest = hashlib.sha256(f"{fingerprint}:{seed}".encode()).hexdigest()
    return int(digest, 16) % size


def locate(lottery, ticket: int) -> int:
    """Position in ``lottery`` of the panel holding ``ticket``."""
    start = 0
    for j, (_, m) in enumerate(lottery):
        if ticket < start + m:
            return j
        start += m
    raise ValueError(f"ticket {ticket} is beyond the lottery")


def round_weights(
    panels: list[np.ndarray],
    weights: np.ndarray,
    sizes: np.ndarray,
    size: int,
    moves: int = ROUNDING_MOVES,
) -> np.ndarray:
    """Integer tickets per panel, summing to ``size``.

    ``panels`` must already be in canonical order: ties are broken by it.
    """
    w = np.round(np.asarray(weights, dtype=np.float64), 9)
    w = np.clip(w, 0.0, None)
    w = w / w.sum()
    target = w * size
    tickets = np.floor(target).astype(np.int64)
    left = size - int(tickets.sum())
    if left > 0:
        frac = np.round(target - tickets, 9)
        order = sorted(range(len(frac)), key=lambda i: (-frac[i], i))
        for i in order[:left]:
            tickets[i] += 1
    x = np.array(panels, dtype=np.float64)  # panels x units
    goal = (x.T @ w) * size / sizes  # tickets each member of a unit should get
    return _improve(x, tickets, goal, sizes, moves)


def _improve(x, tickets, goal, sizes, moves):
    """Move single tickets between panels to lift the worst-off unit.

    Each move takes the unit whose members fell furthest below their goal,
    gives a ticket to the panel with most of that unit, and takes one from
    the panel whose loss leaves the largest shortfall smallest. Stops when
    no move helps or after ``moves`` moves.
    """
    if x.shape[1] == 0:
        return tickets
    t = x.T @ tickets
    per = x / sizes  # change in each unit member's tickets per panel ticket
    for _ in range(moves):
        deficit = goal - t / sizes
        worst = int(np.argmax(deficit))
        current = deficit[worst]
        if current <= 0.25:
            break
        receivers = np.flatnonzero(x[:, worst] > 0)
        receiver = receivers[np.argmax(x[receivers, worst])]
        donors = np.flatnonzero((tickets > 0) & (x[:, worst] < x[receiver, worst]))
        if len(donors) == 0:
            break
        after = deficit[None, :] - per[receiver][None, :] + per[donors]
        worst_after = after.max(axis=1)
        j = int(np.argmin(worst_after))
        if worst_after[j] >= current - 1e-9:
            break
        donor = donors[j]
        tickets[donor] -= 1
        tickets[receiver] += 1
        t = t + x[receiver] - x[donor]
    return tickets


def expand(problem: Problem, panels: list[np.ndarray], tickets: np.ndarray):
    """Panels of people, with the continuing members, merged and sorted.

    Members of a unit are taken in turn (sorted by id, continuing where the
    previous ticket stopped). A member whose household already has someone
    on this ticket is passed over and comes first on the next ticket; should
    that leave a unit short, the ticket is filled by a matching instead
    (``Problem.fill``).
    Returns a tuple of (sorted ids, multiplicity) in canonical order.
    """
    cursor = [0] * len(problem.units)
    members = [u.members for u in problem.units]
    twice = [u.members + u.members for u in problem.units]  # cyclic slices
    homes = [[problem.shared_household(i) for i in u.members] for u in problem.units]
    singles = [sum(1 for h in hs if h is None) for hs in homes]
    owed: list[list[int]] = [[] for _ in problem.units]
    drawn: list[list[str]] = []
    for x, m in zip(panels, tickets, strict=True):
        used = sorted((int(u) for u in np.flatnonzero(x)), key=lambda u: (singles[u] - x[u], u))
        for _ in range(int(m)):
            ids = list(problem.forced)
            taken: set[str] = set()
            for u in used:
                n, c, take = len(members[u]), cursor[u], int(x[u])
                if singles[u] == n:
                    ids.extend(twice[u][c : c + take])
                    cursor[u] = (c + take) % n
                    continue
                # members passed over earlier (housemate on the same ticket) come first
                picked, waiting = [], []
                for i in owed[u]:
                    home = homes[u][i]
                    if len(picked) < take and (home is None or home not in taken):
                        picked.append(i)
                        if home is not None:
                            taken.add(home)
                    else:
                        waiting.append(i)
                steps = 0
                while len(picked) < take and steps < n:
                    i = (c + steps) % n
                    steps += 1
                    if i in picked or i in waiting:
                        continue
                    home = homes[u][i]
                    if home is None or home not in taken:
                        picked.append(i)
                        if home is not None:
                            taken.add(home)
                    else:
                        waiting.append(i)
                if len(picked) < take:
                    break
                cursor[u] = (c + steps) % n
                owed[u] = waiting
                ids.extend(members[u][i] for i in picked)
            else:
                drawn.append(ids)
                continue
            chosen, _ = problem.fill(x)
            drawn.append([*problem.forced, *(i for u in sorted(chosen) for i in chosen[u])])
    _rebalance(problem, drawn)
    counts: dict[tuple[str, ...], int] = {}
    for ids in drawn:
        key = tuple(sorted(ids))
        counts[key] = counts.get(key, 0) + 1
    return tuple(sorted(counts.items()))


def _rebalance(problem: Problem, drawn: list[list[str]]) -> None:
    """Even out members of a unit whom housemates kept off some tickets
    (or whom a ticket filled by matching passed over).

    Within a unit every member should hold the unit's tickets in equal
    shares (give or take one). A member short of that takes the place of a
    member of the same unit holding more, on a ticket where the short
    member's household is not already present. The panel's quota counts do
    not change (both have the same values). Tickets are scanned in order,
    so the result is deterministic.
    """
    mixed = [u for u in problem.units if u.size > 1]
    unit_of = {i: k for k, u in enumerate(mixed) for i in u.members}
    held: dict[str, list[int]] = {i: [] for i in unit_of}
    for t, ids in enumerate(drawn):
        for i in ids:
            if i in held:
                held[i].append(t)
    for u in mixed:
        total = sum(len(held[i]) for i in u.members)
        low = total // u.size
        short = [i for i in u.members if len(held[i]) < low]
        if not short:
            continue
        donors = [i for i in u.members if len(held[i]) > low]
        for i in short:
            home = problem.shared_household(i)
            for r in donors:
                if len(held[i]) >= low:
                    break
                spare = len(held[r]) - low
                keep = []
                for t in held[r]:
                    if spare > 0 and len(held[i]) < low:
                        ids = drawn[t]
                        others = {problem.shared_household(j) for j in ids if j != r}
                        if i not in ids and (home is None or home not in others):
                            ids[ids.index(r)] = i
                            held[i].append(t)
                            spare -= 1
                            continue
                    keep.append(t)
                held[r] = keep


def marginals(lottery, pool_ids) -> dict[str, float]:
    """Each pool person's probability in the lottery, keyed in id order."""
    size = sum(m for _, m in lottery)
    hits = dict.fromkeys(sorted(pool_ids), 0)
    for ids, m in lottery:
        for i in ids:
            hits[i] += m
    return {i: hits[i] / size for i in hits}
