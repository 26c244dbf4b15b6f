"""Panels drawn by lot: pools, quotas, draws, memberships, transparency."""


def init_app(app) -> None:
    from consultation.panels import cli, transparency, views

    app.register_blueprint(views.bp)
    app.register_blueprint(transparency.bp)
    cli.init_app(app)
