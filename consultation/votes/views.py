"""Vote pages: the votes of a manifesto, a ballot, the results."""

from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from consultation import charts
from consultation.accounts import signed_in_id
from consultation.errors import DomainError, attempt
from consultation.extensions import db
from consultation.manifesto import amendments, textdiff
from consultation.manifesto import services as manifesto_services
from consultation.manifesto.models import (
    IN_PLAY,
    Amendment,
    AmendmentKind,
    Clause,
    Manifesto,
)
from consultation.manifesto.views import load_manifesto
from consultation.permissions import (
    anyone,
    authorize,
    can_read_referral,
    can_run_votes,
    can_vote,
    is_signed_in,
    require,
)
from consultation.referrals.models import Referral
from consultation.votes import notices, services
from consultation.votes.forms import BallotForm, JudgmentForm, SettingsForm
from consultation.votes.models import Ballot, Question, QuestionKind
from consultation.votes.wording import (
    choice_label,
    clause_numbers,
    grade_label,
    grade_labels,
    question_label,
    result_in_words,
    rule_in_words,
)

bp = Blueprint("votes", __name__)


@bp.app_context_processor
def vote_helpers():
    return {
        "vote_choice_label": choice_label,
        "vote_result_in_words": result_in_words,
        "vote_grade_label": grade_label,
    }


def load_question(question_id: int) -> Question:
    question = db.session.scalar(
        sa.select(Question)
        .where(Question.id == question_id)
        .options(
            # The referral only for who may read it: not its (long) texts.
            joinedload(Question.manifesto)
            .joinedload(Manifesto.referral)
            .load_only(
                Referral.phase, Referral.visibility, Referral.participation, Referral.panel_id
            )
        )
    )
    if question is None:
        abort(404)
    authorize(can_read_referral(current_user, question.manifesto.referral))
    return question


@bp.get("/manifestos/<int:manifesto_id>/votes")
@require(anyone, object_rule=can_read_referral)
def index(manifesto_id):
    """A manifesto's votes: open and closed, and for facilitators the means to open them."""
    manifesto = load_manifesto(manifesto_id)
    numbers = clause_numbers(manifesto)
    questions = services.questions_for(manifesto)
    context = {}
    if can_run_votes(current_user):
        settings = SettingsForm(
            quorum=manifesto.quorum,
            threshold=manifesto.threshold,
            secret_ballot=manifesto.secret_ballot,
        )
        judgment = JudgmentForm()
        judgment.clause.choices = [("", _("— none: options to rank —"))] + [
            (str(cid), _("Clause %(n)s", n=n)) for cid, n in numbers.items()
        ]
        context = {
            "settings_form": settings,
            "judgment_form": judgment,
            "open_amendments": [
                a for a in amendments.for_manifesto(manifesto) if a.status in IN_PLAY
            ],
        }
    open_questions = [q for q in questions if q.is_open]
    return render_template(
        "votes/index.html",
        manifesto=manifesto,
        numbers=numbers,
        open_questions=open_questions,
        standing=services.standing(open_questions, current_user),
        closed_questions=[q for q in questions if not q.is_open],
        label=lambda q: question_label(q, numbers),
        **context,
    )


@bp.post("/manifestos/<int:manifesto_id>/votes/settings")
@require(can_run_votes)
def settings(manifesto_id):
    """Set the quorum, the majority and whether ballots are secret."""
    manifesto = load_manifesto(manifesto_id)
    form = SettingsForm()
    if not form.validate_on_submit():
        flash(_("Choose a quorum and a majority from the lists."), "error")
    else:
        attempt(
            lambda: services.set_rules(
                manifesto,
                quorum=form.quorum.data,
                threshold=form.threshold.data,
                secret=form.secret_ballot.data,
                actor=current_user,
            ),
            _("The voting rules are saved. They apply to votes opened from now on."),
        )
    return redirect(url_for("votes.index", manifesto_id=manifesto.id))


@bp.post("/manifestos/<int:manifesto_id>/votes/open")
@require(can_run_votes)
def open_vote(manifesto_id):
    """Open a vote on an amendment, on every open amendment, a clause or the whole text."""
    manifesto = load_manifesto(manifesto_id)
    subject = request.form.get("subject", "")
    kind, _sep, raw_id = subject.partition("-")
    try:
        if kind == "amendments":
            opened, waiting = services.open_on_amendments(manifesto, actor=current_user)
            message = _("%(n)s votes opened.", n=len(opened))
            if waiting:
                message += " " + _(
                    "%(n)s other amendments wait for a later vote: a clause is voted on one "
                    "amendment at a time.",
                    n=waiting,
                )
            question = None
        elif kind == "amendment" and raw_id.isdigit():
            amendment = db.session.get(Amendment, int(raw_id))
            if amendment is None or amendment.manifesto_id != manifesto.id:
                abort(404)
            question = services.open_on_amendment(amendment, actor=current_user)
        elif kind == "clause" and raw_id.isdigit():
            clause = db.session.get(Clause, int(raw_id))
            if clause is None or clause.manifesto_id != manifesto.id:
                abort(404)
            question = services.open_on_clause(clause, actor=current_user)
        elif kind == "text":
            question = services.open_on_text(manifesto, actor=current_user)
        else:
            abort(400)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("votes.index", manifesto_id=manifesto.id))
    db.session.commit()
    _tell_members(opened if question is None else [question])
    if question is None:
        flash(message, "success")
        return redirect(url_for("votes.index", manifesto_id=manifesto.id))
    flash(_("The vote is open."), "success")
    return redirect(url_for("votes.question", question_id=question.id))


def _tell_members(questions) -> None:
    """Mail the members about the votes just opened; say so if that could not start."""
    if questions and not notices.tell_in_background(questions):
        flash(_("The members could not be told by email: tell them yourself."), "error")


@bp.post("/manifestos/<int:manifesto_id>/votes/judgment")
@require(can_run_votes)
def open_judgment(manifesto_id):
    """Open a majority judgment between wordings of a clause or options to rank."""
    manifesto = load_manifesto(manifesto_id)
    form = JudgmentForm()
    form.clause.choices = [("", "")] + [(str(c), str(c)) for c in clause_numbers(manifesto)]
    if not form.validate_on_submit():
        flash(_("Give the question a title, and a clause or options to rank."), "error")
        return redirect(url_for("votes.index", manifesto_id=manifesto.id))
    clause = None
    if form.clause.data:
        clause = db.session.get(Clause, int(form.clause.data))
    try:
        question = services.open_judgment(
            manifesto,
            title=form.title.data,
            clause=clause,
            labels=(form.labels.data or "").splitlines(),
            actor=current_user,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("votes.index", manifesto_id=manifesto.id))
    db.session.commit()
    _tell_members([question])
    flash(_("The vote is open."), "success")
    return redirect(url_for("votes.question", question_id=question.id))


def _subject(question: Question):
    """What is being voted on, as a diff or a text, for the page."""
    if question.kind is QuestionKind.AMENDMENT:
        revision = question.amendment_revision
        base = (
            ""
            if question.amendment.kind is AmendmentKind.INSERT_AFTER
            else question.clause_version.text
        )
        return Markup(textdiff.diff_html(base, revision.proposed_text or ""))
    if question.kind is QuestionKind.JUDGMENT and question.clause_version is not None:
        base = question.clause_version.text
        return {o.id: Markup(textdiff.diff_html(base, o.text)) for o in question.options}
    return None


@bp.get("/votes/<int:question_id>")
@require(anyone, object_rule=can_read_referral)
def question(question_id):
    """A vote: what is voted on, the ballot, and the results once closed."""
    item = load_question(question_id)
    manifesto = manifesto_services.load(item.manifesto_id)
    numbers = clause_numbers(manifesto)
    voted = services.has_voted(item, current_user)
    context = {
        "question": item,
        "manifesto": manifesto,
        "label": question_label(item, numbers),
        "number": numbers.get(item.clause_id, "—"),
        "subject": _subject(item),
        "rules": rule_in_words(item),
        "may_vote": can_vote(current_user, item),
        "voted": voted,
        "my_ballot": None if item.secret else services.ballot_of(item, current_user),
        "turnout": services.turnout(item) if item.is_open else item.turnout,
        "form": BallotForm(),
        "grade_labels": grade_labels(),
        # What a ballot redirects to say, shown only when the member's ballot is there.
        "page_messages": _ballot_messages(request.args.get("ballot")) if voted else [],
    }
    if not item.is_open:
        context.update(_results(item))
    return render_template("votes/question.html", **context)


def _ballot_messages(outcome: str | None) -> list[tuple[str, str]]:
    if outcome == services.Outcome.RECORDED.value:
        return [("success", _("Your vote is recorded."))]
    if outcome == services.Outcome.FINAL.value:
        return [("error", services.already_voted())]
    return []


def _results(item: Question) -> dict:
    if item.kind is QuestionKind.JUDGMENT:
        mj = services.judgment(item)
        if mj is None:
            return {"judgment": None}
        labels = {o.id: o.label for o in item.options}
        rows = [(labels[r.option], r.profile, r.majority_grade) for r in mj.ordered]
        return {
            "judgment": mj,
            "option_labels": labels,
            "chart": charts.merit_profile_chart(
                rows,
                title=_("Merit profiles: %(title)s", title=item.title),
                grade_labels=grade_labels(),
                median_label=_("Median"),
                chart_id=f"merit-{item.id}",
            ),
        }
    counts = [
        (_("For"), item.count_for),
        (_("Against"), item.count_against),
        (_("Abstain"), item.count_abstain),
    ]
    public = []
    if not item.secret:
        public = list(
            db.session.scalars(
                db.select(Ballot)
                .where(Ballot.question_id == item.id)
                .join(Ballot.user)
                .order_by(Ballot.id)
            )
        )
    return {
        "counts": counts,
        "public_ballots": public,
        "chart": charts.bar_chart(
            counts,
            title=_("Ballots"),
            value_label=_("Number of ballots"),
            chart_id=f"ballots-{item.id}",
            width=420,
        ),
    }


def _ballot(question_id: int, form) -> None:
    """The ballot through the question, so that the service can say why it is refused."""
    item = db.get_or_404(Question, question_id)
    if item.kind is QuestionKind.JUDGMENT:
        grades = {o.id: form.get(f"grade-{o.id}") for o in item.options}
        services.cast_judgment(item, current_user, grades)
    else:
        services.cast(item, current_user, form.get("choice"))


def _back(question_id: int, outcome: services.Outcome | None = None):
    """Back to the question's ballot; for a ballot recorded, or refused as a second
    secret one, the page says so (when the member's ballot is there), so that the
    session is not written."""
    query = {"ballot": outcome.value} if outcome else {}
    return redirect(url_for("votes.question", question_id=question_id, **query) + "#ballot")


def _in_one_statement(view):
    """The usual ballot (for, against or abstain, from a member on the roll of an open
    vote) in one statement, with neither the account nor the question loaded: the
    statement checks ``can_vote`` itself, the account open included. Any other ballot
    goes to ``view``, which loads both and says why it is refused."""

    @wraps(view)
    def wrapped(question_id):
        voter = signed_in_id()
        if voter is None:
            return view(question_id)
        outcome = services.try_ballot(question_id, voter, request.form.get("choice"))
        if outcome is services.Outcome.RECORDED:
            db.session.commit()
            return _back(question_id, outcome)
        db.session.rollback()
        if outcome is services.Outcome.FINAL:
            return _back(question_id, outcome)
        return view(question_id)

    return wrapped


@bp.post("/votes/<int:question_id>/ballot")
@_in_one_statement
@require(is_signed_in, object_rule=can_vote)
def cast(question_id):
    """Cast or change one's ballot; the service says why when it is not allowed."""
    # The choice is read from the form as the grades are: the service checks it, and
    # CSRFProtect has checked the token before the view ran.
    if attempt(lambda: _ballot(question_id, request.form), success=None):
        return _back(question_id, services.Outcome.RECORDED)
    return _back(question_id)


@bp.post("/votes/<int:question_id>/close")
@require(can_run_votes)
def close(question_id):
    """Close the vote and apply its result."""
    item = load_question(question_id)
    attempt(lambda: services.close(item, actor=current_user), _("The vote is closed."))
    return redirect(url_for("votes.question", question_id=item.id))
