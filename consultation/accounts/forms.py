"""Account forms: every field labelled, every rule explained in words."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from consultation.forms import options

LANGUAGE_CHOICES = options([("fr", "Français"), ("en", "English")])


class PasswordLength:
    """At least ``PASSWORD_MIN_LENGTH`` characters (10 by default)."""

    def __call__(self, form, field):
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if len(field.data or "") < minimum:
            raise ValidationError(_l("Use at least %(n)s characters.", n=minimum))


def strip(value):
    return value.strip() if isinstance(value, str) else value


def email_field():
    return StringField(
        _l("Email address"),
        validators=[
            DataRequired(),
            Email(message=_l("Enter a valid email address.")),
            Length(max=254),
        ],
        filters=[strip],
        render_kw={"autocomplete": "email", "type": "email"},
    )


def new_password_fields():
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), PasswordLength(), Length(max=200)],
        description=_l("At least 10 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Confirm the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def display_name_field():
    return StringField(
        _l("Display name"),
        validators=[DataRequired(), Length(min=2, max=80)],
        filters=[strip],
        description=_l("Shown beside what you write. It can be a first name or a pseudonym."),
        render_kw={"autocomplete": "nickname"},
    )


class SignupForm(FlaskForm):
    email = email_field()
    display_name = display_name_field()
    password, confirm = new_password_fields()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Create my account"))


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Remember me on this device"))
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()
    submit = SubmitField(_l("Set my new password"))


class InvitationForm(FlaskForm):
    email = email_field()
    role = SelectField(_l("Role"), choices=[])
    submit = SubmitField(_l("Send the invitation"))


class AcceptInvitationForm(FlaskForm):
    display_name = display_name_field()
    password, confirm = new_password_fields()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Create my account"))


class ProfileForm(FlaskForm):
    display_name = display_name_field()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields()
    submit = SubmitField(_l("Change my password"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password, to confirm"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Delete my account"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[])
    submit = SubmitField(_l("Change role"))
