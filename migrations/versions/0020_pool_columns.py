"""pool columns: a role for each column, private columns kept apart

Revision ID: 0020
Revises: 0006
Create Date: 2027-01-10 10:00:00

Every column of a pool file now has a role chosen at import (id, criterion, address,
contact, private, ignored), recorded on the panel; private columns are kept apart from
the selection criteria. Existing panels keep their volunteers and their codes: their
columns are described from what was imported (id, address, criteria), and their
recorded draws keep only the features that have quotas, the only ones the engine uses
and the fingerprint covers, so that no other column is published any more.
"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0006"
branch_labels = None
depends_on = None


def _load(value):
    if value is None or isinstance(value, dict | list):
        return value
    return json.loads(value)


def upgrade():
    with op.batch_alter_table("panels") as batch:
        batch.add_column(sa.Column("columns", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("volunteers") as batch:
        batch.add_column(sa.Column("private", sa.JSON(), nullable=False, server_default="{}"))

    connection = op.get_bind()
    panels = sa.table(
        "panels",
        sa.column("id", sa.Integer),
        sa.column("id_column", sa.String),
        sa.column("address_columns", sa.JSON),
        sa.column("columns", sa.JSON),
    )
    volunteers = sa.table(
        "volunteers", sa.column("panel_id", sa.Integer), sa.column("features", sa.JSON)
    )
    draws = sa.table("draws", sa.column("id", sa.Integer), sa.column("inputs", sa.JSON))
    for panel_id, id_column, address_columns in connection.execute(
        sa.select(panels.c.id, panels.c.id_column, panels.c.address_columns)
    ).all():
        features = connection.execute(
            sa.select(volunteers.c.features).where(volunteers.c.panel_id == panel_id).limit(1)
        ).scalar()
        columns = [{"name": id_column, "role": "id"}]
        columns += [{"name": name, "role": "criterion"} for name in sorted(_load(features) or {})]
        columns += [{"name": name, "role": "address"} for name in _load(address_columns) or []]
        connection.execute(panels.update().where(panels.c.id == panel_id).values(columns=columns))
    for draw_id, inputs in connection.execute(sa.select(draws.c.id, draws.c.inputs)).all():
        inputs = _load(inputs)
        if not inputs or "people" not in inputs:
            continue
        kept = {q["feature"] for q in inputs.get("quotas", [])}
        inputs["people"] = [
            {**p, "features": {f: v for f, v in sorted(p["features"].items()) if f in kept}}
            for p in inputs["people"]
        ]
        connection.execute(draws.update().where(draws.c.id == draw_id).values(inputs=inputs))


def downgrade():
    with op.batch_alter_table("volunteers") as batch:
        batch.drop_column("private")
    with op.batch_alter_table("panels") as batch:
        batch.drop_column("columns")
