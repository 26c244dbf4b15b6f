"""The audit trail: who did what, when, to which object."""


def init_app(app) -> None:
    from consultation.audit import services  # noqa: F401  (registers the append-only guard)
    from consultation.audit.views import bp

    app.register_blueprint(bp)
