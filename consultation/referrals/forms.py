"""Referral and contribution forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from consultation.forms import options
from consultation.markdown import MAX_LENGTH

STANCE_CHOICES = [
    ("", _l("No particular stance")),
    ("agree", _l("I agree")),
    ("disagree", _l("I disagree")),
    ("question", _l("A question")),
    ("proposal", _l("A proposal")),
]

MARKDOWN_HINT = _l(
    "You can use Markdown: **bold**, *italics*, lists with -, links [text](https://…)."
)


class ReferralForm(FlaskForm):
    panel = SelectField(_l("Panel"), choices=[], coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    question = TextAreaField(
        _l("Question referred to the panel"), validators=[DataRequired(), Length(max=2000)]
    )
    context_md = TextAreaField(
        _l("Context"), validators=[Optional(), Length(max=MAX_LENGTH)], description=MARKDOWN_HINT
    )
    documents = TextAreaField(
        _l("Documents"),
        validators=[Optional(), Length(max=5000)],
        description=_l("One per line: the title, then a space, a vertical bar | and the link."),
    )
    participation = SelectField(
        _l("Who may contribute"),
        choices=options(
            [
                ("members", _l("The members of the panel")),
                ("residents", _l("Every registered resident")),
            ]
        ),
    )
    visibility = SelectField(
        _l("Who may read"),
        choices=options(
            [
                ("public", _l("Everyone (public)")),
                ("panel", _l("The panel only")),
            ]
        ),
    )
    opens_on = DateField(_l("Opens on"), validators=[Optional()])
    deliberation_on = DateField(_l("Deliberation from"), validators=[Optional()])
    drafting_on = DateField(_l("Drafting from"), validators=[Optional()])
    vote_on = DateField(_l("Vote from"), validators=[Optional()])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class ContributionForm(FlaskForm):
    body = TextAreaField(
        _l("Your contribution"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=MARKDOWN_HINT,
        render_kw={"rows": 6},
    )
    stance = SelectField(_l("Stance"), choices=options(STANCE_CHOICES), validators=[Optional()])
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Post"))


class ReplyForm(ContributionForm):
    body = TextAreaField(
        _l("Your reply"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=MARKDOWN_HINT,
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Reply"))


class EditForm(FlaskForm):
    body = TextAreaField(
        _l("Your contribution"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=MARKDOWN_HINT,
        render_kw={"rows": 6},
    )
    submit = SubmitField(_l("Save the change"))


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Why do you report it?"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 2},
    )


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for hiding (sent to its author)"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 2},
    )


class SynthesisForm(FlaskForm):
    # Ids of their own: the referral's page shows this form beside the contribution form.
    body = TextAreaField(
        _l("Synthesis note"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=MARKDOWN_HINT,
        render_kw={"rows": 6},
        id="synthesis-body",
    )
    submit = SubmitField(_l("Publish the note"), id="synthesis-submit")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search the contributions"), validators=[Optional(), Length(max=200)])


class DigestForm(FlaskForm):
    daily = BooleanField(_l("Send me a daily email of the replies to my contributions"))
    submit = SubmitField(_l("Save"))
