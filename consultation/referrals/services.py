"""Referral rules: phases, contributions and replies, supports, moderation, search, digests.

Functions flush but do not commit, write one audit row, and raise ``DomainError`` for
anything a participant or facilitator did wrong, before anything is saved.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload

from consultation import mail, markdown, permissions
from consultation.accounts.models import User, utcnow
from consultation.audit.services import record
from consultation.errors import DomainError
from consultation.extensions import db
from consultation.panels.models import SEATED, Membership, Panel, Volunteer
from consultation.referrals.models import (
    PHASE_ORDER,
    Contribution,
    ContributionRevision,
    DigestSubscription,
    Participation,
    Phase,
    PhaseChange,
    Referral,
    Report,
    Stance,
    Support,
    SynthesisNote,
    Visibility,
)

MAX_DEPTH = 150  # the materialised path must fit its column
PATH_WIDTH = 10
EDIT_WINDOW = timedelta(minutes=15)
PAGE_SIZE = 20
REPLIES_SHOWN = 50


# ------------------------------------------------------------------ referrals


def touch(referral_id: int) -> None:
    """Note that what a referral's pages show has changed (their cached parts expire)."""
    db.session.execute(
        sa.update(Referral).where(Referral.id == referral_id).values(version=Referral.version + 1)
    )


def create_referral(
    *,
    panel: Panel,
    title: str,
    question: str,
    context_md: str = "",
    documents: list[dict] | None = None,
    participation: Participation = Participation.MEMBERS,
    visibility: Visibility = Visibility.PUBLIC,
    dates: dict | None = None,
    actor=None,
) -> Referral:
    """Create a referral in the draft phase. Raises DomainError on empty title or question."""
    if not title.strip() or not question.strip():
        raise DomainError(_("A referral needs a title and a question."))
    _check_length(context_md)
    referral = Referral(
        panel_id=panel.id,
        title=title.strip(),
        question=question.strip(),
        context_md=context_md,
        context_html=str(markdown.render(context_md)),
        documents=_clean_documents(documents or []),
        participation=participation,
        visibility=visibility,
        phase=Phase.DRAFT,
        created_by_id=getattr(actor, "id", None),
        **(dates or {}),
    )
    db.session.add(referral)
    db.session.flush()
    record("referral.created", actor=actor, obj=referral, details={"panel": panel.id})
    return referral


def update_referral(
    referral: Referral,
    *,
    title: str,
    question: str,
    context_md: str,
    documents: list[dict],
    participation: Participation,
    visibility: Visibility,
    dates: dict,
    actor=None,
) -> None:
    """Change a referral's text and settings (the phase moves separately)."""
    if not title.strip() or not question.strip():
        raise DomainError(_("A referral needs a title and a question."))
    _check_length(context_md)
    referral.title, referral.question = title.strip(), question.strip()
    referral.context_md, referral.context_html = context_md, str(markdown.render(context_md))
    referral.documents = _clean_documents(documents)
    referral.participation, referral.visibility = participation, visibility
    for key, value in dates.items():
        setattr(referral, key, value)
    touch(referral.id)
    record("referral.updated", actor=actor, obj=referral)


def _clean_documents(documents: list[dict]) -> list[dict]:
    cleaned = []
    for document in documents:
        url = (document.get("url") or "").strip()
        title = (document.get("title") or "").strip() or url
        if not url:
            continue
        if not url.startswith(("https://", "http://")):
            raise DomainError(_("Document links must start with https:// or http://."))
        cleaned.append({"title": title[:200], "url": url[:1000]})
    return cleaned


def next_phase(referral: Referral) -> Phase | None:
    index = PHASE_ORDER.index(referral.phase)
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


def move_phase(referral: Referral, to: Phase, *, actor=None) -> PhaseChange:
    """Move the referral to the next phase (only forward, one step). Audited."""
    if to is not next_phase(referral):
        raise DomainError(_("A referral moves one phase forward at a time."))
    change = PhaseChange(
        referral_id=referral.id,
        from_phase=referral.phase,
        to_phase=to,
        actor_id=getattr(actor, "id", None),
    )
    referral.phase = to
    db.session.add(change)
    db.session.flush()
    touch(referral.id)
    record(
        "referral.phase_moved",
        actor=actor,
        obj=referral,
        details={"from": change.from_phase.value, "to": to.value},
    )
    return change


# ------------------------------------------------------------------ contributions


def _check_length(text: str) -> None:
    if len(text or "") > markdown.MAX_LENGTH:
        raise DomainError(
            _("The text is too long: %(n)s characters at most.", n=markdown.MAX_LENGTH)
        )


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write something before posting."))
    _check_length(body)
    return body


def post(
    referral: Referral,
    author,
    body: str,
    *,
    stance: Stance | None = None,
    parent: Contribution | None = None,
) -> Contribution:
    """Post a contribution, or a reply to ``parent``.

    Raises DomainError when the phase or the author's rights do not allow it, when the
    text is empty or too long, or when the parent is hidden or belongs elsewhere.
    """
    if not permissions.can_contribute(author, referral):
        if referral.phase not in (Phase.OPEN, Phase.DELIBERATION):
            raise DomainError(_("Contributions are closed in this phase of the referral."))
        raise DomainError(_("Only the members of the panel can contribute to this referral."))
    body = _check_body(body)
    if parent is not None:
        if parent.referral_id != referral.id:
            raise DomainError(_("This contribution belongs to another referral."))
        if parent.is_hidden:
            raise DomainError(_("You cannot reply to a hidden contribution."))
        if parent.depth + 1 > MAX_DEPTH:
            raise DomainError(_("This thread is too deep: reply higher up."))
    contribution = Contribution(
        referral_id=referral.id,
        author_id=author.id,
        body_md=body,
        body_html=str(markdown.render(body)),
        stance=stance,
        parent_id=parent.id if parent else None,
        depth=parent.depth + 1 if parent else 0,
    )
    db.session.add(contribution)
    db.session.flush()
    own = f"{contribution.id:0{PATH_WIDTH}d}"
    if parent is None:
        contribution.root_id = contribution.id
        contribution.path = own
    else:
        contribution.root_id = parent.root_id
        contribution.path = f"{parent.path}.{own}"
        db.session.execute(
            sa.update(Contribution)
            .where(Contribution.id == parent.id)
            .values(reply_count=Contribution.reply_count + 1)
        )
    db.session.flush()
    touch(referral.id)
    record(
        "contribution.posted",
        actor=author,
        obj=contribution,
        details={"referral": referral.id, "parent": contribution.parent_id},
    )
    return contribution


def edit(contribution: Contribution, author, body: str) -> None:
    """Change one's own text within the edit window; the previous text is kept."""
    if not permissions.can_edit_contribution(author, contribution):
        raise DomainError(_("You cannot edit this contribution."))
    if utcnow() - contribution.created_at > EDIT_WINDOW:
        raise DomainError(
            _(
                "Contributions can be edited for %(n)s minutes after posting.",
                n=int(EDIT_WINDOW.total_seconds() // 60),
            )
        )
    body = _check_body(body)
    if body == contribution.body_md:
        return
    db.session.add(
        ContributionRevision(contribution_id=contribution.id, body_md=contribution.body_md)
    )
    contribution.body_md = body
    contribution.body_html = str(markdown.render(body))
    contribution.edited_at = utcnow()
    touch(contribution.referral_id)
    record("contribution.edited", actor=author, obj=contribution)


def revisions(contribution: Contribution) -> list[ContributionRevision]:
    return list(
        db.session.scalars(
            sa.select(ContributionRevision)
            .where(ContributionRevision.contribution_id == contribution.id)
            .order_by(ContributionRevision.id)
        )
    )


def toggle_support(contribution: Contribution, user) -> bool:
    """Support a contribution, or withdraw one's support; returns whether it is supported.

    One support per person, enforced by a unique constraint.
    """
    if not permissions.can_support(user, contribution.referral):
        raise DomainError(_("You cannot support contributions in this referral now."))
    if contribution.is_hidden:
        raise DomainError(_("A hidden contribution cannot be supported."))
    existing = db.session.scalar(
        sa.select(Support).where(
            Support.contribution_id == contribution.id, Support.user_id == user.id
        )
    )
    delta = -1 if existing else 1
    if existing:
        db.session.delete(existing)
    else:
        db.session.add(Support(contribution_id=contribution.id, user_id=user.id))
    db.session.flush()
    db.session.execute(
        sa.update(Contribution)
        .where(Contribution.id == contribution.id)
        .values(support_count=Contribution.support_count + delta)
    )
    touch(contribution.referral_id)
    record(
        "contribution.supported" if delta > 0 else "contribution.support_withdrawn",
        actor=user,
        obj=contribution,
    )
    return delta > 0


def report(contribution: Contribution, user, reason: str) -> Report:
    """Report a contribution to the facilitators, with a reason."""
    if not permissions.can_report(user, contribution.referral):
        raise DomainError(_("You cannot report contributions here."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why you report this contribution."))
    if len(reason) > 2000:
        raise DomainError(_("The reason is too long: 2000 characters at most."))
    row = Report(contribution_id=contribution.id, reporter_id=user.id, reason=reason)
    db.session.add(row)
    db.session.flush()
    record("contribution.reported", actor=user, obj=contribution, details={"report": row.id})
    return row


def hide(contribution: Contribution, actor, reason: str) -> None:
    """Hide a contribution with a reason; kept in the database, its author is told by email."""
    if not permissions.can_moderate(actor, contribution.referral):
        raise DomainError(_("Only facilitators can hide contributions."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for hiding: its author will read it."))
    if contribution.is_hidden:
        raise DomainError(_("This contribution is already hidden."))
    contribution.hidden_at = utcnow()
    contribution.hidden_reason = reason[:2000]
    contribution.hidden_by_id = actor.id
    db.session.execute(
        sa.update(Report)
        .where(Report.contribution_id == contribution.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )
    author = contribution.author
    if author.is_active and author.email:
        link = mail.external_url(
            "referrals.contribution",
            referral_id=contribution.referral_id,
            contribution_id=contribution.id,
        )
        mail.send_template(
            author.email,
            "contribution_hidden",
            author.language,
            contribution=contribution,
            referral=contribution.referral,
            reason=contribution.hidden_reason,
            link=link,
        )
    touch(contribution.referral_id)
    record("contribution.hidden", actor=actor, obj=contribution, details={"reason": reason})


def unhide(contribution: Contribution, actor) -> None:
    """Show a hidden contribution again."""
    if not permissions.can_moderate(actor, contribution.referral):
        raise DomainError(_("Only facilitators can restore contributions."))
    if not contribution.is_hidden:
        raise DomainError(_("This contribution is not hidden."))
    contribution.hidden_at = None
    touch(contribution.referral_id)
    record(
        "contribution.restored",
        actor=actor,
        obj=contribution,
        details={"reason_was": contribution.hidden_reason},
    )


def set_highlight(contribution: Contribution, actor, highlighted: bool) -> None:
    """Highlight a contribution (or stop highlighting it)."""
    if not permissions.can_moderate(actor, contribution.referral):
        raise DomainError(_("Only facilitators can highlight contributions."))
    contribution.highlighted = highlighted
    touch(contribution.referral_id)
    record(
        "contribution.highlighted" if highlighted else "contribution.unhighlighted",
        actor=actor,
        obj=contribution,
    )


def add_synthesis(referral: Referral, actor, body: str) -> SynthesisNote:
    """Add a facilitators' synthesis note to a referral."""
    if not permissions.can_moderate(actor, referral):
        raise DomainError(_("Only facilitators can write synthesis notes."))
    body = _check_body(body)
    note = SynthesisNote(
        referral_id=referral.id,
        author_id=actor.id,
        body_md=body,
        body_html=str(markdown.render(body)),
    )
    db.session.add(note)
    db.session.flush()
    touch(referral.id)
    record("referral.synthesis_added", actor=actor, obj=referral, details={"note": note.id})
    return note


# ------------------------------------------------------------------ reading


class ThreadPage:
    """One page of a referral's threads, loaded in a fixed number of queries."""

    def __init__(self, pagination, by_root: dict[int, list[Contribution]], supported: set[int]):
        self.pagination = pagination
        self.roots = pagination.items
        self.by_root = by_root
        self.supported = supported
        self.by_id = {c.id: c for c in self.roots}
        self.by_id.update((c.id, c) for replies in by_root.values() for c in replies)


def thread_page(
    referral: Referral,
    viewer,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    root: Contribution | None = None,
) -> ThreadPage:
    """A page of threads (roots newest first, highlighted first) with their replies.

    With ``root``, one whole thread, paginated by replies. The number of queries does
    not depend on the size of the referral.
    """
    if root is None:
        query = (
            sa.select(Contribution)
            .where(Contribution.referral_id == referral.id, Contribution.parent_id.is_(None))
            .options(selectinload(Contribution.author))
            .order_by(
                Contribution.highlighted.desc(),
                Contribution.created_at.desc(),
                Contribution.id.desc(),
            )
        )
        pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
        root_ids = [c.id for c in pagination.items]
        replies = (
            db.session.scalars(
                sa.select(Contribution)
                .where(Contribution.root_id.in_(root_ids), Contribution.parent_id.is_not(None))
                .options(selectinload(Contribution.author))
                .order_by(Contribution.root_id, Contribution.path)
            ).all()
            if root_ids
            else []
        )
        by_root: dict[int, list[Contribution]] = defaultdict(list)
        for reply in replies:
            by_root[reply.root_id].append(reply)
    else:
        query = (
            sa.select(Contribution)
            .where(Contribution.root_id == root.id, Contribution.parent_id.is_not(None))
            .options(selectinload(Contribution.author))
            .order_by(Contribution.path)
        )
        pagination = db.paginate(query, page=page, per_page=per_page * 5, error_out=False)
        by_root = {root.id: list(pagination.items)}
        pagination.items = [root]
    shown = [c.id for c in pagination.items] + [c.id for cs in by_root.values() for c in cs]
    return ThreadPage(pagination, by_root, supported_by(viewer, shown))


def supported_by(viewer, contribution_ids: list[int]) -> set[int]:
    """Which of these contributions the viewer supports (one query)."""
    if viewer is None or not viewer.is_authenticated or not contribution_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Support.contribution_id).where(
                Support.user_id == viewer.id, Support.contribution_id.in_(contribution_ids)
            )
        )
    )


def replies_to(user, page: int = 1):
    """Replies to what ``user`` wrote, newest first (the "replies to me" page)."""
    parent = sa.orm.aliased(Contribution)
    query = (
        sa.select(Contribution)
        .join(parent, Contribution.parent_id == parent.id)
        .where(parent.author_id == user.id, Contribution.author_id != user.id)
        .options(selectinload(Contribution.author), selectinload(Contribution.referral))
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
    )
    return db.paginate(query, page=page, per_page=30, error_out=False)


def open_reports(referral: Referral) -> list[Report]:
    return list(
        db.session.scalars(
            sa.select(Report)
            .join(Contribution)
            .where(Contribution.referral_id == referral.id, Report.resolved_at.is_(None))
            .options(selectinload(Report.contribution), selectinload(Report.reporter))
            .order_by(Report.created_at)
        )
    )


def synthesis_notes(referral: Referral) -> list[SynthesisNote]:
    return list(
        db.session.scalars(
            sa.select(SynthesisNote)
            .where(SynthesisNote.referral_id == referral.id)
            .options(selectinload(SynthesisNote.author))
            .order_by(SynthesisNote.created_at)
        )
    )


def contribution_count(referral: Referral) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Contribution)
        .where(Contribution.referral_id == referral.id)
    )


# ------------------------------------------------------------------ search

_START, _STOP = "\x02", "\x03"


def _highlighted(text: str) -> Markup:
    """Escape user text, then turn the search engine's markers into <mark>."""
    safe = str(escape(text))
    return Markup(safe.replace(_START, "<mark>").replace(_STOP, "</mark>"))


def search(referral: Referral, query: str, viewer, limit: int = 50) -> list[tuple]:
    """Full-text search in a referral's contributions; returns (contribution, excerpt).

    SQLite uses its FTS5 index, PostgreSQL its French text search. Hidden contributions
    are found only by those allowed to read them.
    """
    query = (query or "").strip()
    if not query:
        return []
    if len(query) > 200:
        raise DomainError(_("The search is too long: 200 characters at most."))
    dialect = db.engine.dialect.name
    params = {"referral": referral.id, "limit": limit, "start": _START, "stop": _STOP}
    if dialect == "postgresql":
        sql = sa.text(
            "SELECT c.id, ts_headline('french', c.body_md, q, "
            "  'StartSel=' || :start || ', StopSel=' || :stop || ', MaxFragments=2') "
            "FROM contributions c, websearch_to_tsquery('french', :query) q "
            "WHERE c.referral_id = :referral "
            "AND to_tsvector('french', c.body_md) @@ q "
            "ORDER BY ts_rank(to_tsvector('french', c.body_md), q) DESC, c.id DESC "
            "LIMIT :limit"
        )
        params["query"] = query
    else:
        sql = sa.text(
            "SELECT c.id, snippet(contributions_fts, 0, :start, :stop, '…', 24) "
            "FROM contributions_fts JOIN contributions c ON c.id = contributions_fts.rowid "
            "WHERE contributions_fts MATCH :query AND c.referral_id = :referral "
            "ORDER BY bm25(contributions_fts), c.id DESC LIMIT :limit"
        )
        # Each word as a quoted prefix term: no FTS5 syntax from users.
        words = [w.replace('"', "") for w in query.split()]
        params["query"] = " ".join(f'"{w}"*' for w in words if w)
        if not params["query"]:
            return []
    rows = db.session.execute(sql, params).all()
    contributions = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Contribution)
            .where(Contribution.id.in_([r[0] for r in rows]))
            .options(selectinload(Contribution.author))
        )
    }
    results = []
    for contribution_id, excerpt in rows:
        contribution = contributions[contribution_id]
        if contribution.is_hidden and not permissions.can_see_hidden_text(viewer, contribution):
            continue
        results.append((contribution, _highlighted(excerpt)))
    return results


# ------------------------------------------------------------------ statistics


def participation_stats(referral: Referral) -> dict:
    """Contributions per day, and who speaks compared with the panel's composition.

    For each feature value of the panel's members: its share of the seats and its share
    of the contributions written by members. Facilitators only (it rests on members'
    features).
    """
    per_day = Counter()
    for (created_at,) in db.session.execute(
        sa.select(Contribution.created_at).where(Contribution.referral_id == referral.id)
    ):
        per_day[created_at.date()] += 1
    members = db.session.execute(
        sa.select(Membership.user_id, Membership.volunteer_id).where(
            Membership.panel_id == referral.panel_id,
            Membership.user_id.is_not(None),
            Membership.status.in_(SEATED),
        )
    ).all()
    features_by_volunteer = (
        dict(
            db.session.execute(
                sa.select(Volunteer.id, Volunteer.features).where(
                    Volunteer.id.in_([m.volunteer_id for m in members])
                )
            ).all()
        )
        if members
        else {}
    )
    features_by_user = {m.user_id: features_by_volunteer.get(m.volunteer_id, {}) for m in members}
    counts_by_user = (
        dict(
            db.session.execute(
                sa.select(Contribution.author_id, sa.func.count())
                .where(
                    Contribution.referral_id == referral.id,
                    Contribution.author_id.in_(list(features_by_user)),
                )
                .group_by(Contribution.author_id)
            ).all()
        )
        if features_by_user
        else {}
    )
    total_member_posts = sum(counts_by_user.values())
    seats = Counter()
    speech = Counter()
    for user_id, features in features_by_user.items():
        for feature, value in features.items():
            seats[(feature, value)] += 1
            speech[(feature, value)] += counts_by_user.get(user_id, 0)
    features = sorted({f for f, _v in seats})
    comparison = {
        feature: [
            {
                "value": value,
                "seat_share": seats[(feature, value)] / len(features_by_user),
                "speech_share": (
                    speech[(feature, value)] / total_member_posts if total_member_posts else 0.0
                ),
                "members": seats[(feature, value)],
                "contributions": speech[(feature, value)],
            }
            for (f, value) in sorted(seats)
            if f == feature
        ]
        for feature in features
    }
    speakers = Counter(counts_by_user)
    top = sum(n for _u, n in speakers.most_common(max(1, len(features_by_user) // 5)))
    return {
        "per_day": sorted(per_day.items()),
        "comparison": comparison,
        "members": len(features_by_user),
        "member_contributions": total_member_posts,
        "silent_members": sum(1 for u in features_by_user if not counts_by_user.get(u)),
        "top_fifth_share": (top / total_member_posts) if total_member_posts else 0.0,
    }


# ------------------------------------------------------------------ digests


def subscribe(user, on: bool) -> None:
    """Turn the daily email of replies on or off."""
    existing = db.session.get(DigestSubscription, user.id)
    if on and existing is None:
        db.session.add(DigestSubscription(user_id=user.id, last_sent_at=utcnow()))
    elif not on and existing is not None:
        db.session.delete(existing)
    record("account.digest_" + ("on" if on else "off"), actor=user, obj=user)


def is_subscribed(user) -> bool:
    return db.session.get(DigestSubscription, user.id) is not None


def send_digests(now: datetime | None = None) -> int:
    """Email each subscriber the replies to them since their last digest; returns how many."""
    now = now or utcnow()
    sent = 0
    for subscription in db.session.scalars(sa.select(DigestSubscription)):
        user = db.session.get(User, subscription.user_id)
        if user is None or not user.is_active:
            continue
        parent = sa.orm.aliased(Contribution)
        replies = db.session.scalars(
            sa.select(Contribution)
            .join(parent, Contribution.parent_id == parent.id)
            .where(
                parent.author_id == user.id,
                Contribution.author_id != user.id,
                Contribution.created_at > subscription.last_sent_at,
                Contribution.created_at <= now,
                Contribution.hidden_at.is_(None),
            )
            .options(selectinload(Contribution.author), selectinload(Contribution.referral))
            .order_by(Contribution.created_at)
        ).all()
        subscription.last_sent_at = now
        if not replies:
            continue
        mail.send_template(
            user.email,
            "digest",
            user.language,
            user=user,
            replies=replies,
            link=mail.external_url("referrals.replies"),
        )
        sent += 1
    db.session.flush()
    return sent


def demo_dates(start: date) -> dict:
    """A plausible calendar for a referral starting on ``start``."""
    return {
        "opens_on": start,
        "deliberation_on": start + timedelta(weeks=4),
        "drafting_on": start + timedelta(weeks=8),
        "vote_on": start + timedelta(weeks=11),
        "closes_on": start + timedelta(weeks=12),
    }
