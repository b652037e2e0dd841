"""Forms for registration, login and password reset."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length


class RegisterForm(FlaskForm):
    display_name = StringField(_l("Your name"), validators=[InputRequired(), Length(max=80)])
    email = EmailField(_l("Email address"), validators=[InputRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[InputRequired(), Length(min=8, max=200)]
    )
    password2 = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[InputRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])
    remember = BooleanField(_l("Stay logged in on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[InputRequired(), Email()])
    submit = SubmitField(_l("Send me a link"))


class ResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[InputRequired(), Length(min=8, max=200)]
    )
    password2 = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Save the new password"))


class ResendForm(FlaskForm):
    submit = SubmitField(_l("Send the confirmation link again"))


class NameForm(FlaskForm):
    display_name = StringField(_l("Your name"), validators=[InputRequired(), Length(max=80)])
