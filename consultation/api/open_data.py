"""The open-data page and its downloads: every dataset as JSON and as CSV."""

import csv
import io

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template

from consultation.api.datasets import DATASETS, Dataset
from consultation.api.views import body, conditional
from consultation.extensions import db
from consultation.permissions import anyone, require

bp = Blueprint("open_data", __name__, url_prefix="/open-data")

#: A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """A CSV cell. Texts that a spreadsheet would run as a formula get a leading
    apostrophe, which spreadsheets show as text; the JSON files keep the exact text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_text(dataset: Dataset, items: list[dict]) -> str:
    """The dataset as CSV (RFC 4180: header row, CRLF, quotes where needed), in UTF-8."""
    columns = dataset.csv_columns()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for item in items:
        for row in dataset.csv_rows(item):
            writer.writerow([cell(row.get(column)) for column in columns])
    return out.getvalue()


def load(dataset: Dataset) -> list[dict]:
    """Every public item of the dataset, serialized as the API serves them."""
    return dataset.serialize(list(db.session.scalars(dataset.query())))


def count(dataset: Dataset) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(dataset.query().subquery()))


@bp.get("/")
@require(anyone)
def index():
    """The list of open datasets, each downloadable as JSON and CSV."""
    datasets = [(dataset, count(dataset)) for dataset in DATASETS.values()]
    return render_template("open_data/index.html", datasets=datasets)


@bp.get("/<name>.<any(json, csv):fmt>")
@require(anyone)
def download(name, fmt):
    """One dataset as a file to download."""
    dataset = DATASETS.get(name)
    if dataset is None:
        abort(404)
    items = load(dataset)
    if fmt == "json":
        content = body({"dataset": name, "total": len(items), "items": items})
        mimetype = "application/json"
    else:
        content = csv_text(dataset, items).encode("utf-8")
        mimetype = "text/csv"
    response = current_app.response_class(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="consultation-{name}.{fmt}"'
    return conditional(response)
