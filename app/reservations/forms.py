"""Forms for reserving, deciding, handing over and for availability settings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class EuroField(StringField):
    """An amount in euros ("20", "20,50", "20.50") kept as cents in .cents."""

    cents: int | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.cents = None
        text = (self.data or "").strip().replace("€", "").replace(" ", "")
        if not text:
            return
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_l("Please enter an amount such as 20,50.")) from None
        if amount < 0:
            raise ValueError(_l("Please enter an amount of 0 or more."))
        self.cents = int((amount * 100).quantize(Decimal(1)))


class DayReserveForm(FlaskForm):
    """Things lent by the day: pickup and return days."""

    pickup = DateField(_l("Pickup day"), validators=[InputRequired()])
    return_day = DateField(_l("Return day"), validators=[InputRequired()])
    units = IntegerField(_l("How many"), default=1, validators=[Optional(), NumberRange(min=1)])
    message = TextAreaField(_l("Message to the lender"), validators=[Length(max=2000)])
    # asked only where the lender has terms or the thing a minimum age (app.booking.terms)
    accept_terms = BooleanField(_l("I accept the lending terms"))
    confirm_min_age = BooleanField(_l("I confirm that I am old enough"))
    submit = SubmitField(_l("Reserve"))


class SlotReserveForm(FlaskForm):
    """Rooms (and things lent in slots): a date, a start and an end time."""

    day = DateField(_l("Date"), validators=[InputRequired()])
    start_time = SelectField(_l("From"), validators=[InputRequired()])
    end_time = SelectField(_l("Until"), validators=[InputRequired()])
    units = IntegerField(_l("How many"), default=1, validators=[Optional(), NumberRange(min=1)])
    message = TextAreaField(_l("Message to the lender"), validators=[Length(max=2000)])
    # asked only where the lender has terms or the thing a minimum age (app.booking.terms)
    accept_terms = BooleanField(_l("I accept the lending terms"))
    confirm_min_age = BooleanField(_l("I confirm that I am old enough"))
    submit = SubmitField(_l("Reserve"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Send"))


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Decline"))


class ApproveForm(FlaskForm):
    submit = SubmitField(_l("Approve"))


class HandOverForm(FlaskForm):
    deposit_taken = EuroField(_l("Deposit taken (€)"))
    fee_paid = EuroField(_l("Fee paid (€)"))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    briefing_given = BooleanField(_l("I gave the briefing"))
    submit = SubmitField(_l("Record handover"))


class ReturnForm(FlaskForm):
    condition = TextAreaField(_l("Condition on return"), validators=[Length(max=2000)])
    deposit_returned = EuroField(_l("Deposit returned (€)"))
    submit = SubmitField(_l("Record return"))


# ------------------------------------------------------------ availability ----
class IntervalForm(Form):
    """One opening interval; both empty means none."""

    opens = TimeField(_l("Opens"), validators=[Optional()])
    closes = TimeField(_l("Closes"), validators=[Optional()])


class WeekdayForm(Form):
    intervals = FieldList(FormField(IntervalForm), min_entries=3, max_entries=3)


class HoursForm(FlaskForm):
    days = FieldList(FormField(WeekdayForm), min_entries=7, max_entries=7)
    submit = SubmitField(_l("Save opening hours"))


class RulesForm(FlaskForm):
    granularity = SelectField(
        _l("Booked by"),
        choices=[SelectChoice("day", _l("whole days")), SelectChoice("slot", _l("time slots"))],
    )
    slot_minutes = SelectField(
        _l("Slot length in minutes"),
        choices=[SelectChoice(v) for v in ("15", "30", "60", "120")],
        coerce=int,
    )
    min_duration = IntegerField(_l("Shortest booking"),
                                validators=[Optional(), NumberRange(min=1, max=100000)])
    max_duration = IntegerField(_l("Longest booking"),
                                validators=[Optional(), NumberRange(min=1, max=100000)])
    duration_unit = SelectField(
        _l("Unit of these two durations"),
        choices=[SelectChoice("days", _l("days")), SelectChoice("hours", _l("hours")),
                 SelectChoice("minutes", _l("minutes"))],
    )
    min_lead_hours = IntegerField(_l("Lead time in hours"), default=0,
                                  validators=[InputRequired(), NumberRange(min=0, max=8760)])
    max_advance_days = IntegerField(_l("Bookable how many days ahead"), default=90,
                                    validators=[InputRequired(), NumberRange(min=1, max=730)])
    buffer_minutes = IntegerField(_l("Buffer between bookings in minutes"), default=0,
                                  validators=[InputRequired(), NumberRange(min=0, max=1440)])
    requires_approval = BooleanField(_l("Requests need approval"))
    max_active_per_person = IntegerField(
        _l("Active reservations per person"),
        validators=[Optional(), NumberRange(min=1, max=100)],
    )
    handover_required = BooleanField(_l("Record handover and return"))
    submit = SubmitField(_l("Save rules"))


class OrgRulesForm(RulesForm):
    kind = SelectField(
        _l("Apply to"),
        choices=[SelectChoice("item", _l("all its things")),
                 SelectChoice("room", _l("all its rooms"))],
    )
    submit = SubmitField(_l("Apply these rules"))


class CalendarForm(FlaskForm):
    own_hours = BooleanField(_l("Use its own opening hours (not the organisation's)"))
    follows_site_calendar = BooleanField(_l("Closed on public holidays and town-wide closures"))
    submit = SubmitField(_l("Save"))


class ClosureForm(FlaskForm):
    start_date = DateField(_l("From"), validators=[InputRequired()])
    end_date = DateField(_l("Until"), validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])
    is_repair = BooleanField(_l("Under repair"))
    submit = SubmitField(_l("Add closure"))


class DeleteForm(FlaskForm):
    submit = SubmitField(_l("Remove"))
