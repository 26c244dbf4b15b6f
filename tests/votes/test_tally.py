"""Counting votes: quorum and threshold edges, and majority judgment.

The majority judgment examples come from published sources, cited at each
test; where a source gives only the winner, the rest of the expected result
was worked out by hand from the definition, and the comment says so.
"""

from decimal import Decimal
from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consultation.votes.tally import (
    GRADES_FR,
    grade_code,
    grade_label,
    majority_judgment,
    tally,
)

# -- For / against / abstain -------------------------------------------------


def test_exactly_at_quorum_the_vote_counts():
    outcome = tally(3, 1, 1, eligible=10, quorum=Fraction(1, 2), threshold="majority")

    assert outcome.turnout == Fraction(1, 2)
    assert outcome.quorum_reached
    assert outcome.adopted
    assert outcome.reason == "adopted"


def test_one_ballot_below_quorum_fails_whatever_the_tally():
    outcome = tally(4, 0, 0, eligible=10, quorum=Fraction(1, 2), threshold="majority")

    assert not outcome.adopted
    assert outcome.reason == "no_quorum"
    assert outcome.turnout == Fraction(2, 5)
    assert outcome.explain() == (
        "Rejected for want of quorum: 4 for, 0 against, 0 abstentions; "
        "4 ballots cast out of 10 eligible (turnout 40%), below the quorum of "
        "50% of eligible members, whatever the tally."
    )


def test_abstentions_count_for_the_quorum_but_not_for_the_majority():
    outcome = tally(2, 1, 2, eligible=10, quorum=Fraction(1, 2), threshold="majority")

    assert outcome.cast == 5
    assert outcome.expressed == 3
    assert outcome.for_share == Fraction(2, 3)
    assert outcome.adopted


@pytest.mark.parametrize("quorum", [Fraction(1, 2), 0.5, "1/2", "0.5", Decimal("0.5")])
def test_quorum_may_be_given_as_fraction_float_string_or_decimal(quorum):
    at = tally(5, 0, 0, eligible=10, quorum=quorum, threshold="majority")
    below = tally(4, 0, 0, eligible=10, quorum=quorum, threshold="majority")

    assert at.quorum == Fraction(1, 2)
    assert at.reason == "adopted"
    assert below.reason == "no_quorum"


@pytest.mark.parametrize("quorum, eligible, cast", [(0.1, 10, 1), (0.2, 5, 1), (0.2, 10, 2)])
def test_a_float_quorum_means_its_decimal_value_not_its_binary_one(quorum, eligible, cast):
    # As binary doubles, 0.1 and 0.2 are slightly above 1/10 and 1/5: read
    # exactly, they would fail a turnout that is exactly at the quorum.
    assert Fraction(quorum) > Fraction(cast, eligible)

    outcome = tally(cast, 0, 0, eligible=eligible, quorum=quorum, threshold="majority")

    assert outcome.quorum_reached
    assert outcome.adopted


def test_a_tie_fails_under_simple_majority():
    outcome = tally(3, 3, 0, eligible=6, quorum=Fraction(1, 2), threshold="majority")

    assert not outcome.adopted
    assert outcome.reason == "threshold_not_met"
    assert outcome.for_share == Fraction(1, 2)
    assert outcome.explain() == (
        "Rejected: 3 for, 3 against, 0 abstentions; 6 ballots cast out of 6 eligible "
        "(turnout 100%); 50% of the votes expressed were for, and adoption needs "
        "strictly more than half of the votes expressed (abstentions not counted)."
    )


def test_one_vote_more_than_half_is_a_majority():
    assert tally(4, 3, 0, eligible=7, quorum=0, threshold="majority").adopted


@pytest.mark.parametrize(
    "for_, against, adopted",
    [(6, 3, True), (2, 1, True), (5, 3, False), (7, 4, False), (7, 3, True)],
)
def test_two_thirds_means_at_least_two_thirds(for_, against, adopted):
    outcome = tally(for_, against, 0, eligible=20, quorum=0, threshold="two_thirds")

    assert outcome.adopted is adopted
    assert outcome.reason == ("adopted" if adopted else "threshold_not_met")


def test_exactly_two_thirds_is_explained_with_the_rule():
    outcome = tally(6, 3, 1, eligible=12, quorum=Fraction(1, 2), threshold="two_thirds")

    assert outcome.for_share == Fraction(2, 3)
    assert outcome.explain() == (
        "Adopted: 6 for, 3 against, 1 abstention; 10 ballots cast out of 12 eligible "
        "(turnout 83.3%); 66.7% of the votes expressed were for, and adoption needs "
        "at least two thirds of the votes expressed (abstentions not counted)."
    )


def test_the_same_tally_can_pass_a_majority_and_fail_two_thirds():
    majority = tally(5, 4, 0, eligible=9, quorum=0, threshold="majority")
    two_thirds = tally(5, 4, 0, eligible=9, quorum=0, threshold="two_thirds")

    assert majority.adopted
    assert not two_thirds.adopted


def test_when_everyone_abstains_nothing_is_expressed_and_the_proposal_fails():
    outcome = tally(0, 0, 6, eligible=10, quorum=Fraction(1, 2), threshold="majority")

    assert outcome.quorum_reached
    assert not outcome.adopted
    assert outcome.reason == "no_expressed_votes"
    assert outcome.for_share is None
    assert "every ballot was an abstention" in outcome.explain()


@pytest.mark.parametrize(
    "for_, against, abstain, reason",
    [
        (1, 0, 0, "adopted"),
        (0, 1, 0, "threshold_not_met"),
        (0, 0, 1, "no_expressed_votes"),
        (0, 0, 0, "no_quorum"),
    ],
)
@pytest.mark.parametrize("threshold", ["majority", "two_thirds"])
def test_a_panel_of_one_member(for_, against, abstain, reason, threshold):
    outcome = tally(for_, against, abstain, eligible=1, quorum=Fraction(1, 2), threshold=threshold)

    assert outcome.reason == reason
    assert outcome.adopted is (reason == "adopted")


def test_zero_eligible_members_is_an_error():
    with pytest.raises(ValueError, match="eligible must be positive"):
        tally(0, 0, 0, eligible=0, quorum=Fraction(1, 2), threshold="majority")


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((-1, 0, 0), {}, "for_ must be a non-negative integer"),
        ((1.0, 0, 0), {}, "for_ must be a non-negative integer"),
        ((True, 0, 0), {}, "for_ must be a non-negative integer"),
        ((6, 5, 0), {}, "11 ballots cast but only 10 members may vote"),
        ((1, 0, 0), {"quorum": Fraction(3, 2)}, "quorum must be between 0 and 1"),
        ((1, 0, 0), {"quorum": -0.1}, "quorum must be between 0 and 1"),
        ((1, 0, 0), {"quorum": "half"}, "quorum must be a fraction"),
        ((1, 0, 0), {"quorum": float("nan")}, "quorum must be a fraction"),
        ((1, 0, 0), {"quorum": None}, "quorum must be a fraction"),
        ((1, 0, 0), {"threshold": "unanimity"}, "unknown threshold"),
    ],
)
def test_invalid_input_is_refused(args, kwargs, message):
    options = {"eligible": 10, "quorum": Fraction(1, 2), "threshold": "majority", **kwargs}

    with pytest.raises(ValueError, match=message):
        tally(*args, **options)


# -- Majority judgment: the scale ---------------------------------------------


def test_french_grades_are_listed_best_first_and_coded_higher_is_better():
    assert GRADES_FR[0] == "Excellent"
    assert GRADES_FR[-1] == "À rejeter"
    assert [grade_code(label) for label in GRADES_FR] == [6, 5, 4, 3, 2, 1, 0]
    assert grade_label(6) == "Excellent"
    assert grade_label(4) == "Bien"
    assert grade_label(0) == "À rejeter"
    with pytest.raises(ValueError):
        grade_label(7)
    with pytest.raises(ValueError):
        grade_code("Très très bien")


def best_first(*counts):
    """A merit profile written best grade first, as sources print it."""
    return list(reversed(counts))


# -- Majority judgment: worked examples from the literature -------------------

# English Wikipedia, "Majority judgment", section "Example application" (the
# Tennessee capital example), in the revision mirrored by electowiki's
# "Majority Judgment" page ("Updated following Wikipedia"): four grades,
# Excellent, Good, Fair, Poor; every voter gives the four cities four
# different grades in order of preference. Voters live 42% in Memphis
# (Memphis > Nashville > Chattanooga > Knoxville), 26% in Nashville
# (Nashville > Chattanooga > Knoxville > Memphis), 15% in Chattanooga
# (Chattanooga > Knoxville > Nashville > Memphis) and 17% in Knoxville
# (Knoxville > Chattanooga > Nashville > Memphis). The page's profiles:
# Nashville 26/42/32/0 and Chattanooga 15/43/42/0; both have "Good" as
# majority grade and Nashville wins. The Memphis and Knoxville profiles, the
# gauges and the order below Nashville were worked out by hand from the
# preference shares.
TENNESSEE_PROFILES = {
    "Memphis": best_first(42, 0, 0, 58),
    "Nashville": best_first(26, 42, 32, 0),
    "Chattanooga": best_first(15, 43, 42, 0),
    "Knoxville": best_first(17, 15, 26, 42),
}
TENNESSEE_PREFERENCES = [
    (42, ["Memphis", "Nashville", "Chattanooga", "Knoxville"]),
    (26, ["Nashville", "Chattanooga", "Knoxville", "Memphis"]),
    (15, ["Chattanooga", "Knoxville", "Nashville", "Memphis"]),
    (17, ["Knoxville", "Chattanooga", "Nashville", "Memphis"]),
]
EXCELLENT, GOOD, FAIR, POOR = 3, 2, 1, 0


def test_tennessee_capital_nashville_wins_on_the_majority_gauge():
    result = majority_judgment(profiles=TENNESSEE_PROFILES, grades=4)

    assert result.winners == ("Nashville",)
    assert result.ranking == (("Nashville",), ("Chattanooga",), ("Knoxville",), ("Memphis",))
    nashville, chattanooga, knoxville, memphis = result.ordered
    assert (nashville.majority_grade, nashville.p, nashville.q, nashville.sign) == (
        GOOD,
        Fraction(26, 100),
        Fraction(32, 100),
        "-",
    )
    # Both "Good-": the larger share below the majority grade loses.
    assert (chattanooga.majority_grade, chattanooga.q, chattanooga.sign) == (
        GOOD,
        Fraction(42, 100),
        "-",
    )
    assert chattanooga.decided_by == "gauge"
    assert (knoxville.majority_grade, knoxville.decided_by) == (FAIR, "majority_grade")
    assert (memphis.majority_grade, memphis.p, memphis.sign) == (POOR, Fraction(42, 100), "+")
    assert nashville.profile == (0, 32, 42, 26)
    assert nashville.shares == (0, Fraction(32, 100), Fraction(42, 100), Fraction(26, 100))


def test_tennessee_from_individual_ballots_gives_the_same_profiles():
    ballots = []
    for voters, preference in TENNESSEE_PREFERENCES:
        ballot = {city: 3 - place for place, city in enumerate(preference)}
        ballots.extend([ballot] * voters)

    result = majority_judgment(ballots=ballots, grades=4)

    assert result.voters == 100
    assert result.ranking == (("Nashville",), ("Chattanooga",), ("Knoxville",), ("Memphis",))
    for city, profile in TENNESSEE_PROFILES.items():
        assert result.results[city].profile == tuple(profile)


def test_wikipedia_condorcet_criterion_example_elects_c():
    # English Wikipedia, "Condorcet winner criterion", section on majority
    # judgment (mirrored by liquisearch.com): 35 voters grade A Excellent,
    # B Fair, C Poor; 34 grade C Excellent, B Fair, A Poor; 31 grade B
    # Excellent, C Good, A Fair. C's majority grade is Good, B's Fair: C wins
    # although B is the Condorcet winner. The order of A and B (both "Fair+",
    # A with p = 35% against B's 31%) was worked out by hand.
    ballots = (
        [{"A": EXCELLENT, "B": FAIR, "C": POOR}] * 35
        + [{"C": EXCELLENT, "B": FAIR, "A": POOR}] * 34
        + [{"B": EXCELLENT, "C": GOOD, "A": FAIR}] * 31
    )

    result = majority_judgment(ballots=ballots, options=["A", "B", "C"], grades=4)

    assert result.ranking == (("C",), ("A",), ("B",))
    c, a, b = result.ordered
    assert c.majority_grade == GOOD
    assert (a.majority_grade, a.p, a.q, a.sign) == (FAIR, Fraction(35, 100), Fraction(34, 100), "+")
    assert (b.majority_grade, b.p, b.q, b.sign) == (FAIR, Fraction(31, 100), 0, "+")
    assert b.decided_by == "gauge"


def test_wikipedia_tie_breaking_example_with_four_voters():
    # English Wikipedia, "Majority judgment" (mirrored by piglix): X is graded
    # (Good, Good, Fair, Poor) and Y (Excellent, Fair, Fair, Fair); both
    # medians are Fair (the lower middle grade of four), and removing one
    # Fair from each leaves X with Good, so X wins. The gauges were computed
    # by hand: X is "Fair+" with p = 1/2, Y "Fair+" with p = 1/4.
    ballots = [
        {"X": GOOD, "Y": EXCELLENT},
        {"X": GOOD, "Y": FAIR},
        {"X": FAIR, "Y": FAIR},
        {"X": POOR, "Y": FAIR},
    ]

    result = majority_judgment(ballots=ballots, grades=4)

    assert result.ranking == (("X",), ("Y",))
    x, y = result.ordered
    assert (x.majority_grade, x.p, x.q, x.sign) == (FAIR, Fraction(1, 2), Fraction(1, 4), "+")
    assert (y.majority_grade, y.p, y.q, y.sign) == (FAIR, Fraction(1, 4), 0, "+")
    assert y.decided_by == "gauge"


def test_mieux_voter_python_library_readme_example():
    # Mieux Voter, majority-judgment-library-python, README "Example Usage":
    # ten voters grade four dishes from 0 (worst) to 3 (best); the published
    # ranking is Chips, Pasta, Pizza, Bread. Worked out by hand: Chips has
    # grade 2; Pasta, Pizza and Bread grade 1 and all "+"; Pizza and Pasta
    # share p = 1/2, so the iterative rule decides (after removing 1, 2, 1, 2
    # from each, Pizza falls to 0 while Pasta stays at 1); Bread's p = 2/5.
    votes = {
        "Pizza": [0, 0, 0, 1, 1, 2, 2, 3, 3, 3],
        "Chips": [0, 0, 1, 1, 2, 2, 2, 2, 3, 3],
        "Pasta": [0, 0, 1, 1, 1, 2, 2, 3, 3, 3],
        "Bread": [0, 0, 1, 1, 1, 1, 2, 2, 2, 3],
    }
    profiles = {dish: [grades.count(g) for g in range(4)] for dish, grades in votes.items()}

    result = majority_judgment(profiles=profiles, grades=4)

    assert result.ranking == (("Chips",), ("Pasta",), ("Pizza",), ("Bread",))
    chips, pasta, pizza, bread = result.ordered
    assert chips.majority_grade == 2
    assert (pasta.p, pizza.p) == (Fraction(1, 2), Fraction(1, 2))
    assert pizza.decided_by == "iterative"
    assert (bread.p, bread.decided_by) == (Fraction(2, 5), "gauge")


def test_mieux_voter_java_library_few_judgments():
    # Mieux Voter, majority-judgment-library-java, src/test/resources/
    # assertions.json, "Few judgments": tallies per grade, worst grade first,
    # and the expected ranks 3, 1, 5, 4, 2.
    tallies = [[1, 1, 1], [1, 0, 2], [3, 0, 0], [2, 0, 1], [0, 3, 0]]

    result = majority_judgment(profiles=dict(enumerate(tallies)), grades=3)

    assert [result.results[i].rank for i in range(5)] == [3, 1, 5, 4, 2]


def test_mieux_voter_java_library_demo_settled_by_the_iterative_rule():
    # Mieux Voter, majority-judgment-library-java, MajorityJudgmentDeliberatorTest
    # .testDemoUsage: the second tally ranks first. By hand: both have grade 1
    # and p = 9/18 (same gauge); the second has one lowest grade fewer.
    result = majority_judgment(
        profiles={"first": [4, 5, 2, 1, 3, 1, 2], "second": [3, 6, 2, 1, 3, 1, 2]}
    )

    assert result.ranking == (("second",), ("first",))
    assert result.results["first"].decided_by == "iterative"
    assert result.results["first"].p == result.results["second"].p == Fraction(1, 2)


def test_mieux_voter_java_library_collected_tally_with_p_equal_to_q():
    # Mieux Voter, majority-judgment-library-java, testDemoUsageCollectedTally:
    # eight voters, grades reject=0 .. excellent=3; expected ranks 3, 1, 2. By
    # hand: the second and third both have grade 2 and p = 2/8; the second
    # has q = 2/8 (p = q counts as "-") and the third q = 3/8, so it loses.
    ballots_per_proposal = {
        "first": [0, 0, 1, 1, 1, 3, 3, 3],
        "second": [0, 0, 2, 2, 2, 2, 3, 3],
        "third": [0, 0, 1, 2, 2, 2, 3, 3],
    }
    ballots = [
        {proposal: grades[i] for proposal, grades in ballots_per_proposal.items()} for i in range(8)
    ]

    result = majority_judgment(ballots=ballots, grades=4)

    assert [result.results[name].rank for name in ballots_per_proposal] == [3, 1, 2]
    second = result.results["second"]
    assert (second.p, second.q, second.sign) == (Fraction(1, 4), Fraction(1, 4), "-")
    assert result.results["third"].decided_by == "gauge"


def test_mieux_voter_java_library_missing_grades_count_as_the_lowest():
    # Mieux Voter, majority-judgment-library-java, testWithStaticDefaultGrade:
    # three participants, default grade 0; tallies [0, 0, 1] and [0, 3, 0];
    # the second ranks first. The first's two missing grades become 0.
    result = majority_judgment(
        profiles={"first": [0, 0, 1], "second": [0, 3, 0]}, grades=3, voters=3
    )

    assert result.ranking == (("second",), ("first",))
    assert result.results["first"].profile == (2, 0, 1)
    assert result.results["first"].majority_grade == 0


def test_mieux_voter_java_library_identical_proposals_all_tie():
    # Mieux Voter, majority-judgment-library-java, testWithThousandsOfProposals:
    # identical tallies [0, 2, 1] (three participants) all rank 1.
    result = majority_judgment(profiles={i: [0, 2, 1] for i in range(200)}, grades=3, voters=3)

    assert result.ranking == (tuple(range(200)),)
    assert {r.rank for r in result.ordered} == {1}
    assert {r.decided_by for r in result.ordered[1:]} == {"tie"}


# -- Majority judgment: computed by hand from the definition ------------------

FR_EXCELLENT, FR_TRES_BIEN, FR_BIEN, FR_ASSEZ_BIEN, FR_PASSABLE, FR_INSUFFISANT, FR_A_REJETER = (
    grade_code(label) for label in GRADES_FR
)


def test_with_an_even_number_of_voters_the_lower_middle_grade_is_taken():
    # By hand: grades Très bien, Très bien, Assez bien, Insuffisant; the two
    # middle grades are Très bien and Assez bien; the lower is Assez bien.
    ballots = [
        {"X": FR_TRES_BIEN},
        {"X": FR_TRES_BIEN},
        {"X": FR_ASSEZ_BIEN},
        {"X": FR_INSUFFISANT},
    ]

    result = majority_judgment(ballots=ballots)

    x = result.results["X"]
    assert grade_label(x.majority_grade) == "Assez bien"
    assert (x.p, x.q, x.sign) == (Fraction(1, 2), Fraction(1, 4), "+")


def test_two_voters_split_between_bien_and_passable_give_passable():
    result = majority_judgment(ballots=[{"X": FR_BIEN}, {"X": FR_PASSABLE}])

    assert result.results["X"].majority_grade == FR_PASSABLE


def test_an_option_left_ungraded_counts_as_a_rejection():
    # By hand: three voters; only one grades "late", Excellent. Its profile is
    # 2 × À rejeter + 1 × Excellent, majority grade À rejeter.
    ballots = [
        {"early": FR_PASSABLE, "late": FR_EXCELLENT},
        {"early": FR_PASSABLE},
        {"early": FR_INSUFFISANT},
    ]

    result = majority_judgment(ballots=ballots, options=["early", "late"])

    late = result.results["late"]
    assert late.profile == (2, 0, 0, 0, 0, 0, 1)
    assert late.majority_grade == FR_A_REJETER
    assert result.ranking == (("early",), ("late",))


def test_the_iterative_rule_settles_what_the_gauge_cannot():
    # By hand: five voters. A: Très bien, Bien, Bien, Insuffisant,
    # Insuffisant; B: Excellent, Bien, Bien, Insuffisant, À rejeter. Both are
    # "Bien-" with p = 1/5 and q = 2/5. Majority values: A gives Bien,
    # Insuffisant, Bien, Insuffisant, Très bien; B gives Bien, Insuffisant,
    # Bien, À rejeter, Excellent; they first differ at the fourth value, where
    # A's Insuffisant beats B's À rejeter.
    profiles = {
        "B": {FR_EXCELLENT: 1, FR_BIEN: 2, FR_INSUFFISANT: 1, FR_A_REJETER: 1},
        "A": {FR_TRES_BIEN: 1, FR_BIEN: 2, FR_INSUFFISANT: 2},
    }

    result = majority_judgment(profiles=profiles)

    assert result.ranking == (("A",), ("B",))
    a, b = result.ordered
    assert (a.p, a.q, a.sign) == (b.p, b.q, b.sign) == (Fraction(1, 5), Fraction(2, 5), "-")
    assert b.decided_by == "iterative"


def test_identical_profiles_are_reported_as_a_tie_in_the_given_order():
    profiles = {
        "Y": {FR_BIEN: 2, FR_PASSABLE: 1},
        "Z": {FR_TRES_BIEN: 3},
        "X": {FR_BIEN: 2, FR_PASSABLE: 1},
    }

    result = majority_judgment(profiles=profiles, options=["X", "Y", "Z"])

    assert result.ranking == (("Z",), ("X", "Y"))
    assert [(r.option, r.rank, r.decided_by) for r in result.ordered] == [
        ("Z", 1, None),
        ("X", 2, "majority_grade"),
        ("Y", 2, "tie"),
    ]


def test_profiles_and_ballots_add_up():
    # A polling station counted on paper (profiles) plus two ballots online.
    result = majority_judgment(
        profiles={"X": {FR_BIEN: 2}, "Y": {FR_PASSABLE: 1}},
        ballots=[{"X": FR_A_REJETER, "Y": FR_TRES_BIEN}, {"Y": FR_TRES_BIEN}],
    )

    assert result.voters == 4
    assert result.results["X"].profile == (2, 0, 0, 0, 2, 0, 0)
    assert result.results["Y"].profile == (1, 0, 1, 0, 0, 2, 0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"ballots": [{"X": 7}]}, "not on the scale"),
        ({"ballots": [{"X": -1}]}, "not on the scale"),
        ({"ballots": [{"X": "Bien"}]}, "not on the scale"),
        ({"ballots": [{"X": 1}], "options": ["Y"]}, "unknown option"),
        ({"profiles": {"X": [1, -1]}}, "non-negative"),
        ({"profiles": {"X": {9: 1}}}, "off the scale"),
        ({"profiles": {"X": [3]}, "voters": 2}, "voters=2"),
        ({"profiles": {"X": [0]}}, "at least one voter"),
        ({"ballots": []}, "at least one option"),
        ({"ballots": [{"X": 1}], "options": ["X", "X"]}, "distinct"),
        ({"ballots": [{"X": 1}], "grades": 1}, "at least two grades"),
    ],
)
def test_invalid_majority_judgment_input_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        majority_judgment(**kwargs)


# -- Majority judgment: properties ---------------------------------------------


def naive_majority_values(profile):
    """The iterative definition, literally: take the (lower) median, remove it, repeat."""
    grades = sorted((g for g, count in enumerate(profile) for _ in range(count)), reverse=True)
    values = []
    while grades:
        median = grades[len(grades) // 2]  # sorted best first: the lower middle when even
        values.append(median)
        grades.remove(median)
    return values


def test_naive_reference_takes_the_lower_middle():
    assert naive_majority_values([0, 1, 0, 1]) == [1, 3]  # grades 3, 1: lower middle is 1


profiles_strategy = st.integers(min_value=1, max_value=12).flatmap(
    lambda n: st.lists(
        st.lists(st.integers(0, 4), min_size=n, max_size=n).map(
            lambda grades: [grades.count(g) for g in range(5)]
        ),
        min_size=1,
        max_size=5,
    )
)


@given(profiles_strategy)
def test_ranking_follows_the_iterative_definition(profiles):
    result = majority_judgment(profiles=dict(enumerate(profiles)), grades=5)

    values = {i: naive_majority_values(p) for i, p in enumerate(profiles)}
    expected = sorted(range(len(profiles)), key=lambda i: values[i], reverse=True)
    assert [r.option for r in result.ordered] == expected
    for group in result.ranking:
        assert len({tuple(profiles[i]) for i in group}) == 1
    for earlier, later in zip(result.ranking, result.ranking[1:], strict=False):
        assert values[earlier[0]] > values[later[0]]


@given(profiles_strategy)
def test_the_gauge_agrees_with_the_iterative_rule_wherever_it_decides(profiles):
    result = majority_judgment(profiles=dict(enumerate(profiles)), grades=5)

    for x, y in combinations(result.ordered, 2):  # x ranked at or above y
        if x.majority_grade != y.majority_grade:
            continue
        if x.sign != y.sign:
            assert x.sign == "+"
        elif x.sign == "+" and x.p != y.p:
            assert x.p > y.p
        elif x.sign == "-" and x.q != y.q:
            assert x.q < y.q


@given(
    st.lists(
        st.fixed_dictionaries({}, optional={"X": st.integers(0, 6), "Y": st.integers(0, 6)}),
        min_size=1,
        max_size=15,
    )
)
def test_ballots_and_the_profiles_they_make_rank_alike(ballots):
    from_ballots = majority_judgment(ballots=ballots, options=["X", "Y"])
    profiles = {option: [0] * 7 for option in ("X", "Y")}
    for ballot in ballots:
        for option in ("X", "Y"):
            profiles[option][ballot.get(option, 0)] += 1

    from_profiles = majority_judgment(profiles=profiles)

    assert from_ballots == from_profiles
