"""Vote forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from consultation.forms import options

QUORUM_CHOICES = [
    ("0", _l("No quorum")),
    ("1/4", _l("One quarter of the members")),
    ("1/3", _l("One third of the members")),
    ("1/2", _l("Half of the members")),
    ("2/3", _l("Two thirds of the members")),
]

THRESHOLD_CHOICES = [
    ("majority", _l("Majority of the votes cast for or against")),
    ("two_thirds", _l("Two thirds of the votes cast for or against")),
]


class SettingsForm(FlaskForm):
    quorum = SelectField(_l("Quorum"), choices=options(QUORUM_CHOICES))
    threshold = SelectField(_l("Majority needed"), choices=options(THRESHOLD_CHOICES))
    secret_ballot = BooleanField(
        _l("Secret ballot"),
        description=_l(
            "Nobody, facilitators included, can see how a member voted; a secret ballot "
            "cannot be changed once cast. Applies to votes opened from now on."
        ),
    )
    submit = SubmitField(_l("Save the voting rules"), id="settings-submit")


class BallotForm(FlaskForm):
    choice = RadioField(
        _l("Your vote"),
        choices=options(
            [("for", _l("For")), ("against", _l("Against")), ("abstain", _l("Abstain"))]
        ),
        validators=[InputRequired(message=_l("Choose for, against or abstain."))],
    )
    submit = SubmitField(_l("Cast my vote"))


class JudgmentForm(FlaskForm):
    title = StringField(_l("Question"), validators=[DataRequired(), Length(max=300)])
    clause = SelectField(
        _l("Choose between the wordings of a clause"),
        validators=[Optional()],
        description=_l(
            "The options are the clause's current wording and each open amendment "
            "replacing it; the winner is applied when the vote closes."
        ),
    )
    labels = TextAreaField(
        _l("Or options to rank, one per line"),
        validators=[Optional(), Length(max=6000)],
        render_kw={"rows": 5},
    )
    submit = SubmitField(_l("Open the majority judgment"), id="judgment-submit")
