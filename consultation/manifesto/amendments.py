"""Amendment rules: proposing, co-signing, withdrawing, revising, and what accepting one
does to the clause and to the amendments competing with it.

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
    LIVE,
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


def propose(
    manifesto: Manifesto,
    clause: Clause,
    kind: AmendmentKind,
    text: str | None,
    rationale: str,
    author,
) -> Amendment:
    """Propose an amendment to ``clause``, written against its current version.

    Raises DomainError outside the amending phase, for non-members, for an empty text, or
    for a replacement identical to the current text.
    """
    if not permissions.can_amend(author, manifesto):
        if manifesto.status.value != "amending":
            raise DomainError(
                _("Amendments can be proposed only while the manifesto is open to amendments.")
            )
        raise DomainError(_("Only the members of the panel can propose amendments."))
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
        status=AmendmentStatus.OPEN,
    )
    db.session.add(amendment)
    db.session.flush()
    _revision(amendment, "created")
    record(
        "amendment.proposed",
        actor=author,
        obj=amendment,
        details={"clause": clause.id, "kind": kind.value, "base_version": base.number},
    )
    return amendment


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
    if amendment.status not in LIVE:
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
    """The author withdraws an amendment that is still in play."""
    if amendment.author_id != user.id:
        raise DomainError(_("Only its author can withdraw an amendment."))
    if amendment.status not in LIVE:
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
    if amendment.status not in (AmendmentStatus.OPEN, AmendmentStatus.NEEDS_UPDATE):
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
    amendment.base_version_id = current.id
    amendment.proposed_text = check_wording(amendment.kind, text, current.text)
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
                Amendment.status.in_(LIVE),
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


def for_clause(clause: Clause) -> list[Amendment]:
    return list(
        db.session.scalars(
            sa.select(Amendment).where(Amendment.clause_id == clause.id).order_by(Amendment.id)
        )
    )


def for_manifesto(manifesto: Manifesto) -> list[Amendment]:
    return list(
        db.session.scalars(
            sa.select(Amendment)
            .where(Amendment.manifesto_id == manifesto.id)
            .order_by(Amendment.clause_id, Amendment.id)
        )
    )
