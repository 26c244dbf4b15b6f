"""The manifesto as a document to export: plain frozen data, no Flask, no database.

``exports.services`` builds a ``ManifestoDocument`` from the database (texts already
localised); ``exports.formats`` renders it. Every text field is user content and is
escaped by each renderer; only ``ChartDoc.svg`` is trusted markup (made by
``consultation.charts``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

SegmentKind = Literal["equal", "insert", "delete"]
ClauseChange = Literal["unchanged", "changed", "added", "deleted"]

# Every fixed string a renderer prints, in English. ``ManifestoDocument.labels`` overrides
# any of them (the service passes the French ones). "separator" sits between a label and
# its value, so French can ask for a no-break space before the colon.
DEFAULT_LABELS: dict[str, str] = {
    "document": "Manifesto",
    "separator": ": ",
    "referral": "In answer to the referral",
    "status": "Status",
    "status_value": "{status} ({date})",
    "fingerprint": "Fingerprint (SHA-256) of this state",
    "generated": "Generated on",
    "contents": "Contents",
    "preamble": "Preamble",
    "sections": "Clauses",
    "clause": "Clause",
    "provenance": "Provenance",
    "redline_since": "Changes since",
    "legend": "Inserted text is underlined and marked [+ … +]; "
    "deleted text is struck through and marked [− … −].",
    "clause_added": "New clause",
    "clause_deleted": "Clause deleted",
    "clause_changed": "Clause changed",
    "report": "Process report",
    "chart_data": "Data of the chart",
    "links": "Links",
    "colophon": "About this document",
    "page": "Page",
    "page_of": "of",
}

# The redline markers, the same in every format, so meaning never rests on colour or on
# a formatting attribute a reader (or a screen reader) may not show.
INSERT_OPEN, INSERT_CLOSE = "[+", "+]"
DELETE_OPEN, DELETE_CLOSE = "[\u2212", "\u2212]"


@dataclass(frozen=True)
class Segment:
    """A piece of a redline: text kept, inserted or deleted (``textdiff.word_diff`` ops)."""

    kind: SegmentKind
    text: str


@dataclass(frozen=True)
class ClauseDoc:
    """A clause as printed: its number ("2.3"), text, provenance note and redline."""

    number: str
    text: str
    provenance: str | None = None
    redline: tuple[Segment, ...] | None = None
    change: ClauseChange = "unchanged"

    def segments(self) -> tuple[Segment, ...]:
        """What to print: the redline when there is one, else the text, wholly inserted or
        deleted when the clause was added or deleted."""
        if self.redline is not None:
            return self.redline
        if self.change == "deleted":
            return (Segment("delete", self.text),)
        if self.change == "added":
            return (Segment("insert", self.text),)
        return (Segment("equal", self.text),)


@dataclass(frozen=True)
class SectionDoc:
    number: str
    title: str
    clauses: tuple[ClauseDoc, ...]


@dataclass(frozen=True)
class TableDoc:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ChartDoc:
    """A chart: ``svg`` is a whole ``<svg>`` string from ``consultation.charts`` (trusted);
    ``table`` says the same in data, for whoever cannot see the picture."""

    title: str
    description: str
    svg: str
    table: TableDoc


@dataclass(frozen=True)
class ReportSection:
    title: str
    paragraphs: tuple[str, ...] = ()
    charts: tuple[ChartDoc, ...] = ()
    tables: tuple[TableDoc, ...] = ()
    links: tuple[tuple[str, str], ...] = ()  # (label, url)


@dataclass(frozen=True)
class ManifestoDocument:
    """Everything an export prints, already localised (dates, status, provenance)."""

    title: str
    preamble_md: str
    status: str
    status_date: str
    referral_title: str
    language: str
    fingerprint: str
    generated_at: str
    sections: tuple[SectionDoc, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    redline_since: str | None = None
    report: tuple[ReportSection, ...] = ()
    state: Mapping[str, Any] | None = None

    def label(self, key: str) -> str:
        return self.labels.get(key, DEFAULT_LABELS[key])

    def labelled(self, key: str, value: str) -> str:
        """``"Status: adopted"``, with the language's own separator."""
        return f"{self.label(key)}{self.label('separator')}{value}"

    @property
    def status_line(self) -> str:
        return self.label("status_value").format(status=self.status, date=self.status_date)

    @property
    def is_redline(self) -> bool:
        return self.redline_since is not None or any(
            clause.redline is not None or clause.change != "unchanged"
            for section in self.sections
            for clause in section.clauses
        )


# XML 1.0 (docx, odt) refuses C0 controls but tab and newline, and U+FFFE/U+FFFF;
# HTML calls them parse errors. Lone surrogates cannot be encoded at all.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without the characters no XML file can hold; line ends become ``\\n``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNPRINTABLE.sub("", text)


def _clean(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, tuple):
        return tuple(_clean(item) for item in value)
    if dataclasses.is_dataclass(value):
        changes = {
            f.name: _clean(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("svg", "state", "kind", "change")
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, Mapping):
        return {key: _clean(item) for key, item in value.items()}
    return value


def printable(doc: ManifestoDocument) -> ManifestoDocument:
    """A copy of ``doc`` whose every text field went through ``clean_text``.

    The trusted chart SVG and the JSON state are left as they are.
    """
    return _clean(doc)


def _canonical(value):
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"A manifesto state cannot hold {value!r}.")
        # 2.0 and 2 are the same number: they must not give two fingerprints.
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("The keys of a manifesto state must be strings.")
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    raise TypeError(f"A manifesto state cannot hold a {type(value).__name__}.")


def canonical_json(state: Mapping[str, Any]) -> str:
    """``state`` as one canonical JSON text: sorted keys, no spaces, UTF-8 characters kept.

    Whole floats are written as integers; NaN and infinities raise ``ValueError``, and
    anything JSON cannot hold as such (dates, sets, non-string keys) raises ``TypeError``,
    so the same state always gives the same text.
    """
    return json.dumps(
        _canonical(state),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def fingerprint(state: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of ``canonical_json(state)`` in UTF-8: the same state, the same print.

    It covers the manifesto state only, never when or in which format it was exported.
    """
    return hashlib.sha256(canonical_json(state).encode("utf-8")).hexdigest()
