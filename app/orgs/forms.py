"""Forms for organisation profiles, the directory filters, members and invitations."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.org import ORG_KINDS
from app.orgs import service


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (templates wrap it in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, service.kind_label(kind)) for kind in ORG_KINDS]


class OrgForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    kind = SelectField(_l("Kind of organisation"), validators=[InputRequired()])
    description = TextAreaField(
        _l("Who you are and what you do"), validators=[Optional(), Length(max=5000)]
    )
    fields = CheckboxesField(_l("Fields of activity"), validators=[Optional()])
    looking_for = CheckboxesField(_l("We are looking for"), validators=[Optional()])
    contact_email = EmailField(
        _l("Contact email address"), validators=[Optional(), Email(), Length(max=254)]
    )
    contact_phone = StringField(
        _l("Contact phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(
                r"^[0-9 +()/.\-]+$",
                message=_l("Please use digits, spaces and + ( ) / - only."),
            ),
        ],
    )
    website = URLField(
        _l("Website"),
        validators=[
            Optional(),
            Length(max=200),
            Regexp(
                r"^https?://[^\s/]+\.[^\s]+$",
                message=_l("Please enter a web address starting with https://."),
            ),
        ],
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    district = SelectField(_l("District"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices()
        self.fields.choices = [(key, service.field_label(key)) for key in service.org_fields()]
        self.looking_for.choices = [
            (key, service.looking_for_label(key)) for key in service.LOOKING_FOR
        ]
        self.district.choices = [("", _l("No district"))] + [
            (d, d) for d in current_app.config["DISTRICTS"]
        ]

    def profile(self) -> service.Profile:
        return service.Profile(
            name=self.name.data or "",
            kind=self.kind.data,
            description=self.description.data or "",
            contact_email=self.contact_email.data,
            contact_phone=self.contact_phone.data,
            website=self.website.data,
            address=self.address.data,
            district=self.district.data or None,
            fields=list(self.fields.data or []),
            looking_for=list(self.looking_for.data or []),
        )


class DirectoryForm(FlaskForm):
    """The directory's search and filters, read from the URL (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    field = SelectField(_l("Field of activity"), validators=[Optional()])
    district = SelectField(_l("District"), validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("All kinds"))] + kind_choices()
        self.field.choices = [("", _l("All fields"))] + [
            (key, service.field_label(key)) for key in service.org_fields()
        ]
        self.district.choices = [("", _l("All districts"))] + [
            (d, d) for d in current_app.config["DISTRICTS"]
        ]


def role_choices() -> list[tuple[str, str]]:
    return [("member", service.role_label("member")), ("manager", service.role_label("manager"))]


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Email address"), validators=[InputRequired(), Email(), Length(max=254)]
    )
    role = SelectField(_l("Role"), validators=[InputRequired()])
    submit = SubmitField(_l("Send invitation"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[InputRequired()])
    submit = SubmitField(_l("Change role"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class ButtonForm(FlaskForm):
    """A form that is only a button (remove, leave, revoke, accept, decline): CSRF only."""
