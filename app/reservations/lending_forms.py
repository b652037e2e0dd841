"""Forms for series, waiting lists, terms and quotas, defects, counter loans, codes, messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.reservations.forms import EuroField


# ------------------------------------------------------------------ series ----
class _SeriesFields(FlaskForm):
    every_weeks = IntegerField(_l("Every how many weeks"), default=1,
                               validators=[InputRequired(), NumberRange(min=1, max=52)])
    until = DateField(_l("Last date"), validators=[Optional()])
    count = IntegerField(_l("Or: number of dates"),
                         validators=[Optional(), NumberRange(min=1, max=52)])
    units = IntegerField(_l("How many"), default=1, validators=[Optional(), NumberRange(min=1)])
    message = TextAreaField(_l("Message to the lender"), validators=[Length(max=2000)])
    accept_terms = BooleanField(_l("I accept the lending terms"))
    confirm_min_age = BooleanField(_l("I confirm that I am old enough"))
    check = SubmitField(_l("Show free dates"))
    book = SubmitField(_l("Book the free dates"))


class SlotSeriesForm(_SeriesFields):
    """Rooms: the first date, the start and the end time."""

    day = DateField(_l("First date"), validators=[InputRequired()])
    start_time = SelectField(_l("From"), validators=[InputRequired()])
    end_time = SelectField(_l("Until"), validators=[InputRequired()])


class DaySeriesForm(_SeriesFields):
    """Things lent by the day: the first pickup and return day."""

    pickup = DateField(_l("First pickup day"), validators=[InputRequired()])
    return_day = DateField(_l("First return day"), validators=[InputRequired()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Cancel all remaining dates"))


# ---------------------------------------------------------------- waitlist ----
class WaitlistForm(FlaskForm):
    start = HiddenField(validators=[DataRequired()])
    end = HiddenField(validators=[DataRequired()])
    units = HiddenField(default="1")
    submit = SubmitField(_l("Tell me when it frees up"))


class ButtonForm(FlaskForm):
    submit = SubmitField(_l("Remove"))


# ------------------------------------------------------------------- terms ----
class LendingSettingsForm(FlaskForm):
    terms = TextAreaField(_l("Lending terms"), validators=[Length(max=20000)])
    per_week = IntegerField(_l("At most days a week per person"),
                            validators=[Optional(), NumberRange(min=0, max=7)])
    per_month = IntegerField(_l("At most days a month per person"),
                             validators=[Optional(), NumberRange(min=0, max=31)])
    submit = SubmitField(_l("Save"))


# ----------------------------------------------------------------- defects ----
class DefectForm(FlaskForm):
    description = TextAreaField(_l("What is wrong?"),
                                validators=[DataRequired(), Length(max=4000)])
    photo = FileField(_l("Photo (optional)"))
    submit = SubmitField(_l("Report the defect"))


class RepairForm(FlaskForm):
    start_date = DateField(_l("Out of service from"), validators=[InputRequired()])
    end_date = DateField(_l("Until (inclusive)"), validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[Length(max=200)])
    defect_id = HiddenField()
    submit = SubmitField(_l("Take out of service"))


class CancelAffectedForm(FlaskForm):
    reason = TextAreaField(_l("Message to the borrowers"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Cancel these reservations"))


# ----------------------------------------------------------------- counter ----
class _CounterFields(FlaskForm):
    guest_name = StringField(_l("Borrower's name"), validators=[DataRequired(), Length(max=120)])
    guest_contact = StringField(_l("Phone or email (optional)"), validators=[Length(max=200)])
    units = IntegerField(_l("How many"), default=1, validators=[Optional(), NumberRange(min=1)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    hand_over_now = BooleanField(_l("Handed over now"), default=True)
    submit = SubmitField(_l("Record the loan"))


class DayCounterForm(_CounterFields):
    pickup = DateField(_l("Pickup day"), validators=[InputRequired()])
    return_day = DateField(_l("Return day"), validators=[InputRequired()])


class SlotCounterForm(_CounterFields):
    day = DateField(_l("Date"), validators=[InputRequired()])
    start_time = SelectField(_l("From"), validators=[InputRequired()])
    end_time = SelectField(_l("Until"), validators=[InputRequired()])


# ------------------------------------------------------------------- codes ----
class CodeLookupForm(FlaskForm):
    code = StringField(_l("Handover code"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Find the reservation"))


class CodeHandOverForm(FlaskForm):
    code = StringField(_l("Handover code"), validators=[DataRequired(), Length(max=20)])
    briefing_given = BooleanField(_l("I gave the briefing"))
    deposit_taken = EuroField(_l("Deposit taken (€)"))
    fee_paid = EuroField(_l("Fee paid (€)"))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Confirm the handover"))


class CodeReturnForm(FlaskForm):
    code = StringField(_l("Handover code"), validators=[DataRequired(), Length(max=20)])
    condition = TextAreaField(_l("Condition on return"), validators=[Length(max=2000)])
    deposit_returned = EuroField(_l("Deposit returned (€)"))
    submit = SubmitField(_l("Confirm the return"))


# ---------------------------------------------------------------- messages ----
class MessageForm(FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Send message"))
