"""Forms for offering resources (one per kind) and for their photos."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import Field
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from app.spaces.labels import USE_LABELS

MAX_EUROS = Decimal("100000")


class EuroField(Field):
    """An amount in euros typed as "12,50" or "12.50"; `data` is whole cents."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        cents = self.data or 0
        text = f"{cents // 100}.{cents % 100:02d}"
        return text.replace(".", get_decimal_symbol(str(get_locale() or "de")))

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        text = re.sub(r"[\s€]", "", valuelist[0] or "")
        if not text:
            self.data = 0
            return
        if "," in text and "." in text:
            text = text.replace(".", "").replace(",", ".")  # 1.234,50
        else:
            text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation as error:
            self.data = None
            raise ValueError(_("Please enter an amount in euros, e.g. 5 or 2,50.")) from error
        if not amount.is_finite() or amount < 0 or amount > MAX_EUROS:
            self.data = None
            raise ValueError(_("Please enter an amount from 0 to 100000 euros."))
        if amount != amount.quantize(Decimal("0.01")):
            self.data = None
            raise ValueError(_("Please use at most two decimal places."))
        self.data = int(amount * 100)


class LocalFloatField(FloatField):
    """A number typed with a decimal comma ("65,5") or point."""

    def process_formdata(self, valuelist) -> None:
        if valuelist and valuelist[0]:
            valuelist = [valuelist[0].strip().replace(",", ".")]
        super().process_formdata(valuelist)
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
            raise ValueError(_("Please enter a number."))


def optional_float(low: float, high: float, message) -> list:
    return [Optional(), NumberRange(min=low, max=high, message=message)]


class ResourceForm(FlaskForm):
    """What every kind has; the kind forms below add their own fields."""

    owner = SelectField(_l("Offered by"), choices=[], validate_choice=True)
    title = StringField(
        _l("Title"), validators=[InputRequired(), Length(max=120)], render_kw={"maxlength": 120}
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    category = SelectField(_l("Category"), choices=[], validate_choice=True)
    district = SelectField(_l("District"), choices=[], validators=[InputRequired()])
    address = StringField(_l("Address (optional)"), validators=[Optional(), Length(max=200)])
    lat = LocalFloatField(
        _l("Latitude (optional)"),
        validators=optional_float(-90, 90, _l("Between -90 and 90.")),
        render_kw={"inputmode": "decimal"},
    )
    lon = LocalFloatField(
        _l("Longitude (optional)"),
        validators=optional_float(-180, 180, _l("Between -180 and 180.")),
        render_kw={"inputmode": "decimal"},
    )
    fee = EuroField(_l("Fee per booking (€)"), default=0)
    deposit = EuroField(_l("Deposit (€)"), default=0)
    units = IntegerField(
        _l("Number of identical pieces"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=999)],
        render_kw={"min": 1, "max": 999},
    )
    visibility = RadioField(
        _l("Who may see and book it"),
        choices=[
            SelectChoice("public", _l("Everyone")),
            SelectChoice("members", _l("Only members of the organisation")),
        ],
        default="public",
    )
    briefing_required = BooleanField(_l("A short briefing is needed before first use"))
    min_age = IntegerField(
        _l("Minimum age (optional)"),
        validators=[Optional(), NumberRange(min=0, max=99)],
        render_kw={"min": 0, "max": 99},
    )
    rules_text = TextAreaField(
        _l("Rules and notes for borrowers (optional)"), validators=[Optional(), Length(max=5000)]
    )
    photo = FileField(_l("Photo (optional)"))
    photo_alt = StringField(_l("What the photo shows"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Save"))

    def validate_visibility(self, field) -> None:
        if field.data == "members" and not (self.owner.data or "").startswith("org:"):
            raise ValidationError(_l("Only an organisation's offers can be for members only."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checks across fields; an empty optional field skips its own validators.
        if (self.lat.data is None) != (self.lon.data is None) and not (
            self.lat.errors or self.lon.errors
        ):
            missing = self.lon if self.lon.data is None else self.lat
            missing.errors = [
                *missing.errors,
                _("Please give both latitude and longitude, or neither."),
            ]
            valid = False
        if self.photo.data and not (self.photo_alt.data or "").strip():
            self.photo_alt.errors = [
                *self.photo_alt.errors,
                _("Please describe the photo for people who cannot see it."),
            ]
            valid = False
        return valid

    def common_data(self) -> dict:
        return {
            "title": self.title.data,
            "description": (self.description.data or "").strip(),
            "category_id": int(self.category.data) if self.category.data else None,
            "district": self.district.data,
            "address": (self.address.data or "").strip() or None,
            "lat": self.lat.data,
            "lon": self.lon.data,
            "fee_cents": self.fee.data or 0,
            "deposit_cents": self.deposit.data or 0,
            "units": self.units.data,
            "visibility": self.visibility.data,
            "briefing_required": bool(self.briefing_required.data),
            "min_age": self.min_age.data,
            "rules_text": (self.rules_text.data or "").strip() or None,
        }

    def kind_data(self) -> dict:
        return {}

    def data_for_resource(self) -> dict:
        return {**self.common_data(), **self.kind_data()}


class ItemForm(ResourceForm):
    kind = "item"


class RoomForm(ResourceForm):
    kind = "room"
    capacity = IntegerField(
        _l("Seats / people"),
        validators=[InputRequired(), NumberRange(min=1, max=10000)],
        render_kw={"min": 1},
    )
    equipment = TextAreaField(_l("Equipment (optional)"), validators=[Optional(), Length(max=2000)])

    def kind_data(self) -> dict:
        return {
            "capacity": self.capacity.data,
            "equipment": (self.equipment.data or "").strip() or None,
        }


RENT_MODEL_CHOICES = [
    SelectChoice("free", _l("Free of charge")),
    SelectChoice("utilities", _l("Utilities only")),
    SelectChoice("reduced", _l("Reduced rent")),
    SelectChoice("negotiable", _l("Negotiable")),
]


class SpaceForm(ResourceForm):
    kind = "space"
    area_m2 = LocalFloatField(
        _l("Area in m²"),
        validators=[InputRequired(), NumberRange(min=1, max=100000)],
        render_kw={"inputmode": "decimal"},
    )
    floor = IntegerField(
        _l("Floor (0 = ground floor, optional)"),
        validators=[Optional(), NumberRange(min=-5, max=100)],
    )
    shop_window = BooleanField(_l("Has a shop window"))
    step_free = BooleanField(_l("Step-free access"))
    rent_model = SelectField(_l("Rent model"), choices=RENT_MODEL_CHOICES, default="negotiable")
    permitted_uses = SelectMultipleField(
        _l("Permitted uses"),
        choices=[SelectChoice(value, label) for value, label in USE_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
    )
    available_from = DateField(_l("Available from (optional)"), validators=[Optional()])
    available_until = DateField(_l("Available until (optional)"), validators=[Optional()])

    def validate_available_until(self, field) -> None:
        if field.data and self.available_from.data and field.data < self.available_from.data:
            raise ValidationError(_l("The end must not be before the start."))

    def kind_data(self) -> dict:
        uses = [use for use in (self.permitted_uses.data or []) if use in USE_LABELS]
        return {
            "area_m2": self.area_m2.data,
            "floor": self.floor.data,
            "shop_window": bool(self.shop_window.data),
            "step_free": bool(self.step_free.data),
            "rent_model": self.rent_model.data,
            "permitted_uses": uses[:20],
            "available_from": self.available_from.data,
            "available_until": self.available_until.data,
        }


FORMS = {"item": ItemForm, "room": RoomForm, "space": SpaceForm}


class StatusForm(FlaskForm):
    status = HiddenField(validators=[InputRequired()])


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"), validators=[FileRequired()])
    alt_text = StringField(
        _l("What the photo shows"),
        validators=[InputRequired(), Length(max=200)],
        description=_l('For people who cannot see the photo, e.g. "Red cargo bike with a box".'),
    )
    submit = SubmitField(_l("Upload photo"))


class PhotoAltForm(FlaskForm):
    alt_text = StringField(
        _l("What the photo shows"), validators=[InputRequired(), Length(max=200)]
    )
    submit = SubmitField(_l("Save description"))


class PhotoActionForm(FlaskForm):
    """Move or delete: only the CSRF token and a button value."""

    direction = HiddenField()
