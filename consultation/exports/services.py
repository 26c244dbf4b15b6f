"""Building a manifesto's export from the database: its state and fingerprint, provenance
notes, a redline since a revision or a date, and the process report.

``build_document`` returns an ``exports.document.ManifestoDocument`` (texts localised in
the language asked for); ``exports.formats.render`` turns it into bytes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import force_locale, format_date, format_datetime, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from consultation import charts, mail
from consultation.accounts.models import utcnow
from consultation.audit.models import AuditEvent
from consultation.errors import DomainError
from consultation.exports import formats
from consultation.exports.document import (
    ChartDoc,
    ClauseDoc,
    ManifestoDocument,
    ReportSection,
    SectionDoc,
    Segment,
    TableDoc,
    fingerprint,
)
from consultation.extensions import db
from consultation.manifesto import amendments as manifesto_amendments
from consultation.manifesto import services as manifesto_services
from consultation.manifesto import textdiff
from consultation.manifesto.models import (
    Amendment,
    Clause,
    ClauseVersion,
    Manifesto,
    VersionSource,
)
from consultation.panels.models import Draw, DrawKind, DrawStatus
from consultation.referrals.models import Contribution, PhaseChange

FORMATS = formats.FORMATS


def state(manifesto: Manifesto) -> dict:
    """What an export shows, as data: the text and the status. Its fingerprint is the
    same in every format and whatever the options or the time of the export."""
    return manifesto_services.text_state(manifesto) | {
        "status": manifesto.status.value,
        "referral": manifesto.referral_id,
    }


def state_fingerprint(manifesto: Manifesto) -> str:
    return fingerprint(state(manifesto))


def status_since(manifesto: Manifesto) -> datetime:
    """When the manifesto reached its present status."""
    moved = db.session.scalar(
        sa.select(AuditEvent.created_at)
        .where(
            AuditEvent.action == "manifesto.status_moved",
            AuditEvent.object_type == "Manifesto",
            AuditEvent.object_id == str(manifesto.id),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return moved or manifesto.created_at


# ------------------------------------------------------------------ revisions


def _all_clauses(manifesto: Manifesto) -> list[Clause]:
    return [clause for section in manifesto.sections for clause in section.clauses]


def revisions(manifesto: Manifesto) -> list[datetime]:
    """When each change to the text happened, oldest first: revision 0 is the imported
    draft, revision n the text after the n-th change (a new clause version, an added or
    a deleted clause)."""
    imported = manifesto.created_at
    moments = []
    for clause in _all_clauses(manifesto):
        for version in clause.versions:
            if version.source is not VersionSource.IMPORT:
                moments.append(version.created_at)
        if clause.deleted_at is not None:
            moments.append(clause.deleted_at)
    return [imported, *sorted(moments)]


def resolve_since(manifesto: Manifesto, value: str) -> tuple[datetime, str]:
    """Read ``--redline-since``: a revision number (0 = the imported draft) or a date
    (YYYY-MM-DD: the changes made on that day and after). Returns the moment the redline
    starts from and how to name it. Raises DomainError for anything else."""
    value = (value or "").strip()
    moments = revisions(manifesto)
    if value.isdigit():
        number = int(value)
        if number >= len(moments):
            raise DomainError(
                _(
                    "There is no revision %(n)s: the text has revisions 0 to %(last)s.",
                    n=number,
                    last=len(moments) - 1,
                )
            )
        # The text after change n: everything up to and including that moment.
        return moments[number], _("revision %(n)s", n=number)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            _("Give a revision number or a date written YYYY-MM-DD, not “%(value)s”.", value=value)
        ) from None
    # The text as it stood just before the day began, so the changes made that day show.
    return datetime.combine(day, time.min) - timedelta(microseconds=1), format_date(day, "long")


def _text_at(clause: Clause, moment: datetime) -> str | None:
    """The clause's text at ``moment``, changes made then included (None if it did not
    exist yet or was deleted)."""
    if clause.deleted_at is not None and clause.deleted_at <= moment:
        return None
    text = None
    for version in clause.versions:
        if version.source is VersionSource.IMPORT or version.created_at <= moment:
            text = version.text
    return text


# ------------------------------------------------------------------ provenance


class Provenance:
    """Where each clause's present text comes from: every version that still wrote some
    of its words (the draft, an edit, each amendment), with the amendments' authors and
    deciding votes loaded once for the whole text."""

    def __init__(self, manifesto: Manifesto):
        from consultation.votes.services import deciding_votes

        ids = [
            version.amendment_id
            for clause in _all_clauses(manifesto)
            for version in clause.versions
            if version.amendment_id is not None
        ]
        self.amendments = {
            a.id: a
            for a in db.session.scalars(
                sa.select(Amendment)
                .where(Amendment.id.in_(ids))
                .options(selectinload(Amendment.author))
            )
        }
        self.votes = deciding_votes(ids)

    def __call__(self, clause: Clause) -> str:
        """One sentence per version behind the clause's words, oldest first."""
        behind = {version.number: version for _text, version in manifesto_services.passages(clause)}
        versions = [behind[number] for number in sorted(behind)] or [clause.current]
        return " ".join(
            provenance(v, self.amendments.get(v.amendment_id), self.votes.get(v.amendment_id))
            for v in versions
        )


def provenance(version: ClauseVersion, amendment: Amendment | None = None, vote=None) -> str:
    """Where a clause's present text comes from, in one sentence: ``amendment`` is the
    accepted amendment behind ``version`` and ``vote`` the question that decided it."""
    when = format_date(version.created_at, "long")
    if version.source is VersionSource.IMPORT:
        return _("Text of the draft proposed by the facilitation (%(date)s).", date=when)
    if version.source is VersionSource.FACILITATOR:
        return _("Edited by the facilitation before amendments opened (%(date)s).", date=when)
    author = (amendment.author.display_name if amendment else "") or _("Former participant")
    if vote is None:
        return _(
            "Amendment #%(id)s by %(author)s, accepted on %(date)s.",
            id=version.amendment_id,
            author=author,
            date=when,
        )
    if vote.kind.value == "judgment":
        return _(
            "Amendment #%(id)s by %(author)s, chosen by majority judgment on %(date)s "
            "(%(turnout)s of %(eligible)s members voted).",
            id=amendment.id,
            author=author,
            date=format_date(vote.closed_at, "long"),
            turnout=vote.turnout,
            eligible=vote.eligible,
        )
    return ngettext(
        "Amendment #%(id)s by %(author)s, adopted by vote on %(date)s: %(for_)s for, "
        "%(against)s against, %(num)s abstention.",
        "Amendment #%(id)s by %(author)s, adopted by vote on %(date)s: %(for_)s for, "
        "%(against)s against, %(num)s abstentions.",
        vote.count_abstain,
        id=amendment.id,
        author=author,
        date=format_date(vote.closed_at, "long"),
        for_=vote.count_for,
        against=vote.count_against,
    )


# ------------------------------------------------------------------ the document


def separator(language: str) -> str:
    """Between a label and its value: French typography puts a no-break space before
    the colon."""
    return "\u00a0: " if language == "fr" else ": "


def labels(language: str) -> dict[str, str]:
    """The renderers' fixed strings in the current language (``language``'s)."""
    result = {
        "document": _("Manifesto"),
        "referral": _("In answer to the referral"),
        "status": _("Status"),
        "status_value": _("{status} (since {date})"),
        "fingerprint": _("Fingerprint (SHA-256) of this state"),
        "generated": _("Generated on"),
        "contents": _("Contents"),
        "preamble": _("Preamble"),
        "sections": _("Clauses"),
        "clause": _("Clause"),
        "provenance": _("Provenance"),
        "redline_since": _("Changes since"),
        "legend": _(
            "Inserted text is underlined and marked [+ … +]; deleted text is struck "
            "through and marked [− … −]."
        ),
        "clause_added": _("New clause"),
        "clause_deleted": _("Clause deleted"),
        "clause_changed": _("Clause changed"),
        "report": _("Process report"),
        "chart_data": _("Data of the chart"),
        "links": _("Links"),
        "colophon": _("About this document"),
        "page": _("Page"),
        "page_of": _("of"),
    }
    result["separator"] = separator(language)
    return result


def _sections(manifesto: Manifesto, *, with_provenance: bool, since: datetime | None):
    note_for = Provenance(manifesto) if with_provenance else None
    sections = []
    for s_number, (section, clauses) in enumerate(
        ((s, s.clauses) for s in manifesto.sections), start=1
    ):
        items, c_number = [], 0
        for clause in clauses:
            now = None if clause.deleted_at is not None else clause.current.text
            if since is None:
                if now is None:
                    continue
                c_number += 1
                items.append(
                    ClauseDoc(
                        number=f"{s_number}.{c_number}",
                        text=now,
                        provenance=note_for(clause) if note_for else None,
                    )
                )
                continue
            before = _text_at(clause, since)
            if before is None and now is None:
                continue
            if now is not None:
                c_number += 1
                number = f"{s_number}.{c_number}"
            else:
                number = f"{s_number}.–"
            if before is None:
                change, redline = "added", None
            elif now is None:
                change, redline = "deleted", None
            elif before == now:
                change, redline = "unchanged", None
            else:
                change = "changed"
                redline = tuple(Segment(op, text) for op, text in textdiff.word_diff(before, now))
            items.append(
                ClauseDoc(
                    number=number,
                    text=now if now is not None else before,
                    provenance=(note_for(clause) if note_for and now is not None else None),
                    redline=redline,
                    change=change,
                )
            )
        sections.append(SectionDoc(number=str(s_number), title=section.title, clauses=tuple(items)))
    return tuple(sections)


def build_document(
    manifesto: Manifesto,
    *,
    with_provenance: bool = False,
    redline_since: str | None = None,
    with_report: bool = False,
    language: str | None = None,
) -> ManifestoDocument:
    """The export of ``manifesto`` as it stands, in ``language`` (the page's by default).

    Raises DomainError when ``redline_since`` is neither a revision nor a date.
    """
    from consultation.manifesto.views import status_label

    language = language or _current_language()
    with force_locale(language):
        since, since_label = (
            resolve_since(manifesto, redline_since) if redline_since else (None, None)
        )
        current = state(manifesto)
        return ManifestoDocument(
            title=manifesto.title,
            preamble_md=manifesto.preamble_md,
            status=status_label(manifesto.status),
            status_date=format_date(status_since(manifesto), "long"),
            referral_title=manifesto.referral.title,
            language=language,
            fingerprint=fingerprint(current),
            generated_at=format_datetime(utcnow().replace(tzinfo=UTC), "long"),
            sections=_sections(manifesto, with_provenance=with_provenance, since=since),
            labels=labels(language),
            redline_since=since_label,
            report=report(manifesto, language) if with_report else (),
            state=current,
        )


def _current_language() -> str:
    if has_request_context():
        from flask_babel import get_locale

        return str(get_locale())
    return current_app.config.get("CONSULTATION_LOCALE", "fr")


def filename(manifesto: Manifesto, fmt: str) -> str:
    return f"manifeste-{manifesto.id}{formats.EXTENSIONS[fmt]}"


def export(manifesto: Manifesto, fmt: str, **options) -> bytes:
    """The manifesto rendered in ``fmt`` (md, html, pdf, docx, odt, json)."""
    if fmt not in formats.FORMATS:
        raise DomainError(_("Unknown format: %(fmt)s.", fmt=fmt))
    return formats.render(build_document(manifesto, **options), fmt)


# ------------------------------------------------------------------ the process report


def _table(caption: str, headers, rows) -> TableDoc:
    return TableDoc(
        caption=caption,
        headers=tuple(str(h) for h in headers),
        rows=tuple(tuple(str(cell) for cell in row) for row in rows),
    )


def _draw_for(manifesto: Manifesto) -> Draw | None:
    """The draw that seated the panel: its latest finished initial draw."""
    return db.session.scalar(
        sa.select(Draw)
        .where(
            Draw.panel_id == manifesto.referral.panel_id,
            Draw.status == DrawStatus.DONE,
            Draw.kind == DrawKind.INITIAL,
        )
        .order_by(Draw.id.desc())
        .limit(1)
    )


def _panel_section(manifesto: Manifesto) -> ReportSection:
    from consultation.panels import transparency

    panel = manifesto.referral.panel
    draw = _draw_for(manifesto)
    title = _("The panel and its draw")
    if draw is None or not draw.result:
        return ReportSection(
            title=title,
            paragraphs=(_("%(name)s: no finished draw is recorded.", name=panel.name),),
        )
    context = transparency.page_context(draw)
    chart_docs = []
    for item in context.get("compositions", []):
        feature = item["feature"]
        svg = charts.composition_chart(
            feature,
            item["rows"],
            labels=transparency.composition_labels(),
            chart_id=f"report-composition-{draw.id}-{len(chart_docs)}",
        )
        chart_docs.append(
            ChartDoc(
                title=_("Panel composition by %(feature)s", feature=feature),
                description=_(
                    "Members per value of %(feature)s against the quota range and the pool's "
                    "share.",
                    feature=feature,
                ),
                svg=str(svg),
                table=_table(
                    _("Composition by %(feature)s", feature=feature),
                    [feature, _("Selected"), _("Minimum"), _("Maximum"), _("Pool's share")],
                    [
                        (r["value"], r["selected"], r["min"], r["max"], r["expected"])
                        for r in item["rows"]
                    ],
                ),
            )
        )
    url = mail.external_url("transparency.show", draw_id=draw.id)
    paragraphs = (
        _(
            "%(name)s: %(seats)s seats, drawn by lot on %(date)s among %(pool)s volunteers "
            "(algorithm %(algorithm)s).",
            name=panel.name,
            seats=draw.seats,
            date=format_date(draw.created_at, "long"),
            pool=context.get("pool_size", 0),
            algorithm=draw.algorithm,
        ),
        _("Seed: %(seed)s.", seed=draw.seed),
        _("Fingerprint of the pool and quotas: %(fp)s.", fp=draw.result.get("fingerprint", "")),
        _("Anyone can check the draw on its transparency page: %(url)s", url=url),
    )
    return ReportSection(
        title=title,
        paragraphs=paragraphs,
        charts=tuple(chart_docs),
        links=((_("Transparency page of the draw"), url),),
    )


def _referral_section(manifesto: Manifesto) -> ReportSection:
    from consultation.referrals.views import phase_label

    referral = manifesto.referral
    changes = db.session.scalars(
        sa.select(PhaseChange)
        .where(PhaseChange.referral_id == referral.id)
        .order_by(PhaseChange.created_at, PhaseChange.id)
    )
    rows = [(format_date(referral.created_at, "long"), _("Referral created"))]
    rows += [(format_date(c.created_at, "long"), phase_label(c.to_phase)) for c in changes]
    per_day: dict[date, int] = {}
    contributors = set()
    for created_at, author_id in db.session.execute(
        sa.select(Contribution.created_at, Contribution.author_id).where(
            Contribution.referral_id == referral.id
        )
    ):
        per_day[created_at.date()] = per_day.get(created_at.date(), 0) + 1
        contributors.add(author_id)
    days = sorted(per_day)
    chart_rows = [(format_date(d, "short"), per_day[d]) for d in days]
    chart_docs = ()
    if chart_rows:
        chart_docs = (
            ChartDoc(
                title=_("Contributions per day"),
                description=_("Number of contributions written each day of the referral."),
                svg=str(
                    charts.bar_chart(
                        chart_rows,
                        title=_("Contributions per day"),
                        value_label=_("Contributions"),
                        chart_id=f"report-per-day-{referral.id}",
                    )
                ),
                table=_table(
                    _("Contributions per day"), [_("Day"), _("Contributions")], chart_rows
                ),
            ),
        )
    return ReportSection(
        title=_("The referral: %(title)s", title=referral.title),
        paragraphs=(
            _(
                "%(n)s contributions by %(people)s participants.",
                n=sum(per_day.values()),
                people=len(contributors),
            ),
        ),
        charts=chart_docs,
        tables=(_table(_("Timeline of the referral"), [_("Date"), _("Step")], rows),),
    )


def _votes_section(manifesto: Manifesto, language: str) -> ReportSection:
    from consultation.votes.services import questions_for
    from consultation.votes.wording import clause_numbers, question_label, result_in_words

    numbers = clause_numbers(manifesto)
    closed = [q for q in questions_for(manifesto) if not q.is_open]
    rows = [
        (
            question_label(q, numbers),
            format_date(q.closed_at, "short"),
            f"{q.turnout}/{q.eligible}",
            q.count_for if q.kind.value != "judgment" else "—",
            q.count_against if q.kind.value != "judgment" else "—",
            q.count_abstain if q.kind.value != "judgment" else "—",
            result_in_words(q),
        )
        for q in closed
    ]
    from consultation.manifesto.views import amendment_status_label

    amendments = manifesto_amendments.for_manifesto(manifesto)  # drafts are not proposed
    by_status: dict[str, int] = {}
    for amendment in amendments:
        by_status[amendment.status.value] = by_status.get(amendment.status.value, 0) + 1
    return ReportSection(
        title=_("Amendments and votes"),
        paragraphs=(
            _("%(n)s amendments were proposed.", n=len(amendments)),
            *(
                f"{amendment_status_label(status)}{separator(language)}{count}"
                for status, count in sorted(by_status.items())
            ),
        ),
        tables=(
            _table(
                _("Vote tallies"),
                [
                    _("Question"),
                    _("Closed on"),
                    _("Turnout"),
                    _("For"),
                    _("Against"),
                    _("Abstain"),
                    _("Result"),
                ],
                rows,
            ),
        )
        if rows
        else (),
    )


def report(manifesto: Manifesto, language: str) -> tuple[ReportSection, ...]:
    """The appendix: the panel and its draw, the referral, the amendments and votes."""
    return (
        _panel_section(manifesto),
        _referral_section(manifesto),
        _votes_section(manifesto, language),
    )


# ------------------------------------------------------------------ files made in the background


def options_key(manifesto: Manifesto, fmt: str, options: dict, language: str) -> str:
    """A name for the file of this export: the state's fingerprint, the format, the
    options and the language. Another state, another file."""
    described = {"fmt": fmt, "language": language, "state": state_fingerprint(manifesto)} | {
        key: options[key] for key in sorted(options)
    }
    return fingerprint(described)[:40]


def export_path(key: str, fmt: str) -> Path:
    return Path(current_app.config["EXPORT_DIR"]) / f"{key}{formats.EXTENSIONS[fmt]}"


def export_state(key: str, fmt: str) -> str:
    """``done``, ``failed`` or ``running`` (or ``missing`` when never asked for)."""
    path = export_path(key, fmt)
    if path.exists():
        return "done"
    if path.with_suffix(".failed").exists():
        return "failed"
    if path.with_suffix(".running").exists():
        return "running"
    return "missing"


def start_export(manifesto: Manifesto, fmt: str, options: dict, language: str) -> str:
    """Make the file in the background unless it exists or is being made; returns its
    key. Raises DomainError for options the document cannot be built with."""
    if options.get("redline_since"):
        resolve_since(manifesto, options["redline_since"])  # refuse bad input now
    key = options_key(manifesto, fmt, options, language)
    if export_state(key, fmt) in ("done", "running"):
        return key
    path = export_path(key, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".failed").unlink(missing_ok=True)
    path.with_suffix(".running").touch()
    from consultation import jobs

    jobs.enqueue(render_to_file, manifesto.id, fmt, options, language, str(path))
    return key


def render_to_file(manifesto_id: int, fmt: str, options: dict, language: str, target: str):
    """The background job: render the export and move it into place in one step, so a
    half-written file is never served."""
    path = Path(target)
    try:
        manifesto = manifesto_services.load(manifesto_id)
        content = formats.render(build_document(manifesto, **options, language=language), fmt)
        partial = path.with_suffix(".partial")
        partial.write_bytes(content)
        partial.replace(path)
    except Exception:
        path.with_suffix(".failed").touch()
        raise
    finally:
        path.with_suffix(".running").unlink(missing_ok=True)
