"""The checked-in migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from consultation.extensions import db, include_in_migrations


def schema_differences(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_name": include_in_migrations,
            },
        )
        return compare_metadata(context, db.metadata)


def storage_settings(app) -> tuple[dict, dict]:
    """PostgreSQL storage settings (``WITH (...)``): those the models ask for, and those
    the database has. Autogenerate does not compare them."""
    wanted = {
        table.name: {k: str(v) for k, v in table.dialect_options["postgresql"]["with"].items()}
        for table in db.metadata.tables.values()
        if table.dialect_options["postgresql"]["with"]
    }
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            return {}, {}
        rows = connection.exec_driver_sql(
            "SELECT relname, reloptions FROM pg_class WHERE reloptions IS NOT NULL "
            "AND relkind = 'r' AND relnamespace = 'public'::regnamespace"
        )
        found = {name: dict(o.split("=", 1) for o in options) for name, options in rows}
    return wanted, found


def test_migrations_match_the_models(app):
    # The whole suite runs on a database built by `flask db upgrade` (see conftest).
    assert schema_differences(app) == []
    wanted, found = storage_settings(app)
    assert wanted == found


def test_migrations_go_down_and_up_again(app):
    with app.app_context():
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert "users" not in db.inspect(connection).get_table_names()
        upgrade()
        db.engine.dispose()
    assert schema_differences(app) == []
    wanted, found = storage_settings(app)
    assert wanted == found
