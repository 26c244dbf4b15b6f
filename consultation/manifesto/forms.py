"""Manifesto forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consultation.forms import options
from consultation.markdown import MAX_LENGTH


class ImportForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave empty to take the first heading of the text."),
    )
    file = FileField(_l("Markdown file"))
    text = TextAreaField(
        _l("Or paste the text"),
        validators=[Optional(), Length(max=200_000)],
        description=_l(
            "Headings (## Section) become sections; paragraphs and list items become clauses."
        ),
        render_kw={"rows": 12},
    )
    submit = SubmitField(_l("Preview"))


class ClauseEditForm(FlaskForm):
    text = TextAreaField(
        _l("Text of the clause"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"rows": 5},
    )
    submit = SubmitField(_l("Save as a new version"))


KIND_CHOICES = [
    ("replace", _l("Replace the text of the clause")),
    ("insert-after", _l("Add a new clause after this one")),
    ("delete", _l("Delete the clause")),
]


class AmendmentForm(FlaskForm):
    kind = SelectField(_l("What the amendment does"), choices=options(KIND_CHOICES))
    text = TextAreaField(
        _l("Proposed text"),
        validators=[Optional(), Length(max=MAX_LENGTH)],
        description=_l(
            "For a replacement, edit the current text; for a new "
            "clause, write it. Leave empty to delete."
        ),
        render_kw={"rows": 6},
    )
    rationale = TextAreaField(
        _l("Why"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    preview = SubmitField(_l("See the changes"))
    draft = SubmitField(_l("Save as a draft"))
    submit = SubmitField(_l("Propose the amendment"))


class DraftForm(FlaskForm):
    text = TextAreaField(
        _l("Proposed text"),
        validators=[Optional(), Length(max=MAX_LENGTH)],
        render_kw={"rows": 6},
        id="draft-text",
    )
    rationale = TextAreaField(
        _l("Why"),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 3},
        id="draft-rationale",
    )
    submit = SubmitField(_l("Save the draft"), id="draft-save")


class ReviseForm(FlaskForm):
    text = TextAreaField(
        _l("New proposed text"),
        validators=[Optional(), Length(max=MAX_LENGTH)],
        render_kw={"rows": 6},
    )
    submit = SubmitField(_l("Save the revision"))
