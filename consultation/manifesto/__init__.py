"""Manifesto co-drafting: sections, clauses with add-only versions, amendments."""


def init_app(app) -> None:
    from consultation.manifesto import cli, views

    app.register_blueprint(views.bp)
    cli.init_app(app)
