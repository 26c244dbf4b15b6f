"""Telling members that votes are open: one mail per member for the votes opened at
once, in their language, with a link to each. Sent in the background (``jobs``), after
the votes are committed, so that opening votes never waits on the mail server."""

import logging
from collections import defaultdict

import sqlalchemy as sa

from consultation import jobs, mail
from consultation.accounts.models import User
from consultation.extensions import db
from consultation.manifesto.models import Manifesto
from consultation.votes.models import Elector, Question

log = logging.getLogger(__name__)


def tell_electors(question_ids: list[int]) -> int:
    """Mail each member entitled to vote on these questions (of one manifesto) the list
    of them, with links. Accounts closed or without an address are skipped. Returns the
    number of mails sent."""
    from consultation.votes.wording import clause_numbers, question_label

    questions = list(
        db.session.scalars(
            sa.select(Question).where(Question.id.in_(question_ids)).order_by(Question.id)
        )
    )
    if not questions:
        return 0
    manifesto = db.session.get(Manifesto, questions[0].manifesto_id)
    numbers = clause_numbers(manifesto)
    votes_of = defaultdict(list)  # user id -> questions
    rows = db.session.execute(
        sa.select(Elector.user_id, Elector.question_id).where(
            Elector.question_id.in_([q.id for q in questions])
        )
    )
    by_id = {q.id: q for q in questions}
    for user_id, question_id in rows:
        votes_of[user_id].append(by_id[question_id])
    links = {q.id: mail.external_url("votes.question", question_id=q.id) for q in questions}
    sent = 0
    for user in db.session.scalars(sa.select(User).where(User.id.in_(votes_of))):
        if not user.is_active or not user.email:
            continue
        mail.send_template(
            user.email,
            "vote_opened",
            user.language,
            user=user,
            manifesto=manifesto,
            questions=sorted(votes_of[user.id], key=lambda q: q.id),
            label=lambda q: question_label(q, numbers),
            links=links,
        )
        sent += 1
    log.info("Told %s members of %s votes opened", sent, len(questions))
    return sent


def tell_in_background(questions: list[Question]) -> bool:
    """Queue ``tell_electors`` for votes just committed; False (logged) if it could not
    be queued: the votes stay open, and the page says members were not told."""
    try:
        jobs.enqueue(tell_electors, [q.id for q in questions])
    except Exception:
        log.exception("Could not queue the mails telling members that votes are open")
        return False
    return True
