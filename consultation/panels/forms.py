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
            "One row per volunteer, one column per piece of information: an id, the "
            "selection criteria (such as gender or age band), and any other columns. "
            "Next you say what each column is; nothing is saved before that. Comma or "
            "semicolon separated, UTF-8 or Windows-1252."
        ),
    )
    submit = SubmitField(_l("Check the file"))


ROLE_CHOICES = [
    ("id", _l("Id")),
    ("criterion", _l("Selection criterion")),
    ("address", _l("Household address")),
    ("email", _l("Contact: email")),
    ("name", _l("Contact: name")),
    ("phone", _l("Contact: phone")),
    ("private", _l("Private")),
    ("ignored", _l("Not imported")),
]


class ColumnRolesForm(FlaskForm):
    """One choice per column of the uploaded file; fields are added per file."""

    check = SubmitField(_l("Update the preview"))
    save = SubmitField(_l("Save this pool"))


def column_roles_form(header: list[str], roles: dict[str, str], formdata=None):
    """The form asking what each column of ``header`` is, ``roles`` pre-selected."""

    class Form(ColumnRolesForm):
        pass

    for index, name in enumerate(header):
        setattr(
            Form,
            f"column_{index}",
            SelectField(
                _l("Column “%(name)s”", name=name),
                choices=options(ROLE_CHOICES),
                default=roles.get(name, "private"),
            ),
        )
    return Form(formdata=formdata) if formdata is not None else Form()


def chosen_roles(form, header: list[str]) -> dict[str, str]:
    return {name: form[f"column_{index}"].data for index, name in enumerate(header)}


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
