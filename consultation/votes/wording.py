"""Votes in words: labels of questions, choices and grades, the rules and the results,
in the current language. Shared by the vote pages, the manifesto's timeline and the
exports' process report."""

import math
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import ngettext

from consultation.manifesto import services as manifesto_services
from consultation.votes import services
from consultation.votes.models import Question, QuestionKind


def grade_labels() -> tuple[str, ...]:
    """The French scale of majority judgment, best first, in the page's language."""
    return (
        _("Excellent"),
        _("Very good"),
        _("Good"),
        _("Fairly good"),
        _("Passable"),
        _("Insufficient"),
        _("Reject"),
    )


def grade_label(code: int) -> str:
    return grade_labels()[services.GRADES - 1 - code]


def choice_label(choice) -> str:
    return {"for": _("For"), "against": _("Against"), "abstain": _("Abstain")}[
        getattr(choice, "value", choice)
    ]


def clause_numbers(manifesto) -> dict[int, str]:
    return {
        c.id: n for _s, _sec, clauses in manifesto_services.numbered(manifesto) for n, c in clauses
    }


def question_label(question: Question, numbers: dict[int, str]) -> str:
    number = numbers.get(question.clause_id, "—")
    if question.kind is QuestionKind.AMENDMENT:
        return _("Amendment #%(id)s to clause %(n)s", id=question.amendment_id, n=number)
    if question.kind is QuestionKind.CLAUSE:
        return _("Adoption of clause %(n)s", n=number)
    if question.kind is QuestionKind.TEXT:
        return _("Adoption of the whole text")
    return question.title


def rule_in_words(question: Question) -> list[str]:
    """The rules of this vote, as sentences for the results page."""
    sentences = []
    share = Fraction(question.quorum)
    if share == 0:
        sentences.append(_("No quorum is required."))
    else:
        words = {
            "1/4": _("one quarter"),
            "1/3": _("one third"),
            "1/2": _("half"),
            "2/3": _("two thirds"),
        }.get(question.quorum, question.quorum)
        sentences.append(
            _(
                "Quorum: at least %(share)s of the %(eligible)s members entitled to vote must "
                "take part, that is %(needed)s ballots; abstentions count.",
                share=words,
                eligible=question.eligible,
                needed=math.ceil(share * question.eligible),
            )
        )
    if question.kind is QuestionKind.JUDGMENT:
        sentences.append(
            _(
                "Each member grades every option, from Excellent to Reject. The option with "
                "the best median grade wins; equal medians are separated by the share of "
                "grades above and below it (majority judgment, Balinski and Laraki)."
            )
        )
    elif question.threshold == "two_thirds":
        sentences.append(
            _(
                "Adoption needs at least two thirds of the votes cast for or against; "
                "abstentions are not counted."
            )
        )
    else:
        sentences.append(
            _("Adoption needs more votes for than against; abstentions are not counted.")
        )
    if question.secret:
        sentences.append(
            _("Secret ballot: nobody can see how a member voted, and a ballot is final.")
        )
    else:
        sentences.append(
            _(
                "Public ballot: each member's vote is published at the close, and can be "
                "changed until then."
            )
        )
    return sentences


def result_in_words(question: Question) -> str:
    counts = {"for_": question.count_for, "against": question.count_against}
    abstain = question.count_abstain
    if question.result == "adopted":
        return ngettext(
            "Adopted: %(for_)s for, %(against)s against, %(num)s abstention.",
            "Adopted: %(for_)s for, %(against)s against, %(num)s abstentions.",
            abstain,
            **counts,
        )
    if question.result == "threshold_not_met":
        return ngettext(
            "Rejected: %(for_)s for, %(against)s against, %(num)s abstention.",
            "Rejected: %(for_)s for, %(against)s against, %(num)s abstentions.",
            abstain,
            **counts,
        )
    if question.result == "no_expressed_votes":
        return _("Rejected: every ballot was an abstention.")
    if question.result == "no_quorum":
        return _(
            "Not decided, for want of quorum: %(turnout)s of %(eligible)s members voted. "
            "Nothing was changed.",
            turnout=question.turnout,
            eligible=question.eligible,
        )
    if question.result == "tie":
        return _("Tie: the options are graded exactly alike. Nothing was changed.")
    if question.result == "decided":
        option = next((o for o in question.options if o.id == question.winner_option_id), None)
        return _("Chosen: %(option)s.", option=option.label if option else "—")
    return ""
