"""What the word-processor exports (``formats_docx``, ``formats_odt``) share.

Both print the same things in the same order as the HTML export. The redline is shown
by formatting (double underline, strike-through) and by the ``[+ +]`` / ``[− −]``
markers, never by colour alone. Charts become PNG pictures with their description as
alternative text, each followed by its data as a real table. The preamble's Markdown
becomes paragraphs of formatted runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from consultation import markdown

# Word and LibreOffice want a region for spelling and hyphenation.
REGIONS = {"fr": "FR", "en": "GB", "de": "DE", "it": "IT", "es": "ES", "nl": "NL"}

PICTURE_WIDTH_CM = 16.0
LINK_SCHEMES = {"http", "https", "mailto"}


def language_tag(language: str) -> tuple[str, str | None]:
    """``"fr"`` -> ``("fr", "FR")``; ``"fr-CA"`` -> ``("fr", "CA")``."""
    primary, _, region = language.replace("_", "-").partition("-")
    return primary.lower(), (region.upper() or REGIONS.get(primary.lower()))


# ------------------------------------------------------------------ charts as pictures


class Rasteriser:
    """SVG to PNG, once per distinct SVG within one export.

    CairoSVG, because it draws the presentation-attribute SVG of ``consultation.charts``
    faithfully in a few tens of milliseconds through the system's libcairo, offline and
    without a browser; going through WeasyPrint to a PDF and back to pixels would cost
    ten times as much for the same picture.
    """

    def __init__(self, scale: float = 2.0):
        self.scale = scale
        self._pngs: dict[str, bytes] = {}

    def png(self, svg: str) -> bytes:
        if svg not in self._pngs:
            import cairosvg

            self._pngs[svg] = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=self.scale)
        return self._pngs[svg]


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG's IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def alt_text(title: str, description: str) -> str:
    return f"{title}. {description}" if description else title


# ------------------------------------------------------------- the preamble as blocks


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    strike: bool = False
    underline: bool = False


@dataclass
class Block:
    """A paragraph of the preamble: ``kind`` is "p", "heading", "item", "quote" or "pre"."""

    kind: str
    level: int = 0  # heading level as in HTML (3 to 6), or list depth
    runs: list[Run] = field(default_factory=list)
    prefix: str = ""  # a list item's bullet or number


_BLOCK_TAGS = {"p", "h3", "h4", "h5", "h6", "li", "pre", "tr", "blockquote"}
_INLINE = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "code": "code"}
_INLINE |= {"del": "strike", "ins": "underline"}
_SPACES = re.compile(r"[ \t\n\r\f]+")  # ASCII only: no-break spaces are typography


class _PreambleParser(HTMLParser):
    """Flattens the preamble's sanitised HTML (``consultation.markdown.render``) to blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.styles: list[str] = []
        self.lists: list[list[int | None]] = []  # a counter per open list, None if bulleted
        self.quote = 0
        self.pre = 0

    def _open(self, kind: str, level: int = 0, prefix: str = "") -> None:
        self._close()
        self.current = Block("quote" if self.quote and kind == "p" else kind, level, [], prefix)

    def _close(self) -> None:
        if self.current and "".join(r.text for r in self.current.runs).strip():
            runs = self.current.runs
            if self.current.kind != "pre":
                runs[0].text = runs[0].text.lstrip(" ")
                runs[-1].text = runs[-1].text.rstrip(" ")
            self.blocks.append(self.current)
        self.current = None

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self._close()
            self.lists.append([0 if tag == "ol" else None])
        elif tag == "li":
            counter = self.lists[-1] if self.lists else [None]
            if counter[0] is None:
                prefix = "•\t"
            else:
                counter[0] += 1
                prefix = f"{counter[0]}.\t"
            self._open("item", len(self.lists), prefix)
        elif tag in ("h3", "h4", "h5", "h6"):
            self._open("heading", int(tag[1]))
        elif tag == "blockquote":
            self._close()
            self.quote += 1
        elif tag == "pre":
            self.pre += 1
            self._open("pre")
        elif tag in ("p", "tr"):
            if not (tag == "p" and self.current and self.current.kind == "item"):
                self._open("p")
        elif tag in ("td", "th") and self.current and self.current.runs:
            self._add(" | ")
        elif tag == "br":
            self._add("\n")
        elif tag in _INLINE:
            self.styles.append(_INLINE[tag])

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            self._close()
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self._close()
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._close()
        elif tag in _BLOCK_TAGS:
            self._close()
        elif tag in _INLINE and _INLINE[tag] in self.styles:
            self.styles.reverse()
            self.styles.remove(_INLINE[tag])
            self.styles.reverse()

    def handle_data(self, data):
        if not self.pre:
            data = _SPACES.sub(" ", data)
            if not self.current and not data.strip(" "):
                return
        self._add(data)

    def _add(self, text: str) -> None:
        if self.current is None:
            self._open("p")
        flags = {name: name in self.styles for name in set(_INLINE.values())}
        self.current.runs.append(Run(text, **flags))

    def close(self):
        super().close()
        self._close()


def preamble_blocks(source: str) -> list[Block]:
    """The preamble's Markdown as paragraphs of formatted runs, for the office formats.

    It goes through ``consultation.markdown.render`` first, so what the site shows and
    what the office files show come from the same sanitised HTML.
    """
    if not source.strip():
        return []
    parser = _PreambleParser()
    parser.feed(str(markdown.render(source)))
    parser.close()
    return parser.blocks


def safe_url(url: str) -> bool:
    """Whether ``url`` may become a link: only web and mail addresses, never ``javascript:``."""
    try:
        return urlsplit(url.strip()).scheme.lower() in LINK_SCHEMES
    except ValueError:
        return False
