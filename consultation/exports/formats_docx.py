"""The manifesto as a Word document (python-docx): built-in heading styles, the redline
double-underlined or struck through and marked, the fingerprint in the page footer."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_UNDERLINE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

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
from .formats_office import (
    PICTURE_WIDTH_CM,
    Block,
    Rasteriser,
    alt_text,
    language_tag,
    preamble_blocks,
    safe_url,
)


def render_docx(doc: ManifestoDocument) -> bytes:
    """A Word document: built-in heading styles, the fingerprint in the footer."""
    return _DocxWriter(printable(doc)).write()


class _DocxWriter:
    """Builds one Word document from one ``ManifestoDocument``, top to bottom."""

    def __init__(self, doc: ManifestoDocument):
        self.doc = doc
        self.rasteriser = Rasteriser()
        self.word = docx.Document()
        styles = self.word.styles
        self.provenance_style = self._paragraph_style("Provenance", size=Pt(8.5), italic=True)
        self.clause_style = self._paragraph_style("Clause", space_after=Pt(2))
        self.caption_style = styles["Caption"]
        self.heading_styles = {level: styles[f"Heading {level}"] for level in range(1, 6)}
        self.body_style = styles["Normal"]
        self.list_style = styles["List Paragraph"]
        self.quote_style = styles["Quote"]

    def _paragraph_style(self, name, *, size=None, italic=None, space_after=None):
        style = self.word.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = self.word.styles["Normal"]
        if size:
            style.font.size = size
        if italic is not None:
            style.font.italic = italic
        if space_after is not None:
            style.paragraph_format.space_after = space_after
        return style

    # -- building blocks

    def heading(self, text: str, level: int):
        paragraph = self.word.add_paragraph(style=self.heading_styles[min(level, 5)])
        paragraph.add_run(text)
        return paragraph

    def paragraph(self, text: str = "", style=None):
        paragraph = self.word.add_paragraph(style=style or self.body_style)
        if text:
            paragraph.add_run(text)
        return paragraph

    def labelled(self, key: str, value: str, *, mono: bool = False):
        paragraph = self.paragraph()
        paragraph.add_run(self.doc.label(key) + self.doc.label("separator")).bold = True
        run = paragraph.add_run(value)
        if mono:
            run.font.name = "DejaVu Sans Mono"
        return paragraph

    def segments(self, paragraph, clause: ClauseDoc) -> None:
        # The markers are bold runs of their own: struck through, "−" would vanish.
        for segment in clause.segments():
            if segment.kind == "insert":
                paragraph.add_run(INSERT_OPEN).bold = True
                paragraph.add_run(segment.text).font.underline = WD_UNDERLINE.DOUBLE
                paragraph.add_run(INSERT_CLOSE).bold = True
            elif segment.kind == "delete":
                paragraph.add_run(DELETE_OPEN).bold = True
                paragraph.add_run(segment.text).font.strike = True
                paragraph.add_run(DELETE_CLOSE).bold = True
            else:
                paragraph.add_run(segment.text)

    def table(self, table: TableDoc) -> None:
        if table.caption:
            self.paragraph(table.caption, self.caption_style)
        width = max([len(table.headers), *(len(row) for row in table.rows), 1])
        word_table = self.word.add_table(rows=1 + len(table.rows), cols=width)
        word_table.style = self.word.styles["Table Grid"]
        rows = word_table.rows
        # The header row repeats on every page and tells screen readers what it is.
        header = rows[0]
        header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for cell, text in zip(header.cells, table.headers, strict=False):
            cell.paragraphs[0].add_run(text).bold = True
        for row, values in zip(rows[1:], table.rows, strict=True):
            for cell, text in zip(row.cells, values, strict=False):
                cell.paragraphs[0].add_run(text)
        if table.caption:
            caption = OxmlElement("w:tblCaption")  # read out by screen readers
            caption.set(qn("w:val"), table.caption)
            word_table._tbl.tblPr.append(caption)
        self.paragraph()

    def picture(self, svg: str, alt: str, title: str) -> None:
        png = self.rasteriser.png(svg)
        paragraph = self.paragraph()
        shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(PICTURE_WIDTH_CM))
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", alt)
        doc_pr.set("title", title)

    def blocks(self, blocks: list[Block]) -> None:
        for block in blocks:
            if block.kind == "heading":
                paragraph = self.word.add_paragraph(
                    style=self.heading_styles[min(block.level - 1, 5)]
                )
            elif block.kind == "item":
                paragraph = self.paragraph(block.prefix, self.list_style)
            elif block.kind == "quote":
                paragraph = self.paragraph(style=self.quote_style)
            else:
                paragraph = self.paragraph()
            for piece in block.runs:
                run = paragraph.add_run(piece.text)
                run.bold = piece.bold or None
                run.italic = piece.italic or None
                run.font.strike = piece.strike or None
                if piece.underline:
                    run.font.underline = True
                if piece.code or block.kind == "pre":
                    run.font.name = "DejaVu Sans Mono"

    # -- the document

    def write(self) -> bytes:
        doc = self.doc
        self._properties()
        self._footer()
        self.word.add_paragraph(style=self.word.styles["Title"]).add_run(doc.title)
        self.labelled("referral", doc.referral_title)
        self.labelled("status", doc.status_line)
        if doc.redline_since:
            self.labelled("redline_since", doc.redline_since)
        self.labelled("generated", doc.generated_at)
        self.labelled("fingerprint", doc.fingerprint, mono=True)
        if doc.is_redline:
            self.paragraph(doc.label("legend"), self.quote_style)
        blocks = preamble_blocks(doc.preamble_md)
        if blocks:
            self.heading(doc.label("preamble"), 1)
            self.blocks(blocks)
        for section in doc.sections:
            self.heading(f"{section.number}. {section.title}", 1)
            for clause in section.clauses:
                paragraph = self.paragraph(style=self.clause_style)
                paragraph.add_run(clause.number + "\u2003").bold = True
                if clause.change != "unchanged":
                    note = paragraph.add_run(f"({doc.label('clause_' + clause.change)}) ")
                    note.italic = True
                self.segments(paragraph, clause)
                if clause.provenance:
                    self.paragraph(
                        doc.labelled("provenance", clause.provenance), self.provenance_style
                    )
        if doc.report:
            self.heading(doc.label("report"), 1)
            for part in doc.report:
                self.heading(part.title, 2)
                for text in part.paragraphs:
                    self.paragraph(text)
                for chart in part.charts:
                    self.heading(chart.title, 3)
                    if chart.description:
                        self.paragraph(chart.description)
                    if chart.svg.strip():
                        self.picture(
                            chart.svg, alt_text(chart.title, chart.description), chart.title
                        )
                    self.table(chart.table)
                for table in part.tables:
                    self.table(table)
                for label, url in part.links:
                    self.link(label, url)
        self.heading(doc.label("colophon"), 1)
        self.labelled("generated", doc.generated_at)
        self.labelled("fingerprint", doc.fingerprint, mono=True)
        out = io.BytesIO()
        self.word.save(out)
        return out.getvalue()

    def _properties(self) -> None:
        doc = self.doc
        primary, region = language_tag(doc.language)
        tag = f"{primary}-{region}" if region else primary
        core = self.word.core_properties
        core.title = doc.title
        core.subject = doc.referral_title
        core.language = tag
        core.identifier = f"sha256:{doc.fingerprint}"
        core.author = core.last_modified_by = "Consultation"
        core.comments = doc.labelled("generated", doc.generated_at)
        core.keywords = ""
        core.created = core.modified = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
        core.revision = 1
        # Spelling and hyphenation in the manifesto's language, for every style.
        r_pr = self.word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
        r_pr = r_pr.find(qn("w:rPr"))
        lang = r_pr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            r_pr.append(lang)
        lang.set(qn("w:val"), tag)

    def _footer(self) -> None:
        doc = self.doc
        paragraph = self.word.sections[0].footer.paragraphs[0]
        run = paragraph.add_run(doc.labelled("fingerprint", doc.fingerprint))
        run.font.size = Pt(7)
        run = paragraph.add_run(f"\t{doc.label('page')}\u00a0")
        run.font.size = Pt(7)
        page = OxmlElement("w:fldSimple")
        page.set(qn("w:instr"), "PAGE")
        page_run = OxmlElement("w:r")
        page_text = OxmlElement("w:t")
        page_text.text = "1"
        page_run.append(page_text)
        page.append(page_run)
        paragraph._p.append(page)

    def link(self, label: str, url: str) -> None:
        paragraph = self.paragraph("•\t", self.list_style)
        if not safe_url(url):
            paragraph.add_run(f"{label} ({url})")
            return
        rel = paragraph.part.relate_to(url.strip(), RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rel)
        run = paragraph.add_run(label)
        run.font.underline = True
        link.append(run._r)
        paragraph._p.append(link)
        paragraph.add_run(f" <{url.strip()}>")
