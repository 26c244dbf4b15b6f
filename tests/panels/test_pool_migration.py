"""Panels imported before columns had roles keep their volunteers and codes; their draws
stop publishing columns that no quota uses, and still check out."""

import json
from datetime import datetime

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from consultation import sortition
from consultation.extensions import db
from consultation.panels import services
from consultation.panels.models import Draw, Panel, Volunteer

OLD_PEOPLE = [
    ("a1", "V-AAAAAAA", {"genre": "femme", "nom": "Odile Secret"}, None),
    ("a2", "V-BBBBBBB", {"genre": "homme", "nom": "Paul Secret"}, "H-XXXXXXX"),
    ("a3", "V-CCCCCCC", {"genre": "femme", "nom": "Rose Secret"}, "H-XXXXXXX"),
    ("a4", "V-DDDDDDD", {"genre": "homme", "nom": "Yves Secret"}, None),
]
QUOTAS = [{"feature": "genre", "value": "femme", "min": 1, "max": 1}]
QUOTAS += [{"feature": "genre", "value": "homme", "min": 1, "max": 1}]


def revision_before(app, revision: str) -> str:
    with app.app_context():
        directory = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        return directory.get_revision(revision).down_revision


def test_older_panels_keep_their_codes_and_publish_only_quota_features(app):
    people = [{"id": code, "features": f, "household": h} for _i, code, f, h in OLD_PEOPLE]
    result = sortition.draw(
        [sortition.Person(p["id"], p["features"], p["household"]) for p in people],
        [sortition.Quota(**q) for q in QUOTAS],
        2,
        "42",
    ).to_dict()
    with app.app_context():
        downgrade(revision=revision_before(app, "0020"))
        now = datetime(2026, 1, 1)
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO panels (id, name, description, seats, term_months, cohorts, "
                    "status, id_column, address_columns, code_salt, created_at) VALUES "
                    "(1, 'Ancien', '', 2, 36, 1, 'drawn', 'ident', :address, 'sel', :now)"
                ),
                {"address": json.dumps(["rue"]), "now": now},
            )
            for i, (ident, code, features, household) in enumerate(OLD_PEOPLE):
                connection.execute(
                    sa.text(
                        "INSERT INTO volunteers (id, panel_id, external_id, code, features, "
                        "contact, address, household_code, line) VALUES "
                        "(:id, 1, :ident, :code, :features, '{}', '{}', :household, :line)"
                    ),
                    {
                        "id": i + 1,
                        "ident": ident,
                        "code": code,
                        "features": json.dumps(features),
                        "household": household,
                        "line": i + 2,
                    },
                )
            for q in QUOTAS:
                connection.execute(
                    sa.text(
                        "INSERT INTO quotas (panel_id, feature, value, min, max) "
                        "VALUES (1, :feature, :value, :min, :max)"
                    ),
                    q,
                )
            inputs = {"people": people, "quotas": QUOTAS, "seats": 2, "forced": [], "excluded": []}
            connection.execute(
                sa.text(
                    "INSERT INTO draws (id, panel_id, kind, status, progress, seed, algorithm, "
                    "seats, reserves_wanted, fingerprint, inputs, result, created_at) VALUES "
                    "(1, 1, 'initial', 'done', 'done', '42', 'leximin', 2, 0, :fingerprint, "
                    ":inputs, :result, :now)"
                ),
                {
                    "fingerprint": result["fingerprint"],
                    "inputs": json.dumps(inputs),
                    "result": json.dumps(result),
                    "now": now,
                },
            )
        upgrade()
        db.session.remove()

        panel = db.session.get(Panel, 1)
        assert panel.columns == [
            {"name": "ident", "role": "id"},
            {"name": "genre", "role": "criterion"},
            {"name": "nom", "role": "criterion"},
            {"name": "rue", "role": "address"},
        ]
        assert panel.code_salt == "sel"
        volunteers = db.session.scalars(sa.select(Volunteer).order_by(Volunteer.id)).all()
        assert [(v.code, v.household_code) for v in volunteers] == [
            (code, h) for _i, code, _f, h in OLD_PEOPLE
        ]
        assert all(v.private == {} for v in volunteers)
        draw = db.session.get(Draw, 1)
        assert "Secret" not in json.dumps(draw.inputs)
        assert [p["features"] for p in draw.inputs["people"]] == [
            {"genre": f["genre"]} for _i, _c, f, _h in OLD_PEOPLE
        ]
        assert services.verify_draw(draw) == []
