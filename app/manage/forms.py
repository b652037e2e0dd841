"""The desk's answer forms. They post to the reservation action routes of the booking area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length


class DeclineForm(FlaskForm):
    """Posted to reservations.act, which reads it with the prefix "decline"."""

    reason = StringField(
        _l("Reason for declining"), validators=[InputRequired(), Length(max=500)]
    )


def decline_form(reservation_id: int) -> DeclineForm:
    """A decline form whose reason field has an id of its own (one form per request on a page)."""
    form = DeclineForm(formdata=None, prefix="decline")
    field = form.reason
    field.id = f"decline-reason-{reservation_id}"
    field.label.field_id = field.id
    return form
