"""Panel forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from consultation.accounts.forms import LANGUAGE_CHOICES, display_name_field, new_password_fields
from consultation.forms import options


class PanelForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    seats = IntegerField(_l("Seats"), validators=[DataRequired(), NumberRange(min=1, max=1000)])
    term_months = IntegerField(
        _l("Term of a member, in months"),
        default=36,
        validators=[DataRequired(), NumberRange(min=1, max=120)],
    )
    cohorts = IntegerField(
        _l("Cohorts renewed in turn"),
        default=3,
        description=_l("3 means a third of the panel is renewed at a time."),
        validators=[DataRequired(), NumberRange(min=1, max=12)],
    )
    submit = SubmitField(_l("Create the panel"))


class PoolUploadForm(FlaskForm):
    file = FileField(
        _l("People file (CSV)"),
        validators=[FileRequired()],
        description=_l(
            "One row per volunteer: an id column, one column per feature, "
            "optional address and contact columns. Comma or semicolon "
            "separated, UTF-8 or Windows-1252."
        ),
    )
    id_column = StringField(
        _l("Id column"), default="id", validators=[DataRequired(), Length(max=100)]
    )
    address_columns = StringField(
        _l("Address columns (comma-separated)"),
        validators=[Optional(), Length(max=300)],
        description=_l(
            "People with the same values in these columns form one household: at "
            "most one of them is drawn. Leave empty to ignore households."
        ),
    )
    submit = SubmitField(_l("Check the file"))


class QuotasUploadForm(FlaskForm):
    file = FileField(
        _l("Quotas file (CSV)"),
        validators=[FileRequired()],
        description=_l("Columns feature, value, min, max: one row per value."),
    )
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


ALGORITHM_CHOICES = [
    ("leximin", _l("Leximin: the fairest selection probabilities (recommended)")),
    ("legacy", _l("Legacy: greedy method of earlier tools, for comparison")),
]


class DrawForm(FlaskForm):
    seed = StringField(
        _l("Seed"),
        validators=[Optional(), Length(max=100)],
        description=_l("Numbers drawn in public (dice, balls), or leave empty to generate one."),
    )
    algorithm = SelectField(_l("Algorithm"), choices=options(ALGORITHM_CHOICES))
    reserves = IntegerField(
        _l("Reserves"),
        default=5,
        validators=[Optional(), NumberRange(min=0, max=1000)],
        description=_l("Ordered list of people to call if a member leaves."),
    )
    submit = SubmitField(_l("Run the draw"))


class RenewForm(DrawForm):
    allow_past_members = BooleanField(_l("Let past members and people who declined be drawn again"))
    submit = SubmitField(_l("Renew the cohort"))


class DepartureForm(FlaskForm):
    status = SelectField(
        _l("Reason"),
        choices=options([("declined", _l("Declined the seat")), ("resigned", _l("Resigned"))]),
    )
    submit = SubmitField(_l("Record the departure"))


class ReplaceForm(FlaskForm):
    seed = StringField(
        _l("Seed (used if the reserves run out)"), validators=[Optional(), Length(max=100)]
    )
    submit = SubmitField(_l("Replace"))


class AcceptSeatForm(FlaskForm):
    display_name = display_name_field()
    password, confirm = new_password_fields()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    accept = SubmitField(_l("I accept my seat"))


class AnswerForm(FlaskForm):
    accept = SubmitField(_l("I accept my seat"))
    decline = SubmitField(_l("I decline"))
