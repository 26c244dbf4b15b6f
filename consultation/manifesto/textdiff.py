"""Word-level diff, three-way merge and blame for clause texts.

Plain data in, plain data out: no Flask, no database. A clause is usually one
paragraph, so everything works on words, not lines. ``tokenize`` cuts a text
into word, whitespace and punctuation tokens that join back into exactly the
same text, French typography included (« », ’, œ, accents, non-breaking
spaces U+00A0 and U+202F).

- ``word_diff`` / ``diff_html``: what changed between two versions, for
  people (``<del>`` / ``<ins>``, which screen readers announce).
- ``merge3``: rebase an amendment onto a clause version accepted meanwhile.
  The stretches both sides kept come from the ``merge3`` library (Breezy's
  diff3) run on token lists; changes between them merge or conflict.
- ``blame``: which version introduced each passage of the latest text.

Diffs are shortest edit scripts on tokens (Myers' algorithm, from the
``diff-match-patch`` library), so they are minimal and deterministic.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from diff_match_patch import diff_match_patch
from markupsafe import Markup, escape
from merge3 import Merge3

__all__ = [
    "Conflict",
    "MergeResult",
    "blame",
    "diff_html",
    "merge3",
    "tokenize",
    "word_diff",
]

#: Operations of ``word_diff``.
OPS = ("equal", "delete", "insert")


def _kind(char: str) -> str:
    if char.isspace():  # includes U+00A0 and U+202F
        return "space"
    # Letters, digits and combining marks (a decomposed "é" stays one word).
    if char.isalnum() or char == "_" or unicodedata.category(char).startswith("M"):
        return "word"
    return "punct"


def tokenize(text: str) -> list[str]:
    """Cut ``text`` into tokens such that ``"".join(tokenize(text)) == text``.

    A token is a run of word characters (letters, digits, underscore,
    combining marks), a run of whitespace (non-breaking spaces included), or a
    single other character (punctuation, « », apostrophes ’ and ', symbols):
    "l’État" is ``["l", "’", "État"]``, so changing the noun leaves the
    elided article alone.
    """
    tokens: list[str] = []
    start = 0
    previous = None
    for index, char in enumerate(text):
        kind = _kind(char)
        if index and (kind != previous or kind == "punct"):
            tokens.append(text[start:index])
            start = index
        previous = kind
    if text:
        tokens.append(text[start:])
    return tokens


def _token_diff(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """A shortest edit script from tokens ``a`` to tokens ``b``: (op, count) pairs.

    ``op`` is -1 (delete), 0 (equal) or 1 (insert). Myers' algorithm from
    ``diff-match-patch`` runs on the tokens, each coded as one character, with
    no time limit: the same texts always give the same diff, whatever the
    machine. (``difflib`` finds a longest common block first, which on
    repetitive text can turn one changed word into a long insertion here and
    a long deletion there, and a merge built on that misplaces edits.)
    """
    codes: dict[str, str] = {}

    def encode(tokens: Sequence[str]) -> str:
        # Skip the surrogate range so that every token is exactly one character.
        return "".join(
            codes.setdefault(t, chr(len(codes) + (0x800 if len(codes) >= 0xD800 else 0)))
            for t in tokens
        )

    differ = diff_match_patch()
    differ.Diff_Timeout = 0
    return [
        (op, len(text)) for op, text in differ.diff_main(encode(a), encode(b), checklines=False)
    ]


def _matching_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """The equal stretches of ``_token_diff`` as ``difflib`` matching blocks.

    ``(i, j, n)`` means ``a[i:i+n] == b[j:j+n]``; the list ends with the
    ``(len(a), len(b), 0)`` sentinel, as ``Merge3`` expects.
    """
    blocks = []
    i = j = 0
    for op, count in _token_diff(a, b):
        if op == 0:
            blocks.append((i, j, count))
        if op <= 0:
            i += count
        if op >= 0:
            j += count
    blocks.append((len(a), len(b), 0))
    return blocks


class _TokenMatcher:
    """What ``Merge3`` needs of a sequence matcher, on ``_matching_blocks``."""

    def __init__(self, isjunk=None, a: Sequence[str] = (), b: Sequence[str] = (), autojunk=False):
        self.a, self.b = a, b

    def get_matching_blocks(self) -> list[tuple[int, int, int]]:
        return _matching_blocks(self.a, self.b)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The changes from ``old`` to ``new`` as ``(op, text)`` pairs.

    ``op`` is ``"equal"``, ``"delete"`` (text only in ``old``) or ``"insert"``
    (text only in ``new``); a replacement is a delete followed by an insert.
    Joining the ``equal`` and ``delete`` texts gives ``old``; joining the
    ``equal`` and ``insert`` texts gives ``new``. Tokens are compared whole, so
    a changed word is shown whole; a lone space between two changes is folded
    into them, so "le chat noir" -> "la chienne blanche" reads as one change.
    """
    a, b = tokenize(old), tokenize(new)
    chunks: list[tuple[str, list[str], list[str]]] = []  # (op, old tokens, new tokens)
    i = j = 0
    for op, count in _token_diff(a, b):
        old_part = a[i : i + count] if op <= 0 else []
        new_part = b[j : j + count] if op >= 0 else []
        if op == 0:
            chunks.append(("equal", old_part, new_part))
        elif chunks and chunks[-1][0] == "change":
            chunks[-1][1].extend(old_part)
            chunks[-1][2].extend(new_part)
        else:
            chunks.append(("change", old_part, new_part))
        i += len(old_part)
        j += len(new_part)
    chunks = _fold_lone_spaces(chunks)
    diff: list[tuple[str, str]] = []
    for op, old_tokens, new_tokens in chunks:
        if op == "equal":
            _append(diff, "equal", "".join(old_tokens))
        else:
            _append(diff, "delete", "".join(old_tokens))
            _append(diff, "insert", "".join(new_tokens))
    return diff


def _fold_lone_spaces(
    chunks: list[tuple[str, list[str], list[str]]],
) -> list[tuple[str, list[str], list[str]]]:
    folded: list[tuple[str, list[str], list[str]]] = []
    for index, chunk in enumerate(chunks):
        op, old_tokens, new_tokens = chunk
        between_changes = (
            op == "equal"
            and 0 < index < len(chunks) - 1
            and chunks[index + 1][0] == "change"
            and folded
            and folded[-1][0] == "change"
            and all(token.isspace() for token in old_tokens)
        )
        if between_changes or (op == "change" and folded and folded[-1][0] == "change"):
            _, prev_old, prev_new = folded.pop()
            chunk = ("change", prev_old + old_tokens, prev_new + new_tokens)
        folded.append(chunk)
    return folded


def _append(diff: list[tuple[str, str]], op: str, text: str) -> None:
    if not text:
        return
    if diff and diff[-1][0] == op:
        diff[-1] = (op, diff[-1][1] + text)
    else:
        diff.append((op, text))


def diff_html(old: str, new: str) -> Markup:
    """``word_diff`` as HTML: deletions in ``<del>``, insertions in ``<ins>``.

    Everything from the texts is escaped; the result is ``Markup`` (a ``str``)
    so a template renders it as is. The app's CSS adds a cue that does not
    rely on colour alone.
    """
    parts = []
    for op, text in word_diff(old, new):
        if op == "delete":
            parts.append(Markup("<del>{}</del>").format(text))
        elif op == "insert":
            parts.append(Markup("<ins>{}</ins>").format(text))
        else:
            parts.append(escape(text))
    return Markup("").join(parts)


@dataclass(frozen=True)
class Conflict:
    """Where the current version and the amendment both changed the text.

    ``kind`` is ``"overlap"`` (both edited the same or touching words) or
    ``"clause_deleted"`` (one side deletes the clause, the other edits it).
    ``base``, ``current`` and ``proposed`` are the conflicting passages in each
    text (the whole texts for ``"clause_deleted"``; ``None`` for a side that
    deletes the clause). ``base_start`` / ``base_end`` are character offsets of
    the passage in the base text.
    """

    kind: str
    base: str
    current: str | None
    proposed: str | None
    base_start: int
    base_end: int


@dataclass(frozen=True)
class MergeResult:
    """A three-way merge.

    ``clean`` when the two sets of changes could be applied together; then
    ``text`` is the merged clause, or ``None`` when the merge deletes the
    clause (``deletes_clause``). When not clean, ``text`` is ``None`` and
    ``conflicts`` says where, in base order (two touching changes make one
    conflict spanning both).
    """

    clean: bool
    text: str | None
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def deletes_clause(self) -> bool:
        return self.clean and self.text is None


def merge3(base: str, current: str | None, proposed: str | None) -> MergeResult:
    """Apply both ``base -> current`` and ``base -> proposed``, word by word.

    ``base`` is the version the amendment was written against, ``current``
    the version accepted since, ``proposed`` the amendment's text. ``None``
    for ``current`` or ``proposed`` means "delete the clause".

    - Changes to disjoint word ranges, with at least one unchanged word
      between them, merge cleanly, both applied.
    - Identical changes on both sides merge cleanly, applied once.
    - Changes to the same words, or with no unchanged word between them
      (two insertions at the same point, an insertion right against a
      replaced word, two neighbouring words), conflict unless identical.
    - Deleting the clause against an edit of it always conflicts; deleting it
      against no change (or on both sides) is clean and deletes it.

    An empty string is a text like any other, not a deletion; emptying a
    clause conflicts with any edit of it anyway.
    """
    if current is None or proposed is None:
        if current == proposed or base == (proposed if current is None else current):
            # Both delete, or one deletes and the other left the clause alone.
            return MergeResult(clean=True, text=None)
        return MergeResult(
            clean=False,
            text=None,
            conflicts=[
                Conflict(
                    kind="clause_deleted",
                    base=base,
                    current=current,
                    proposed=proposed,
                    base_start=0,
                    base_end=len(base),
                )
            ],
        )

    base_tokens = tokenize(base)
    current_tokens, proposed_tokens = tokenize(current), tokenize(proposed)
    regions = _regions(base_tokens, current_tokens, proposed_tokens)
    offsets = [0]
    for token in base_tokens:
        offsets.append(offsets[-1] + len(token))

    merged: list[str] = []
    conflicts: list[Conflict] = []
    for kind, z1, z2, a1, a2, b1, b2 in _join_touching_changes(regions, base_tokens):
        if kind in ("unchanged", "a", "same"):
            merged.extend(current_tokens[a1:a2])
        elif kind == "b":
            merged.extend(proposed_tokens[b1:b2])
        else:
            conflicts.append(
                Conflict(
                    kind="overlap",
                    base="".join(base_tokens[z1:z2]),
                    current="".join(current_tokens[a1:a2]),
                    proposed="".join(proposed_tokens[b1:b2]),
                    base_start=offsets[z1],
                    base_end=offsets[z2],
                )
            )
    if conflicts:
        return MergeResult(clean=False, text=None, conflicts=conflicts)
    return MergeResult(clean=True, text="".join(merged))


# A region: (kind, base start, base end, current start, current end, proposed
# start, proposed end), token indices. kind is "unchanged", "a" (only current
# changed), "b" (only proposed changed), "same" (both, identically) or
# "conflict".
_Region = tuple[str, int, int, int, int, int, int]


def _regions(base: list[str], current: list[str], proposed: list[str]) -> list[_Region]:
    """Split the three texts into unchanged stretches and the changes between.

    The sync regions (stretches of base that both descendants keep) come from
    the ``merge3`` library; consecutive unchanged stretches are joined.
    """
    merger = Merge3(base, current, proposed, sequence_matcher=_TokenMatcher)
    regions: list[_Region] = []
    iz = ia = ib = 0
    for z1, z2, a1, a2, b1, b2 in merger.find_sync_regions():
        if z1 > iz or a1 > ia or b1 > ib:
            old, mine, theirs = base[iz:z1], current[ia:a1], proposed[ib:b1]
            if mine == theirs:
                kind = "same"
            elif mine == old:
                kind = "b"
            elif theirs == old:
                kind = "a"
            else:
                kind = "conflict"
            regions.append((kind, iz, z1, ia, a1, ib, b1))
        if z2 > z1:
            if regions and regions[-1][0] == "unchanged":
                _, pz1, _, pa1, _, pb1, _ = regions.pop()
                z1, a1, b1 = pz1, pa1, pb1
            regions.append(("unchanged", z1, z2, a1, a2, b1, b2))
        iz, ia, ib = z2, a2, b2
    return regions


_SIDES = {"a": {"a"}, "b": {"b"}, "same": set(), "conflict": {"a", "b"}}


def _join_touching_changes(regions: list[_Region], base: list[str]) -> list[_Region]:
    """Turn changes from both sides that touch each other into one conflict.

    Two changes are independent only if at least one unchanged *word* lies
    between them: an amendment inserting "gros" before "chat" while the
    current version turned "chat" into "chien" is ambiguous, and which one
    wins should not depend on how the diff happened to align the space.
    """

    def no_word_between(region: _Region) -> bool:
        return region[0] == "unchanged" and not any(
            _kind(token[0]) == "word" for token in base[region[1] : region[2]]
        )

    joined: list[_Region] = []
    i = 0
    while i < len(regions):
        if regions[i][0] == "unchanged":
            joined.append(regions[i])
            i += 1
            continue
        end = i
        sides = set(_SIDES[regions[i][0]])
        # Changes and unchanged stretches alternate; extend across gaps with no word.
        while end + 2 < len(regions) and no_word_between(regions[end + 1]):
            end += 2
            sides |= _SIDES[regions[end][0]]
        if sides == {"a", "b"}:
            first, last = regions[i], regions[end]
            joined.append(("conflict", first[1], last[2], first[3], last[4], first[5], last[6]))
        else:
            joined.extend(regions[i : end + 1])
        i = end + 1
    return joined


def blame(versions: Sequence[str | None]) -> list[tuple[str, int]]:
    """Attribute each passage of the last version to the version that wrote it.

    ``versions`` are the successive texts of a clause, oldest first. Returns
    ``(text, index)`` pairs whose texts join into the last version, ``index``
    being the position in ``versions`` of the version that introduced that
    text (kept through later versions unchanged). Consecutive tokens from the
    same version are joined. A ``None`` version (clause deleted) counts as an
    empty text; an empty list or an empty last version gives ``[]``.
    """
    if not versions:
        return []
    tokens = tokenize(versions[0] or "")
    origins = [0] * len(tokens)
    for index in range(1, len(versions)):
        new_tokens = tokenize(versions[index] or "")
        new_origins = [index] * len(new_tokens)
        for i, j, size in _matching_blocks(tokens, new_tokens):
            new_origins[j : j + size] = origins[i : i + size]
        tokens, origins = new_tokens, new_origins
    passages: list[tuple[str, int]] = []
    for token, origin in zip(tokens, origins, strict=True):
        if passages and passages[-1][1] == origin:
            passages[-1] = (passages[-1][0] + token, origin)
        else:
            passages.append((token, origin))
    return passages
