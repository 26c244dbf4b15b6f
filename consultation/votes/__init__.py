"""Votes on amendments, clauses and the whole text: ballots, tallies, results."""


def init_app(app) -> None:
    from consultation.votes import models, views  # noqa: F401

    app.register_blueprint(views.bp)
