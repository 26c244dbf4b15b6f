"""Exports of a manifesto: a pure document model and its renderers (md, html, pdf, docx, odt, json)."""
