"""The read-only public JSON API under ``/api/v1``, described by ``/api/v1/openapi.json``."""

import hashlib
import json
import re

from flask import Blueprint, current_app, request, url_for

from consultation.api import openapi, serializers, services
from consultation.api.datasets import DATASETS
from consultation.extensions import db
from consultation.permissions import anyone, require

bp = Blueprint("api", __name__, url_prefix="/api/v1")

CACHE_SECONDS = 60
_WHOLE = re.compile(r"[0-9]{1,9}\Z")


class InvalidParameter(Exception):
    """A query parameter the API cannot read; answered with a 400 and the message."""


def body(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def conditional(response):
    """Give a complete answer its strong ETag and cache lifetime; a client that already
    holds this very body (If-None-Match) gets 304 without it."""
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response.make_conditional(request)


def publish(data, *, headers=None):
    response = current_app.response_class(
        body(data), mimetype="application/json", headers=headers or {}
    )
    return conditional(response)


def error(status: int, message: str):
    response = current_app.response_class(body({"error": message}), mimetype="application/json")
    response.status_code = status
    return response


def not_found(what: str):
    return error(404, f"No public {what} has this id.")


def _whole(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not _WHOLE.match(raw) or not 1 <= int(raw) <= maximum:
        raise InvalidParameter(f"{name} must be a whole number from 1 to {maximum}.")
    return int(raw)


def page_arguments() -> tuple[int, int]:
    """``page`` and ``per_page`` from the query string; raises InvalidParameter."""
    return (
        _whole("page", 1, openapi.MAX_PAGE),
        _whole("per_page", openapi.DEFAULT_PER_PAGE, openapi.MAX_PER_PAGE),
    )


def paged(dataset: str, parent_id: int | None = None):
    """One page of a dataset, with links to its neighbours in the body and in ``Link``."""
    try:
        page, per_page = page_arguments()
    except InvalidParameter as problem:
        return error(400, str(problem))
    source = DATASETS[dataset]
    query = source.query() if parent_id is None else source.query(parent_id)
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    last = max(pagination.pages, 1)

    def link(number: int) -> str:
        return url_for(
            request.endpoint,
            **(request.view_args or {}),
            page=number,
            per_page=per_page,
            _external=True,
        )

    data = {
        "items": source.serialize(list(pagination.items)),
        "page": page,
        "per_page": per_page,
        "total": pagination.total,
        "next": link(page + 1) if page < last else None,
        # Past the end, "previous" is the last page: the one just before is empty too.
        "prev": link(min(page - 1, last)) if page > 1 else None,
    }
    relations = [("first", link(1))]
    if data["prev"]:
        relations.append(("prev", data["prev"]))
    if data["next"]:
        relations.append(("next", data["next"]))
    relations.append(("last", link(last)))
    header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in relations)
    return publish(data, headers={"Link": header})


@bp.get("/openapi.json")
@require(anyone)
def openapi_document():
    """The OpenAPI 3.1 description of this API."""
    return publish(openapi.document())


@bp.get("/referrals")
@require(anyone)
def referrals():
    """Public referrals, a page at a time."""
    return paged("referrals")


@bp.get("/referrals/<int:referral_id>")
@require(anyone)
def referral(referral_id):
    """One public referral."""
    item = services.referral(referral_id)
    if item is None:
        return not_found("referral")
    return publish(DATASETS["referrals"].serialize([item])[0])


@bp.get("/referrals/<int:referral_id>/contributions")
@require(anyone)
def referral_contributions(referral_id):
    """A public referral's visible contributions, authors as pseudonymous codes."""
    if services.referral(referral_id) is None:
        return not_found("referral")
    return paged("contributions", referral_id)


@bp.get("/manifestos")
@require(anyone)
def manifestos():
    """Manifestos of public referrals, with their current text."""
    return paged("manifestos")


@bp.get("/manifestos/<int:manifesto_id>")
@require(anyone)
def manifesto(manifesto_id):
    """A manifesto's current text."""
    item = services.manifesto(manifesto_id)
    if item is None:
        return not_found("manifesto")
    return publish(serializers.manifesto(item))


def _manifesto_list(manifesto_id: int, dataset: str):
    if services.manifesto(manifesto_id) is None:
        return not_found("manifesto")
    return paged(dataset, manifesto_id)


@bp.get("/manifestos/<int:manifesto_id>/clause-versions")
@require(anyone)
def manifesto_clause_versions(manifesto_id):
    """Every version of every clause of a manifesto."""
    return _manifesto_list(manifesto_id, "clause-versions")


@bp.get("/manifestos/<int:manifesto_id>/amendments")
@require(anyone)
def manifesto_amendments(manifesto_id):
    """Amendments proposed to a manifesto."""
    return _manifesto_list(manifesto_id, "amendments")


@bp.get("/manifestos/<int:manifesto_id>/votes")
@require(anyone)
def manifesto_votes(manifesto_id):
    """A manifesto's votes: turnout while open, aggregated results once closed."""
    return _manifesto_list(manifesto_id, "votes")


@bp.get("/draws")
@require(anyone)
def draws():
    """Finished draws, without their lotteries."""
    return paged("draws")


@bp.get("/draws/<int:draw_id>")
@require(anyone)
def draw(draw_id):
    """A finished draw with its lottery, as its transparency page publishes it."""
    item = services.draw(draw_id)
    if item is None:
        return not_found("draw")
    return publish(serializers.draw(item))


def init_errors(app) -> None:
    """Answer in JSON what goes wrong under /api/v1 before any API view runs (an unknown
    path, a wrong method); the site's own HTML pages stay as they are elsewhere.

    Registered after ``errors.init_app``, whose handlers it takes over and calls back.
    """
    site = {code: dict(app.error_handler_spec[None].get(code, {})) for code in (404, 405)}

    def in_api() -> bool:
        return request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/")

    def fallback(code, exception):
        handler = site[code].get(type(exception)) or next(iter(site[code].values()), None)
        return handler(exception) if handler else exception

    @app.errorhandler(404)
    def not_found_anywhere(exception):
        if not in_api():
            return fallback(404, exception)
        return error(404, "Nothing here: see /api/v1/openapi.json for what the API publishes.")

    @app.errorhandler(405)
    def wrong_method(exception):
        if not in_api():
            return fallback(405, exception)
        response = error(405, "The API is read-only: use GET.")
        response.headers["Allow"] = ", ".join(sorted(exception.valid_methods or ["GET"]))
        return response
