"""Manifesto forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consultation.markdown import MAX_LENGTH


class ImportForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)],
                        description=_l("Leave empty to take the first heading of the text."))
    file = FileField(_l("Markdown file"))
    text = TextAreaField(
        _l("Or paste the text"), validators=[Optional(), Length(max=200_000)],
        description=_l("Headings (## Section) become sections; paragraphs and list items "
                       "become clauses."),
        render_kw={"rows": 12},
    )
    submit = SubmitField(_l("Preview"))


class ClauseEditForm(FlaskForm):
    text = TextAreaField(_l("Text of the clause"),
                         validators=[DataRequired(), Length(max=MAX_LENGTH)],
                         render_kw={"rows": 5})
    submit = SubmitField(_l("Save as a new version"))
