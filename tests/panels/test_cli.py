"""The panel commands, as scripts call them: exit codes, stdout, stderr, nothing half-saved."""

import json

import sqlalchemy as sa

from consultation.extensions import db
from consultation.panels.models import Draw, Membership, Volunteer
from tests.panels.conftest import DATA, SMALL_QUOTAS, small_pool


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def write(tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def create_loaded(runner, tmp_path, seats=8, pool=None, quotas=SMALL_QUOTAS):
    created = runner.invoke(args=["panel", "create", "Conseil", "--seats", str(seats)])
    assert created.exit_code == 0, created.output
    panel_id = created.output.strip()
    assert panel_id.isdigit()
    result = runner.invoke(args=["panel", "set-quotas", panel_id, write(tmp_path, "q.csv", quotas)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "panel",
            "import-pool",
            panel_id,
            write(tmp_path, "p.csv", pool or small_pool()),
            "--address-columns",
            "adresse,code_postal",
        ]
    )
    assert result.exit_code == 0, result.output
    return panel_id


def test_create_prints_the_id_alone(runner):
    result = runner.invoke(
        args=["panel", "create", "Conseil citoyen", "--seats", "30", "--term-months", "24"]
    )
    assert result.exit_code == 0
    assert result.output.strip().isdigit()


def test_draw_json_and_verify(runner, app, tmp_path):
    panel_id = create_loaded(runner, tmp_path)
    result = runner.invoke(
        args=["panel", "draw", panel_id, "--seed", "4242", "--reserves", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {
        "draw_id",
        "seed",
        "algorithm",
        "fingerprint",
        "selected",
        "reserves",
        "probabilities",
        "lottery",
    } <= set(data)
    assert data["seed"] == "4242" and data["algorithm"] == "leximin"
    assert len(data["selected"]) == 8 and len(data["reserves"]) == 3
    assert all(i.startswith("s") for i in data["selected"])  # the ids of the pool file
    assert len(data["probabilities"]) == 40
    assert abs(sum(data["probabilities"].values()) - 8) < 1e-6
    assert abs(sum(p["probability"] for p in data["lottery"]) - 1) < 1e-6
    assert data["selected"] in [p["panel"] for p in data["lottery"]]
    verified = runner.invoke(args=["panel", "verify", str(data["draw_id"])])
    assert verified.exit_code == 0, verified.output


def test_recorded_inputs_and_seed_give_the_same_panel_again(runner, app, tmp_path):
    from consultation import sortition
    from consultation.panels import services

    panel_id = create_loaded(runner, tmp_path)
    data = json.loads(
        runner.invoke(args=["panel", "draw", panel_id, "--seed", "77", "--json"]).stdout
    )
    with app.app_context():
        draw = db.session.get(Draw, data["draw_id"])
        again = sortition.draw(
            services._engine_people(draw.inputs), services._engine_quotas_from(draw.inputs), 8, "77"
        )
        assert list(again.selected) == draw.result["selected"]
        assert again.fingerprint == draw.fingerprint


def test_verify_fails_on_a_tampered_draw(runner, app, tmp_path):
    panel_id = create_loaded(runner, tmp_path)
    data = json.loads(
        runner.invoke(args=["panel", "draw", panel_id, "--seed", "9", "--json"]).stdout
    )
    with app.app_context():
        draw = db.session.get(Draw, data["draw_id"])
        result = dict(draw.result)
        result["seed"] = "10"
        draw.result = result
        db.session.commit()
    verified = runner.invoke(args=["panel", "verify", str(data["draw_id"])])
    assert verified.exit_code != 0
    assert "does not check out" in verified.stderr


def test_infeasible_quotas_are_explained_and_nothing_recorded(runner, app, tmp_path):
    impossible = (
        b"feature,value,min,max\ngenre,femme,7,8\ngenre,homme,0,8\nage,jeune,0,8\nage,ancien,0,8\n"
    )
    panel_id = create_loaded(runner, tmp_path, seats=8, pool=small_pool(10), quotas=impossible)
    result = runner.invoke(args=["panel", "draw", panel_id, "--seed", "1"])
    assert result.exit_code != 0
    assert "femme" in result.stderr and "7" in result.stderr
    assert count(app, Draw) == 0 and count(app, Membership) == 0


def test_bad_pool_file_is_refused_with_line_numbers(runner, app, tmp_path):
    panel_id = runner.invoke(args=["panel", "create", "X", "--seats", "2"]).output.strip()
    bad = b"id,genre,email\na,femme,a@example.org\na,homme,b@example.org\nc,,nope\n"
    result = runner.invoke(args=["panel", "import-pool", panel_id, write(tmp_path, "bad.csv", bad)])
    assert result.exit_code != 0
    assert "3" in result.stderr and "4" in result.stderr
    assert count(app, Volunteer) == 0


def test_errors_for_missing_things(runner, tmp_path):
    assert runner.invoke(args=["panel", "draw", "999", "--seed", "1"]).exit_code != 0
    assert runner.invoke(args=["panel", "verify", "999"]).exit_code != 0
    panel_id = runner.invoke(args=["panel", "create", "X", "--seats", "2"]).output.strip()
    missing = runner.invoke(args=["panel", "import-pool", panel_id, str(tmp_path / "none.csv")])
    assert missing.exit_code != 0 and "cannot read" in missing.stderr
    no_quotas = runner.invoke(args=["panel", "draw", panel_id, "--seed", "1"])
    assert no_quotas.exit_code != 0
    assert runner.invoke(args=["panel", "create", "X", "--seats", "0"]).exit_code != 0


def test_replace_keeps_the_quotas(runner, app, tmp_path):
    panel_id = create_loaded(runner, tmp_path)
    data = json.loads(
        runner.invoke(
            args=["panel", "draw", panel_id, "--seed", "5", "--reserves", "5", "--json"]
        ).stdout
    )
    leaving = data["selected"][0]
    result = runner.invoke(args=["panel", "replace", panel_id, leaving, "--seed", "6", "--json"])
    assert result.exit_code == 0, result.output
    replacement = json.loads(result.stdout)
    assert leaving not in replacement["selected"]
    with app.app_context():
        assert_panel_within_quotas(int(panel_id), seats=8)
    verified = runner.invoke(args=["panel", "verify", str(replacement["draw_id"])])
    assert verified.exit_code == 0, verified.output


def test_renewal_keeps_the_quotas_and_excludes_the_leaving(runner, app, tmp_path):
    panel_id = create_loaded(runner, tmp_path)
    data = json.loads(
        runner.invoke(args=["panel", "draw", panel_id, "--seed", "5", "--json"]).stdout
    )
    result = runner.invoke(args=["panel", "renew", panel_id, "--seed", "8", "--json"])
    assert result.exit_code == 0, result.output
    renewal = json.loads(result.stdout)
    with app.app_context():
        from consultation.panels.models import MembershipStatus

        ended = db.session.scalars(
            sa.select(Membership).where(Membership.status == MembershipStatus.TERM_ENDED)
        ).all()
        assert 2 <= len(ended) <= 3  # a third of eight
        leaving_ids = {m.volunteer.external_id for m in ended}
        assert leaving_ids <= set(data["selected"])
        assert not leaving_ids & set(renewal["selected"])
        assert_panel_within_quotas(int(panel_id), seats=8)
    assert runner.invoke(args=["panel", "verify", str(renewal["draw_id"])]).exit_code == 0


def assert_panel_within_quotas(panel_id: int, seats: int) -> None:
    from collections import Counter

    from consultation.panels import services
    from consultation.panels.models import Panel

    panel = db.session.get(Panel, panel_id)
    members = services.seated(panel)
    assert len(members) == seats
    counts = Counter((f, v) for m in members for f, v in m.volunteer.features.items())
    for quota in panel.quotas:
        assert quota.min <= counts[(quota.feature, quota.value)] <= quota.max, quota.value
    households = [m.volunteer.household_code for m in members if m.volunteer.household_code]
    assert len(households) == len(set(households))


def test_sample_pool_draw_600_by_30(runner, tmp_path):
    panel_id = create_loaded(
        runner,
        tmp_path,
        seats=30,
        pool=(DATA / "city-pool-600.csv").read_bytes(),
        quotas=(DATA / "city-quotas-30.csv").read_bytes(),
    )
    result = runner.invoke(args=["panel", "draw", panel_id, "--seed", "2026", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["selected"]) == 30
    assert min(data["probabilities"].values()) > 0


def test_import_pool_takes_the_role_of_each_column(runner, app, tmp_path):
    """Named columns take the role they are named for; every other one is private."""
    from tests.panels.conftest import DECOY_QUOTAS, decoy_pool, decoy_values

    created = runner.invoke(args=["panel", "create", "Leurres", "--seats", "8"])
    panel_id = created.output.strip()
    runner.invoke(args=["panel", "set-quotas", panel_id, write(tmp_path, "q.csv", DECOY_QUOTAS)])
    result = runner.invoke(
        args=[
            "panel",
            "import-pool",
            panel_id,
            write(tmp_path, "p.csv", decoy_pool()),
            "--id-column",
            "Identifiant",
            "--criteria",
            "genre,age",
            "--address-columns",
            "adresse,code_postal",
            "--contact-columns",
            "E-mail,Prénom,nom_famille,Téléphone portable",
            "--ignore-columns",
            "commentaire",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Selection criteria (public only with quotas): genre, age" in result.output
    assert "Private (facilitators only): date_naissance, diplome, Numéro fiscal" in result.output
    assert "Not kept: commentaire" in result.output
    with app.app_context():
        volunteer = db.session.scalar(
            sa.select(Volunteer).where(Volunteer.external_id == "DCY-0003")
        )
        values = decoy_values(3)
        assert volunteer.features == {"age": values["age"], "genre": values["genre"]}
        assert volunteer.contact == {
            "email": values["E-mail"],
            "phone": values["Téléphone portable"],
            "name": f"{values['Prénom']} {values['nom_famille']}",
        }
        assert volunteer.private == {
            "date_naissance": values["date_naissance"],
            "diplome": values["diplome"],
            "Numéro fiscal": values["Numéro fiscal"],
        }
        assert "commentaire" not in str(volunteer.private)


def test_import_pool_names_an_unknown_column(runner, app, tmp_path):
    panel_id = runner.invoke(args=["panel", "create", "X", "--seats", "2"]).output.strip()
    result = runner.invoke(
        args=[
            "panel",
            "import-pool",
            panel_id,
            write(tmp_path, "p.csv", small_pool()),
            "--criteria",
            "genre,quartier",
        ]
    )
    assert result.exit_code == 1
    assert "quartier" in result.stderr and count(app, Volunteer) == 0
