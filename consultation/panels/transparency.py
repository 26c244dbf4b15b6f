"""Public transparency pages of draws: what was drawn, how, and how anyone can check it.

Everything here reads only the draw's published inputs and result, which hold
pseudonymous codes and features: never a volunteer's name, contact or address.
"""

import csv
import hashlib
import io
import json
import re

from babel.numbers import format_percent
from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, StringField
from wtforms.validators import DataRequired, Length, Regexp

from consultation import charts
from consultation.cache import fragments
from consultation.extensions import db
from consultation.panels import services
from consultation.panels.models import Draw, DrawStatus
from consultation.permissions import anyone, require

bp = Blueprint("transparency", __name__, url_prefix="/draws")

CODE_PATTERN = re.compile(r"V-[A-Z0-9]{4,14}\Z")
_DASHES = re.compile(r"[\u2010-\u2015\u2212_]")
_DIGITS = re.compile(r"[0-9]+")


def normalise_code(text: str | None) -> str:
    """Codes are read case-insensitively, with or without spaces or the ``V-`` prefix."""
    code = re.sub(r"\s+", "", _DASHES.sub("-", text or "")).upper()
    if code and not code.startswith("V-") and "-" not in code:
        code = "V-" + code
    return code


class LookupForm(Form):
    """A GET form that changes nothing, hence without a CSRF token."""

    code = StringField(
        _l("Your volunteer code"),
        filters=[normalise_code],
        description=_l(
            "The pseudonymous code you were given as a volunteer, for example V-ABC2345. "
            "Capitals or small letters both work."
        ),
        validators=[
            DataRequired(message=_l("Type your volunteer code.")),
            Length(max=20, message=_l("A volunteer code is much shorter than that.")),
            Regexp(
                CODE_PATTERN,
                message=_l("This does not look like a volunteer code: codes look like V-ABC2345."),
            ),
        ],
    )


def is_reserve_pick(draw: Draw) -> bool:
    return bool(draw.result) and draw.result.get("source") == "reserve"


def has_lottery(draw: Draw) -> bool:
    return (
        draw.status is DrawStatus.DONE
        and bool(draw.result)
        and "lottery" in draw.result
        and not is_reserve_pick(draw)
    )


def load_draw(draw_id: int) -> Draw:
    return db.get_or_404(Draw, draw_id)


def panel_after(draw: Draw) -> list[str]:
    """Codes of the panel once this draw is applied (continuing members included)."""
    if is_reserve_pick(draw):
        return sorted({*draw.inputs.get("forced", []), *draw.result.get("selected", [])})
    return list(draw.result.get("selected", []))


def percent(value: float | None) -> str:
    """A probability as a percentage in the visitor's language, to two decimals at most."""
    if value is None:
        return "—"
    return format_percent(round(value, 4), locale=get_locale(), decimal_quantization=False)


def lottery_rows(result: dict) -> list[dict]:
    """The published lottery with each panel's range of ticket numbers, in published order."""
    size = result["lottery_size"]
    rows, start = [], 0
    for members, multiplicity in result["lottery"]:
        rows.append(
            {
                "first": start,
                "last": start + multiplicity - 1,
                "multiplicity": multiplicity,
                "probability": multiplicity / size,
                "members": list(members),
            }
        )
        start += multiplicity
    return rows


def ticket_rule(draw: Draw) -> dict:
    """The seed-to-ticket computation of ``sortition.seed_to_index``, spelled out."""
    result = draw.result
    seed, size = result["seed"], result["lottery_size"]
    if _DIGITS.fullmatch(seed):
        return {"digits": True, "number": int(seed), "size": size, "ticket": result["ticket"]}
    text = f"{result['fingerprint']}:{seed}"
    digest = hashlib.sha256(text.encode()).hexdigest()
    return {
        "digits": False,
        "text": text,
        "digest": digest,
        "number": int(digest, 16),
        "size": size,
        "ticket": result["ticket"],
    }


def composition_labels() -> dict:
    return {
        "title": _("Panel composition by {feature}"),
        "desc": _(
            "For each value of {feature}: the number of panel members (bar), the quota "
            "range from minimum to maximum (bracket) and the number that the value's share "
            "of the pool would give (diamond)."
        ),
        "row": _(
            "{value}: {selected} selected; quota {min} to {max}; the pool's share gives {expected}."
        ),
        "selected": _("Selected on the panel"),
        "quota": _("Quota range (minimum to maximum)"),
        "pool": _("Number in proportion to the pool"),
        "axis": _("Number of panel members"),
    }


def histogram_labels() -> dict:
    return {
        "title": _("Selection probabilities of the volunteers"),
        "desc": _(
            "Number of volunteers who could be drawn, in each band of selection probability."
        ),
        "row": _("{low} to {high}: {count} volunteer(s)."),
        "x_axis": _("Probability of being selected"),
        "y_axis": _("Number of volunteers"),
    }


def eligible_probabilities(draw: Draw) -> dict[str, float]:
    """Probabilities of the people who could be drawn (not continuing, not excluded)."""
    result = draw.result
    fixed = set(result.get("forced", [])) | set(result.get("excluded", []))
    return {code: p for code, p in result.get("probabilities", {}).items() if code not in fixed}


def page_context(draw: Draw) -> dict:
    """What the transparency page shows; only published data, computed from the draw."""
    context = {"draw": draw, "panel": draw.panel, "finished": False}
    if draw.status is not DrawStatus.DONE or not draw.result:
        return context
    inputs, result = draw.inputs, draw.result
    panel = panel_after(draw)
    compositions = []
    for feature in charts.quota_features(inputs):
        rows = charts.composition_rows(inputs, panel, feature)
        for row in rows:
            row["within"] = row["min"] <= row["selected"] <= row["max"]
        compositions.append(
            {
                "feature": feature,
                "rows": rows,
                "chart": charts.composition_chart(feature, rows, labels=composition_labels()),
            }
        )
    context.update(
        finished=True,
        problems=verified(draw),
        panel_codes=panel,
        compositions=compositions,
        reserve_pick=is_reserve_pick(draw),
        pool_size=len(inputs.get("people", [])),
    )
    if is_reserve_pick(draw):
        reserves = inputs.get("context", {}).get("reserves", [])
        taken = result["selected"][0] if result.get("selected") else None
        position = reserves.index(taken) if taken in reserves else None
        context.update(
            reserve_taken=taken,
            reserve_draw=db.session.get(Draw, result.get("reserve_draw")),
            reserves=[
                {
                    "code": code,
                    "state": (
                        "skipped"
                        if position is not None and i < position
                        else "taken"
                        if i == position
                        else "not-needed"
                    ),
                }
                for i, code in enumerate(reserves)
            ],
        )
        return context
    probabilities = eligible_probabilities(draw)
    rows = lottery_rows(result)
    context.update(
        lottery_entries=len(rows),
        chosen=rows[result["panel_index"]] if 0 <= result["panel_index"] < len(rows) else None,
        rule=ticket_rule(draw),
        bins=charts.probability_bins(probabilities),
        eligible=len(probabilities),
        histogram=charts.probability_histogram(
            probabilities, labels=histogram_labels(), percent=percent
        ),
        reserves=result.get("reserves", []),
    )
    return context


def lookup_outcome(draw: Draw, code: str) -> dict:
    """What a volunteer may learn about their own code in this draw."""
    people = {p["id"] for p in draw.inputs.get("people", [])}
    if code not in people:
        return {"code": code, "found": False}
    result = draw.result
    outcome = {
        "code": code,
        "found": True,
        "selected": code in panel_after(draw),
        "forced": code in draw.inputs.get("forced", []),
        "excluded": code in draw.inputs.get("excluded", []),
        "probability": None,
        "reserve_position": None,
    }
    if has_lottery(draw):
        outcome["probability"] = result["probabilities"].get(code, 0.0)
        reserves = result.get("reserves", [])
        if code in reserves:
            outcome["reserve_position"] = reserves.index(code) + 1
    return outcome


def download(body: str, filename: str, mimetype: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def verified(draw: Draw) -> list[str]:
    """The live re-check of a draw, cached by the content it checked.

    Verifying a large lottery takes a while; the key is a digest of the recorded inputs
    and result, so any change to them (tampering included) is checked again at once.
    """
    digest = hashlib.sha256(
        json.dumps([draw.inputs, draw.result], sort_keys=True).encode()
    ).hexdigest()
    key = ("verification", draw.id, digest, str(get_locale()))
    problems = fragments().get(key)
    if problems is None:
        problems = services.verify_draw(draw)
        fragments().set(key, problems)
    return problems


@bp.get("/<int:draw_id>")
@require(anyone)
def show(draw_id):
    """The public page of a draw: how it was made, what it gave and how to check it."""
    draw = load_draw(draw_id)
    return render_template(
        "panels/draw_public.html",
        form=LookupForm(),
        outcome=None,
        percent=percent,
        **page_context(draw),
    )


@bp.get("/<int:draw_id>/lookup")
@require(anyone)
def lookup(draw_id):
    """A volunteer types their code and sees their chance and whether they were selected."""
    draw = load_draw(draw_id)
    context = page_context(draw)
    form = LookupForm(request.args)
    outcome = None
    if context["finished"] and form.validate():
        outcome = lookup_outcome(draw, form.code.data)
    return render_template(
        "panels/draw_public.html", form=form, outcome=outcome, percent=percent, **context
    )


@bp.get("/<int:draw_id>/lottery.csv")
@require(anyone)
def lottery_csv(draw_id):
    """The published lottery: every possible panel, its ticket numbers and its chance."""
    draw = load_draw(draw_id)
    if not has_lottery(draw):
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["panel_number_from", "panel_number_to", "multiplicity", "probability", "members"]
    )
    for row in lottery_rows(draw.result):
        writer.writerow(
            [
                row["first"],
                row["last"],
                row["multiplicity"],
                repr(row["probability"]),
                " ".join(row["members"]),
            ]
        )
    return download(out.getvalue(), f"draw-{draw.id}-lottery.csv", "text/csv")


def how_to_verify(draw: Draw) -> list[str]:
    if is_reserve_pick(draw):
        return [
            _(
                "This seat was filled from the reserves of draw %(id)s, without a new lottery.",
                id=draw.result.get("reserve_draw"),
            ),
            _(
                "inputs.context.reserves lists those reserves in their published order; "
                "inputs.forced lists the members who stay."
            ),
            _(
                "Take the reserves in order, skipping anyone in inputs.excluded. The first one "
                "with whom the members who stay meet every quota, with at most one person per "
                "household, takes the seat: it must be result.selected."
            ),
        ]
    return [
        _(
            "1. Fingerprint: write compact JSON (sorted keys, no spaces, UTF-8) of engine_version, "
            "algorithm, seats, features (the quota features, sorted), quotas as [feature, value, "
            "min, max] sorted, people as [code, [value of each quota feature], household or "
            "null] sorted by code, forced and excluded (sorted). Its SHA-256 must be "
            "result.fingerprint."
        ),
        _(
            "2. Lottery: result.lottery lists every possible panel with its multiplicity; the "
            "multiplicities must add up to result.lottery_size (M). Every panel must have the "
            "seats, meet every quota, hold every continuing member (forced), no excluded person "
            "and at most one person per household."
        ),
        _(
            "3. Probabilities: a person's chance is the sum of the multiplicities of the panels "
            "that contain them, divided by M. It must equal result.probabilities."
        ),
        _(
            "4. Ticket: if the seed is written only with the digits 0-9, the ticket is the seed "
            "as a whole number modulo M. Otherwise, take the SHA-256 of the text fingerprint + "
            '":" + seed, read its hexadecimal digest as one whole number, modulo M. It must '
            "be result.ticket."
        ),
        _(
            "5. Panel: number the panels from 0, each taking as many consecutive numbers as its "
            "multiplicity, in the published order. The panel holding the ticket must be "
            "result.selected."
        ),
        _(
            "The engine's own check is consultation.sortition.verify(people, quotas, seats, "
            "result), in the platform's free source code."
        ),
    ]


@bp.get("/<int:draw_id>/verification.json")
@require(anyone)
def verification_json(draw_id):
    """Everything needed to check the draw without the platform, as one JSON file."""
    draw = load_draw(draw_id)
    if draw.status is not DrawStatus.DONE or not draw.result:
        abort(404)
    inputs = draw.inputs
    published_inputs = {
        # Listed field by field so that nothing else recorded with the inputs can leak.
        "people": [
            {"id": p["id"], "features": p["features"], "household": p.get("household")}
            for p in inputs.get("people", [])
        ],
        "quotas": [
            {"feature": q["feature"], "value": q["value"], "min": q["min"], "max": q["max"]}
            for q in inputs.get("quotas", [])
        ],
        "seats": inputs.get("seats", draw.seats),
        "forced": list(inputs.get("forced", [])),
        "excluded": list(inputs.get("excluded", [])),
    }
    if is_reserve_pick(draw):
        published_inputs["context"] = {
            "reserves": list(inputs.get("context", {}).get("reserves", [])),
            "reserve_draw": draw.result.get("reserve_draw"),
        }
    document = {
        "draw": {
            "id": draw.id,
            "panel_title": draw.panel.name,
            "kind": draw.kind.value,
            "algorithm": draw.algorithm,
            "seed": draw.seed,
            "created_at": draw.created_at.isoformat(),
            "finished_at": draw.finished_at.isoformat() if draw.finished_at else None,
            "page": url_for("transparency.show", draw_id=draw.id, _external=True),
        },
        "how_to_verify": how_to_verify(draw),
        "inputs": published_inputs,
        "result": draw.result,
    }
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return download(body, f"draw-{draw.id}-verification.json", "application/json")
