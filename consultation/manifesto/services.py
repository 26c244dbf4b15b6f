"""Manifesto rules: importing a draft, the add-only history of clauses, status moves.

Functions flush but do not commit, write one audit row, and raise ``DomainError`` for
what a facilitator or member did wrong, before anything is saved.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from consultation import markdown
from consultation.audit.services import record
from consultation.errors import DomainError
from consultation.extensions import db
from consultation.manifesto import importing, textdiff
from consultation.manifesto.models import (
    Clause,
    ClauseVersion,
    Manifesto,
    ManifestoStatus,
    Section,
    VersionSource,
)
from consultation.referrals.models import Referral

STATUS_ORDER = list(ManifestoStatus)


def describe_draft_error(code: str) -> str:
    return {
        "empty": _("The file is empty."),
        "no_clause": _(
            "No clause was found: write each clause as a paragraph or a list item, "
            "under headings for the sections."
        ),
        "unreadable": _(
            "The file cannot be read as text. Save it as Markdown or plain text (UTF-8)."
        ),
        "too_large": _("The file is too large (2 MB at most)."),
    }.get(code, code)


def read_draft(content: bytes) -> importing.Draft:
    """Parse an uploaded draft. Raises DomainError with the reason in words."""
    try:
        return importing.parse(importing.decode(content))
    except importing.DraftError as error:
        raise DomainError(describe_draft_error(error.code)) from None


def import_manifesto(
    referral: Referral, content: bytes, *, title: str | None = None, actor=None
) -> Manifesto:
    """Create a manifesto answering ``referral`` from a Markdown draft.

    Headings become sections, paragraphs and list items clauses, each with a first
    version whose source is the import. Raises DomainError when nothing can be read.
    """
    draft = read_draft(content)
    title = (title or draft.title or "").strip() or _("Manifesto")
    manifesto = Manifesto(
        referral_id=referral.id,
        title=title[:200],
        preamble_md=draft.preamble,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(manifesto)
    db.session.flush()
    for s_index, drafted in enumerate(draft.sections, start=1):
        section = Section(manifesto_id=manifesto.id, position=s_index, title=drafted.title[:300])
        db.session.add(section)
        db.session.flush()
        for c_index, text in enumerate(drafted.clauses, start=1):
            clause = Clause(manifesto_id=manifesto.id, section_id=section.id, position=c_index)
            db.session.add(clause)
            db.session.flush()
            db.session.add(
                ClauseVersion(
                    clause_id=clause.id,
                    number=1,
                    text=text,
                    source=VersionSource.IMPORT,
                    author_id=getattr(actor, "id", None),
                )
            )
    db.session.flush()
    record(
        "manifesto.imported",
        actor=actor,
        obj=manifesto,
        details={
            "referral": referral.id,
            "sections": len(draft.sections),
            "clauses": draft.clause_count,
        },
    )
    return manifesto


def load(manifesto_id: int) -> Manifesto | None:
    """A manifesto with its sections, clauses and versions in three queries."""
    return db.session.scalar(
        sa.select(Manifesto)
        .where(Manifesto.id == manifesto_id)
        .options(
            selectinload(Manifesto.sections)
            .selectinload(Section.clauses)
            .selectinload(Clause.versions)
        )
    )


def numbered(manifesto: Manifesto) -> list[tuple[str, Section, list[tuple[str, Clause]]]]:
    """Sections and live clauses with their display numbers ("2", "2.3")."""
    result = []
    for s_index, section in enumerate(manifesto.sections, start=1):
        clauses = [c for c in section.clauses if c.deleted_at is None]
        result.append(
            (
                str(s_index),
                section,
                [(f"{s_index}.{c_index}", c) for c_index, c in enumerate(clauses, 1)],
            )
        )
    return result


def text_state(manifesto: Manifesto) -> dict:
    """The text as it stands: title, preamble, numbered sections and clauses with the
    version each shows. What a vote on the whole text is cast on."""
    return {
        "manifesto": manifesto.id,
        "title": manifesto.title,
        "preamble": manifesto.preamble_md,
        "sections": [
            {
                "number": s_number,
                "title": section.title,
                "clauses": [
                    {
                        "id": clause.id,
                        "number": number,
                        "version": clause.current.number,
                        "text": clause.current.text,
                    }
                    for number, clause in clauses
                ],
            }
            for s_number, section, clauses in numbered(manifesto)
        ],
    }


def edit_clause(clause: Clause, text: str, *, actor=None) -> ClauseVersion:
    """A facilitator's edit while the manifesto is being drafted: a new version.

    Raises DomainError outside the drafting phase, or when the text is empty or unchanged.
    """
    manifesto = db.session.get(Manifesto, clause.manifesto_id)
    if manifesto.status is not ManifestoStatus.DRAFTING:
        raise DomainError(
            _(
                "Clauses can be edited directly only while the manifesto is being "
                "drafted; after that, through amendments."
            )
        )
    text = (text or "").strip()
    if not text:
        raise DomainError(_("A clause cannot be empty."))
    if len(text) > markdown.MAX_LENGTH:
        raise DomainError(
            _("The text is too long: %(n)s characters at most.", n=markdown.MAX_LENGTH)
        )
    if text == clause.current.text:
        raise DomainError(_("The text is the same as the current version."))
    version = ClauseVersion(
        clause_id=clause.id,
        number=clause.current.number + 1,
        text=text,
        source=VersionSource.FACILITATOR,
        author_id=getattr(actor, "id", None),
    )
    db.session.add(version)
    db.session.flush()
    db.session.refresh(clause)
    record("clause.edited", actor=actor, obj=clause, details={"version": version.number})
    return version


def next_status(manifesto: Manifesto) -> ManifestoStatus | None:
    index = STATUS_ORDER.index(manifesto.status)
    return STATUS_ORDER[index + 1] if index + 1 < len(STATUS_ORDER) else None


def move_status(manifesto: Manifesto, to: ManifestoStatus, *, actor=None, vote=None) -> None:
    """Move the manifesto one step forward: drafting → amending → voting → adopted.

    Only the panel's vote on the whole text (``vote``) adopts it. Raises DomainError for
    any other move.
    """
    if to is not next_status(manifesto):
        raise DomainError(_("A manifesto moves one step forward at a time."))
    if to is ManifestoStatus.ADOPTED and vote is None:
        raise DomainError(_("The text is adopted only by the panel's vote on the whole text."))
    previous = manifesto.status
    manifesto.status = to
    record(
        "manifesto.status_moved",
        actor=actor,
        obj=manifesto,
        details={"from": previous.value, "to": to.value}
        | ({"vote": vote.id} if vote is not None else {}),
    )


def manifestos_for(referral: Referral) -> list[Manifesto]:
    return list(
        db.session.scalars(
            sa.select(Manifesto).where(Manifesto.referral_id == referral.id).order_by(Manifesto.id)
        )
    )


def passages(clause: Clause) -> list[tuple[str, ClauseVersion]]:
    """Each passage of the clause's present text with the version that wrote it, in
    reading order (``textdiff.blame`` over its versions).

    Spaces and punctuation that a version kept between another's words are not credited
    to it: they join the passage before them (after them, at the start of the text)."""
    versions = clause.versions
    found: list[tuple[str, ClauseVersion]] = []
    for text, index in textdiff.blame([v.text for v in versions]):
        if found and (found[-1][1] is versions[index] or not _has_words(text)):
            found[-1] = (found[-1][0] + text, found[-1][1])
        elif len(found) == 1 and not _has_words(found[0][0]):
            found[0] = (found[0][0] + text, versions[index])
        else:
            found.append((text, versions[index]))
    return found


def _has_words(text: str) -> bool:
    return any(character.isalnum() for character in text)
