"""Data taken and returned by the draw engine: people, quotas, results, errors.

Everything here is plain data. Nothing assumes a feature's name: "gender",
"age band" or "neighbourhood" are whatever the caller's columns are called.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Bumped whenever a change could make the same inputs give another lottery.
#: It is part of the fingerprint, so an old published draw still verifies
#: against the engine version that produced it (the fingerprint says which).
#: 2: leximin through the linear relaxation's leximin when a lottery reaches it.
#: 3: that lottery found by walking down the relaxation's faces first.
ENGINE_VERSION = "3"

ALGORITHMS = ("leximin", "legacy")


@dataclass(frozen=True, eq=True)
class Person:
    """A volunteer in the pool.

    ``features`` maps a feature name to this person's value (both strings).
    ``household`` is a key shared by people living together (e.g. the
    normalised address columns joined); ``None`` means the person lives alone
    as far as the draw knows. At most one person per household is selected.
    """

    id: str
    features: Mapping[str, str]
    household: str | None = None

    __hash__ = None  # type: ignore[assignment]  # features is a mapping


@dataclass(frozen=True)
class Quota:
    """``min <= number selected with feature == value <= max``."""

    feature: str
    value: str
    min: int
    max: int


@dataclass(frozen=True)
class InfeasibilityReason:
    """One reason a panel cannot be drawn, as data the app can translate.

    ``kind`` is one of:

    - ``"seats"``: fewer eligible people (or households) than seats;
      ``asked`` seats, ``available`` people or households.
    - ``"quota_bounds"``: a quota whose minimum exceeds its maximum.
    - ``"value_short"``: a quota's minimum exceeds the people with that value;
      ``feature``, ``value``, ``asked`` (the minimum), ``available``.
    - ``"minimums_exceed_seats"``: a feature's minimums add up to more than the
      seats; ``feature``, ``asked`` (sum of minimums), ``available`` (seats).
    - ``"maximums_below_seats"``: a feature's maximums add up to fewer than the
      seats; ``feature``, ``asked`` (seats), ``available`` (sum of maximums).
    - ``"forced_over_maximum"``: continuing members alone exceed a maximum;
      ``feature``, ``value``, ``asked`` (the maximum), ``available`` (members).
    - ``"forced_conflict"``: continuing members are too many, unknown,
      excluded, or share a household.
    - ``"no_panel"``: every quick check passes but no panel meets all quotas
      (and the one-per-household rule) together.
    - ``"draw_failed"``: the legacy method found no panel in its retries.
    """

    kind: str
    message: str
    feature: str | None = None
    value: str | None = None
    asked: int | None = None
    available: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "feature": self.feature,
            "value": self.value,
            "asked": self.asked,
            "available": self.available,
        }


class InfeasibleError(Exception):
    """No panel can be drawn. ``reasons`` are English sentences for a
    facilitator; ``details`` carry the same as structured data."""

    def __init__(self, details: Iterable[InfeasibilityReason]):
        self.details: list[InfeasibilityReason] = list(details)
        self.reasons: list[str] = [d.message for d in self.details]
        super().__init__("; ".join(self.reasons) or "no panel can be drawn")


@dataclass(frozen=True)
class DrawResult:
    """A draw, as published.

    ``lottery`` lists the panels of the published lottery, each as
    (sorted member ids, multiplicity), in canonical order (sorted by their
    member id tuples). Multiplicities add up to ``lottery_size`` (M). The
    panels are numbered 0..M-1 in that order: entry j covers the numbers from
    the sum of the multiplicities before it, for its own multiplicity.
    ``ticket`` is the number the seed gave (see ``seed_to_index``) and
    ``panel_index`` the position in ``lottery`` of the panel covering it.

    ``probabilities`` gives every pool person's chance of being selected in
    the published lottery (multiplicity / M summed over the panels containing
    them; continuing members have 1, excluded people 0).
    ``optimal_min_probability`` is the smallest probability before rounding
    (the solver's optimum; for legacy, the estimate from its runs).
    """

    fingerprint: str
    seed: str
    algorithm: str
    seats: int
    selected: tuple[str, ...]
    reserves: tuple[str, ...]
    probabilities: dict[str, float]
    lottery: tuple[tuple[tuple[str, ...], int], ...]
    lottery_size: int
    ticket: int
    panel_index: int
    min_probability: float
    mean_probability: float
    optimal_min_probability: float
    forced: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    engine_version: str = ENGINE_VERSION
    stats: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, the one to publish and to give back to ``verify``."""
        return {
            "engine_version": self.engine_version,
            "fingerprint": self.fingerprint,
            "algorithm": self.algorithm,
            "seats": self.seats,
            "seed": self.seed,
            "lottery_size": self.lottery_size,
            "ticket": self.ticket,
            "panel_index": self.panel_index,
            "selected": list(self.selected),
            "reserves": list(self.reserves),
            "forced": list(self.forced),
            "excluded": list(self.excluded),
            "min_probability": self.min_probability,
            "mean_probability": self.mean_probability,
            "optimal_min_probability": self.optimal_min_probability,
            "probabilities": dict(self.probabilities),
            "lottery": [[list(ids), m] for ids, m in self.lottery],
        }


@dataclass(frozen=True)
class Replacement:
    """Who replaces a leaving member, and how they were found.

    ``source`` is ``"reserve"`` (the first reserve that keeps every quota) or
    ``"draw"`` (a new draw with the other members forced; ``draw`` holds it).
    ``panel`` is the whole new panel, sorted.
    """

    person_id: str
    source: str
    panel: tuple[str, ...]
    draw: DrawResult | None = None
