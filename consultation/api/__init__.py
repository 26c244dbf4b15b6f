"""Open data: the read-only public JSON API and the downloadable datasets."""


def init_app(app) -> None:
    from consultation.api import open_data, views

    app.register_blueprint(views.bp)
    app.register_blueprint(open_data.bp)
    views.init_errors(app)
