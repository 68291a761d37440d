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
    SelectChoice,
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
from workshop.core.errors import WorkshopError


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


class AnswerForm(ParticipantTextForm):
    question = StringField(_l("Question"))
    text = TextAreaField(_l("Your answer"))


class RedactForm(FlaskForm):
    """Redacting removes words for good (a card, a solution, an answer): the box must be
    ticked. Not a validator: a form refused for its token goes back without this message."""

    confirm = BooleanField(_l("I understand that the text is gone for good"))

    def unconfirmed(self) -> WorkshopError | None:
        """Why the redaction was refused, if the box is not ticked."""
        if self.confirm.data:
            return None
        return WorkshopError(
            _("Tick the box to confirm that the text should be removed for good."), code="confirm"
        )


class DotsForm(FlaskForm):
    dots = IntegerField(validators=[InputRequired()])

    class Meta:
        # CSRFProtect (app.py) has checked the token before the view, for every post; a
        # form with its own token field would also sign a fresh token for the field on
        # every tap, the hottest post there is.
        csrf = False


class VotingForm(FlaskForm):
    state = HiddenField(validators=[InputRequired()])


def vocabulary_choices(vocabulary: dict) -> list[SelectChoice]:
    """A select's choices from one of the method's vocabularies (code -> label; a
    number code, such as an effect on the scale, is given as text, as forms send it)."""
    return [SelectChoice(str(key), label) for key, label in vocabulary.items()]
