"""The home page and the language switcher."""


def init_app(app) -> None:
    from consultation.main.views import bp

    app.register_blueprint(bp)
