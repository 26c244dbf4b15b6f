"""Amendment rules: drafting, proposing, co-signing, withdrawing, revising, and what
accepting one does to the clause and to the amendments competing with it.

A draft is its author's alone until proposed: nobody else sees it, co-signs it or votes
on it, and an amendment accepted meanwhile leaves it as it is; proposing it merges it
onto the clause's text of the day, and starts its public history (its first revision).

Functions flush but do not commit, write one audit row, and raise ``DomainError`` for
anything a member did wrong, before anything is saved.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consultation import mail, markdown, permissions
from consultation.accounts.models import utcnow
from consultation.audit.services import record
from consultation.errors import DomainError
from consultation.extensions import db
from consultation.manifesto import textdiff
from consultation.manifesto.models import (
    IN_PLAY,
    Amendment,
    AmendmentKind,
    AmendmentRevision,
    AmendmentStatus,
    Clause,
    ClauseVersion,
    CoSignature,
    Manifesto,
    VersionSource,
)


def _check_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("An amendment needs a text."))
    if len(text) > markdown.MAX_LENGTH:
        raise DomainError(
            _("The text is too long: %(n)s characters at most.", n=markdown.MAX_LENGTH)
        )
    return text


def check_wording(kind: AmendmentKind, text: str | None, current: str) -> str | None:
    """The text an amendment of ``kind`` keeps (None for a deletion), stripped.

    Raises DomainError for an empty or too long text, or for a replacement identical to
    ``current``, the clause's text it is written against.
    """
    if kind is AmendmentKind.DELETE:
        return None
    text = _check_text(text)
    if kind is AmendmentKind.REPLACE and text == current.strip():
        raise DomainError(_("The amendment is identical to the current text of the clause."))
    return text


def _check_can_amend(manifesto: Manifesto, user) -> None:
    if not permissions.can_amend(user, manifesto):
        if manifesto.status.value != "amending":
            raise DomainError(
                _("Amendments can be proposed only while the manifesto is open to amendments.")
            )
        raise DomainError(_("Only the members of the panel can propose amendments."))


def propose(
    manifesto: Manifesto,
    clause: Clause,
    kind: AmendmentKind,
    text: str | None,
    rationale: str,
    author,
    *,
    draft: bool = False,
) -> Amendment:
    """Propose an amendment to ``clause``, written against its current version; or, with
    ``draft``, keep it as its author's draft, to propose later (``submit``).

    Raises DomainError outside the amending phase, for non-members, for an empty text, or
    for a replacement identical to the current text.
    """
    _check_can_amend(manifesto, author)
    if clause.manifesto_id != manifesto.id or clause.deleted_at is not None:
        raise DomainError(_("This clause is not part of the manifesto."))
    base = clause.current
    text = check_wording(kind, text, base.text)
    amendment = Amendment(
        manifesto_id=manifesto.id,
        clause_id=clause.id,
        kind=kind,
        base_version_id=base.id,
        proposed_text=text,
        rationale=(rationale or "").strip()[:5000],
        author_id=author.id,
        status=AmendmentStatus.DRAFT if draft else AmendmentStatus.OPEN,
    )
    db.session.add(amendment)
    db.session.flush()
    if not draft:
        _revision(amendment, "created")
    record(
        "amendment.drafted" if draft else "amendment.proposed",
        actor=author,
        obj=amendment,
        details={"clause": clause.id, "kind": kind.value, "base_version": base.number},
    )
    return amendment


def _own_draft(amendment: Amendment, user) -> Clause:
    """The draft's clause, if ``user`` may work on the draft now."""
    if amendment.author_id != user.id or amendment.status is not AmendmentStatus.DRAFT:
        raise DomainError(_("Only its author can work on a draft, until it is proposed."))
    manifesto = db.session.get(Manifesto, amendment.manifesto_id)
    _check_can_amend(manifesto, user)
    clause = db.session.get(Clause, amendment.clause_id)
    if clause.deleted_at is not None:
        raise DomainError(_("The clause was deleted: this amendment has nothing to change."))
    return clause


def edit_draft(amendment: Amendment, user, text: str | None, rationale: str | None) -> None:
    """Rewrite one's draft against the clause's current version. A draft has no public
    history yet: its text is replaced. Raises DomainError as ``propose`` does."""
    clause = _own_draft(amendment, user)
    current = clause.current
    amendment.proposed_text = check_wording(amendment.kind, text, current.text)
    amendment.base_version_id = current.id
    if rationale is not None:
        amendment.rationale = rationale.strip()[:5000]
    record("amendment.draft_edited", actor=user, obj=amendment, details={"base": current.number})


def submit(amendment: Amendment, user) -> None:
    """Propose one's draft. Written against an earlier version of the clause, it is first
    merged onto the current text, as a competing amendment would be.

    Raises DomainError outside the amending phase, for anyone but its author, or when
    the clause changed the same words since (the author then edits the draft).
    """
    clause = _own_draft(amendment, user)
    current = clause.current
    # A new wording is merged; a new clause (insert-after) or a deletion just moves on.
    if amendment.base_version_id != current.id and amendment.kind is AmendmentKind.REPLACE:
        base_text = db.session.get(ClauseVersion, amendment.base_version_id).text
        merged = textdiff.merge3(base_text, current.text, amendment.proposed_text)
        if not merged.clean:
            raise DomainError(
                _(
                    "The clause changed the same words since you wrote this draft: edit it "
                    "against the current text, then propose it."
                )
            )
        amendment.proposed_text = check_wording(amendment.kind, merged.text, current.text)
    amendment.base_version_id = current.id
    amendment.status = AmendmentStatus.OPEN
    # Proposed now: the draft's own start stays in the audit log (amendment.drafted).
    amendment.created_at = utcnow()
    _revision(amendment, "created")
    record("amendment.proposed", actor=user, obj=amendment, details={"base": current.number})


def discard_draft(amendment: Amendment, user) -> None:
    """Delete one's draft: never proposed, nobody saw it, so nothing of it is kept but
    the audit's note that it existed. Raises DomainError for anyone but its author."""
    if amendment.author_id != user.id or amendment.status is not AmendmentStatus.DRAFT:
        raise DomainError(_("Only its author can work on a draft, until it is proposed."))
    record("amendment.draft_discarded", actor=user, obj=amendment)
    db.session.delete(amendment)
    db.session.flush()


def visible_to(user):
    """A condition on amendments: those ``user`` may see (drafts are their authors')."""
    public = Amendment.status != AmendmentStatus.DRAFT
    if user is None or not getattr(user, "is_authenticated", False):
        return public
    return sa.or_(public, Amendment.author_id == user.id)


def _revision(amendment: Amendment, reason: str) -> AmendmentRevision:
    number = len(amendment.revisions) + 1
    revision = AmendmentRevision(
        amendment_id=amendment.id,
        number=number,
        base_version_id=amendment.base_version_id,
        proposed_text=amendment.proposed_text,
        reason=reason,
    )
    db.session.add(revision)
    db.session.flush()
    db.session.refresh(amendment)
    return revision


def cosign(amendment: Amendment, user) -> None:
    """Add one's signature to someone else's amendment (once)."""
    manifesto = db.session.get(Manifesto, amendment.manifesto_id)
    if not permissions.can_amend(user, manifesto):
        raise DomainError(
            _("Only the members of the panel can co-sign, while amendments are open.")
        )
    if amendment.author_id == user.id:
        raise DomainError(_("You are the author of this amendment."))
    if amendment.status not in IN_PLAY:
        raise DomainError(_("This amendment can no longer be co-signed."))
    if db.session.scalar(
        sa.select(CoSignature.id).where(
            CoSignature.amendment_id == amendment.id, CoSignature.user_id == user.id
        )
    ):
        raise DomainError(_("You have already co-signed this amendment."))
    db.session.add(CoSignature(amendment_id=amendment.id, user_id=user.id))
    db.session.flush()
    db.session.expire(amendment, ["cosignatures"])
    record("amendment.cosigned", actor=user, obj=amendment)


def withdraw(amendment: Amendment, user) -> None:
    """The author withdraws a proposed amendment still in play (a draft is deleted
    instead: ``discard_draft``)."""
    if amendment.author_id != user.id:
        raise DomainError(_("Only its author can withdraw an amendment."))
    if amendment.status not in IN_PLAY:
        raise DomainError(_("This amendment can no longer be withdrawn."))
    amendment.status = AmendmentStatus.WITHDRAWN
    amendment.decided_at = utcnow()
    record("amendment.withdrawn", actor=user, obj=amendment)


def revise(amendment: Amendment, user, text: str | None) -> None:
    """The author rewrites an amendment against the clause's current version.

    This is how an amendment that needs an update (after a competing one was accepted)
    comes back into play. The earlier texts stay as revisions.
    """
    manifesto = db.session.get(Manifesto, amendment.manifesto_id)
    if amendment.author_id != user.id:
        raise DomainError(_("Only its author can revise an amendment."))
    if amendment.status not in IN_PLAY:
        raise DomainError(_("This amendment can no longer be revised."))
    if not permissions.can_revise(user, manifesto):
        raise DomainError(
            _(
                "Amendments can be revised only while the manifesto is open to amendments "
                "or at the vote stage."
            )
        )
    clause = db.session.get(Clause, amendment.clause_id)
    if clause.deleted_at is not None:
        raise DomainError(_("The clause was deleted: this amendment has nothing to change."))
    current = clause.current
    amendment.proposed_text = check_wording(amendment.kind, text, current.text)
    amendment.base_version_id = current.id
    amendment.status = AmendmentStatus.OPEN
    _revision(amendment, "revised")
    record("amendment.revised", actor=user, obj=amendment, details={"base": current.number})


def accept(amendment: Amendment, *, actor=None) -> ClauseVersion | Clause | None:
    """Apply an adopted amendment, then rebase or flag the amendments competing with it.

    Replace: the clause's next version. Insert-after: a new clause right after. Delete:
    the clause is marked deleted (its versions stay). Returns what was created.
    """
    clause = db.session.get(Clause, amendment.clause_id)
    amendment.status = AmendmentStatus.ACCEPTED
    amendment.decided_at = utcnow()
    created = None
    if amendment.kind is AmendmentKind.REPLACE:
        created = ClauseVersion(
            clause_id=clause.id,
            number=clause.current.number + 1,
            text=amendment.proposed_text,
            source=VersionSource.AMENDMENT,
            author_id=amendment.author_id,
            amendment_id=amendment.id,
        )
        db.session.add(created)
        db.session.flush()
        amendment.result_version_id = created.id
        db.session.refresh(clause)
    elif amendment.kind is AmendmentKind.INSERT_AFTER:
        following = [c.position for c in clause.section.clauses if c.position > clause.position]
        position = (clause.position + following[0]) / 2 if following else clause.position + 1
        created = Clause(
            manifesto_id=clause.manifesto_id, section_id=clause.section_id, position=position
        )
        db.session.add(created)
        db.session.flush()
        version = ClauseVersion(
            clause_id=created.id,
            number=1,
            text=amendment.proposed_text,
            source=VersionSource.AMENDMENT,
            author_id=amendment.author_id,
            amendment_id=amendment.id,
        )
        db.session.add(version)
        db.session.flush()
        amendment.result_version_id = version.id
    else:
        clause.deleted_at = utcnow()
    record("amendment.accepted", actor=actor, obj=amendment, details={"clause": clause.id})
    if amendment.kind is not AmendmentKind.INSERT_AFTER:
        rebase_competitors(clause, amendment)
    return created


def reject(amendment: Amendment, *, actor=None) -> None:
    amendment.status = AmendmentStatus.REJECTED
    amendment.decided_at = utcnow()
    record("amendment.rejected", actor=actor, obj=amendment)


def competitors(clause: Clause, accepted: Amendment) -> list[Amendment]:
    return list(
        db.session.scalars(
            sa.select(Amendment)
            .where(
                Amendment.clause_id == clause.id,
                Amendment.id != accepted.id,
                # Drafts are merged when proposed (``submit``), not now.
                Amendment.status.in_(IN_PLAY),
                Amendment.kind.in_([AmendmentKind.REPLACE, AmendmentKind.DELETE]),
            )
            .order_by(Amendment.id)
        )
    )


def rebase_competitors(clause: Clause, accepted: Amendment) -> dict[int, bool]:
    """Three-way merge of each competing amendment onto the clause's new text.

    Disjoint changes merge: the amendment is rebased (a new revision) and its author is
    told. Overlapping changes, and any deletion against an edit, become needs-update, with
    both texts kept for the author. Returns {amendment id: merged cleanly}.
    """
    outcome = {}
    new_text = None if clause.deleted_at is not None else clause.current.text
    for other in competitors(clause, accepted):
        base_text = db.session.get(ClauseVersion, other.base_version_id).text
        if new_text is None or other.kind is AmendmentKind.DELETE:
            merged = textdiff.MergeResult(clean=False, text=None, conflicts=[])
        else:
            merged = textdiff.merge3(base_text, new_text, other.proposed_text)
        if merged.clean:
            other.base_version_id = clause.current.id
            other.proposed_text = merged.text
            _revision(other, "rebased")
            record("amendment.rebased", obj=other, details={"after": accepted.id})
        else:
            other.status = AmendmentStatus.NEEDS_UPDATE
            record("amendment.needs_update", obj=other, details={"after": accepted.id})
        outcome[other.id] = merged.clean
        _tell_author(other, accepted, merged.clean)
    return outcome


def _tell_author(amendment: Amendment, accepted: Amendment, clean: bool) -> None:
    author = amendment.author
    if not author.is_active or not author.email:
        return
    link = mail.external_url(
        "manifesto.amendment", manifesto_id=amendment.manifesto_id, amendment_id=amendment.id
    )
    mail.send_template(
        author.email,
        "amendment_rebased" if clean else "amendment_needs_update",
        author.language,
        amendment=amendment,
        accepted=accepted,
        link=link,
    )


def for_clause(clause: Clause, viewer=None) -> list[Amendment]:
    """The clause's amendments, without drafts but ``viewer``'s own."""
    return list(
        db.session.scalars(
            sa.select(Amendment)
            .where(Amendment.clause_id == clause.id, visible_to(viewer))
            .order_by(Amendment.id)
        )
    )


def drafts_of(manifesto: Manifesto, user) -> list[Amendment]:
    """``user``'s drafts on the manifesto, to come back to."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            sa.select(Amendment)
            .where(
                Amendment.manifesto_id == manifesto.id,
                Amendment.author_id == user.id,
                Amendment.status == AmendmentStatus.DRAFT,
            )
            .order_by(Amendment.id)
        )
    )


def for_manifesto(manifesto: Manifesto) -> list[Amendment]:
    """The manifesto's amendments, without drafts."""
    return list(
        db.session.scalars(
            sa.select(Amendment)
            .where(Amendment.manifesto_id == manifesto.id, visible_to(None))
            .order_by(Amendment.clause_id, Amendment.id)
        )
    )
