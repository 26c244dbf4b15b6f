"""The OpenAPI 3.1 description of the public API, written as Python data.

``SCHEMAS`` describe exactly what ``serializers`` return (the tests validate real
answers against them, and the CSV columns of the downloads are read from them);
``document()`` assembles the paths around them for ``/api/v1/openapi.json``.
"""

from consultation.api import services
from consultation.api.pseudonyms import ALPHABET, LENGTH, PREFIX
from consultation.manifesto.models import (
    AmendmentKind,
    AmendmentStatus,
    ManifestoStatus,
    VersionSource,
)
from consultation.panels.models import DrawKind
from consultation.referrals.models import Participation, Stance
from consultation.votes import tally
from consultation.votes.models import QuestionKind, QuestionStatus

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_PAGE = 1_000_000
MAX_ID = services.MAX_ID

READABLE_PHASES = [phase.value for phase in services.readable_phases()]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    """``schema`` or null (OpenAPI 3.1 is JSON Schema 2020-12: null is a type)."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema["type"]
    result = dict(schema, type=[kind, "null"])
    if "enum" in schema:
        result["enum"] = [*schema["enum"], None]
    return result


def obj(properties: dict, description: str = "") -> dict:
    """A closed object: every property present (null when empty), nothing else."""
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def enum(values, description: str = "") -> dict:
    schema = {"type": "string", "enum": [getattr(v, "value", v) for v in values]}
    if description:
        schema["description"] = description
    return schema


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


ID = {"type": "integer", "minimum": 1}
COUNT = {"type": "integer", "minimum": 0}
TEXT = {"type": "string"}
URL = {"type": "string", "format": "uri"}
TIME = {"type": "string", "format": "date-time", "description": "RFC 3339, in UTC."}
DATE = {"type": "string", "format": "date"}
SHARE = {"type": "number", "minimum": 0, "maximum": 1}
AUTHOR = nullable(
    {
        "type": "string",
        "pattern": f"^{PREFIX}[{ALPHABET}]{{{LENGTH}}}$",
        "description": (
            "Pseudonymous code of the author: the same person always has the same code; "
            "null once the author deleted their account."
        ),
    }
)
VOLUNTEER_CODE = {"type": "string", "description": "A volunteer's pseudonymous code (V-…)."}

SCHEMAS = {
    "Error": obj({"error": TEXT}, "What was wrong with the request."),
    "Referral": obj(
        {
            "id": ID,
            "title": TEXT,
            "question": TEXT,
            "context": {"type": "string", "description": "Markdown source."},
            "documents": array(obj({"title": TEXT, "url": TEXT})),
            "phase": enum(READABLE_PHASES),
            "participation": enum(Participation),
            "panel": obj({"id": ID, "name": TEXT}),
            "calendar": obj(
                {
                    name: nullable(DATE)
                    for name in (
                        "opens_on",
                        "deliberation_on",
                        "drafting_on",
                        "vote_on",
                        "closes_on",
                    )
                }
            ),
            "created_at": TIME,
            "contribution_count": COUNT,
            "manifesto_ids": array(ID),
            "links": obj({"html": URL, "contributions": URL}),
        },
        "A referral (saisine) open to the public.",
    ),
    "Contribution": obj(
        {
            "id": ID,
            "referral_id": ID,
            "parent_id": nullable(ID),
            "root_id": nullable(ID),
            "depth": COUNT,
            "author": AUTHOR,
            "stance": nullable(enum(Stance)),
            "body": {"type": "string", "description": "Markdown source."},
            "created_at": TIME,
            "edited_at": nullable(TIME),
            "highlighted": {"type": "boolean"},
            "support_count": COUNT,
            "reply_count": COUNT,
            "links": obj({"html": URL}),
        },
        "A contribution that moderators have not hidden. A parent may be hidden, hence absent.",
    ),
    "Clause": obj(
        {
            "id": ID,
            "number": {"type": "string", "description": "As displayed, e.g. 2.3."},
            "version": {"type": "integer", "minimum": 1},
            "text": TEXT,
        }
    ),
    "Section": obj({"number": TEXT, "title": TEXT, "clauses": array(ref("Clause"))}),
    "Manifesto": obj(
        {
            "id": ID,
            "referral_id": ID,
            "title": TEXT,
            "preamble": {"type": "string", "description": "Markdown source."},
            "status": enum(ManifestoStatus),
            "rules": obj({"quorum": TEXT, "threshold": TEXT, "secret_ballot": {"type": "boolean"}}),
            "created_at": TIME,
            "sections": array(ref("Section")),
            "links": obj({"html": URL, "clause_versions": URL, "amendments": URL, "votes": URL}),
        },
        "A manifesto's current text.",
    ),
    "ClauseVersion": obj(
        {
            "id": ID,
            "manifesto_id": ID,
            "clause_id": ID,
            "number": {"type": "integer", "minimum": 1},
            "text": TEXT,
            "source": enum(VersionSource),
            "amendment_id": nullable(ID),
            "author": AUTHOR,
            "created_at": TIME,
        },
        "One version of a clause; versions are never changed or deleted.",
    ),
    "Amendment": obj(
        {
            "id": ID,
            "manifesto_id": ID,
            "clause_id": ID,
            "kind": enum(AmendmentKind),
            "status": enum(s for s in AmendmentStatus if s is not AmendmentStatus.DRAFT),
            "base_version": obj({"id": ID, "number": {"type": "integer", "minimum": 1}}),
            "proposed_text": nullable({"type": "string", "description": "Null for a deletion."}),
            "rationale": TEXT,
            "author": AUTHOR,
            "cosignatures": COUNT,
            "created_at": TIME,
            "decided_at": nullable(TIME),
            "result_version_id": nullable(ID),
            "links": obj({"html": URL}),
        }
    ),
    "VoteOption": obj(
        {
            "id": ID,
            "position": {"type": "integer"},
            "label": TEXT,
            "text": TEXT,
            "amendment_id": nullable(ID),
        }
    ),
    "MeritProfile": obj(
        {
            "option_id": ID,
            "rank": {"type": "integer", "minimum": 1},
            "majority_grade": COUNT,
            "profile": {
                **array(COUNT),
                "description": "Number of voters per grade code, lowest grade first.",
            },
        }
    ),
    "Judgment": obj(
        {
            "grades": {"type": "integer", "minimum": 1},
            "grade_names": array(TEXT),
            "voters": COUNT,
            "winner_option_id": nullable(ID),
            "ranking": array(ref("MeritProfile")),
        },
        "A closed majority judgment: merit profiles only, never a ballot.",
    ),
    "Question": obj(
        {
            "id": ID,
            "manifesto_id": ID,
            "kind": enum(QuestionKind),
            "status": enum(QuestionStatus),
            "title": TEXT,
            "subject": obj(
                {
                    "amendment_id": nullable(ID),
                    "amendment_revision_id": nullable(ID),
                    "clause_id": nullable(ID),
                    "clause_version_id": nullable(ID),
                    "text_fingerprint": nullable(TEXT),
                }
            ),
            "rules": obj({"secret": {"type": "boolean"}, "quorum": TEXT, "threshold": TEXT}),
            "eligible": COUNT,
            "turnout": COUNT,
            "opened_at": TIME,
            "closed_at": nullable(TIME),
            "result": nullable(enum([*tally.REASONS, "decided", "tie"])),
            "counts": nullable(ref("Counts")),
            "options": array(ref("VoteOption")),
            "judgment": nullable(ref("Judgment")),
            "links": obj({"html": URL}),
        },
        "A question put to the vote. Open: turnout only. Closed: aggregated results.",
    ),
    "Counts": obj({"for": COUNT, "against": COUNT, "abstain": COUNT}),
    "CompositionValue": obj(
        {
            "value": TEXT,
            "selected": COUNT,
            "min": COUNT,
            "max": COUNT,
            "pool": COUNT,
            "pool_share": SHARE,
            "within": {"type": "boolean"},
        }
    ),
    "Composition": obj({"feature": TEXT, "values": array(ref("CompositionValue"))}),
    "LotteryEntry": obj(
        {
            "first": COUNT,
            "last": COUNT,
            "multiplicity": {"type": "integer", "minimum": 1},
            "probability": SHARE,
            "members": array(VOLUNTEER_CODE),
        }
    ),
    "Lottery": obj(
        {
            "size": {"type": "integer", "minimum": 1},
            "ticket": COUNT,
            "panel_index": COUNT,
            "entries": array(ref("LotteryEntry")),
        }
    ),
}

_DRAW_SUMMARY = {
    "id": ID,
    "panel": obj({"id": ID, "name": TEXT}),
    "kind": enum(DrawKind),
    "seed": TEXT,
    "algorithm": TEXT,
    "fingerprint": nullable(TEXT),
    "created_at": TIME,
    "finished_at": nullable(TIME),
    "seats": COUNT,
    "reserves_wanted": COUNT,
    "pool_size": COUNT,
    "min_probability": nullable(SHARE),
    "mean_probability": nullable(SHARE),
    "reserve_pick": {"type": "boolean"},
    "reserve_draw_id": nullable(ID),
    "selected": array(VOLUNTEER_CODE),
    "continuing": array(VOLUNTEER_CODE),
    "excluded": array(VOLUNTEER_CODE),
    "reserves": array(VOLUNTEER_CODE),
    "composition": array(ref("Composition")),
    "links": obj({"html": URL, "verification": URL, "lottery_csv": nullable(URL)}),
}
SCHEMAS["DrawSummary"] = obj(_DRAW_SUMMARY, "A finished draw, without its lottery.")
SCHEMAS["Draw"] = obj(
    {**_DRAW_SUMMARY, "lottery": nullable(ref("Lottery"))},
    "A finished draw with its lottery (null when a reserve took a seat without one).",
)


def page_schema(item: str) -> dict:
    return obj(
        {
            "items": array(ref(item)),
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": COUNT,
            "next": nullable(URL),
            "prev": nullable(URL),
        }
    )


#: List endpoints and the item each page holds.
PAGES = {
    "ReferralPage": "Referral",
    "ContributionPage": "Contribution",
    "ManifestoPage": "Manifesto",
    "ClauseVersionPage": "ClauseVersion",
    "AmendmentPage": "Amendment",
    "QuestionPage": "Question",
    "DrawPage": "DrawSummary",
}
for _name, _item in PAGES.items():
    SCHEMAS[_name] = page_schema(_item)


def columns(schema_name: str, prefix: str = "") -> list[str]:
    """CSV columns of a published object: its properties, nested objects as ``a.b``."""
    schema = SCHEMAS[schema_name]
    return _columns(schema, prefix)


def _columns(schema: dict, prefix: str) -> list[str]:
    result = []
    for name, prop in schema["properties"].items():
        if prop.get("type") == "object":
            result.extend(_columns(prop, f"{prefix}{name}."))
        else:
            result.append(f"{prefix}{name}")
    return result


# ------------------------------------------------------------------ the document

PAGE_PARAMETERS = [
    {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "Page number, from 1.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
    {
        "name": "per_page",
        "in": "query",
        "required": False,
        "description": f"Items per page, at most {MAX_PER_PAGE}.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE,
        },
    },
]
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "An ETag received before: the answer is 304 if nothing changed.",
    "schema": {"type": "string"},
}


def _id_parameter(name: str, what: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"Id of the {what}.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }


CACHE_HEADERS = {
    "ETag": {
        "description": "Strong validator: a hash of the body.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Cache-Control": {"required": True, "schema": {"type": "string"}},
}
LINK_HEADER = {
    "Link": {
        "description": "RFC 8288 links to the first, previous, next and last pages.",
        "required": True,
        "schema": {"type": "string"},
    }
}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _error(description: str) -> dict:
    return {"description": description, "content": _json(ref("Error"))}


NOT_MODIFIED = {"description": "Not modified since the ETag given in If-None-Match."}


def _operation(
    operation_id: str,
    summary: str,
    schema: str,
    *,
    tag: str,
    path_parameter: dict | None = None,
    paginated: bool = False,
) -> dict:
    parameters = [path_parameter] if path_parameter else []
    if paginated:
        parameters += PAGE_PARAMETERS
    parameters.append(IF_NONE_MATCH)
    responses = {
        "200": {
            "description": "OK",
            "headers": CACHE_HEADERS | (LINK_HEADER if paginated else {}),
            "content": _json(ref(schema)),
        },
        "304": NOT_MODIFIED,
    }
    if paginated:
        responses["400"] = _error("A page parameter is not a whole number in range.")
    if path_parameter:
        responses["404"] = _error("Nothing public has this id.")
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": [tag],
            "parameters": parameters,
            "responses": responses,
        }
    }


REFERRAL_ID = _id_parameter("referral_id", "referral")
MANIFESTO_ID = _id_parameter("manifesto_id", "manifesto")
DRAW_ID = _id_parameter("draw_id", "draw")


def document() -> dict:
    """The OpenAPI 3.1 document (paths are absolute, so the server is this site's root)."""
    base = "/api/v1"
    paths = {
        f"{base}/referrals": _operation(
            "listReferrals", "Public referrals", "ReferralPage", tag="referrals", paginated=True
        ),
        f"{base}/referrals/{{referral_id}}": _operation(
            "getReferral",
            "One public referral",
            "Referral",
            tag="referrals",
            path_parameter=REFERRAL_ID,
        ),
        f"{base}/referrals/{{referral_id}}/contributions": _operation(
            "listContributions",
            "Visible contributions of a referral, authors as pseudonymous codes",
            "ContributionPage",
            tag="referrals",
            path_parameter=REFERRAL_ID,
            paginated=True,
        ),
        f"{base}/manifestos": _operation(
            "listManifestos",
            "Manifestos of public referrals",
            "ManifestoPage",
            tag="manifestos",
            paginated=True,
        ),
        f"{base}/manifestos/{{manifesto_id}}": _operation(
            "getManifesto",
            "A manifesto's current text",
            "Manifesto",
            tag="manifestos",
            path_parameter=MANIFESTO_ID,
        ),
        f"{base}/manifestos/{{manifesto_id}}/clause-versions": _operation(
            "listClauseVersions",
            "Every version of every clause",
            "ClauseVersionPage",
            tag="manifestos",
            path_parameter=MANIFESTO_ID,
            paginated=True,
        ),
        f"{base}/manifestos/{{manifesto_id}}/amendments": _operation(
            "listAmendments",
            "Amendments proposed to the manifesto",
            "AmendmentPage",
            tag="manifestos",
            path_parameter=MANIFESTO_ID,
            paginated=True,
        ),
        f"{base}/manifestos/{{manifesto_id}}/votes": _operation(
            "listVotes",
            "Questions put to the vote: turnout while open, aggregated results once closed",
            "QuestionPage",
            tag="votes",
            path_parameter=MANIFESTO_ID,
            paginated=True,
        ),
        f"{base}/draws": _operation(
            "listDraws", "Finished draws", "DrawPage", tag="draws", paginated=True
        ),
        f"{base}/draws/{{draw_id}}": _operation(
            "getDraw",
            "A finished draw with its lottery",
            "Draw",
            tag="draws",
            path_parameter=DRAW_ID,
        ),
    }
    paths[f"{base}/openapi.json"] = {
        "get": {
            "operationId": "getOpenAPI",
            "summary": "This document",
            "tags": ["meta"],
            "parameters": [IF_NONE_MATCH],
            "responses": {
                "200": {
                    "description": "OK",
                    "headers": CACHE_HEADERS,
                    "content": _json({"type": "object"}),
                },
                "304": NOT_MODIFIED,
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Consultation open data",
            "version": "1.0.0",
            "description": (
                "Read-only, public data of the platform: public referrals and their "
                "contributions, manifestos with their history, amendments and vote results, "
                "and the draws of the citizen panels. People appear only as pseudonymous "
                "codes: authors as A- codes derived from their account with a keyed hash, "
                "volunteers as the V- codes their draw publishes. Lists are paginated "
                "(page, per_page) and linked with RFC 8288 Link headers; every answer has a "
                "strong ETag and may be cached for 60 seconds."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
