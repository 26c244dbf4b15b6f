"""Published objects as plain JSON-ready dicts, the same for the API and the downloads.

Every function takes loaded models and returns data that ``openapi.SCHEMAS`` describes.
People appear only as pseudonymous codes: authors as ``A-`` codes (see ``pseudonyms``),
volunteers as the ``V-`` codes their draw already publishes. Nothing here reads a
volunteer's contact or address, an account's name or email, or an individual ballot.
"""

import json
from datetime import UTC, date, datetime

from flask import url_for

from consultation import charts
from consultation.api.pseudonyms import code_of
from consultation.manifesto import services as manifesto_services
from consultation.manifesto.models import Amendment, ClauseVersion, Manifesto
from consultation.panels import transparency
from consultation.panels.models import Draw
from consultation.referrals.models import Contribution, Referral
from consultation.votes import services as vote_services
from consultation.votes.models import Question, QuestionKind

#: Majority-judgment grades by code (0 is the lowest), as ``votes.tally`` numbers them.
GRADE_NAMES = (
    "reject",
    "insufficient",
    "passable",
    "fairly-good",
    "good",
    "very-good",
    "excellent",
)


def timestamp(value: datetime | None) -> str | None:
    """An RFC 3339 time in UTC: the database keeps naive UTC times."""
    if value is None:
        return None
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _url(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


# ------------------------------------------------------------------ referrals


def referral(item: Referral, *, contribution_count: int, manifesto_ids: list[int]) -> dict:
    """A public referral: its question, context (Markdown source), phase and calendar."""
    return {
        "id": item.id,
        "title": item.title,
        "question": item.question,
        "context": item.context_md or "",
        "documents": [
            {"title": str(d.get("title", "")), "url": str(d.get("url", ""))}
            for d in item.documents or []
        ],
        "phase": item.phase.value,
        "participation": item.participation.value,
        "panel": {"id": item.panel.id, "name": item.panel.name},
        "calendar": {
            "opens_on": day(item.opens_on),
            "deliberation_on": day(item.deliberation_on),
            "drafting_on": day(item.drafting_on),
            "vote_on": day(item.vote_on),
            "closes_on": day(item.closes_on),
        },
        "created_at": timestamp(item.created_at),
        "contribution_count": contribution_count,
        "manifesto_ids": list(manifesto_ids),
        "links": {
            "html": _url("referrals.show", referral_id=item.id),
            "contributions": _url("api.referral_contributions", referral_id=item.id),
        },
    }


def contribution(item: Contribution) -> dict:
    """A visible contribution: its Markdown source, stance, place in its thread, counts."""
    return {
        "id": item.id,
        "referral_id": item.referral_id,
        "parent_id": item.parent_id,
        "root_id": item.root_id,
        "depth": item.depth,
        "author": code_of(item.author),
        "stance": item.stance.value if item.stance else None,
        "body": item.body_md,
        "created_at": timestamp(item.created_at),
        "edited_at": timestamp(item.edited_at),
        "highlighted": item.highlighted,
        "support_count": item.support_count,
        "reply_count": item.reply_count,
        "links": {
            "html": _url(
                "referrals.contribution", referral_id=item.referral_id, contribution_id=item.id
            )
        },
    }


# ------------------------------------------------------------------ manifestos


def manifesto(item: Manifesto) -> dict:
    """A manifesto's current text: numbered sections and live clauses with their version."""
    state = manifesto_services.text_state(item)
    return {
        "id": item.id,
        "referral_id": item.referral_id,
        "title": item.title,
        "preamble": item.preamble_md or "",
        "status": item.status.value,
        "rules": {
            "quorum": item.quorum,
            "threshold": item.threshold,
            "secret_ballot": item.secret_ballot,
        },
        "created_at": timestamp(item.created_at),
        "sections": state["sections"],
        "links": {
            "html": _url("manifesto.show", manifesto_id=item.id),
            "clause_versions": _url("api.manifesto_clause_versions", manifesto_id=item.id),
            "amendments": _url("api.manifesto_amendments", manifesto_id=item.id),
            "votes": _url("api.manifesto_votes", manifesto_id=item.id),
        },
    }


def clause_version(item: ClauseVersion) -> dict:
    """One version of a clause: versions are add-only, so this is the text's history."""
    return {
        "id": item.id,
        "manifesto_id": item.clause.manifesto_id,
        "clause_id": item.clause_id,
        "number": item.number,
        "text": item.text,
        "source": item.source.value,
        "amendment_id": item.amendment_id,
        "author": code_of(item.author),
        "created_at": timestamp(item.created_at),
    }


def amendment(item: Amendment) -> dict:
    """An amendment as proposed (its latest text), its status and its support."""
    return {
        "id": item.id,
        "manifesto_id": item.manifesto_id,
        "clause_id": item.clause_id,
        "kind": item.kind.value,
        "status": item.status.value,
        "base_version": {"id": item.base_version_id, "number": item.base_version.number},
        "proposed_text": item.proposed_text,
        "rationale": item.rationale or "",
        "author": code_of(item.author),
        "cosignatures": len(item.cosignatures),
        "created_at": timestamp(item.created_at),
        "decided_at": timestamp(item.decided_at),
        "result_version_id": item.result_version_id,
        "links": {
            "html": _url(
                "manifesto.amendment", manifesto_id=item.manifesto_id, amendment_id=item.id
            )
        },
    }


# ------------------------------------------------------------------ votes


def _judgment(item: Question) -> dict | None:
    """Merit profiles of a closed majority judgment: grade counts per option, no ballot."""
    result = vote_services.judgment(item)
    if result is None:
        return None
    return {
        "grades": result.grades,
        "grade_names": list(GRADE_NAMES[: result.grades]),
        "voters": result.voters,
        "winner_option_id": item.winner_option_id,
        "ranking": [
            {
                "option_id": option.option,
                "rank": option.rank,
                "majority_grade": option.majority_grade,
                "profile": list(option.profile),
            }
            for option in result.results.values()
        ],
    }


def question(item: Question) -> dict:
    """A question put to the vote. Open: who may vote and how many did. Closed: the
    aggregated tally as recorded at the close. Never who chose what."""
    closed = not item.is_open
    tallied = closed and item.kind is not QuestionKind.JUDGMENT
    return {
        "id": item.id,
        "manifesto_id": item.manifesto_id,
        "kind": item.kind.value,
        "status": item.status.value,
        "title": item.title or "",
        "subject": {
            "amendment_id": item.amendment_id,
            "amendment_revision_id": item.amendment_revision_id,
            "clause_id": item.clause_id,
            "clause_version_id": item.clause_version_id,
            "text_fingerprint": item.text_fingerprint,
        },
        "rules": {"secret": item.secret, "quorum": item.quorum, "threshold": item.threshold},
        "eligible": item.eligible,
        # Open: counted live, as the vote's page shows it; closed: as recorded at the close.
        "turnout": item.turnout if closed else vote_services.turnout(item),
        "opened_at": timestamp(item.opened_at),
        "closed_at": timestamp(item.closed_at),
        "result": item.result if closed else None,
        "counts": (
            {"for": item.count_for, "against": item.count_against, "abstain": item.count_abstain}
            if tallied
            else None
        ),
        "options": [
            {
                "id": option.id,
                "position": option.position,
                "label": option.label,
                "text": option.text or "",
                "amendment_id": option.amendment_id,
            }
            for option in item.options
        ],
        "judgment": (_judgment(item) if closed and item.kind is QuestionKind.JUDGMENT else None),
        "links": {"html": _url("votes.question", question_id=item.id)},
    }


# ------------------------------------------------------------------ draws


def _composition(draw: Draw, panel: list[str]) -> list[dict]:
    """Per quota feature: the panel's count of each value against its quota and the pool."""
    result = []
    for feature in charts.quota_features(draw.inputs):
        rows = charts.composition_rows(draw.inputs, panel, feature)
        result.append(
            {
                "feature": feature,
                "values": [
                    {
                        "value": str(row["value"]),
                        "selected": row["selected"],
                        "min": row["min"],
                        "max": row["max"],
                        "pool": row["pool"],
                        "pool_share": row["pool_share"],
                        "within": row["min"] <= row["selected"] <= row["max"],
                    }
                    for row in rows
                ],
            }
        )
    return result


def draw_summary(item: Draw) -> dict:
    """A finished draw as its transparency page publishes it, without the lottery."""
    inputs, result = item.inputs or {}, item.result or {}
    reserve_pick = transparency.is_reserve_pick(item)
    lottery = transparency.has_lottery(item)
    panel = transparency.panel_after(item) if result else []
    return {
        "id": item.id,
        "panel": {"id": item.panel.id, "name": item.panel.name},
        "kind": item.kind.value,
        "seed": item.seed,
        "algorithm": item.algorithm,
        "fingerprint": item.fingerprint,
        "created_at": timestamp(item.created_at),
        "finished_at": timestamp(item.finished_at),
        "seats": item.seats,
        "reserves_wanted": item.reserves_wanted,
        "pool_size": len(inputs.get("people", [])),
        "min_probability": item.min_probability,
        "mean_probability": item.mean_probability,
        "reserve_pick": reserve_pick,
        "reserve_draw_id": result.get("reserve_draw") if reserve_pick else None,
        "selected": list(panel),
        "continuing": list(inputs.get("forced", [])),
        "excluded": list(inputs.get("excluded", [])),
        "reserves": list(
            inputs.get("context", {}).get("reserves", [])
            if reserve_pick
            else result.get("reserves", [])
        ),
        "composition": _composition(item, panel) if result else [],
        "links": {
            "html": _url("transparency.show", draw_id=item.id),
            "verification": _url("transparency.verification_json", draw_id=item.id),
            "lottery_csv": _url("transparency.lottery_csv", draw_id=item.id) if lottery else None,
        },
    }


def draw(item: Draw) -> dict:
    """A finished draw with its published lottery: every possible panel as ``V-`` codes,
    its ticket numbers and chance, the ticket the seed gave and the panel holding it."""
    data = draw_summary(item)
    data["lottery"] = None
    if transparency.has_lottery(item):
        result = item.result
        data["lottery"] = {
            "size": result["lottery_size"],
            "ticket": result["ticket"],
            "panel_index": result["panel_index"],
            "entries": transparency.lottery_rows(result),
        }
    return data


# ------------------------------------------------------------------ flat rows


def flat(data: dict, prefix: str = "") -> dict:
    """One CSV row from a published object: nested objects become ``parent.child``
    columns; lists are kept whole, as compact JSON in one cell."""
    row = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flat(value, f"{name}."))
        elif isinstance(value, list):
            row[name] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            row[name] = value
    return row


CLAUSE_COLUMNS = (
    "section.number",
    "section.title",
    "clause.id",
    "clause.number",
    "clause.version",
    "clause.text",
)


def manifesto_rows(data: dict) -> list[dict]:
    """A manifesto as CSV rows: one per clause of its current text, the manifesto's own
    fields repeated on each (a manifesto without clauses still gets one row)."""
    base = flat({k: v for k, v in data.items() if k != "sections"})
    rows = []
    for section in data["sections"]:
        for clause in section["clauses"]:
            values = (
                section["number"],
                section["title"],
                clause["id"],
                clause["number"],
                clause["version"],
                clause["text"],
            )
            rows.append(base | dict(zip(CLAUSE_COLUMNS, values, strict=True)))
    return rows or [base]
