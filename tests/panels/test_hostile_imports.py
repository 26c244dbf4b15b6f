"""Whatever file a facilitator uploads, the answer is a clear message, never a 500.

What passes the preview must save: a number too large for the database, a value too
long for its column, a NUL byte (which PostgreSQL refuses in text) are refused with a
reason at the preview, not failed on at the confirmation.
"""

import csv
import io
import json

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultation.accounts.models import Role
from consultation.extensions import db
from consultation.panels import importing
from consultation.panels.models import Panel, Quota, StagedImport, Volunteer
from tests.panels.conftest import DATA, SMALL_QUOTAS, choose_columns, small_pool
from tests.panels.test_views import upload

HOSTILE = json.loads((DATA / "hostile" / "blns.json").read_text())


@pytest.fixture
def facilitator(client, make_user, login):
    login(make_user(Role.FACILITATOR, language="en"))


@pytest.fixture
def panel_url(app, client, facilitator):
    client.post(
        "/panels/new", data={"name": "Hostile", "seats": "8", "term_months": "36", "cohorts": "3"}
    )
    with app.app_context():
        return f"/panels/{db.session.scalar(sa.select(sa.func.max(Panel.id)))}"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize(
    "row, message",
    [
        (b"genre,femme,99999999999999999999999,99999999999999999999999", "too large"),
        (b"genre,femme,2147483648,2147483649", "too large"),
        (b"genre,femme,-3,5", "is negative"),
        (b"genre,femme,deux,5", "not a whole number"),
        (b"genre,femme,1e3,5", "not a whole number"),
        (b"genre,femme,1_000,5", "not a whole number"),
        ("genre,femme,١٢,20".encode(), "not a whole number"),
        (b"genre,femme,1,\x002", "NUL character"),
        (b"genre," + b"f" * 101 + b",1,2", "longer than 100 characters"),
        (b"g" * 101 + b",femme,1,2", "longer than 100 characters"),
    ],
)
def test_quotas_that_cannot_be_saved_are_refused_with_the_reason(
    app, client, panel_url, row, message
):
    content = b"feature,value,min,max\n" + row + b"\ngenre,homme,0,8\n"
    response = upload(client, f"{panel_url}/quotas/upload", content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Quota) == 0 and count(app, StagedImport) == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (b"id,genre\na\x00,femme\nb,homme\n", "NUL character"),
        (b"id,genre\n" + b'"' + b"x" * 200_000 + b'",femme\n', "cannot be read"),
        (b",".join(b"c%d" % i for i in range(201)) + b"\n" + b",".join([b"1"] * 201), "columns"),
        (b"id,genre,genre\na,femme,femme\n", "appears twice"),
        (b"id,genre\n", "no rows"),
        (b"", "empty"),
    ],
)
def test_pool_files_that_cannot_be_read_are_refused_at_upload(
    app, client, panel_url, content, message
):
    response = upload(client, f"{panel_url}/pool/upload", content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, StagedImport) == 0


def test_pool_values_too_long_for_the_database_are_refused_at_the_preview(app, client, panel_url):
    long_id, long_value = "i" * 101, "v" * 101
    content = f"id,genre,{'c' * 101}\n{long_id},femme,x\nb,{long_value},y\nc,homme,x\n".encode()
    response = upload(client, f"{panel_url}/pool/upload", content)
    assert response.status_code == 302
    page = choose_columns(
        client, response.headers["Location"], {"genre": "criterion", "c" * 101: "private"}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Line 2, column “id”: the value is longer than 100 characters." in text
    assert "Line 3, column “genre”: the value is longer than 100 characters." in text
    assert count(app, Volunteer) == 0
    page = choose_columns(
        client, response.headers["Location"], {"genre": "private", "c" * 101: "criterion"}
    )
    assert "name has at most 100 characters" in page.get_data(as_text=True)


def test_a_filename_with_control_characters_is_kept_readable(app, client, panel_url):
    response = client.post(
        f"{panel_url}/pool/upload",
        data={"file": (io.BytesIO(small_pool()), "liste\x00\x1b[31m.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200


def test_hostile_strings_in_every_cell_import_or_are_refused_never_fail(app, client, panel_url):
    """The big list of naughty strings as ids, criteria values, contacts and private
    columns: saved exactly as written when the file is right, refused with reasons
    otherwise, and never a 500."""
    strings = [s for s in HOSTILE if s.strip() and len(s.strip()) <= 100][:300]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "genre", "nom", "commentaire"])
    for i, text in enumerate(strings):
        writer.writerow([f"h{i:03d}", "femme" if i % 2 else "homme", text, text])
    upload(client, f"{panel_url}/quotas/upload", SMALL_QUOTAS.replace(b"age", b"genre2"))
    response = upload(client, f"{panel_url}/pool/upload", out.getvalue().encode())
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    assert preview.status_code == 200
    saved = choose_columns(client, response.headers["Location"], {"genre": "criterion"})
    assert saved.status_code in (302, 400)
    if saved.status_code == 302:
        with app.app_context():
            kept = {v.external_id: v for v in db.session.scalars(sa.select(Volunteer))}
            assert len(kept) == len(strings)
            assert kept["h007"].private["commentaire"] == strings[7].strip()
    assert client.get(f"{panel_url}/pool").status_code == 200


# ---------------------------------------------------------------- any bytes at all


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=200).map(str.encode))
def test_any_bytes_read_as_a_pool_or_quotas_or_give_problems(content):
    for parse in (importing.parse_quotas, importing.parse_people):
        try:
            parse(content)
        except importing.ImportFailed as failure:
            assert failure.problems
    try:
        table = importing.read_table(content)
    except importing.ImportFailed:
        return
    importing.suggest_roles(table)
    assert len(importing.content_key(table)) == 64


cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)


@settings(max_examples=200)
@given(st.lists(st.tuples(cells, cells, cells, cells), min_size=1, max_size=8))
def test_quotas_read_are_always_storable(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["feature", "value", "min", "max"])
    writer.writerows(rows)
    try:
        quotas = importing.parse_quotas(out.getvalue().encode())
    except importing.ImportFailed:
        return
    for quota in quotas:
        assert 0 <= quota.min <= quota.max <= importing.MAX_QUOTA
        assert 0 < len(quota.feature) <= 100 and 0 < len(quota.value) <= 100
        assert "\x00" not in quota.feature + quota.value
