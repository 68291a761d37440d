"""Flask-WTF forms: parsing and CSRF. The rules themselves live in the domain functions."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from workshop.core.clock import EARLIEST_DAY, LATEST_DAY
from workshop.core.errors import WorkshopError
from workshop.core.vocabulary import (
    LOCAL_RULE_KINDS,
    ROLES,
)


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


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class CourseForm(FlaskForm):
    title = StringField(_l("Title"))
    municipality = StringField(_l("Municipality"))
    unit = StringField(_l("Unit"))
    purpose = TextAreaField(_l("Purpose of the course"))
    core_task = TextAreaField(_l("The core task"))
    frame_can_change = TextAreaField(_l("What we can change"))
    frame_cannot_change = TextAreaField(_l("What we cannot change"))
    dialogue_questions = TextAreaField(_l("Dialogue questions for step 1 (one per line)"))
    reflection_questions = TextAreaField(_l("Reflection questions for step 6 (one per line)"))
    dot_budget = IntegerField(
        _l("Dots per participant"),
        default=5,
        validators=[
            InputRequired(_l("Give the number of dots.")),
            NumberRange(1, 50, _l("Between 1 and 50 dots.")),
        ],
    )
    multiple_dots_per_card = BooleanField(_l("Several dots may go on one card"), default=True)
    min_group_size = IntegerField(
        _l("Show a role group's votes only when at least this many of it voted"),
        default=3,
        validators=[
            InputRequired(_l("Give a number.")),
            NumberRange(1, 50, _l("Between 1 and 50.")),
        ],
    )


class CodeForm(FlaskForm):
    code = StringField(_l("Course code"))


class JoinForm(FlaskForm):
    role = RadioField(
        _l("Your role"),
        choices=[SelectChoice(key, label) for key, label in ROLES.items()],
        validators=[InputRequired(_l("Choose your role."))],
    )
    unit = StringField(_l("Your unit or team"))
    name = StringField(_l("Your name (optional)"))


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


class StepForm(FlaskForm):
    step = IntegerField(validators=[InputRequired()])


class VotingForm(FlaskForm):
    state = HiddenField(validators=[InputRequired()])


def _choices(vocabulary: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in vocabulary.items()]


class LocalRuleForm(FlaskForm):
    name = StringField(_l("Name of the rule"))
    kind = SelectField(
        _l("Kind of rule"), choices=lambda: _choices(LOCAL_RULE_KINDS), validate_choice=False
    )
    description = TextAreaField(_l("What does it require?"))
    decided_by = StringField(_l("Who decided it?"))
    decided_on = DateField(
        _l("When was it decided?"),
        validators=[Optional(), SaneYears()],
        render_kw={"placeholder": "YYYY-MM-DD"},
    )


class TimerForm(FlaskForm):
    minutes = IntegerField(
        _l("Minutes"),
        validators=[
            InputRequired(_l("Give the number of minutes.")),
            NumberRange(1, 180, _l("Between 1 and 180 minutes.")),
        ],
    )
    label = StringField(_l("For what (shown with the timer)"), validators=[Length(max=120)])


class ManagerLinkForm(FlaskForm):
    label = StringField(_l("Who is the link for? (optional)"), validators=[Length(max=120)])
