"""The same pool, quotas and seed give the same draw, byte for byte, wherever they are drawn.

An observer re-runs a draw announced with a public seed: in another process (another
``PYTHONHASHSEED``), on a fresh database (SQLite or PostgreSQL, as the suite runs), from
the pool file with its rows and columns in another order. Codes, households,
fingerprint, lottery and panel must all come out the same.
"""

import csv
import io
import json
import os
import random
import subprocess
import sys

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultation.extensions import db
from consultation.panels import services
from consultation.panels.models import Draw, DrawStatus, Panel, Volunteer
from tests.conftest import _create_database, _on_server, database_kind
from tests.panels.conftest import DATA, SMALL_QUOTAS, choose_columns, get_panel, small_pool
from tests.panels.test_views import wait_for

SEED = "20260311"
POOL = DATA / "city-pool-600.csv"
QUOTAS = DATA / "city-quotas-30.csv"


def shuffled(content: bytes, seed: int) -> bytes:
    """The same table with its rows and its columns in another order."""
    rows = list(csv.reader(io.StringIO(content.decode())))
    header, body = rows[0], rows[1:]
    rng = random.Random(seed)
    order = list(range(len(header)))
    rng.shuffle(order)
    rng.shuffle(body)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in [header, *body]:
        writer.writerow([row[i] for i in order])
    return out.getvalue().encode()


def fresh_database(tmp_path, name: str) -> str:
    """A new, empty database of the kind the suite runs on."""
    if database_kind() == "postgresql":
        base = os.environ["TEST_DATABASE_URL"]
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        url = _create_database(base, f"{sa.make_url(base).database}_{worker}_{name}")
        return url
    return f"sqlite:///{tmp_path / name}.sqlite3"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        base = os.environ["TEST_DATABASE_URL"]
        _on_server(base, f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)')


def command_line_draw(database_url: str, pool_path, hash_seed: str) -> subprocess.Popen:
    """The facilitator's whole sequence, as a shell script would run it, in a process of
    its own: migrate, create, import-pool, set-quotas, draw --json."""
    flask = f"{sys.executable} -m flask --app consultation"
    script = f"""
set -e
{flask} db upgrade > /dev/null 2>&1
id=$({flask} panel create "Conseil citoyen" --seats 30)
{flask} panel import-pool "$id" "{pool_path}" --address-columns adresse,code_postal > /dev/null
{flask} panel set-quotas "$id" "{QUOTAS}" > /dev/null
{flask} panel draw "$id" --seed {SEED} --json
"""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONHASHSEED": hash_seed,
        "SECRET_KEY": "reproducible",
    }
    return subprocess.Popen(
        ["bash", "-c", script],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_command_line_sequence_gives_the_same_draw_in_two_fresh_databases(tmp_path):
    shuffled_pool = tmp_path / "pool-shuffled.csv"
    shuffled_pool.write_bytes(shuffled(POOL.read_bytes(), seed=11))
    urls = [fresh_database(tmp_path, "repro_a"), fresh_database(tmp_path, "repro_b")]
    try:
        # Both at once: the machine's two cores, and nothing shared between them.
        runs = [
            command_line_draw(urls[0], POOL, hash_seed="1"),
            command_line_draw(urls[1], shuffled_pool, hash_seed="2"),
        ]
        outputs = []
        for run in runs:
            stdout, stderr = run.communicate(timeout=600)
            assert run.returncode == 0, stderr
            outputs.append(stdout)
    finally:
        for url in urls:
            drop_database(url)
    first, second = (json.loads(output) for output in outputs)
    assert first["fingerprint"] == second["fingerprint"]
    assert first["lottery"] == second["lottery"] and len(first["lottery"]) > 1
    assert first["selected"] == second["selected"] and len(first["selected"]) == 30
    assert outputs[0] == outputs[1]  # byte for byte: probabilities, ticket, reserves too


OPEN_QUOTAS = (
    b"feature,value,min,max\ngenre,femme,0,8\ngenre,homme,0,8\n"
    b"age,jeune,0,8\nage,moyen,0,8\nage,ancien,0,8\n"
)


def imported(pool: bytes, name: str, quotas: bytes | None = None, **choices) -> Panel:
    panel = services.create_panel(name=name, seats=8)
    if quotas:
        services.set_quotas(panel, quotas)
    services.import_pool(panel, pool, **choices)
    db.session.flush()
    return panel


def codes_by_id(panel: Panel) -> dict[str, tuple[str, str | None]]:
    return {v.external_id: (v.code, v.household_code) for v in services.volunteers(panel)}


@st.composite
def pools(draw):
    """A small pool: ids, two criteria, shared addresses, a private column."""
    size = draw(st.integers(min_value=2, max_value=25))
    ids = draw(
        st.lists(
            st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True),
            min_size=size,
            max_size=size,
            unique=True,
        )
    )
    rows = [
        [
            ident,
            draw(st.sampled_from(["femme", "homme"])),
            draw(st.sampled_from(["jeune", "moyen", "ancien"])),
            f"{draw(st.integers(0, size // 2))} rue des Tests",
            draw(st.text(alphabet="abcdefghij ", max_size=12)).strip() or "rien",
        ]
        for ident in ids
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "genre", "age", "adresse", "note"])
    writer.writerows(rows)
    return out.getvalue().encode()


# The database is cleaned after the test; each example rolls back what it wrote.
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pool=pools(), order_seed=st.integers(0, 2**16))
def test_rows_and_columns_in_any_order_give_the_same_codes_and_inputs(app, pool, order_seed):
    choices = {"criteria": ["genre", "age"], "address_columns": ["adresse"]}
    with app.app_context():
        try:
            one = imported(pool, "un", OPEN_QUOTAS, **choices)
            other = imported(shuffled(pool, order_seed), "deux", OPEN_QUOTAS, **choices)
            assert one.code_salt == other.code_salt and len(one.code_salt) == 64
            assert codes_by_id(one) == codes_by_id(other)
            assert services._inputs(one, seats=2) == services._inputs(other, seats=2)
        finally:
            db.session.rollback()


def test_codes_depend_on_the_whole_file_private_columns_included(app):
    pool = (DATA / "city-pool-600.csv").read_bytes()
    changed = pool.replace(b"person599@example.org", b"someone-else@example.org")
    assert changed != pool
    with app.app_context():
        one = imported(pool, "un", address_columns=["adresse", "code_postal"])
        other = imported(changed, "deux", address_columns=["adresse", "code_postal"])
        first, second = codes_by_id(one), codes_by_id(other)
        # One email changed: every code changes, so knowing ids is not enough to compute one.
        assert set(first) == set(second)
        assert all(first[i][0] != second[i][0] for i in first)
        db.session.rollback()


def test_the_pages_and_the_command_line_give_the_same_draw(
    app, client, make_user, login, runner, tmp_path
):
    """A facilitator imports the shuffled pool through the pages; a script imports the
    file as it is: both draws with the same seed are the same, code for code."""
    from consultation.accounts.models import Role

    pool, quotas = tmp_path / "pool.csv", tmp_path / "quotas.csv"
    pool.write_bytes(small_pool())
    quotas.write_bytes(SMALL_QUOTAS)
    created = runner.invoke(args=["panel", "create", "Script", "--seats", "8"])
    panel_cli = created.output.strip()
    for args in (
        ["import-pool", panel_cli, str(pool), "--address-columns", "adresse,code_postal"],
        ["set-quotas", panel_cli, str(quotas)],
        ["draw", panel_cli, "--seed", SEED, "--json"],
    ):
        result = runner.invoke(args=["panel", *args])
        assert result.exit_code == 0, result.output
    by_script = json.loads(result.stdout)

    login(make_user(Role.FACILITATOR, language="en"))
    client.post(
        "/panels/new",
        data={"name": "Pages", "seats": "8", "term_months": "36", "cohorts": "3"},
    )
    with app.app_context():
        panel_id = db.session.scalar(sa.select(sa.func.max(Panel.id)))
    for kind, content in (
        ("pool", shuffled(small_pool(), seed=3)),
        ("quotas", SMALL_QUOTAS),
    ):
        response = client.post(
            f"/panels/{panel_id}/{kind}/upload",
            data={"file": (io.BytesIO(content), f"{kind}.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        if kind == "pool":
            saved = choose_columns(client, response.headers["Location"])
        else:
            saved = client.post(response.headers["Location"], data={})
        assert saved.status_code == 302
    response = client.post(
        f"/panels/{panel_id}/draw", data={"seed": SEED, "algorithm": "leximin", "reserves": "0"}
    )
    assert response.status_code == 302
    with app.app_context():
        draw_id = db.session.scalar(sa.select(Draw.id).where(Draw.panel_id == panel_id))
    assert wait_for(app, draw_id) is DrawStatus.DONE
    with app.app_context():
        draw = db.session.get(Draw, draw_id)
        script_draw = db.session.get(Draw, by_script["draw_id"])
        assert draw.fingerprint == script_draw.fingerprint == by_script["fingerprint"]
        assert draw.result["lottery"] == script_draw.result["lottery"]
        assert draw.result["selected"] == script_draw.result["selected"]
        panel = get_panel(panel_id)
        ids = {v.code: v.external_id for v in services.volunteers(panel)}
        assert sorted(ids[c] for c in draw.result["selected"]) == by_script["selected"]
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Volunteer)
                .where(Volunteer.panel_id == panel_id)
            )
            == 40
        )
