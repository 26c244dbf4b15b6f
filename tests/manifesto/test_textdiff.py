"""Word diff, three-way merge and blame of clause texts."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from consultation.manifesto.textdiff import (
    Conflict,
    MergeResult,
    blame,
    diff_html,
    merge3,
    tokenize,
    word_diff,
)

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space, before ; : ! ? in French typography

CLAUSE = (
    f"La commune crée un jardin partagé dans chaque quartier{NNBSP}; "
    f"les habitants en fixent les règles{NNBSP}!"
)
FRENCH = (
    f"«{NBSP}L’État et l'œuvre commune{NBSP}» doivent être évalués{NNBSP}: "
    f"c’est l’affaire de tous{NNBSP}!"
)


# -- Tokens ---------------------------------------------------------------------


def test_tokens_keep_french_typography_and_join_back_exactly():
    tokens = tokenize(FRENCH)

    assert "".join(tokens) == FRENCH
    assert tokens[:6] == ["«", NBSP, "L", "’", "État", " "]
    assert "œuvre" in tokens
    assert "'" in tokens
    assert [NNBSP, ":"] == tokens[tokens.index(":") - 1 : tokens.index(":") + 1]
    assert tokens[-2:] == [NNBSP, "!"]


def test_a_decomposed_accent_stays_inside_its_word():
    text = "e\u0301te\u0301 chaud"  # "été" written with combining acute accents

    assert tokenize(text) == ["e\u0301te\u0301", " ", "chaud"]


def test_punctuation_is_one_token_per_character_and_spaces_run_together():
    assert tokenize("Oui,  non…?") == ["Oui", ",", "  ", "non", "…", "?"]
    assert tokenize("") == []


# -- Word diff ------------------------------------------------------------------


def test_word_diff_marks_the_changed_word_only():
    diff = word_diff(CLAUSE, CLAUSE.replace("crée", "aménage"))

    assert diff == [
        ("equal", "La commune "),
        ("delete", "crée"),
        ("insert", "aménage"),
        ("equal", CLAUSE[len("La commune crée") :]),
    ]


def test_word_diff_joins_a_run_of_changed_words_separated_by_single_spaces():
    diff = word_diff("le chat noir dort", "la chienne blanche dort")

    assert diff == [
        ("delete", "le chat noir"),
        ("insert", "la chienne blanche"),
        ("equal", " dort"),
    ]


def test_word_diff_of_identical_texts_is_one_equal_part():
    assert word_diff(CLAUSE, CLAUSE) == [("equal", CLAUSE)]
    assert word_diff("", "") == []


def test_diff_html_escapes_the_clause_text():
    html = diff_html("Si a < b & c > d, alors", "Si a <= b & c > d, alors <script>")

    assert isinstance(html, Markup)
    assert html == "Si a &lt;<ins>=</ins> b &amp; c &gt; d, alors<ins> &lt;script&gt;</ins>"
    assert diff_html("x < y", "x > y") == "x <del>&lt;</del><ins>&gt;</ins> y"


def test_diff_html_keeps_french_typography_as_is():
    html = diff_html(FRENCH, FRENCH.replace("évalués", "évaluées"))

    assert "<del>évalués</del><ins>évaluées</ins>" in html
    for kept in ("«", "»", "’", "œ", NBSP, NNBSP):
        assert kept in html
    assert "l&#39;œuvre" in html  # the straight apostrophe is escaped, not lost


# -- Three-way merge ------------------------------------------------------------------


def test_disjoint_edits_merge_cleanly_with_both_applied():
    current = CLAUSE.replace("crée", "aménage")
    proposed = CLAUSE.replace("fixent", "décident")

    result = merge3(CLAUSE, current, proposed)

    assert result == MergeResult(
        clean=True, text=CLAUSE.replace("crée", "aménage").replace("fixent", "décident")
    )


def test_overlapping_edits_conflict_and_show_the_three_passages():
    current = CLAUSE.replace("chaque quartier", "le quartier nord")
    proposed = CLAUSE.replace("chaque quartier", "chaque école")

    result = merge3(CLAUSE, current, proposed)

    assert not result.clean
    assert result.text is None
    assert result.conflicts == [
        Conflict(
            kind="overlap",
            base="chaque quartier",
            current="le quartier nord",
            proposed="chaque école",
            base_start=CLAUSE.index("chaque"),
            base_end=CLAUSE.index(NNBSP),
        )
    ]


def test_edits_of_neighbouring_words_conflict():
    result = merge3("le chat noir dort", "le chien noir dort", "le chat blanc dort")

    assert not result.clean
    [conflict] = result.conflicts
    assert (conflict.base, conflict.current, conflict.proposed) == (
        "chat noir",
        "chien noir",
        "chat blanc",
    )


def test_an_insertion_against_a_replaced_word_conflicts():
    result = merge3("le chat noir", "le chien noir", "le gros chat noir")

    assert not result.clean
    [conflict] = result.conflicts
    assert conflict.current.strip() == "chien"
    assert conflict.proposed.strip() == "gros chat"


def test_identical_edits_merge_cleanly_once():
    edited = CLAUSE.replace("un jardin partagé", "deux jardins partagés")

    assert merge3(CLAUSE, edited, edited) == MergeResult(clean=True, text=edited)


def test_different_insertions_at_the_same_point_conflict():
    result = merge3(
        "Le conseil décide.", "Le conseil municipal décide.", "Le conseil citoyen décide."
    )

    assert not result.clean
    [conflict] = result.conflicts
    assert conflict.base == ""
    # The insertion point is on one side or the other of the space after "conseil".
    assert conflict.base_start == conflict.base_end
    assert conflict.base_start in (len("Le conseil"), len("Le conseil "))
    assert "municipal" in conflict.current
    assert "citoyen" in conflict.proposed


def test_identical_insertions_at_the_same_point_merge():
    inserted = "Le conseil municipal décide."

    result = merge3("Le conseil décide.", inserted, inserted)

    assert result == MergeResult(clean=True, text=inserted)


def test_insertions_at_the_two_ends_merge():
    result = merge3("Le conseil décide.", "Demain, le conseil décide.", "Le conseil décide vite.")

    assert result == MergeResult(clean=True, text="Demain, le conseil décide vite.")


def test_deleting_the_clause_against_an_edit_always_conflicts():
    edited = CLAUSE.replace("crée", "aménage")

    for current, proposed in ((edited, None), (None, edited)):
        result = merge3(CLAUSE, current, proposed)
        assert not result.clean
        assert result.text is None
        assert result.conflicts == [
            Conflict(
                kind="clause_deleted",
                base=CLAUSE,
                current=current,
                proposed=proposed,
                base_start=0,
                base_end=len(CLAUSE),
            )
        ]


@pytest.mark.parametrize("current, proposed", [(CLAUSE, None), (None, CLAUSE), (None, None)])
def test_deleting_the_clause_against_no_edit_deletes_it(current, proposed):
    result = merge3(CLAUSE, current, proposed)

    assert result.clean
    assert result.text is None
    assert result.deletes_clause


def test_emptying_the_clause_against_an_edit_conflicts():
    result = merge3(CLAUSE, CLAUSE + " Sans délai.", "")

    assert not result.clean


def test_a_merge_keeps_french_typography():
    current = FRENCH.replace("L’État", "L’Europe")
    proposed = FRENCH.replace("de tous", "de chacun")

    result = merge3(FRENCH, current, proposed)

    assert result.clean
    assert result.text == FRENCH.replace("L’État", "L’Europe").replace("de tous", "de chacun")


def test_merge_of_repetitive_text_keeps_each_edit_in_its_place():
    # On a text repeating one phrase, difflib (longest common block first)
    # reads the change at word 10 as 16 tokens inserted near the start and 16
    # deleted at the end: the merge then puts "métropole" two phrases off (or,
    # with difflib's autojunk, conflicts). A shortest edit script does not.
    words = " ".join(["la commune et le conseil de la ville"] * 20).split(" ")
    current = words[:10] + ["mairie"] + words[11:]
    proposed = words[:150] + ["métropole"] + words[151:]

    result = merge3(" ".join(words), " ".join(current), " ".join(proposed))

    assert result == MergeResult(
        clean=True,
        text=" ".join(words[:10] + ["mairie"] + words[11:150] + ["métropole"] + words[151:]),
    )


# -- Blame ----------------------------------------------------------------------


def test_blame_attributes_each_passage_to_the_version_that_wrote_it():
    versions = [
        "La commune crée un jardin dans chaque quartier.",
        "La commune crée un jardin partagé dans chaque quartier.",
        "La commune aménage un jardin partagé dans chaque quartier, avec les écoles.",
    ]

    passages = blame(versions)

    assert "".join(text for text, _ in passages) == versions[-1]
    assert passages == [
        ("La commune ", 0),
        ("aménage", 2),
        (" un jardin ", 0),
        ("partagé ", 1),
        ("dans chaque quartier", 0),
        (", avec les écoles", 2),
        (".", 0),
    ]


def test_blame_edges():
    assert blame([]) == []
    assert blame(["Texte initial."]) == [("Texte initial.", 0)]
    assert blame(["Texte.", None]) == []
    assert blame(["Texte.", None, "Texte rétabli."]) == [("Texte rétabli.", 2)]


# -- Properties -------------------------------------------------------------------

FRENCH_CHARS = st.sampled_from(
    list("abcéèêàçœÉ ,.;:!?«»’'-") + [NBSP, NNBSP, "\n", "\u0301", "<", "&"]
)
french_text = st.text(FRENCH_CHARS, max_size=60)
# Texts made of a few repeated words, so that versions share many tokens.
worded_text = st.lists(
    st.sampled_from(
        ["la", "commune", "crée", "un", "jardin", "œuvre", "«", "»", " ", NBSP, ",", "’"]
    ),
    max_size=30,
).map("".join)


@given(st.text() | french_text)
def test_tokens_always_join_back_to_the_text(text):
    assert "".join(tokenize(text)) == text


@given(french_text | worded_text, french_text | worded_text)
def test_word_diff_rebuilds_both_texts(old, new):
    diff = word_diff(old, new)

    assert "".join(text for op, text in diff if op != "insert") == old
    assert "".join(text for op, text in diff if op != "delete") == new
    assert all(text for _, text in diff)


@given(worded_text | french_text, worded_text | french_text)
def test_merging_against_an_unchanged_side_gives_the_other_side(base, other):
    assert merge3(base, base, other) == MergeResult(clean=True, text=other)
    assert merge3(base, other, base) == MergeResult(clean=True, text=other)


@given(worded_text, worded_text, worded_text)
def test_a_merge_does_not_depend_on_which_side_was_accepted_first(base, current, proposed):
    result = merge3(base, current, proposed)
    swapped = merge3(base, proposed, current)

    assert (swapped.clean, swapped.text) == (result.clean, result.text)
    assert [(c.base, c.current, c.proposed) for c in swapped.conflicts] == [
        (c.base, c.proposed, c.current) for c in result.conflicts
    ]
    for conflict in result.conflicts:
        assert base[conflict.base_start : conflict.base_end] == conflict.base


def test_a_clauses_passages_credit_words_not_the_spaces_and_stops_kept_between_them():
    from types import SimpleNamespace

    from consultation.manifesto.services import passages

    def clause(*texts):
        return SimpleNamespace(versions=[SimpleNamespace(text=text) for text in texts])

    rewritten = clause("La ville publie chaque outil.", "Aucun algorithme ne tranche seul.")
    assert blame([v.text for v in rewritten.versions]) != [("Aucun algorithme ne tranche seul.", 1)]
    assert passages(rewritten) == [("Aucun algorithme ne tranche seul.", rewritten.versions[1])]

    quoted = clause("« Texte » ancien.", "« Nouveau » texte.")
    assert passages(quoted) == [("« Nouveau » texte.", quoted.versions[1])]

    amended = clause(
        "La commune crée un jardin dans chaque quartier.",
        "La commune crée un jardin partagé dans chaque quartier, avec les écoles.",
    )
    old, new = amended.versions
    assert passages(amended) == [
        ("La commune crée un jardin ", old),
        ("partagé ", new),
        ("dans chaque quartier", old),
        (", avec les écoles.", new),
    ]
