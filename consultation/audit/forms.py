"""The filters of the audit page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    action = SelectField(_l("Action"), choices=[], validators=[Optional()])
    actor = StringField(_l("Actor's email"), validators=[Optional()])
    object_type = SelectField(_l("Object type"), choices=[], validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
