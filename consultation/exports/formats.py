"""Render a ``ManifestoDocument`` as Markdown, HTML, PDF, DOCX, ODT or JSON. No Flask here.

``render(doc, fmt)`` returns the file's bytes; ``MEDIA_TYPES`` and ``EXTENSIONS`` give
what to serve it as. Every text field of the document is user content: each format
escapes it its own way, and characters no XML file can hold are dropped first
(``document.printable``). DOCX and ODT live in ``formats_docx`` and ``formats_odt``.
"""

from __future__ import annotations

import json
import re
import warnings
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from consultation import markdown

from . import formats_docx, formats_odt
from .document import (
    DELETE_CLOSE,
    DELETE_OPEN,
    INSERT_CLOSE,
    INSERT_OPEN,
    ClauseDoc,
    ManifestoDocument,
    TableDoc,
    printable,
)
from .formats_office import safe_url

FORMATS = ("md", "html", "pdf", "docx", "odt", "json")

MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "json": "application/json",
}

EXTENSIONS = {fmt: f".{fmt}" for fmt in FORMATS}

JSON_FORMAT, JSON_VERSION = "consultation-manifesto", 1

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


class UnknownFormat(ValueError):
    """Asked for a format that ``render`` does not make."""


def render(doc: ManifestoDocument, fmt: str) -> bytes:
    """The manifesto ``doc`` as a file in format ``fmt`` (one of ``FORMATS``).

    Raises ``UnknownFormat`` for any other ``fmt``.
    """
    renderers = {
        "md": render_markdown,
        "html": lambda d: render_html(d).encode("utf-8"),
        "pdf": render_pdf,
        "docx": formats_docx.render_docx,
        "odt": formats_odt.render_odt,
        "json": render_json,
    }
    if fmt not in renderers:
        raise UnknownFormat(f"Unknown export format: {fmt!r}.")
    return renderers[fmt](doc)


# ---------------------------------------------------------------------------- Markdown

_MD_INLINE = re.compile(r"([\\`*_\[\]])")
_MD_BLOCK_START = re.compile(r"^(\s*)([#>+\-=|~]|\d+(?=[.)]))")
_ASCII_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # no-break spaces are typography: kept


def _md_inline(text: str) -> str:
    """Escape what would make emphasis, code, a link or raw HTML of user text."""
    return _MD_INLINE.sub(r"\\\1", text).replace("<", "&lt;")


def _md_lines(text: str) -> str:
    """One paragraph: lines trimmed (no code block), block markers escaped (no heading,
    list or quote), blank lines dropped, line breaks kept as hard breaks."""
    lines = []
    for line in text.split("\n"):
        line = line.strip(" \t")
        match = _MD_BLOCK_START.match(line)
        if match:
            at = match.end() if match.group(2)[0].isdigit() else match.start(2)
            line = line[:at] + "\\" + line[at:]
        if line:
            lines.append(line)
    return "  \n".join(lines)


def _md_text(text: str) -> str:
    """Plain text that Markdown prints as it is."""
    return _md_lines(_md_inline(text))


def _md_one_line(text: str) -> str:
    """Text on one line, inside a heading, a list item, emphasis or a cell (never at a
    line start, so no block marker to escape)."""
    return _md_inline(_ASCII_SPACES.sub(" ", text)).strip(" ")


def _md_segments(clause: ClauseDoc) -> str:
    parts = []
    for segment in clause.segments():
        text = _md_inline(segment.text)
        if segment.kind == "insert":
            text = f"{INSERT_OPEN}{text}{INSERT_CLOSE}"
        elif segment.kind == "delete":
            text = f"{DELETE_OPEN}{text}{DELETE_CLOSE}"
        parts.append(text)
    return _md_lines("".join(parts))


def _md_cell(text: str) -> str:
    return _md_one_line(text).replace("|", "\\|") or " "


def _md_table(table: TableDoc) -> list[str]:
    width = max([len(table.headers), *(len(row) for row in table.rows)])
    headers = [*table.headers, *[""] * (width - len(table.headers))]
    lines = [f"**{_md_one_line(table.caption)}**", ""] if table.caption else []
    lines.append("| " + " | ".join(_md_cell(h) for h in headers) + " |")
    lines.append("|" + "---|" * width)
    for row in table.rows:
        cells = [*row, *[""] * (width - len(row))]
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return [*lines, ""]


def _md_preamble(source: str) -> str:
    """The preamble's own Markdown, its headings pushed two levels down as on the site,
    its raw HTML made text."""
    lines, fenced = [], False
    for line in source.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced:
            if re.match(r"#{1,6}\s", line):
                line = "######" + line.lstrip("#") if line.startswith("#####") else "##" + line
            # Raw HTML is never kept (the site strips it too): "<" prints as itself.
            line = line.replace("<", "&lt;")
        lines.append(line)
    return "\n".join(lines).strip()


def _md_link(label: str, url: str) -> str:
    if not safe_url(url):
        return f"{_md_one_line(label)} ({_md_one_line(url)})"
    target = url.strip().replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
    return f"[{_md_one_line(label)}](<{target}>)"


def render_markdown(doc: ManifestoDocument) -> bytes:
    """CommonMark: the redline as ``[+inserted+]`` and ``[−deleted−]`` (the legend says so)."""
    doc = printable(doc)
    out = [f"# {_md_one_line(doc.title)}", ""]
    meta = [
        ("referral", doc.referral_title),
        ("status", doc.status_line),
        *([("redline_since", doc.redline_since)] if doc.redline_since else []),
        ("generated", doc.generated_at),
    ]
    for key, value in meta:
        out.append(
            f"- **{_md_one_line(doc.label(key))}**{doc.label('separator')}{_md_one_line(value)}"
        )
    out.append(
        f"- **{_md_one_line(doc.label('fingerprint'))}**{doc.label('separator')}`{doc.fingerprint}`"
    )
    out.append("")
    if doc.is_redline:
        # The legend shows the markers themselves: escaped, they would read "\\[+".
        out += [f"> {_ASCII_SPACES.sub(' ', doc.label('legend'))}", ""]
    preamble = _md_preamble(doc.preamble_md)
    if preamble:
        out += [f"## {_md_one_line(doc.label('preamble'))}", "", preamble, ""]
    for section in doc.sections:
        out += [f"## {_md_one_line(section.number)}. {_md_one_line(section.title)}", ""]
        for clause in section.clauses:
            note = ""
            if clause.change != "unchanged":
                note = f"*({_md_one_line(doc.label('clause_' + clause.change))})* "
            out += [f"**{_md_one_line(clause.number)}** {note}{_md_segments(clause)}", ""]
            if clause.provenance:
                out += [f"*{_md_one_line(doc.labelled('provenance', clause.provenance))}*", ""]
    if doc.report:
        out += [f"## {_md_one_line(doc.label('report'))}", ""]
        for part in doc.report:
            out += [f"### {_md_one_line(part.title)}", ""]
            for paragraph in part.paragraphs:
                out += [_md_text(paragraph), ""]
            for chart in part.charts:
                out += [f"#### {_md_one_line(chart.title)}", "", _md_text(chart.description), ""]
                out += _md_table(chart.table)
            for table in part.tables:
                out += _md_table(table)
            if part.links:
                out += [f"- {_md_link(label, url)}" for label, url in part.links] + [""]
    out += [
        "---",
        "",
        f"*{_md_one_line(doc.labelled('generated', doc.generated_at))}*  ",
        f"*{_md_one_line(doc.label('fingerprint'))}*{doc.label('separator')}`{doc.fingerprint}`",
    ]
    return ("\n".join(out) + "\n").encode("utf-8")


# ------------------------------------------------------------------------------- HTML


def _redline_html(clause: ClauseDoc) -> Markup:
    """The clause's segments, insertions in ``<ins>`` and deletions in ``<del>``.

    The markers are plain text, outside the element so the strike-through does not hide
    the minus sign: they are printed, copied and read aloud. (A span around each one
    would cost WeasyPrint a quarter of its time on a long redline.)
    """
    parts = []
    for segment in clause.segments():
        if segment.kind == "insert":
            template = Markup("{}<ins>{}</ins>{}")
            parts.append(template.format(INSERT_OPEN, segment.text, INSERT_CLOSE))
        elif segment.kind == "delete":
            template = Markup("{}<del>{}</del>{}")
            parts.append(template.format(DELETE_OPEN, segment.text, DELETE_CLOSE))
        else:
            parts.append(escape(segment.text))
    return Markup("").join(parts)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["redline"] = _redline_html
    # The charts come from consultation.charts, which escapes every text it draws.
    env.filters["trusted_svg"] = Markup
    env.filters["safe_url"] = safe_url
    return env


def render_html(doc: ManifestoDocument) -> str:
    """A standalone, print-ready HTML page (A4, running footer with the fingerprint)."""
    doc = printable(doc)
    preamble = markdown.render(doc.preamble_md) if doc.preamble_md.strip() else Markup("")
    return _environment().get_template("exports/manifesto.html").render(doc=doc, preamble=preamble)


# -------------------------------------------------------------------------------- PDF


@cache
def _weasyprint():
    # Without libharfbuzz-subset WeasyPrint warns that it will be needed one day, and
    # subsets fonts with fontTools meanwhile: the PDF is the same, so the warning is noise.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
        import weasyprint
    return weasyprint


def render_pdf(doc: ManifestoDocument) -> bytes:
    """The HTML page printed by WeasyPrint, as a tagged PDF (headings, tables, reading
    order for screen readers; about 5 % more time). Title and language come from
    ``<title>`` and ``<html lang>``. Nothing is fetched: the page holds all it shows."""
    weasyprint = _weasyprint()
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    page = weasyprint.HTML(string=render_html(doc), base_url=str(TEMPLATES), url_fetcher=fetcher)
    return page.write_pdf(pdf_tags=True)


# ------------------------------------------------------------------------------- JSON


def render_json(doc: ManifestoDocument) -> bytes:
    """The manifesto state as data, with what identifies this export of it."""
    payload = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "fingerprint": doc.fingerprint,
        "generated_at": doc.generated_at,
        "language": doc.language,
        "title": doc.title,
        "referral_title": doc.referral_title,
        "status": doc.status,
        "status_date": doc.status_date,
        "redline_since": doc.redline_since,
        "state": doc.state,
    }
    if doc.is_redline:
        # The redline is this export's view of the state, kept beside it, not inside it.
        payload["redline"] = [
            {
                "number": clause.number,
                "change": clause.change,
                "segments": [[segment.kind, segment.text] for segment in clause.segments()],
            }
            for section in doc.sections
            for clause in section.clauses
            if clause.change != "unchanged" or clause.redline is not None
        ]
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
