"""The manifesto as an OpenDocument text (odfpy): outline headings, named text styles
for the redline, the fingerprint in the page footer."""

from __future__ import annotations

import io

from odf import dc, meta, teletype
from odf.draw import Frame, Image
from odf.opendocument import OpenDocumentText
from odf.style import (
    DefaultStyle,
    Footer,
    GraphicProperties,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TextProperties,
)
from odf.svg import Desc, Title
from odf.table import Table, TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import A, H, P, PageNumber, Span, Tab

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
    png_size,
    preamble_blocks,
    safe_url,
)


def render_odt(doc: ManifestoDocument) -> bytes:
    """An OpenDocument text: outline headings, the fingerprint in the page footer."""
    return _OdtWriter(printable(doc)).write()


class _OdtWriter:
    """Builds one OpenDocument text from one ``ManifestoDocument``, top to bottom."""

    def __init__(self, doc: ManifestoDocument):
        self.doc = doc
        self.rasteriser = Rasteriser()
        self.odt = OpenDocumentText()
        self.pictures = 0
        self.tables = 0
        self._styles()

    def _styles(self) -> None:
        odt = self.odt
        primary, region = language_tag(self.doc.language)
        language = {"language": primary, **({"country": region} if region else {})}
        default = DefaultStyle(family="paragraph")
        default.addElement(TextProperties(fontfamily="'DejaVu Sans'", fontsize="10pt", **language))
        odt.styles.addElement(default)

        def paragraph_style(name, display, *, text=None, paragraph=None, parent=None, **extra):
            style = Style(name=name, displayname=display, family="paragraph", **extra)
            if parent:
                style.setAttribute("parentstylename", parent)
            if paragraph:
                style.addElement(ParagraphProperties(**paragraph))
            if text:
                style.addElement(TextProperties(**text))
            odt.styles.addElement(style)
            return style

        self.standard = paragraph_style(
            "Standard", "Standard", paragraph={"marginbottom": "0.18cm"}
        )
        self.heading_base = paragraph_style(
            "Heading",
            "Heading",
            text={"fontweight": "bold"},
            paragraph={"margintop": "0.45cm", "marginbottom": "0.2cm", "keepwithnext": "always"},
            parent="Standard",
        )
        self.title = paragraph_style(
            "Title", "Title", text={"fontsize": "20pt", "fontweight": "bold"}, parent="Heading"
        )
        sizes = {1: "15pt", 2: "13pt", 3: "11.5pt", 4: "10.5pt", 5: "10pt"}
        self.headings = {
            level: paragraph_style(
                f"Heading_20_{level}",
                f"Heading {level}",
                text={"fontsize": size},
                parent="Heading",
                defaultoutlinelevel=str(level),
            )
            for level, size in sizes.items()
        }
        self.clause = paragraph_style(
            "Clause", "Clause", paragraph={"marginbottom": "0.08cm"}, parent="Standard"
        )
        self.provenance = paragraph_style(
            "Provenance",
            "Provenance",
            text={"fontsize": "8.5pt", "fontstyle": "italic"},
            paragraph={"marginbottom": "0.25cm", "marginleft": "0.6cm"},
            parent="Standard",
        )
        self.quote = paragraph_style(
            "Quotations",
            "Quotations",
            paragraph={"marginleft": "0.8cm", "marginright": "0.8cm"},
            parent="Standard",
        )
        self.item = paragraph_style(
            "List_20_Paragraph",
            "List Paragraph",
            paragraph={"marginleft": "0.8cm", "textindent": "-0.5cm"},
            parent="Standard",
        )
        self.caption = paragraph_style(
            "Table_20_Caption",
            "Table Caption",
            text={"fontweight": "bold", "fontsize": "9pt"},
            paragraph={"keepwithnext": "always"},
            parent="Standard",
        )
        self.footer_style = paragraph_style(
            "Footer", "Footer", text={"fontsize": "7pt"}, parent="Standard"
        )
        self.mono = paragraph_style(
            "Fingerprint",
            "Fingerprint",
            text={"fontfamily": "'DejaVu Sans Mono'"},
            parent="Standard",
        )

        def text_style(name, display, **properties):
            style = Style(name=name, displayname=display, family="text")
            style.addElement(TextProperties(**properties))
            odt.styles.addElement(style)
            return style

        self.inserted = text_style(
            "Inserted",
            "Inserted",
            textunderlinestyle="solid",
            textunderlinetype="double",
            textunderlinewidth="auto",
            textunderlinecolor="font-color",
        )
        self.deleted = text_style(
            "Deleted", "Deleted", textlinethroughstyle="solid", textlinethroughtype="single"
        )
        self.strong = text_style("Strong_20_Emphasis", "Strong Emphasis", fontweight="bold")
        self.emphasis = text_style("Emphasis", "Emphasis", fontstyle="italic")
        self.code = text_style("Source_20_Text", "Source Text", fontfamily="'DejaVu Sans Mono'")

        self.cell = Style(name="DataCell", family="table-cell")
        self.cell.addElement(TableCellProperties(border="0.5pt solid #8a8a96", padding="0.08cm"))
        odt.automaticstyles.addElement(self.cell)
        self.frame = Style(name="Chart", family="graphic")
        self.frame.addElement(GraphicProperties(anchortype="as-char", verticalpos="top"))
        odt.automaticstyles.addElement(self.frame)

        layout = PageLayout(name="A4")
        layout.addElement(
            PageLayoutProperties(
                pagewidth="21cm",
                pageheight="29.7cm",
                printorientation="portrait",
                margintop="2cm",
                marginbottom="1.5cm",
                marginleft="1.8cm",
                marginright="1.8cm",
            )
        )
        odt.automaticstyles.addElement(layout)
        master = MasterPage(name="Standard", pagelayoutname=layout)
        footer = Footer()
        self._footer(footer)
        master.addElement(footer)
        odt.masterstyles.addElement(master)

    def _footer(self, footer) -> None:
        doc = self.doc
        paragraph = P(stylename=self.footer_style)
        self._text(paragraph, doc.labelled("fingerprint", doc.fingerprint))
        paragraph.addElement(Tab())
        self._text(paragraph, doc.label("page") + "\u00a0")
        paragraph.addElement(PageNumber(selectpage="current", text="1"))
        footer.addElement(paragraph)

    # -- building blocks

    @staticmethod
    def _text(element, text: str) -> None:
        teletype.addTextToElement(element, text)

    def add(self, element) -> None:
        self.odt.text.addElement(element)

    def heading(self, text: str, level: int) -> None:
        heading = H(outlinelevel=level, stylename=self.headings[min(level, 5)])
        self._text(heading, text)
        self.add(heading)

    def paragraph(self, text: str = "", style=None):
        paragraph = P(stylename=style or self.standard)
        if text:
            self._text(paragraph, text)
        self.add(paragraph)
        return paragraph

    def span(self, parent, text: str, style) -> None:
        span = Span(stylename=style)
        self._text(span, text)
        parent.addElement(span)

    def segments(self, paragraph, clause: ClauseDoc) -> None:
        # The markers are bold spans of their own: struck through, "−" would vanish.
        for segment in clause.segments():
            if segment.kind == "equal":
                self._text(paragraph, segment.text)
                continue
            inserted = segment.kind == "insert"
            self.span(paragraph, INSERT_OPEN if inserted else DELETE_OPEN, self.strong)
            self.span(paragraph, segment.text, self.inserted if inserted else self.deleted)
            self.span(paragraph, INSERT_CLOSE if inserted else DELETE_CLOSE, self.strong)

    def labelled(self, key: str, value: str, *, mono: bool = False) -> None:
        paragraph = self.paragraph(style=self.mono if mono else None)
        self.span(paragraph, self.doc.label(key) + self.doc.label("separator"), self.strong)
        self._text(paragraph, value)

    def table(self, table: TableDoc) -> None:
        self.tables += 1
        if table.caption:
            self.paragraph(table.caption, self.caption)
        width = max([len(table.headers), *(len(row) for row in table.rows), 1])
        odt_table = Table(name=f"Table{self.tables}")
        odt_table.addElement(TableColumn(numbercolumnsrepeated=width))

        def row_of(values, header: bool):
            row = TableRow()
            for index in range(width):
                cell = TableCell(valuetype="string", stylename=self.cell)
                paragraph = P(stylename=self.standard)
                text = values[index] if index < len(values) else ""
                if header:
                    self.span(paragraph, text, self.strong)
                else:
                    self._text(paragraph, text)
                cell.addElement(paragraph)
                row.addElement(cell)
            return row

        header_rows = TableHeaderRows()
        header_rows.addElement(row_of(table.headers, True))
        odt_table.addElement(header_rows)
        for values in table.rows:
            odt_table.addElement(row_of(values, False))
        self.add(odt_table)

    def picture(self, svg: str, alt: str, title: str) -> None:
        png = self.rasteriser.png(svg)
        width, height = png_size(png)
        self.pictures += 1
        href = self.odt.addPicture(f"Pictures/chart-{self.pictures}.png", "image/png", png)
        frame = Frame(
            name=f"Chart{self.pictures}",
            stylename=self.frame,
            anchortype="as-char",
            width=f"{PICTURE_WIDTH_CM}cm",
            height=f"{PICTURE_WIDTH_CM * height / width:.2f}cm",
        )
        frame.addElement(Image(href=href))
        frame.addElement(Title(text=title))
        frame.addElement(Desc(text=alt))
        paragraph = self.paragraph()
        paragraph.addElement(frame)

    def blocks(self, blocks: list[Block]) -> None:
        for block in blocks:
            if block.kind == "heading":
                level = min(block.level - 1, 5)
                paragraph = H(outlinelevel=level, stylename=self.headings[level])
            else:
                style = {"item": self.item, "quote": self.quote}.get(block.kind, self.standard)
                paragraph = P(stylename=style)
                if block.prefix:
                    self._text(paragraph, block.prefix)
            for piece in block.runs:
                style = (
                    self.strong
                    if piece.bold
                    else self.emphasis
                    if piece.italic
                    else self.code
                    if piece.code or block.kind == "pre"
                    else self.deleted
                    if piece.strike
                    else self.inserted
                    if piece.underline
                    else None
                )
                if style is None:
                    self._text(paragraph, piece.text)
                else:
                    self.span(paragraph, piece.text, style)
            self.add(paragraph)

    def link(self, label: str, url: str) -> None:
        paragraph = self.paragraph("•\t", self.item)
        if not safe_url(url):
            self._text(paragraph, f"{label} ({url})")
            return
        anchor = A(type="simple", href=url.strip())
        self._text(anchor, label)
        paragraph.addElement(anchor)
        self._text(paragraph, f" <{url.strip()}>")

    # -- the document

    def write(self) -> bytes:
        doc = self.doc
        self._metadata()
        title = P(stylename=self.title)
        self._text(title, doc.title)
        self.add(title)
        self.labelled("referral", doc.referral_title)
        self.labelled("status", doc.status_line)
        if doc.redline_since:
            self.labelled("redline_since", doc.redline_since)
        self.labelled("generated", doc.generated_at)
        self.labelled("fingerprint", doc.fingerprint, mono=True)
        if doc.is_redline:
            self.paragraph(doc.label("legend"), self.quote)
        blocks = preamble_blocks(doc.preamble_md)
        if blocks:
            self.heading(doc.label("preamble"), 1)
            self.blocks(blocks)
        for section in doc.sections:
            self.heading(f"{section.number}. {section.title}", 1)
            for clause in section.clauses:
                paragraph = self.paragraph(style=self.clause)
                self.span(paragraph, clause.number + "\u2003", self.strong)
                if clause.change != "unchanged":
                    note = f"({doc.label('clause_' + clause.change)}) "
                    self.span(paragraph, note, self.emphasis)
                self.segments(paragraph, clause)
                if clause.provenance:
                    self.paragraph(doc.labelled("provenance", clause.provenance), self.provenance)
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
        self.odt.write(out)
        return out.getvalue()

    def _metadata(self) -> None:
        doc = self.doc
        primary, region = language_tag(doc.language)
        self.odt.meta.addElement(dc.Title(text=doc.title))
        self.odt.meta.addElement(dc.Subject(text=doc.referral_title))
        self.odt.meta.addElement(dc.Language(text=f"{primary}-{region}" if region else primary))
        self.odt.meta.addElement(dc.Description(text=doc.labelled("fingerprint", doc.fingerprint)))
        self.odt.meta.addElement(meta.Generator(text="Consultation"))
