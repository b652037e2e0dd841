"""Forms of the account pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, Regexp

from app.models.user import NOTIFICATION_KINDS


def strip(value):
    return value.strip() if isinstance(value, str) else value


# Label and hint of each notification kind a person can switch off.
KIND_LABELS = {
    "reminder_start": (
        _l("Reminder before a reservation starts"),
        _l("A day before you pick something up or use a room."),
    ),
    "reminder_return": (
        _l("Reminder to bring things back"),
        _l("A few hours before a borrowed thing is due back."),
    ),
    "overdue": (
        _l("Overdue notices"),
        _l("When a borrowed thing was not returned in time."),
    ),
    "request_pending": (
        _l("Open requests for your things"),
        _l("When a request for something you lend is still waiting for your answer."),
    ),
    "lender_digest": (
        _l("Daily overview for lenders"),
        _l("Tomorrow's handovers and returns of the things you lend."),
    ),
    "reservation_events": (
        _l("Changes to reservations"),
        _l("Confirmations, declines, cancellations and changes."),
    ),
    "messages": (
        _l("Messages"),
        _l("Messages from other people, for example about an inquiry."),
    ),
}


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=80)], filters=[strip]
    )
    phone = TelField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(
                r"^\+?[0-9 ()/.\-]{3,40}$",
                message=_l("Please use digits, spaces and + ( ) / - only."),
            ),
        ],
        filters=[strip],
    )
    locale = SelectField(
        _l("Language"),
        # Each language named in itself, marked up in its own language.
        choices=[
            SelectChoice("de", "Deutsch", render_kw={"lang": "de"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Save"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(),
            Length(min=8, max=200, message=_l("The password must have at least 8 characters.")),
        ],
    )
    password2 = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Change the password"))


class EmailForm(FlaskForm):
    email = EmailField(
        _l("New email address"), validators=[InputRequired(), Email(), Length(max=254)]
    )
    password = PasswordField(_l("Current password"), validators=[InputRequired()])
    submit = SubmitField(_l("Send a confirmation link"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm the new address"))


class NotificationSettingsForm(FlaskForm):
    """One checkbox per kind in NOTIFICATION_KINDS (fields added below)."""

    submit = SubmitField(_l("Save the settings"))

    def kind_fields(self):
        return [getattr(self, kind) for kind in NOTIFICATION_KINDS]


for _kind in NOTIFICATION_KINDS:
    _label, _hint = KIND_LABELS.get(_kind, (_kind, None))
    setattr(NotificationSettingsForm, _kind, BooleanField(_label, description=_hint or ""))


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name of the token"),
        validators=[DataRequired(), Length(max=80)],
        filters=[strip],
    )
    submit = SubmitField(_l("Create a token"))


class DeleteForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[InputRequired()])
    submit = SubmitField(_l("Delete my account"))


class ButtonForm(FlaskForm):
    """A form that is only a button (CSRF token included)."""
