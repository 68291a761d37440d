"""The forms and field helpers several blueprints share (the phones' text forms, the
button form, dates and ids); a form only one blueprint uses sits at the top of its module.

Forms parse and check CSRF; the rules themselves live in the domain functions."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from workshop.core.clock import EARLIEST_DAY, LATEST_DAY
from workshop.core.vocabulary import (
    CARD_CATEGORIES,
    ORIGINS,
    PRIORITY_STATUSES,
)


def category_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", _l("No category")),
        *(SelectChoice(key, label) for key, label in CARD_CATEGORIES.items()),
    ]


def database_id(value) -> int | None:
    """A record's id from a form: empty means none; anything else must be a plain id
    within the database's range (raises ValueError, which WTForms turns into an error)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
        raise ValueError("not an id")
    return int(text)


class SaneYears:
    """A date within the years a course file may hold too (clock.EARLIEST_DAY..LATEST_DAY):
    what the forms store, an export carries and an import takes back."""

    def __call__(self, form, field) -> None:
        if field.data is not None and not EARLIEST_DAY <= field.data <= LATEST_DAY:
            raise ValidationError(
                _(
                    "Give a date between %(first)s and %(last)s.",
                    first=EARLIEST_DAY.year,
                    last=LATEST_DAY.year,
                )
            )


def day_field(label, **kwargs) -> DateField:
    """An optional date: the browser's date picker sends ISO; typed by hand, Danish style
    (31.12.2026) works too."""
    return DateField(
        label,
        validators=[Optional(), SaneYears()],
        format=["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y"],
        invalid_value_message=_l("Give a date, e.g. 31.12.2026."),
        **kwargs,
    )


class ActionForm(FlaskForm):
    """A button that posts: nothing but the CSRF token."""


class ParticipantTextForm(FlaskForm):
    """Shared by everything a phone writes: a nonce against double taps, a CPR override."""

    # The form's nonce, made by new_client_token(): URL-safe characters, nothing else.
    client_token = HiddenField(
        validators=[
            InputRequired(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9_-]+$", message=_l("The form is out of date. Send it again.")),
        ]
    )
    not_cpr = BooleanField(_l("It is not a CPR number, save anyway"))


class CardForm(ParticipantTextForm):
    text = TextAreaField(_l("What is cumbersome?"))
    category = SelectField(
        _l("Category (optional)"),
        choices=category_choices,
        validate_choice=False,
    )


class AnswerForm(ParticipantTextForm):
    question = StringField(_l("Question"))
    text = TextAreaField(_l("Your answer"))


class CardEditForm(FlaskForm):
    text = TextAreaField(_l("Text"))
    category = SelectField(
        _l("Category"),
        choices=category_choices,
        validate_choice=False,
    )


class MergeForm(FlaskForm):
    target = SelectField(_l("Merge into"), coerce=int, validate_choice=False)


class DotsForm(FlaskForm):
    dots = IntegerField(validators=[InputRequired()])


class VotingForm(FlaskForm):
    state = HiddenField(validators=[InputRequired()])


def _choices(vocabulary: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in vocabulary.items()]


class ExamineForm(FlaskForm):
    origin = SelectField(
        _l("Where does the rule come from?"),
        choices=lambda: _choices(ORIGINS),
        validate_choice=False,
    )
    problem = TextAreaField(_l("What is the real problem, and why?"))
    stakeholders = TextAreaField(_l("Who else has a stake?"))


class PriorityForm(FlaskForm):
    priority = RadioField(
        _l("Status of the challenge"),
        choices=lambda: _choices(PRIORITY_STATUSES),
        validate_choice=False,
        validators=[InputRequired(_l("Choose a status for the challenge."))],
    )
    later_when = StringField(_l("When will it be taken up?"))
    reason = TextAreaField(_l("Why is it outside the frame?"))


class LinkForm(FlaskForm):
    key = HiddenField(validators=[InputRequired()])
