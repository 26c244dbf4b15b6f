"""Reading people and quota files: formats facilitators bring, and every problem by line."""

import pytest

from consultation.panels.importing import (
    ImportFailed,
    cross_check,
    household_key,
    parse_people,
    parse_quotas,
)
from tests.panels.conftest import DATA

PEOPLE = (
    "id,genre,age,adresse,code_postal,email\n"
    "p1,femme,16-29,1 rue A,35000,p1@example.org\n"
    "p2,homme,30-44,1 rue A,35000,p2@example.org\n"
    "p3,femme,30-44,2 rue B,35000,\n"
)


def problems_of(call):
    with pytest.raises(ImportFailed) as failure:
        call()
    return [(p.code, p.line, p.column) for p in failure.value.problems]


def test_sample_pool_and_quotas_read():
    features, people = parse_people(
        (DATA / "city-pool-600.csv").read_bytes(), address_columns=["adresse", "code_postal"]
    )
    assert features == ["age", "diplome", "genre", "quartier"]
    assert len(people) == 600
    assert people[0].contact == {"email": "person0@example.org"}
    quotas = parse_quotas((DATA / "city-quotas-30.csv").read_bytes())
    assert len(quotas) == 24
    assert cross_check(people, quotas) == []


def test_feature_names_are_whatever_the_file_says():
    content = b"ref;sexe;tranche\nA;F;jeune\nB;M;vieux\n"
    features, people = parse_people(content, id_column="ref")
    assert features == ["sexe", "tranche"]
    assert people[1].features == {"sexe": "M", "tranche": "vieux"}


def test_french_spreadsheet_export_semicolon_windows_1252():
    text = "id;genre;quartier\nx1;femme;Bréquigny\nx2;homme;Cleunay\n"
    features, people = parse_people(text.encode("cp1252"))
    assert people[0].features["quartier"] == "Bréquigny"


def test_utf8_with_byte_order_mark():
    text = "id,genre\nx1,femme\n"
    features, people = parse_people(("\ufeff" + text).encode("utf-8"))
    assert features == ["genre"] and people[0].external_id == "x1"


def test_households_from_address_columns():
    _features, people = parse_people(PEOPLE.encode(), address_columns=["adresse", "code_postal"])
    keys = [household_key(p.address) for p in people]
    assert keys[0] == keys[1] != keys[2]
    assert household_key({"a": "1 Rue  A", "b": "35000"}) == household_key(
        {"a": "1 rue a", "b": "35000"}
    )


def test_every_problem_is_reported_with_line_and_column():
    content = (
        b"id,genre,email\n"
        b"a1,femme,ok@example.org\n"
        b"a1,homme,\n"
        b",femme,x@example.org\n"
        b"a4,,not-an-email\n"
    )
    assert problems_of(lambda: parse_people(content)) == [
        ("duplicate_id", 3, "id"),
        ("missing_value", 4, "id"),
        ("missing_value", 5, "genre"),
        ("bad_email", 5, "email"),
    ]


def test_value_not_in_quotas():
    content = b"id,genre\na,femme\nb,robot\n"
    assert problems_of(
        lambda: parse_people(content, quota_values={"genre": {"femme", "homme"}})
    ) == [("value_not_in_quotas", 3, "genre")]


@pytest.mark.parametrize(
    "content, code",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"id,genre\n", "no_rows"),
        (b"x" * (10 * 1024 * 1024 + 1), "too_large"),
    ],
)
def test_empty_or_too_large_files(content, code):
    assert problems_of(lambda: parse_people(content))[0][0] == code


def test_missing_id_and_address_columns():
    assert sorted(
        problems_of(lambda: parse_people(b"ident,genre\n1,f\n", address_columns=["rue"]))
    ) == [("missing_column", 1, "id"), ("missing_column", 1, "rue")]


def test_quota_problems_by_line():
    content = (
        b"feature,value,min,max\n"
        b"genre,femme,13,18\n"
        b"genre,homme,deux,16\n"
        b"genre,autre,5,2\n"
        b"genre,femme,1,2\n"
        b"age,,1,2\n"
        b"age,jeune,-1,3\n"
    )
    assert problems_of(lambda: parse_quotas(content)) == [
        ("not_a_number", 3, "min"),
        ("min_above_max", 4, "min"),
        ("duplicate_quota", 5, "value"),
        ("missing_value", 6, "value"),
        ("negative", 7, "min"),
    ]


def test_quotas_with_french_semicolons():
    quotas = parse_quotas("feature;value;min;max\ngenre;femme;1;2\n".encode("cp1252"))
    assert (quotas[0].feature, quotas[0].min, quotas[0].max) == ("genre", 1, 2)


def test_cross_check_finds_pool_values_without_quota():
    _f, people = parse_people(b"id,genre\na,femme\nb,autre\n")
    quotas = parse_quotas(b"feature,value,min,max\ngenre,femme,0,1\nage,jeune,0,1\n")
    codes = [(p.code, p.line, p.column) for p in cross_check(people, quotas)]
    assert ("quota_feature_not_in_pool", None, "age") in codes
    assert ("pool_value_not_in_quotas", 3, "genre") in codes
