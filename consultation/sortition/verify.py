"""Check a published draw without solving anything again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .engine import fingerprint, panel_problems
from .lottery import seed_to_index
from .model import ENGINE_VERSION, DrawResult, Person, Quota
from .problem import canonical_quotas

#: Published probabilities may differ from multiplicity / M by this much.
PROBABILITY_TOLERANCE = 1e-9


def verify(
    people: Sequence[Person],
    quotas: Iterable[Quota],
    seats: int,
    result: DrawResult | Mapping[str, Any],
) -> list[str]:
    """Problems found in a published draw; an empty list means it checks out.

    ``result`` is a DrawResult or its ``to_dict()`` form (e.g. read back
    from JSON). Checked: the fingerprint matches these inputs (with the
    draw's algorithm, continuing members, exclusions and engine version);
    the lottery is in canonical order with positive multiplicities adding
    up to M; every panel has the seats, holds every continuing member and
    no excluded person, meets every quota and takes at most one person per
    household; the published probabilities are the lottery's marginals; the
    seed gives the recorded ticket, which falls in the recorded panel, which
    is the selected panel; reserves are eligible and not selected.
    """
    data = result.to_dict() if isinstance(result, DrawResult) else dict(result)
    problems: list[str] = []
    try:
        quotas = canonical_quotas(quotas)
        people = list(people)
        by_id = {p.id: p for p in people}
        forced = [str(i) for i in data.get("forced", [])]
        excluded = [str(i) for i in data.get("excluded", [])]
        algorithm = str(data["algorithm"])
        seed = str(data["seed"])
        size = int(data["lottery_size"])
        lottery = [(tuple(str(i) for i in ids), int(m)) for ids, m in data["lottery"]]
        probabilities = {str(k): float(v) for k, v in data["probabilities"].items()}
        selected = tuple(str(i) for i in data["selected"])
        published = str(data["fingerprint"])
        # a draw made by an earlier engine version is fingerprinted with it
        version = str(data.get("engine_version", ENGINE_VERSION))
    except (KeyError, TypeError, ValueError) as exc:
        return [f"the published draw is malformed: {exc!r}"]

    expected = fingerprint(people, quotas, seats, algorithm, forced, excluded, version)
    if published != expected:
        problems.append("the fingerprint does not match the pool, quotas, seats and algorithm")

    if size < 1:
        return [*problems, f"lottery size {size} is not positive"]
    total = sum(m for _, m in lottery)
    if total != size:
        problems.append(f"multiplicities add up to {total}, not to the lottery size {size}")
    if any(m < 1 for _, m in lottery):
        problems.append("a panel has a multiplicity below 1")
    keys = [ids for ids, _ in lottery]
    if any(list(ids) != sorted(ids) for ids in keys) or keys != sorted(set(keys)):
        problems.append("the lottery is not in canonical order (or repeats a panel)")

    excluded_set = set(excluded)
    for j, (ids, _) in enumerate(lottery):
        found = panel_problems(by_id, quotas, seats, ids)
        missing = [i for i in forced if i not in ids]
        if missing:
            found.append(f"continuing members missing: {', '.join(missing)}")
        barred = sorted(excluded_set.intersection(ids))
        if barred:
            found.append(f"excluded people selected: {', '.join(barred)}")
        if found:
            problems.append(f"panel {j}: " + "; ".join(found))
            if len(problems) > 20:
                problems.append("... further problems not listed")
                return problems

    hits = dict.fromkeys(by_id, 0)
    for ids, m in lottery:
        for i in ids:
            if i in hits:
                hits[i] += m
    if set(probabilities) != set(by_id):
        problems.append("probabilities are not given for exactly the pool")
    wrong = [
        i
        for i in sorted(by_id)
        if abs(probabilities.get(i, -1.0) - (hits[i] / max(total, 1))) > PROBABILITY_TOLERANCE
    ]
    if wrong:
        problems.append(
            f"{len(wrong)} published probabilities differ from the lottery's, e.g. {wrong[0]}"
        )

    ticket = seed_to_index(seed, published, size)
    if "ticket" in data and int(data["ticket"]) != ticket:
        problems.append(f"the seed gives ticket {ticket}, not {data['ticket']}")
    start, holder = 0, None
    for j, (_, m) in enumerate(lottery):
        if start <= ticket < start + m:
            holder = j
            break
        start += m
    if holder is None:
        problems.append(f"ticket {ticket} falls outside the lottery")
    else:
        if "panel_index" in data and int(data["panel_index"]) != holder:
            problems.append(f"the seed picks panel {holder}, not {data['panel_index']}")
        if tuple(sorted(selected)) != lottery[holder][0]:
            problems.append("the selected people are not the panel the seed picks")

    reserves = [str(i) for i in data.get("reserves", [])]
    bad = [i for i in reserves if i in set(selected) or i in excluded_set or i not in by_id]
    if bad or len(set(reserves)) != len(reserves):
        problems.append("reserves include selected, excluded, unknown or repeated people")
    return problems
