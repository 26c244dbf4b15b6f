"""Every export format of a manifesto, read back the way a reader's software would."""

from __future__ import annotations

import dataclasses
import html
import io
import json
import re
import time
import zipfile
from functools import cache

import docx
import markdown as markdown_lib
import pypdf
import pytest
from docx.enum.text import WD_UNDERLINE
from docx.oxml.ns import qn
from odf import teletype
from odf.draw import Frame
from odf.namespaces import TEXTNS
from odf.opendocument import load as load_odt
from odf.style import Style, TextProperties
from odf.text import H, Span

from consultation.charts import bar_chart, share_comparison_chart
from consultation.exports.document import (
    DEFAULT_LABELS,
    ChartDoc,
    ClauseDoc,
    ManifestoDocument,
    ReportSection,
    SectionDoc,
    Segment,
    TableDoc,
    canonical_json,
    fingerprint,
)
from consultation.exports.formats import (
    EXTENSIONS,
    FORMATS,
    MEDIA_TYPES,
    UnknownFormat,
    render,
)

NBSP = "\u00a0"
NNBSP = "\u202f"
FRENCH = (
    f"«{NBSP}L’État et l’œuvre commune{NBSP}» sont évalués chaque année{NNBSP}; "
    f"c’est l’affaire de tous{NNBSP}!"
)
HOSTILE = '<script>alert("x")</script> & ]]> <b>gras</b>\x01\x0b fin'
HOSTILE_PRINTED = '<script>alert("x")</script> & ]]> <b>gras</b> fin'
INSERTED = "les écoles maternelles"
DELETED = "la mairie centrale"

FRENCH_LABELS = {
    **DEFAULT_LABELS,
    "separator": f"{NBSP}: ",
    "fingerprint": "Empreinte (SHA-256) de cet état",
    "generated": "Généré le",
    "status": "Statut",
    "referral": "En réponse à la saisine",
    "provenance": "Provenance",
    "preamble": "Préambule",
    "report": "Rapport sur la démarche",
    "page": "Page",
    "page_of": "sur",
}


def clause_text(section: int, index: int) -> str:
    return f"Clause {section}.{index}{NBSP}: la commune s’engage à l’article n°{section * 1000 + index}."


def make_chart(title: str, rows: list[tuple[str, int]]) -> ChartDoc:
    return ChartDoc(
        title=title,
        description=f"Nombre de contributions par jour{NNBSP}: {len(rows)} jours.",
        svg=str(bar_chart(rows, title=title, value_label="Contributions")),
        table=TableDoc(
            caption=f"Données{NBSP}: {title}",
            headers=("Jour", "Contributions"),
            rows=tuple((day, str(count)) for day, count in rows),
        ),
    )


def make_document(
    *,
    sections: int = 3,
    clauses: int = 4,
    redline: bool = False,
    provenance: bool = True,
    report: bool = True,
    texts: dict[str, str] | None = None,
    generated_at: str = "12 mars 2025 à 14:05",
    links: tuple[tuple[str, str], ...] = (("Page de la saisine", "https://example.org/saisine"),),
) -> ManifestoDocument:
    """A manifesto document as ``exports.services`` would build it, without a database.

    ``texts`` replaces the text of the clauses it names by number ("1.2").
    """
    texts = texts or {}
    section_docs, state_sections = [], []
    for s in range(1, sections + 1):
        clause_docs, state_clauses = [], []
        for c in range(1, clauses + 1):
            number = f"{s}.{c}"
            text = texts.get(number, clause_text(s, c))
            segments = None
            change = "unchanged"
            if redline:
                change = "changed"
                segments = (
                    Segment("equal", text + " Elle consulte "),
                    Segment("delete", DELETED),
                    Segment("equal", " "),
                    Segment("insert", INSERTED),
                    Segment("equal", "."),
                )
            clause_docs.append(
                ClauseDoc(
                    number=number,
                    text=text,
                    provenance=(
                        f"Proposée par le groupe {s} le 3{NBSP}février{NBSP}2025, "
                        f"amendée deux fois{NNBSP}; adoptée à 71{NNBSP}%."
                        if provenance
                        else None
                    ),
                    redline=segments,
                    change=change,
                )
            )
            state_clauses.append({"number": number, "text": text})
        title = f"Mobilité et œuvres d’intérêt général n°{s}"
        section_docs.append(SectionDoc(number=str(s), title=title, clauses=tuple(clause_docs)))
        state_sections.append({"number": str(s), "title": title, "clauses": state_clauses})
    preamble = f"Nous, **citoyennes et citoyens** tirés au sort, proposons{NNBSP}:\n\n- {FRENCH}\n- une seconde idée"
    state = {
        "title": "Manifeste pour une ville à hauteur d’enfant",
        "preamble_md": preamble,
        "sections": state_sections,
        "status": "adopted",
    }
    report_parts = ()
    if report:
        report_parts = (
            ReportSection(
                title="Participation",
                paragraphs=(f"Trente personnes ont siégé{NNBSP}; «{NBSP}ça a marché{NBSP}».",),
                charts=(
                    make_chart(
                        "Contributions par jour", [("lun.", 13), ("mar.", 27), ("mer.", 41)]
                    ),
                    make_chart("Amendements par jour", [("lun.", 5), ("mar.", 8), ("mer.", 977)]),
                ),
                tables=(
                    TableDoc(
                        caption="Votes",
                        headers=("Clause", "Pour", "Contre"),
                        rows=(("1.1", "23", "4"), ("1.2", "19", "8")),
                    ),
                ),
                links=links,
            ),
            ReportSection(
                title="Parole",
                charts=(
                    ChartDoc(
                        title="Temps de parole",
                        description="Part des sièges et part de la parole.",
                        svg=str(
                            share_comparison_chart(
                                [
                                    {"value": "Femmes", "seat_share": 0.5, "speech_share": 0.46},
                                    {"value": "Hommes", "seat_share": 0.5, "speech_share": 0.54},
                                ],
                                title="Temps de parole",
                                seat_label="Sièges",
                                speech_label="Parole",
                            )
                        ),
                        table=TableDoc(
                            caption="Parts",
                            headers=("Groupe", "Sièges", "Parole"),
                            rows=(("Femmes", "50 %", "46 %"), ("Hommes", "50 %", "54 %")),
                        ),
                    ),
                ),
            ),
        )
    return ManifestoDocument(
        title=state["title"],
        preamble_md=preamble,
        status="Adopté",
        status_date="1er mars 2025",
        referral_title="Saisine n°3 «\u00a0Mobilité des enfants\u00a0»",
        language="fr",
        fingerprint=fingerprint(state),
        generated_at=generated_at,
        sections=tuple(section_docs),
        labels=FRENCH_LABELS,
        redline_since="14 février 2025" if redline else None,
        report=report_parts,
        state=state,
    )


# ------------------------------------------------------------------ reading back


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def odt_paragraphs(data: bytes) -> list[str]:
    odt = load_odt(io.BytesIO(data))
    return [
        teletype.extractText(element)
        for element in _walk(odt.text)
        if element.qname in ((TEXTNS, "p"), (TEXTNS, "h"))
    ]


def _walk(element):
    for child in element.childNodes:
        if child.nodeType == child.ELEMENT_NODE:
            yield child
            yield from _walk(child)


def text_of(fmt: str, data: bytes) -> str:
    """What a reader sees of the file, as one string."""
    if fmt == "pdf":
        return pdf_text(data)
    if fmt == "docx":
        word = docx.Document(io.BytesIO(data))
        blocks = []
        for block in word.iter_inner_content():  # paragraphs and tables, in order
            if isinstance(block, docx.table.Table):
                blocks += [c.text for r in block.rows for c in r.cells]
            else:
                blocks.append(block.text)
        footer = [p.text for p in word.sections[0].footer.paragraphs]
        return "\n".join(blocks + footer)
    if fmt == "odt":
        return "\n".join(odt_paragraphs(data))
    if fmt == "html":
        page = re.sub(r"<style>.*</style>", "", data.decode("utf-8"), flags=re.S)
        return html.unescape(re.sub(r"<[^>]+>", "", page))
    return data.decode("utf-8")


def flat(text: str) -> str:
    """Whitespace of any kind as one space: PDF text extraction keeps no line or space kind."""
    return re.sub(r"\s+", " ", text.replace("\u2003", " ")).strip()


def assert_in_order(haystack: str, needles: list[str]) -> None:
    position = 0
    for needle in needles:
        found = haystack.find(needle, position)
        assert found >= 0, f"{needle!r} missing after position {position}"
        position = found + len(needle)


@cache
def rendered(name: str, fmt: str) -> bytes:
    return render(DOCUMENTS[name](), fmt)


DOCUMENTS = {
    "plain": lambda: make_document(),
    "redline": lambda: make_document(redline=True, sections=2, clauses=2),
    "hostile": lambda: make_document(
        sections=1,
        clauses=3,
        texts={
            "1.2": HOSTILE,
            "1.3": "# pas un titre\n1. pas une liste\n    pas du code *ni* [lien](x)",
        },
        links=(("Piège", "javascript:alert(1)"), ("Saisine", "https://example.org/?a=1&b=2")),
    ),
}
ALL_CLAUSES = [clause_text(s, c) for s in range(1, 4) for c in range(1, 5)]


# ----------------------------------------------------------------------- content


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_has_title_fingerprint_and_clauses_in_order(fmt):
    doc = DOCUMENTS["plain"]()
    text = text_of(fmt, rendered("plain", fmt))
    if fmt == "json":
        payload = json.loads(text)
        assert payload["title"] == doc.title
        assert payload["fingerprint"] == doc.fingerprint
        texts = [c["text"] for s in payload["state"]["sections"] for c in s["clauses"]]
        assert texts == ALL_CLAUSES
        return
    text = flat(text) if fmt == "pdf" else text
    needles = ALL_CLAUSES if fmt != "pdf" else [flat(t) for t in ALL_CLAUSES]
    assert_in_order(text, [flat(doc.title) if fmt == "pdf" else doc.title, *needles])
    assert doc.fingerprint in text.replace(" ", "")
    assert "Saisine n°3" in text and "Adopté" in text and "1er mars 2025" in text
    assert "12 mars 2025" in text  # generation time
    assert "Nous, citoyennes et citoyens" in flat(text).replace("**", "")  # the preamble
    assert_in_order(text, ["1. Mobilité", "1.1", "1.4", "2. Mobilité", "3. Mobilité", "3.4"])
    assert "Proposée par le groupe 2" in text  # provenance


@pytest.mark.parametrize("fmt", FORMATS)
def test_french_typography_survives(fmt):
    text = text_of(fmt, rendered("plain", fmt))
    if fmt == "json":
        text = json.loads(text)["state"]["preamble_md"]
        assert "\\u" not in rendered("plain", fmt).decode()  # UTF-8 kept, not escaped
    for piece in ("é", "É", "«", "»", "œ", "’"):
        assert piece in text
    if fmt != "pdf":
        assert FRENCH in text  # with its no-break spaces, narrow and not
        assert f"{NBSP}: la commune" in text and f"71{NNBSP}%" in text or fmt == "json"
    else:
        assert flat(FRENCH) in flat(text)


@pytest.mark.parametrize("fmt", ["md", "html", "pdf", "docx", "odt"])  # JSON: the state only
def test_report_appendix_shows_each_chart_with_its_data(fmt):
    text = text_of(fmt, rendered("plain", fmt))
    assert_in_order(
        text,
        ["Participation", "Trente personnes", "Contributions par jour", "13", "27", "41"],
    )
    assert_in_order(text, ["Amendements par jour", "977", "Votes", "23", "Parole", "54 %"])
    assert "Page de la saisine" in text


def test_html_is_standalone_accessible_and_escapes_all_text():
    page = rendered("hostile", "html").decode()
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert page.count("<h1") == 1 and "<main>" in page and "<nav " in page
    assert "@page" in page and "size: A4" in page and "counter(page)" in page
    assert "&lt;script&gt;" in page and "<script" not in page
    assert "]]&gt;" in page and "&lt;b&gt;gras" in page and "\x01" not in page
    # Chart SVG is inline; its data table has a caption and header cells with a scope.
    plain = rendered("plain", "html").decode()
    assert plain.count("<svg") == 3 and plain.count("<figure>") == 3
    assert "<caption>Données\u00a0: Contributions par jour</caption>" in plain
    assert '<th scope="col">Jour</th>' in plain and '<th scope="row">lun.</th>' in plain
    # A javascript: address is never a link; a web one is, escaped.
    assert "javascript:alert(1)" in page and 'href="javascript' not in page
    assert 'href="https://example.org/?a=1&amp;b=2"' in page


@pytest.mark.parametrize("fmt", ["docx", "odt", "pdf", "md"])
def test_hostile_text_is_printed_not_obeyed(fmt):
    text = text_of(fmt, rendered("hostile", fmt))
    if fmt == "md":
        assert "<script" not in text
        page = markdown_lib.markdown(text)
        assert "<script" not in page and "&lt;script&gt;" in page
        assert "<h1>pas un titre" not in page and "<ol>" not in page and "<pre>" not in page
        assert "<em>ni</em>" not in page and 'href="x"' not in page
        assert 'href="javascript' not in page
        return
    expected = flat(HOSTILE_PRINTED) if fmt == "pdf" else HOSTILE_PRINTED
    assert expected in (flat(text) if fmt == "pdf" else text)
    assert "\x01" not in text


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "odt"])
def test_the_preamble_is_markdown_without_raw_html(fmt):
    doc = dataclasses.replace(
        make_document(sections=1, clauses=1, report=False),
        preamble_md="# Notre idée\n\nDu *texte* <script>alert(1)</script> & <img src=x onerror=y>",
    )
    data = render(doc, fmt)
    text = text_of(fmt, data)
    assert "Notre idée" in text and "texte" in text
    if fmt == "md":
        assert "### Notre idée" in text  # below the manifesto's own headings
        page = markdown_lib.markdown(text)
        assert "<script" not in page and "<img" not in page and "<em>texte</em>" in page
    elif fmt == "html":
        assert "<h3>Notre idée</h3>" in data.decode() and "<em>texte</em>" in data.decode()
        assert "<script" not in data.decode() and "<img" not in data.decode()
    else:
        assert "alert(1)" not in text  # the sanitiser dropped the script, as on the site


# ------------------------------------------------------------------------ redline


def test_markdown_marks_the_redline():
    text = rendered("redline", "md").decode()
    assert f"[+{INSERTED}+]" in text and f"[\u2212{DELETED}\u2212]" in text
    assert "Inserted text is underlined and marked [+" in text  # the legend says how


def test_html_marks_the_redline_without_colour():
    page = rendered("redline", "html").decode()
    assert f"[+<ins>{INSERTED}</ins>+]" in page
    assert f"[\u2212<del>{DELETED}</del>\u2212]" in page
    assert re.search(r"ins \{[^}]*text-decoration: underline", page)
    assert re.search(r"del \{[^}]*text-decoration: line-through", page)


def test_pdf_marks_the_redline():
    text = flat(pdf_text(rendered("redline", "pdf")))
    assert f"[+{INSERTED}+]" in text and f"[\u2212{DELETED}\u2212]" in text


def test_docx_underlines_insertions_and_strikes_deletions():
    word = docx.Document(io.BytesIO(rendered("redline", "docx")))
    clauses = [p for p in word.paragraphs if p.style.name == "Clause"]
    assert len(clauses) == 4
    for paragraph in clauses:
        runs = paragraph.runs
        texts = [r.text for r in runs]
        i, d = texts.index(INSERTED), texts.index(DELETED)
        assert runs[i].font.underline == WD_UNDERLINE.DOUBLE and not runs[i].font.strike
        assert runs[d].font.strike and not runs[d].font.underline
        assert texts[i - 1 : i + 2] == ["[+", INSERTED, "+]"]
        assert texts[d - 1 : d + 2] == ["[\u2212", DELETED, "\u2212]"]
        assert not any(r.font.strike or r.font.underline for r in runs if "Elle consulte" in r.text)


def test_odt_underlines_insertions_and_strikes_deletions():
    odt = load_odt(io.BytesIO(rendered("redline", "odt")))
    styles = {s.getAttribute("name"): s for s in odt.getElementsByType(Style)}

    def properties(span):
        style = styles[span.getAttribute("stylename")]
        return style.getElementsByType(TextProperties)[0]

    def around(span):
        siblings = span.parentNode.childNodes
        index = siblings.index(span)
        return [teletype.extractText(n) for n in siblings[index - 1 : index + 2]]

    spans = odt.getElementsByType(Span)
    inserted = [s for s in spans if teletype.extractText(s) == INSERTED]
    deleted = [s for s in spans if teletype.extractText(s) == DELETED]
    assert len(inserted) == len(deleted) == 4
    for span in inserted:
        assert properties(span).getAttribute("textunderlinestyle") == "solid"
        assert properties(span).getAttribute("textlinethroughstyle") is None
        assert around(span) == ["[+", INSERTED, "+]"]
    for span in deleted:
        assert properties(span).getAttribute("textlinethroughstyle") == "solid"
        assert around(span) == ["[\u2212", DELETED, "\u2212]"]


def test_json_keeps_the_redline_beside_the_state():
    payload = json.loads(rendered("redline", "json"))
    assert payload["redline"][0]["change"] == "changed"
    assert ["insert", INSERTED] in payload["redline"][0]["segments"]
    assert ["delete", DELETED] in payload["redline"][0]["segments"]
    assert "redline" not in json.loads(rendered("plain", "json"))


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "odt"])
def test_a_deleted_clause_is_struck_through_and_labelled(fmt):
    doc = make_document(sections=1, clauses=1, report=False)
    gone = ClauseDoc(number="1.2", text="Une clause retirée.", change="deleted")
    doc = dataclasses.replace(
        doc, sections=(SectionDoc("1", "Titre", (*doc.sections[0].clauses, gone)),)
    )
    data = render(doc, fmt)
    text = text_of(fmt, data)
    assert "[\u2212Une clause retirée.\u2212]" in text and "Clause deleted" in text
    if fmt == "docx":
        runs = [r for p in docx.Document(io.BytesIO(data)).paragraphs for r in p.runs]
        assert [r.font.strike for r in runs if "retirée" in r.text] == [True]
        assert [r.font.strike for r in runs if "commune s’engage" in r.text] == [None]
    if fmt == "html":
        assert "[\u2212<del>Une clause retirée.</del>\u2212]" in data.decode()


# --------------------------------------------------------------- office details


def test_docx_structure_metadata_footer_and_charts():
    data = rendered("plain", "docx")
    word = docx.Document(io.BytesIO(data))
    assert word.core_properties.title == "Manifeste pour une ville à hauteur d’enfant"
    assert word.core_properties.language == "fr-FR"
    headings = [
        (p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")
    ]
    assert ("Heading 1", "1. Mobilité et œuvres d’intérêt général n°1") in headings
    assert ("Heading 2", "Participation") in headings
    provenance = [p for p in word.paragraphs if p.text.startswith("Provenance")]
    assert len(provenance) == 12 and provenance[0].style.name == "Provenance"
    assert provenance[0].style.font.italic
    footer = word.sections[0].footer.paragraphs[0].text
    assert fingerprint(DOCUMENTS["plain"]().state) in footer
    # Three charts: pictures with alternative text, each followed by a table with a header row.
    pictures = word.inline_shapes
    assert len(pictures) == 3
    assert pictures[0]._inline.docPr.get("descr").startswith("Contributions par jour. Nombre")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        images = [n for n in package.namelist() if n.startswith("word/media/")]
        assert len(images) == 3 and all(package.read(n)[:4] == b"\x89PNG" for n in images)
    table = word.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Jour", "Contributions"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[3].cells] == ["mer.", "41"]


PARTS = ("meta.xml", "styles.xml", "content.xml")


def test_odt_structure_metadata_footer_and_charts():
    data = rendered("plain", "odt")
    odt = load_odt(io.BytesIO(data))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        meta, styles, content = (package.read(n).decode() for n in PARTS)
        pictures = [n for n in package.namelist() if n.startswith("Pictures/")]
        assert len(pictures) == 3 and package.read(pictures[0])[:4] == b"\x89PNG"
    assert "<dc:title>Manifeste pour une ville à hauteur d’enfant</dc:title>" in meta
    assert "<dc:language>fr-FR</dc:language>" in meta
    levels = [
        (h.getAttribute("outlinelevel"), teletype.extractText(h)) for h in odt.getElementsByType(H)
    ]
    assert ("1", "1. Mobilité et œuvres d’intérêt général n°1") in levels
    assert ("2", "Participation") in levels
    footer = styles[styles.index("<style:footer>") : styles.index("</style:footer>")]
    assert fingerprint(DOCUMENTS["plain"]().state) in footer and "<text:page-number" in footer
    frames = odt.getElementsByType(Frame)
    assert len(frames) == 3
    assert "<svg:desc>Contributions par jour. Nombre" in content
    assert content.count("<table:table-header-rows>") == 4


def test_pdf_metadata_and_fingerprint_in_the_footer():
    reader = pypdf.PdfReader(io.BytesIO(rendered("plain", "pdf")))
    assert reader.metadata.title == "Manifeste pour une ville à hauteur d’enfant"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged, for screen readers
    doc = DOCUMENTS["plain"]()
    footer_pages = [
        page for page in reader.pages if doc.fingerprint in page.extract_text().replace(" ", "")
    ]
    assert len(reader.pages) > 1 and len(footer_pages) == len(reader.pages)
    assert f"Page 2 sur {len(reader.pages)}" in flat(reader.pages[1].extract_text())


def test_json_export_is_versioned_and_verifiable():
    payload = json.loads(rendered("plain", "json"))
    assert payload["format"] == "consultation-manifesto" and payload["version"] == 1
    assert payload["generated_at"] == "12 mars 2025 à 14:05" and payload["language"] == "fr"
    assert fingerprint(payload["state"]) == payload["fingerprint"]


# -------------------------------------------------------------------- fingerprint


def test_every_format_prints_the_same_fingerprint():
    doc = DOCUMENTS["plain"]()
    later = make_document(generated_at="13 mars 2025 à 09:00")
    assert later.fingerprint == doc.fingerprint
    for fmt in FORMATS:
        text = text_of(fmt, render(later, fmt)).replace(" ", "")
        assert doc.fingerprint in text, fmt
        assert re.findall(r"[0-9a-f]{64}", text) and set(re.findall(r"[0-9a-f]{64}", text)) == {
            doc.fingerprint
        }


def test_fingerprint_follows_the_state_only():
    state = make_document().state
    changed = make_document(texts={"2.3": "Un autre texte."}).state
    assert fingerprint(changed) != fingerprint(state)
    assert fingerprint(dict(reversed(list(state.items())))) == fingerprint(state)
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint(state))


def test_canonical_json_is_stable():
    assert canonical_json({"b": [1, 2.0, 0.5], "a": "é«"}) == '{"a":"é«","b":[1,2,0.5]}'
    assert canonical_json({"n": (1, 2)}) == canonical_json({"n": [1, 2]})
    with pytest.raises(ValueError):
        canonical_json({"n": float("nan")})
    with pytest.raises(TypeError):
        canonical_json({1: "non-string key"})


# ---------------------------------------------------------------- the whole set


def test_formats_are_declared_and_unknown_ones_refused():
    assert set(MEDIA_TYPES) == set(EXTENSIONS) == set(FORMATS)
    assert EXTENSIONS["docx"] == ".docx" and MEDIA_TYPES["pdf"] == "application/pdf"
    with pytest.raises(UnknownFormat):
        render(make_document(), "rtf")


@pytest.fixture(scope="module")
def large_document():
    return make_document(sections=10, clauses=20, redline=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_200_clause_document_renders_in_every_format(fmt, large_document):
    started = time.perf_counter()
    data = render(large_document, fmt)
    elapsed = time.perf_counter() - started
    if fmt == "json":
        assert len(json.loads(data)["redline"]) == 200
    elif fmt == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(data))
        assert flat(clause_text(10, 20)) in flat(reader.pages[-1].extract_text() + pdf_text(data))
    else:
        text = text_of(fmt, data)
        assert text.count(f"[+{INSERTED}+]") == 200
        assert_in_order(text, [clause_text(s, c) for s in range(1, 11) for c in range(1, 21)])
    # Generous: a regression by an order of magnitude, not a benchmark (see the report).
    assert elapsed < (30 if fmt == "pdf" else 10)
