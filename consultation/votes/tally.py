"""Counting votes: for / against / abstain with a quorum, and majority judgment.

Plain data in, plain data out: no Flask, no database. Every share is an exact
``fractions.Fraction`` so that "exactly at the quorum" or "exactly two thirds"
is never decided by a float rounding error. Results carry a reason code and
the numbers behind it; ``explain()`` gives an English sentence for logs and
tests, and the app builds its translated sentence from the same fields.

Majority judgment follows Balinski and Laraki, *Majority Judgment* (MIT Press,
2011), as practised in France by Mieux Voter:

- A grade is an ``int`` code, **higher is better**: with the French scale
  ``GRADES_FR`` the codes run from 6 (``"Excellent"``) down to 0
  (``"À rejeter"``). Any scale works: ``grades=4`` means codes 0..3.
- A merit profile is indexed by that code: ``profile[0]`` is the number of
  lowest grades. (So a profile reads worst to best, the ballot best to worst.)
- The majority grade is the median, the lower of the two middle grades when
  the number of voters is even: the best grade that strictly more than half
  the voters give or exceed.
- Ties are broken by the majority gauge (p, q), then by the iterative rule
  (remove one majority grade from each tied option and look again). The
  ranking here is computed by the iterative rule, which is the definition;
  the gauge is reported beside it and agrees with it wherever it decides.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cmp_to_key

__all__ = [
    "GRADES_FR",
    "REASONS",
    "THRESHOLDS",
    "MJResult",
    "OptionResult",
    "Outcome",
    "grade_code",
    "grade_label",
    "majority_judgment",
    "tally",
]

# -- For / against / abstain ------------------------------------------------

#: ``"majority"``: strictly more than half of the suffrages exprimés are for.
#: ``"two_thirds"``: at least two thirds of the suffrages exprimés are for.
THRESHOLDS = ("majority", "two_thirds")

#: Reason codes of an ``Outcome``, in the order they are checked.
REASONS = ("no_quorum", "no_expressed_votes", "threshold_not_met", "adopted")

_THRESHOLD_SHARES = {"majority": Fraction(1, 2), "two_thirds": Fraction(2, 3)}


@dataclass(frozen=True)
class Outcome:
    """The result of a for / against / abstain vote.

    ``reason`` is one of ``REASONS``:

    - ``"no_quorum"``: ``cast / eligible`` is below ``quorum``; the vote fails
      for want of quorum whatever the tally.
    - ``"no_expressed_votes"``: quorum reached but nobody voted for or against
      (all abstained), so there is no majority to speak of; it fails.
    - ``"threshold_not_met"``: ``for_share`` is not enough for ``threshold``
      (a tie fails under ``"majority"``).
    - ``"adopted"``.

    ``cast`` is every ballot, abstentions included (what the quorum counts);
    ``expressed`` is ``for_ + against`` (the suffrages exprimés, what the
    threshold counts). ``turnout = cast / eligible``; ``for_share =
    for_ / expressed``, ``None`` when nothing was expressed.
    """

    adopted: bool
    reason: str
    for_: int
    against: int
    abstain: int
    eligible: int
    quorum: Fraction
    threshold: str
    turnout: Fraction
    for_share: Fraction | None

    @property
    def cast(self) -> int:
        return self.for_ + self.against + self.abstain

    @property
    def expressed(self) -> int:
        return self.for_ + self.against

    @property
    def quorum_reached(self) -> bool:
        return self.turnout >= self.quorum

    def explain(self) -> str:
        """The outcome in one English sentence, with the rule in words."""
        counts = (
            f"{self.for_} for, {self.against} against, "
            f"{_plural(self.abstain, 'abstention')}; "
            f"{_plural(self.cast, 'ballot')} cast out of {self.eligible} eligible "
            f"(turnout {_percent(self.turnout)})"
        )
        rule = _rule_in_words(self.threshold)
        if self.reason == "no_quorum":
            return (
                f"Rejected for want of quorum: {counts}, below the quorum of "
                f"{_percent(self.quorum)} of eligible members, whatever the tally."
            )
        if self.reason == "no_expressed_votes":
            return (
                f"Rejected: {counts}; every ballot was an abstention, so no vote "
                f"was expressed for or against, and adoption needs {rule}."
            )
        assert self.for_share is not None
        verdict = "Adopted" if self.adopted else "Rejected"
        return (
            f"{verdict}: {counts}; {_percent(self.for_share)} of the votes "
            f"expressed were for, and adoption needs {rule}."
        )


def tally(
    for_: int,
    against: int,
    abstain: int,
    *,
    eligible: int,
    quorum: Fraction | Decimal | float | int | str,
    threshold: str,
) -> Outcome:
    """Decide a for / against / abstain vote.

    ``eligible`` is the number of members entitled to vote, frozen when the
    vote opened; it must be positive. ``quorum`` is the share of them who must
    cast a ballot (abstentions count), between 0 and 1, as a ``Fraction``
    (preferred), ``Decimal``, ``int``, ``float`` or string such as ``"1/2"``
    or ``"0.5"``; a float is read by its shortest decimal form, so ``0.1``
    means exactly one tenth. ``threshold`` is one of ``THRESHOLDS``.

    The checks run in order: quorum (``cast / eligible >= quorum``), then
    whether anything was expressed, then the threshold on ``for / (for +
    against)``.

    Raises ``ValueError`` for a negative count, ``eligible <= 0``, more
    ballots than eligible members, a quorum outside [0, 1] or an unknown
    threshold.
    """
    for name, value in (("for_", for_), ("against", against), ("abstain", abstain)):
        _check_count(name, value)
    _check_count("eligible", eligible)
    if eligible == 0:
        raise ValueError("eligible must be positive: nobody may vote")
    if threshold not in _THRESHOLD_SHARES:
        raise ValueError(f"unknown threshold {threshold!r}; expected one of {THRESHOLDS}")
    quorum_share = _to_fraction(quorum, "quorum")
    if not 0 <= quorum_share <= 1:
        raise ValueError(f"quorum must be between 0 and 1, got {quorum_share}")
    cast = for_ + against + abstain
    if cast > eligible:
        raise ValueError(f"{cast} ballots cast but only {eligible} members may vote")

    turnout = Fraction(cast, eligible)
    expressed = for_ + against
    for_share = Fraction(for_, expressed) if expressed else None
    if turnout < quorum_share:
        reason = "no_quorum"
    elif for_share is None:
        reason = "no_expressed_votes"
    elif _meets(for_share, threshold):
        reason = "adopted"
    else:
        reason = "threshold_not_met"
    return Outcome(
        adopted=reason == "adopted",
        reason=reason,
        for_=for_,
        against=against,
        abstain=abstain,
        eligible=eligible,
        quorum=quorum_share,
        threshold=threshold,
        turnout=turnout,
        for_share=for_share,
    )


def _meets(for_share: Fraction, threshold: str) -> bool:
    needed = _THRESHOLD_SHARES[threshold]
    # Simple majority is strict ("more than half"); two thirds is not ("at least").
    return for_share > needed if threshold == "majority" else for_share >= needed


def _rule_in_words(threshold: str) -> str:
    if threshold == "majority":
        return "strictly more than half of the votes expressed (abstentions not counted)"
    return "at least two thirds of the votes expressed (abstentions not counted)"


def _to_fraction(value: object, name: str) -> Fraction:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError
            # repr gives the shortest decimal that round-trips: 0.1 -> "0.1" -> 1/10.
            return Fraction(repr(value))
        if isinstance(value, Fraction | Decimal | int | str):
            return Fraction(value)
    except (ValueError, ZeroDivisionError, ArithmeticError):
        pass
    raise ValueError(f"{name} must be a fraction, decimal or number, got {value!r}")


def _check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _percent(share: Fraction) -> str:
    value = share * 100
    if value.denominator == 1:
        return f"{value.numerator}%"
    return f"{float(value):.1f}%"


# -- Majority judgment -------------------------------------------------------

#: The French grading scale, best to worst as printed on a ballot. The code of
#: a grade is ``6 - its position``: "Excellent" is 6, "À rejeter" is 0, so a
#: higher code is a better grade. Use ``grade_code`` / ``grade_label``.
GRADES_FR = (
    "Excellent",
    "Très bien",
    "Bien",
    "Assez bien",
    "Passable",
    "Insuffisant",
    "À rejeter",
)


def grade_label(code: int, scale: Sequence[str] = GRADES_FR) -> str:
    """The label of grade ``code`` on ``scale`` (labels listed best first)."""
    if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code < len(scale):
        raise ValueError(f"no grade {code!r} on a scale of {len(scale)}")
    return scale[len(scale) - 1 - code]


def grade_code(label: str, scale: Sequence[str] = GRADES_FR) -> int:
    """The code of grade ``label`` on ``scale`` (labels listed best first)."""
    try:
        return len(scale) - 1 - list(scale).index(label)
    except ValueError:
        raise ValueError(f"unknown grade {label!r}") from None


#: How an option was separated from the one ranked just above it.
DECIDED_BY = ("majority_grade", "gauge", "iterative", "tie")


@dataclass(frozen=True)
class OptionResult:
    """One option's place in a majority judgment.

    ``profile`` is the merit profile: ``profile[g]`` voters gave grade code
    ``g`` (0 is the lowest grade; a missing grade was counted there). It sums
    to ``voters``. ``majority_grade`` is the (lower) median grade code. ``p``
    and ``q`` are the shares of grades strictly above and strictly below it;
    ``sign`` is ``"+"`` when ``p > q`` and ``"-"`` otherwise (the majority
    gauge, shown as e.g. "Bien+").

    ``rank`` starts at 1; options truly tied share a rank and the next rank is
    skipped (1, 1, 3). ``decided_by`` says what put this option below the one
    ranked just above it: ``"majority_grade"``, ``"gauge"`` (same grade; the
    sign or p or q differ), ``"iterative"`` (same gauge; settled by removing
    majority grades in turn), ``"tie"`` (identical profiles), or ``None`` for
    the first option.
    """

    option: Hashable
    rank: int
    profile: tuple[int, ...]
    voters: int
    majority_grade: int
    p: Fraction
    q: Fraction
    sign: str
    decided_by: str | None

    @property
    def shares(self) -> tuple[Fraction, ...]:
        """The merit profile as shares of the voters, indexed by grade code."""
        return tuple(Fraction(count, self.voters) for count in self.profile)


@dataclass(frozen=True)
class MJResult:
    """A majority judgment.

    ``ranking`` lists the options best first, in groups: a group of more than
    one option is a true tie (identical merit profiles), in the order the
    options were given. ``results`` maps every option to its ``OptionResult``,
    in ranking order. ``voters`` is the number of voters every option was
    judged by; ``grades`` the size of the scale (codes ``0..grades-1``).
    """

    ranking: tuple[tuple[Hashable, ...], ...]
    results: dict[Hashable, OptionResult]
    voters: int
    grades: int

    @property
    def winners(self) -> tuple[Hashable, ...]:
        """The option ranked first, or several if they are truly tied."""
        return self.ranking[0]

    @property
    def ordered(self) -> tuple[OptionResult, ...]:
        """Every option's result, best first."""
        return tuple(self.results.values())


def majority_judgment(
    *,
    profiles: Mapping[Hashable, Sequence[int] | Mapping[int, int]] | None = None,
    ballots: Iterable[Mapping[Hashable, int]] | None = None,
    options: Sequence[Hashable] | None = None,
    grades: int = len(GRADES_FR),
    voters: int | None = None,
) -> MJResult:
    """Rank options by majority judgment.

    Give merit profiles, individual ballots, or both (their counts add up):

    - ``profiles`` maps an option to its counts per grade code, either a
      sequence indexed by code (``[rejects, ..., excellents]``, lowest grade
      first) or a mapping ``{code: count}``. ``voters`` is the number of
      voters these profiles stand for (by default the largest profile total);
      an option with fewer grades than that has the difference counted as the
      lowest grade.
    - ``ballots``: one mapping ``{option: grade code}`` per voter. An option a
      voter left ungraded counts as the lowest grade.

    ``options`` fixes the options and their order for display and true ties;
    by default the options met in ``profiles`` then in ``ballots``. ``grades``
    is the size of the scale (7 for ``GRADES_FR``).

    Raises ``ValueError`` for no options, no voters, a grade outside the
    scale, a negative count, a profile above ``voters`` or an option not in
    ``options``.
    """
    if isinstance(grades, bool) or not isinstance(grades, int) or grades < 2:
        raise ValueError(f"a scale needs at least two grades, got {grades!r}")
    profiles = profiles or {}
    ballot_list = [dict(b) for b in ballots] if ballots is not None else []
    if options is None:
        seen: dict[Hashable, None] = dict.fromkeys(profiles)
        for ballot in ballot_list:
            seen.update(dict.fromkeys(ballot))
        options = list(seen)
    else:
        options = list(options)
        if len(set(options)) != len(options):
            raise ValueError("options must be distinct")
    if not options:
        raise ValueError("majority judgment needs at least one option")
    known = set(options)

    given: dict[Hashable, list[int]] = {}
    for option, profile in profiles.items():
        if option not in known:
            raise ValueError(f"profile for unknown option {option!r}")
        given[option] = _profile_counts(option, profile, grades)
    profile_voters = max((sum(c) for c in given.values()), default=0)
    if voters is not None:
        _check_count("voters", voters)
        if voters < profile_voters:
            raise ValueError(f"a profile counts {profile_voters} grades but voters={voters}")
        profile_voters = voters

    counts = {option: [0] * grades for option in options}
    for option, profile in given.items():
        counts[option] = profile
    for option in options:
        # A voter behind the profiles who did not grade this option gave it the lowest grade.
        counts[option][0] += profile_voters - sum(counts[option])
    for ballot in ballot_list:
        for option, grade in ballot.items():
            if option not in known:
                raise ValueError(f"ballot grades unknown option {option!r}")
            if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade < grades:
                raise ValueError(f"grade {grade!r} for {option!r} is not on the scale")
        for option in options:
            counts[option][ballot.get(option, 0)] += 1

    total = profile_voters + len(ballot_list)
    if total == 0:
        raise ValueError("majority judgment needs at least one voter")
    frozen = {option: tuple(c) for option, c in counts.items()}

    def compare(a: Hashable, b: Hashable) -> int:
        # Best first: a sorts before b when its majority values are higher.
        return -_compare_majority_values(frozen[a], frozen[b])

    order = sorted(options, key=cmp_to_key(compare))

    results: dict[Hashable, OptionResult] = {}
    ranking: list[list[Hashable]] = []
    previous: OptionResult | None = None
    for position, option in enumerate(order, start=1):
        profile = frozen[option]
        grade, above, below = _median(profile, total)
        p, q = Fraction(above, total), Fraction(below, total)
        decided_by = None
        rank = position
        if previous is not None:
            decided_by = _decided_by(previous, profile, grade, p, q)
            if decided_by == "tie":
                rank = previous.rank
        if decided_by == "tie":
            ranking[-1].append(option)
        else:
            ranking.append([option])
        previous = results[option] = OptionResult(
            option=option,
            rank=rank,
            profile=profile,
            voters=total,
            majority_grade=grade,
            p=p,
            q=q,
            sign="+" if p > q else "-",
            decided_by=decided_by,
        )
    return MJResult(
        ranking=tuple(tuple(group) for group in ranking),
        results=results,
        voters=total,
        grades=grades,
    )


def _profile_counts(
    option: Hashable, profile: Sequence[int] | Mapping[int, int], grades: int
) -> list[int]:
    counts = [0] * grades
    items = profile.items() if isinstance(profile, Mapping) else enumerate(profile)
    for grade, count in items:
        if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade < grades:
            raise ValueError(f"profile of {option!r} has grade {grade!r} off the scale")
        _check_count(f"count of grade {grade} for {option!r}", count)
        counts[grade] += count
    return counts


def _median(profile: Sequence[int], n: int) -> tuple[int, int, int]:
    """(majority grade, number strictly above, number strictly below).

    The majority grade is the best grade that more than half the voters give
    or exceed, i.e. the lower middle grade when ``n`` is even.
    """
    above = 0
    for grade in range(len(profile) - 1, -1, -1):
        if above + profile[grade] > n // 2:
            return grade, above, n - above - profile[grade]
        above += profile[grade]
    raise ValueError("empty merit profile")  # pragma: no cover - n > 0 is checked


def _majority_values(profile: Sequence[int]) -> Iterator[tuple[int, int]]:
    """The majority values in runs: (grade, how many times in a row).

    The majority values are the majority grade, then the majority grade once
    one copy of it is removed, and so on until no grade is left (Balinski and
    Laraki's iterative definition). With P grades above the majority grade
    and Q below, it stays put until the remaining count n' satisfies
    n' <= 2P - 1 (it then rises, when P > Q) or n' <= 2Q (it then falls, when
    P <= Q), hence the run lengths below; this is also why the majority gauge
    agrees with the iterative rule.
    """
    counts = list(profile)
    n = sum(counts)
    while n:
        grade, above, below = _median(counts, n)
        run = n - 2 * above + 1 if above > below else n - 2 * below
        yield grade, run
        counts[grade] -= run
        n -= run


def _compare_majority_values(a: Sequence[int], b: Sequence[int]) -> int:
    """Compare two profiles of the same size lexicographically by majority values.

    Returns 1 when ``a`` ranks above ``b``, -1 below, 0 when they are equal
    (which happens only for identical profiles).
    """
    runs_a, runs_b = _majority_values(a), _majority_values(b)
    grade_a = grade_b = None
    left_a = left_b = 0
    while True:
        if left_a == 0:
            grade_a, left_a = next(runs_a, (None, 0))
        if left_b == 0:
            grade_b, left_b = next(runs_b, (None, 0))
        if grade_a is None or grade_b is None:
            # Both exhausted together, as the profiles have the same size.
            return 0
        if grade_a != grade_b:
            return 1 if grade_a > grade_b else -1
        step = min(left_a, left_b)
        left_a -= step
        left_b -= step


def _decided_by(
    previous: OptionResult, profile: tuple[int, ...], grade: int, p: Fraction, q: Fraction
) -> str:
    if previous.majority_grade != grade:
        return "majority_grade"
    if profile == previous.profile:
        return "tie"
    previous_plus, plus = previous.p > previous.q, p > q
    if previous_plus != plus:
        return "gauge"
    if plus and previous.p != p:
        return "gauge"
    if not plus and previous.q != q:
        return "gauge"
    return "iterative"
