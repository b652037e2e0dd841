"""Forms of the project office and the report form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.admin.reports import REASON_LABELS
from app.models.report import REPORT_REASONS


class LocalDecimalField(DecimalField):
    """A decimal that may be typed with a comma, as Germans write it (12,50)."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].replace(" ", "").replace(",", ".")]
        super().process_formdata(valuelist)


class ButtonForm(FlaskForm):
    """A button that changes something: only the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class CategoryForm(FlaskForm):
    slug = StringField(
        _l("Short name for addresses"),
        validators=[
            Optional(),
            Length(max=60),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Lower-case letters, digits and hyphens.")),
        ],
    )
    name_de = StringField(_l("Name (German)"), validators=[InputRequired(), Length(max=80)])
    name_en = StringField(_l("Name (English)"), validators=[InputRequired(), Length(max=80)])
    label_de = StringField(_l("Description (German)"), validators=[Optional(), Length(max=160)])
    label_en = StringField(_l("Description (English)"), validators=[Optional(), Length(max=160)])
    position = IntegerField(
        _l("Position in lists"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=10000)],
    )
    avoided_purchase = LocalDecimalField(
        _l("Avoided new purchase per loan (estimate, euros)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=1000000)],
    )
    avoided_co2 = LocalDecimalField(
        _l("Avoided CO2e per loan (estimate, kg)"),
        places=3,
        validators=[Optional(), NumberRange(min=0, max=1000000)],
    )
    submit = SubmitField(_l("Save"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=1000)])
    submit = SubmitField(_l("Confirm"))


class ClosureForm(FlaskForm):
    start_date = DateField(_l("First day"), validators=[InputRequired()])
    end_date = DateField(_l("Last day"), validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=200)])
    submit = SubmitField(_l("Add closure"))

    def validate_end_date(self, field) -> None:
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_l("The last day must not lie before the first."))


class ReportForm(FlaskForm):
    reason = RadioField(
        _l("What is the problem?"),
        choices=[SelectChoice(key, REASON_LABELS[key]) for key in REPORT_REASONS],
        validators=[InputRequired(message=_l("Please choose a reason."))],
    )
    text = TextAreaField(
        _l("Details"), validators=[Optional(), Length(max=4000)]
    )
    submit = SubmitField(_l("Send report"))

    def validate_text(self, field) -> None:
        if self.reason.data == "other" and not (field.data or "").strip():
            raise ValidationError(_l("Please describe the problem."))


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Outcome"),
        choices=[
            SelectChoice("resolved", _l("Resolved")),
            SelectChoice("dismissed", _l("Dismissed")),
        ],
        validators=[InputRequired(message=_l("Please choose how the report ends."))],
    )
    outcome = TextAreaField(
        _l("What was done"), validators=[InputRequired(), Length(max=4000)]
    )
    submit = SubmitField(_l("Close report"))
