"""Forms for wishes, answers and public events."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional


class WishForm(FlaskForm):
    title = StringField(_l("What do you need?"), validators=[InputRequired(), Length(max=140)])
    description = TextAreaField(_l("Details"), validators=[Optional(), Length(max=4000)])
    category = SelectField(_l("Category"), coerce=str, validators=[Optional()])
    district = SelectField(_l("District"), coerce=str, validators=[Optional()])
    wanted_from = DateField(_l("Needed from"), validators=[Optional()])
    wanted_until = DateField(_l("Needed until"), validators=[Optional()])
    expires_on = DateField(_l("Remove from the board after"), validators=[Optional()])
    organisation = SelectField(_l("Post as"), coerce=str, validators=[Optional()])


class AnswerForm(FlaskForm):
    message = TextAreaField(_l("Your answer"), validators=[Optional(), Length(max=4000)])
    resource = SelectField(_l("Offer one of your resources"), coerce=str, validators=[Optional()])


class CloseWishForm(FlaskForm):
    fulfilled = BooleanField(_l("The wish was fulfilled"), default=True)


class EventForm(FlaskForm):
    title = StringField(_l("Title of the event"), validators=[InputRequired(), Length(max=140)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    access = RadioField(
        _l("Who may come?"),
        choices=[
            SelectChoice("open", _l("Open to all")),
            SelectChoice("registration", _l("Registration by contact")),
        ],
        default="open",
        validators=[InputRequired()],
    )
    contact = StringField(_l("Contact for registration"), validators=[Optional(), Length(max=200)])
    organisation = SelectField(_l("Show as organiser"), coerce=str, validators=[Optional()])


class EventFilterForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Until"), validators=[Optional()])
    org = SelectField(_l("Organisation"), coerce=str, validators=[Optional()])
    district = SelectField(_l("District"), coerce=str, validators=[Optional()])
