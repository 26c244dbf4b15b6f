"""Manifesto co-drafting: sections, clauses with add-only versions, amendments."""


def init_app(app) -> None:
    from consultation.manifesto import cli, services, views

    app.register_blueprint(views.bp)
    # Global, not a context processor: macros imported without context use it.
    app.jinja_env.globals["amendment_status_label"] = views.amendment_status_label
    app.jinja_env.globals["manifestos_for"] = services.manifestos_for
    cli.init_app(app)
