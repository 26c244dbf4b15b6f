"""Consultation: citizen panels drawn by lot and co-drafted manifestos."""

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config=None) -> Flask:
    """Build the application: configuration, extensions, domain areas, commands."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from consultation import config

    config.load(app, test_config)

    from consultation import cache, cli, errors, i18n, jobs, markdown, security
    from consultation.accounts import init_app as init_accounts
    from consultation.api import init_app as init_api
    from consultation.audit import init_app as init_audit
    from consultation.exports import init_app as init_exports
    from consultation.extensions import (
        csrf,
        db,
        include_in_migrations,
        limiter,
        migrate,
        ping_idle_connections,
    )
    from consultation.main import init_app as init_main
    from consultation.manifesto import init_app as init_manifesto
    from consultation.panels import init_app as init_panels
    from consultation.referrals import init_app as init_referrals
    from consultation.votes import init_app as init_votes

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_idle_connections(engine, after=app.config["DATABASE_PING_AFTER"])
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        include_name=include_in_migrations,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    cache.init_app(app)
    markdown.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    init_accounts(app)
    init_audit(app)
    init_main(app)
    init_panels(app)
    init_referrals(app)
    init_manifesto(app)
    init_votes(app)
    init_api(app)
    init_exports(app)
    jobs.init_app(app)
    cli.init_app(app)
    return app
