"""The draw engine: pure functions from a pool and quotas to a public lottery.

No Flask, no database: people, quotas and seats in, dataclasses out.

- ``check_feasibility`` explains why no panel can meet the quotas.
- ``draw`` computes the lottery (leximin by default), lets the seed pick a
  panel, and lists reserves.
- ``verify`` re-checks a published draw without solving anything.
- ``replacement`` finds someone for a member who leaves.
- ``seed_to_index`` and ``fingerprint`` are what a transparency page explains.
"""

from .engine import choose_reserves, draw, fingerprint, panel_problems, replacement
from .feasibility import check_feasibility
from .lottery import MAX_LOTTERY_SIZE, choose_lottery_size, seed_to_index
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
from .verify import verify

__all__ = [
    "ALGORITHMS",
    "ENGINE_VERSION",
    "MAX_LOTTERY_SIZE",
    "DrawResult",
    "InfeasibilityReason",
    "InfeasibleError",
    "Person",
    "Quota",
    "Replacement",
    "check_feasibility",
    "choose_lottery_size",
    "choose_reserves",
    "draw",
    "fingerprint",
    "panel_problems",
    "replacement",
    "seed_to_index",
    "verify",
]
