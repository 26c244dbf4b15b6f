"""Reading a manifesto draft from Markdown: headings become sections, paragraphs and list
items become clauses. Pure functions: text in, a parsed draft or an error out."""

import re
from dataclasses import dataclass, field

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
ITEM = re.compile(r"^\s{0,3}(?:\d+[.)]|[-*+])\s+(.*)$")
MAX_BYTES = 2 * 1024 * 1024


class DraftError(ValueError):
    """The file cannot become a manifesto; ``code`` says why (``empty``, ``no_clause``,
    ``unreadable``, ``too_large``)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class DraftSection:
    title: str
    clauses: list[str] = field(default_factory=list)


@dataclass
class Draft:
    title: str | None
    preamble: str
    sections: list[DraftSection]

    @property
    def clause_count(self) -> int:
        return sum(len(s.clauses) for s in self.sections)


def decode(content: bytes) -> str:
    """Text of a Markdown file: UTF-8 (with or without BOM), else Windows-1252."""
    if len(content) > MAX_BYTES:
        raise DraftError("too_large")
    if b"\x00" in content:
        raise DraftError("unreadable")
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    for encoding in ("utf-8", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DraftError("unreadable")


def parse(text: str) -> Draft:
    """Parse Markdown into a draft. The first level-one heading is the title when other
    headings follow it; text before the first section is the preamble."""
    if not text.strip():
        raise DraftError("empty")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    headings = [HEADING.match(line) for line in lines]
    levels = [len(m.group(1)) for m in headings if m]
    title = None
    title_index = None
    if levels and levels[0] == 1 and levels.count(1) == 1 and len(levels) > 1:
        title_index = next(i for i, m in enumerate(headings) if m)
        title = headings[title_index].group(2).strip()
    preamble: list[str] = []
    sections: list[DraftSection] = []
    current: list[str] | None = None  # lines of the clause being read

    def close():
        nonlocal current
        if current is not None:
            clause = "\n".join(current).strip()
            if clause:
                if sections:
                    sections[-1].clauses.append(clause)
                else:
                    preamble.append(clause)
        current = None

    for index, line in enumerate(lines):
        if index == title_index:
            continue
        heading = headings[index]
        if heading:
            close()
            sections.append(DraftSection(heading.group(2).strip()))
            continue
        if not line.strip():
            close()
            continue
        item = ITEM.match(line)
        if item and not (current is not None and line.startswith((" " * 4, "\t"))):
            close()
            current = [item.group(1)]
        elif current is None:
            current = [line.strip()]
        else:
            current.append(line.strip())
    close()
    if not sections and preamble:
        # No heading at all: every paragraph is a clause of a single section.
        sections, preamble = [DraftSection("", preamble)], []
    sections = [s for s in sections if s.clauses]
    if not sections:
        raise DraftError("no_clause")
    return Draft(title=title, preamble="\n\n".join(preamble), sections=sections)
