"""Forms of the vacant-space exchange: the listing's filters, inquiries and the thread."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.models.catalogue import RENT_MODELS
from app.models.inquiry import USES
from app.spaces.labels import RENT_MODEL_LABELS, USE_LABELS
from app.spaces.service import CONCEPT_MAX, MESSAGE_MAX


def use_choices(empty_label=None) -> list[SelectChoice]:
    choices = [SelectChoice(value, USE_LABELS[value]) for value in USES]
    return [SelectChoice("", empty_label), *choices] if empty_label is not None else choices


class SpaceFilterForm(FlaskForm):
    """Filters of /spaces, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    district = SelectField(_l("District"), validators=[Optional()], validate_choice=True)
    area_min = IntegerField(
        _l("At least (m²)"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    rent_model = SelectField(
        _l("Rent model"),
        choices=[SelectChoice("", _l("Any rent model"))]
        + [SelectChoice(v, RENT_MODEL_LABELS[v]) for v in RENT_MODELS],
        validators=[Optional()],
    )
    use = SelectField(_l("Permitted use"), validators=[Optional()])
    available_from = DateField(_l("Free from"), validators=[Optional()])
    available_to = DateField(_l("Free until"), validators=[Optional()])
    ground_floor = BooleanField(_l("Ground floor"))
    step_free = BooleanField(_l("Step-free access"))

    def __init__(self, *args, districts: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.district.choices = [SelectChoice("", _l("All districts"))] + [
            SelectChoice(d, d) for d in districts
        ]
        self.use.choices = use_choices(_l("Any use"))

    def validate_available_to(self, field) -> None:
        if field.data and self.available_from.data and field.data < self.available_from.data:
            raise ValidationError(_l("The last day must not be before the first day."))


class PeriodMixin:
    period_from = DateField(_l("First day"), validators=[InputRequired()])
    period_until = DateField(_l("Last day"), validators=[InputRequired()])


class InquiryForm(FlaskForm):
    intended_use = SelectField(_l("Intended use"), validators=[InputRequired()])
    period_from = DateField(_l("From"), validators=[InputRequired()])
    period_until = DateField(_l("Until (last day)"), validators=[InputRequired()])
    concept = TextAreaField(
        _l("Your idea in a few sentences"),
        validators=[InputRequired(), Length(max=CONCEPT_MAX)],
    )
    organisation_id = SelectField(_l("You ask as"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Send the inquiry"))

    def __init__(self, *args, organisations=(), person_name: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.intended_use.choices = use_choices(_l("Please choose"))
        self.organisation_id.choices = [SelectChoice(0, person_name or _l("Myself"))] + [
            SelectChoice(org.id, org.name) for org in organisations
        ]


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[InputRequired(), Length(max=MESSAGE_MAX)])
    submit = SubmitField(_l("Send the message"))


class ProposeForm(PeriodMixin, FlaskForm):
    body = TextAreaField(_l("Message (optional)"), validators=[Optional(), Length(max=MESSAGE_MAX)])
    submit = SubmitField(_l("Propose this period"))


class AcceptForm(PeriodMixin, FlaskForm):
    body = TextAreaField(_l("Message (optional)"), validators=[Optional(), Length(max=MESSAGE_MAX)])
    submit = SubmitField(_l("Accept and book this period"))


class AcceptProposalForm(FlaskForm):
    body = TextAreaField(_l("Message (optional)"), validators=[Optional(), Length(max=MESSAGE_MAX)])
    submit = SubmitField(_l("Accept the proposed period"))


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=MESSAGE_MAX)])
    submit = SubmitField(_l("Decline the inquiry"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"), validators=[Optional(), Length(max=MESSAGE_MAX)]
    )
    submit = SubmitField(_l("Withdraw my inquiry"))


class JoinForm(FlaskForm):
    submit = SubmitField(_l("Join as mediator"))


class FloorPlanForm(FlaskForm):
    file = FileField(_l("Floor plan or exposé (PDF)"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload"))


class RemoveFloorPlanForm(FlaskForm):
    submit = SubmitField(_l("Remove the floor plan"))
