"""Exports of a manifesto: a pure document model and its renderers (md, html, pdf, docx,
odt, json), the service that builds the document from the database, and the pages."""


def init_app(app) -> None:
    from consultation.exports import views

    app.register_blueprint(views.bp)
