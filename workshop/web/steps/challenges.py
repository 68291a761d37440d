"""Step 2's routes: a phone adds a card and votes with its dots; the facilitator runs the
vote and works on each card on its own page (reword, examine, link to the catalogue,
prioritise, merge, hide, redact). The card page and its forms live here, the state-feedback
panel's form too (web/state_feedback.py answers that panel's posts). The step itself is
steps/challenges.py."""

from __future__ import annotations

from textwrap import shorten

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired

from workshop.audit import record
from workshop.cards import (
    card_in_course,
    edit_card,
    merge_card_into,
    redact_card,
    set_card_hidden,
    submit_card,
    unmerge_card,
    wall_cards,
)
from workshop.catalogue import requirement_label
from workshop.core.db import write_lock_only_when_writing
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, Course
from workshop.core.vocabulary import (
    CARD_CATEGORIES,
    ORIGINS,
    OTHER_DEPARTMENT,
    PRIORITY_STATUSES,
)
from workshop.corrections import corrections_for
from workshop.examination import (
    department_choices,
    departments_offered,
    examine_card,
    link_requirement,
    named_department_id,
    prioritise,
    unlink_requirement,
)
from workshop.experience import experience_for_keys
from workshop.local_feedback import ASKS, ESTIMATE_PER, fits, local_feedback_of, routes_for
from workshop.state_feedback import TRIAL_OPTIONS, feedback_of, is_state_origin, measures_for_choice
from workshop.votes import CARDS, set_voting_state
from workshop.web.catalogue import asks_for_results, filtered_search
from workshop.web.common import (
    course_by_code,
    facilitator_course,
    new_client_token,
    require_participant,
    voter_and_item,
)
from workshop.web.forms import (
    ActionForm,
    ParticipantTextForm,
    RedactForm,
    VotingForm,
    day_field,
    vocabulary_choices,
)
from workshop.web.path import fresh_touchpoint_form
from workshop.web.phone_forms import submit_phone_form
from workshop.web.refusals import back_to_panel, form_refusal
from workshop.web.screens import screen_context
from workshop.web.voting import (
    answer_vote,
    restart_vote_reply,
    restore_vote_reply,
    voting_list_context,
)

bp = Blueprint("challenges", __name__)


# --- Forms ------------------------------------------------------------------------------


def category_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("No category")), *vocabulary_choices(CARD_CATEGORIES)]


class CardForm(ParticipantTextForm):
    text = TextAreaField(_l("What is cumbersome?"))
    category = SelectField(
        _l("Category (optional)"),
        choices=category_choices,
        validate_choice=False,
    )


class CardEditForm(FlaskForm):
    text = TextAreaField(_l("Text"))
    category = SelectField(
        _l("Category"),
        choices=category_choices,
        validate_choice=False,
    )


class MergeForm(FlaskForm):
    target = SelectField(_l("Merge into"), coerce=int, validate_choice=False)


def _int_or_minus_one(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # neither "none" (0) nor a row's id: the domain refuses it


class ExamineForm(FlaskForm):
    origin = SelectField(
        _l("Where does the rule come from?"),
        choices=lambda: vocabulary_choices(ORIGINS),
        validate_choice=False,
    )
    problem = TextAreaField(_l("What is the real problem, and why?"))
    stakeholders = TextAreaField(_l("Who else has a stake?"))
    # In a course across departments (the page then sends with_departments): whose rule,
    # and which departments the card involves. Unknown ids reach the domain, which refuses.
    with_departments = HiddenField()
    origin_department = SelectField(
        _l("Which department's rule or practice?"),
        coerce=lambda value: 0 if value in ("", None) else _int_or_minus_one(value),
        default=0,
        validate_choice=False,
    )
    departments = SelectMultipleField(
        _l("Departments involved"), coerce=_int_or_minus_one, validate_choice=False
    )

    def examination(self) -> dict:
        """The examination as posted, for examine_card: the departments only where the page
        showed them (else they stay as they are)."""
        fields = {
            "origin": self.origin.data or "",
            "problem": self.problem.data or "",
            "stakeholders": self.stakeholders.data or "",
        }
        if self.with_departments.data:
            fields["departments"] = list(self.departments.data or [])
            fields["origin_department"] = self.origin_department.data or None
        return fields


def examine_panel(course: Course, card: Card, form: ExamineForm | None = None) -> dict:
    """The card page's examination (as posted, or filled from the card) and, in a course
    across departments, the departments to choose from."""
    offered = departments_offered(course)
    if form is None:
        form = ExamineForm(obj=card)
        form.departments.data = [link.department_id for link in card.department_links]
        form.origin_department.data = named_department_id(card) or 0
    choices = department_choices(course, card) if offered else []
    form.origin.choices = [  # another department's rule only where departments are asked
        choice
        for choice in vocabulary_choices(ORIGINS)
        if offered or choice.value != OTHER_DEPARTMENT or card.origin == OTHER_DEPARTMENT
    ]
    form.origin_department.choices = [
        SelectChoice(0, _("Choose the department")),
        *(SelectChoice(department.id, department.name) for department in choices),
    ]
    return {"examine_form": form, "departments_offered": offered, "department_choices": choices}


class PriorityForm(FlaskForm):
    priority = RadioField(
        _l("Status of the challenge"),
        choices=lambda: vocabulary_choices(PRIORITY_STATUSES),
        validate_choice=False,
        validators=[InputRequired(_l("Choose a status for the challenge."))],
    )
    later_when = StringField(_l("When will it be taken up?"))
    later_due = day_field(_l("Bring it back on"))
    reason = TextAreaField(_l("Why is it outside the frame?"))


class LinkForm(FlaskForm):
    key = HiddenField(validators=[InputRequired()])


class StateFeedbackForm(FlaskForm):
    """The card page's "Send to the state" panel (posted to web/state_feedback.py)."""

    cost = TextAreaField(_l("What it costs in practice"))
    measure = SelectField(
        _l("Measured in the course"), coerce=_int_or_minus_one, default=0, validate_choice=False
    )
    proposal = TextAreaField(_l("What we propose"))
    # Checked by the domain, which says clearly what is wrong with an unknown value.
    trial = RadioField(
        _l("Could a local trial be allowed?"),
        choices=lambda: vocabulary_choices(TRIAL_OPTIONS),
        default="unknown",
        validate_choice=False,
    )
    trial_note = TextAreaField(_l("Note on a local trial"))


def state_feedback_panel(course: Course, card: Card, form: StateFeedbackForm | None = None):
    """What the card page needs for its "Send to the state" panel: the card's feedback, and
    the form (as posted, or filled from the feedback) with the course's measures to pick."""
    feedback = feedback_of(card)
    if form is None:
        form = StateFeedbackForm(formdata=None, obj=feedback)
        form.measure.data = (feedback.measure_id or 0) if feedback else 0
        form.trial.data = feedback.trial if feedback else "unknown"
    form.measure.choices = [SelectChoice(0, _("No measure"))] + [
        SelectChoice(m.id, f"{m.what} ({m.unit})"[:120]) for m in measures_for_choice(course)
    ]
    return {
        "state_feedback": feedback,
        "state_feedback_form": form,
        "state_origin": is_state_origin(card),
    }


class LocalFeedbackForm(FlaskForm):
    """The card page's panel for the IT vendor or the political committee (posted to
    web/local_feedback.py). Made with the route's key as prefix: two panels on one page
    never share a field's id. The domain checks the values and says what is wrong."""

    subject = StringField(_l("Which IT system"))
    decided_by = StringField(_l("Made by"))
    decided_on = StringField(_l("Decided on"))
    cost = TextAreaField(_l("What it costs in practice"))
    estimate_minutes = StringField(_l("Our estimate in minutes"))
    estimate_per = RadioField(
        _l("The estimate is"),
        choices=lambda: vocabulary_choices(ESTIMATE_PER),
        validate_choice=False,
    )
    measure = SelectField(
        _l("Measured in the course"), coerce=_int_or_minus_one, default=0, validate_choice=False
    )
    ask = RadioField(
        _l("What do we ask?"), choices=lambda: vocabulary_choices(ASKS), validate_choice=False
    )
    proposal = TextAreaField(_l("What we ask them to change"))


def _filled_local_form(route, feedback) -> LocalFeedbackForm:
    form = LocalFeedbackForm(formdata=None, obj=feedback, prefix=route.key)
    form.measure.data = (feedback.measure_id or 0) if feedback else 0
    minutes = feedback.estimate_minutes if feedback else None
    form.estimate_minutes.data = str(minutes) if minutes else ""
    decided_on = feedback.decided_on if feedback else None
    form.decided_on.data = decided_on.isoformat() if decided_on else ""
    return form


def local_feedback_panels(course: Course, card: Card, posted: dict | None = None) -> dict:
    """The card page's panels beyond the state: one for each route the card's origin fits
    or it is flagged for, each with its feedback and its form (as posted, or filled)."""
    choices = [SelectChoice(0, _("No measure"))] + [
        SelectChoice(m.id, f"{m.what} ({m.unit})"[:120]) for m in measures_for_choice(course)
    ]
    panels = []
    for route in routes_for(card):
        feedback = local_feedback_of(card, route)
        form = (posted or {}).get(route.key) or _filled_local_form(route, feedback)
        form.measure.choices = choices
        form.subject.label.text = (
            _("Which decision") if route.asks_decision else _("Which IT system")
        )
        panels.append(
            {"route": route, "feedback": feedback, "form": form, "fits": fits(route, card)}
        )
    return {"local_feedback_panels": panels}


# --- The phone's screen -----------------------------------------------------------------


@screen_context("challenges")
def challenges_screen(course, audience, participant, context) -> dict:
    """A phone gets a fresh card form while cards are collected, its dot buttons while the
    vote is open."""
    if audience != "phone":
        return {}
    if context["voting_state"] == "collect":
        form = CardForm(formdata=None)
        form.client_token.data = new_client_token()
        if context.get("path_mapping"):  # the citizen's path (web/path.py)
            path_form = fresh_touchpoint_form(participant)
            path_form.client_token.data = new_client_token()
            return {"card_form": form, "touchpoint_form": path_form}
        return {"card_form": form}
    if context["voting_state"] == "voting":
        left, stage = context["dots_left"], context["stage"]
        return voting_list_context(course, Card, participant, left, stage)
    return {}


# --- Phones -----------------------------------------------------------------------------


@bp.post("/c/<code>/cards")
def submit(code: str):
    """A participant adds a card from their phone."""
    course = course_by_code(code)
    participant = require_participant(course)
    return submit_phone_form(
        course,
        participant,
        CardForm(),
        save=lambda form: submit_card(
            participant,
            form.text.data,
            form.category.data,
            client_token=form.client_token.data,
            allow_cpr_like=form.not_cpr.data,
        ),
        form_name="card_form",
        form_template="steps/challenges/_card_form.html",
        done_message=_("Thank you. Your card is on the wall."),
    )


@bp.post("/c/<code>/cards/<int:card_id>/dots")
@write_lock_only_when_writing
def vote(code: str, card_id: int):
    """Set how many of the participant's dots lie on a card (0 takes them back)."""
    course, participant, card = voter_and_item(code, Card, card_id, card_in_course)
    return answer_vote(course, participant, card, _l("That card cannot be voted on."))


# --- The facilitator's vote -------------------------------------------------------------


@bp.post("/f/courses/<int:course_id>/voting")
def voting(course_id: int):
    """Open, close or reveal the vote, or go back to collecting cards."""
    course = facilitator_course(course_id)
    form = VotingForm()
    if form.validate_on_submit():
        try:
            set_voting_state(course, form.state.data)
        except WorkshopError as refused:
            flash(refused.message, "error")
    return back_to_panel(course)


@bp.post("/f/courses/<int:course_id>/votes/clear")
def restart_vote(course_id: int):
    """Give every dot back, after a confirmation that says how many."""
    course = facilitator_course(course_id)
    undo = url_for(".restore_vote", course_id=course.id)
    return restart_vote_reply(course, CARDS, "restart-cards", undo)


@bp.post("/f/courses/<int:course_id>/votes/restore")
def restore_vote(course_id: int):
    """Take a restart back within a minute: every dot where it lay."""
    return restore_vote_reply(facilitator_course(course_id), CARDS)


# --- The card page ----------------------------------------------------------------------


def _catalogue_search(course: Course, card: Card) -> dict:
    """The card page's catalogue search (on request) and its experience bank."""
    search = filtered_search(course.facilitator_id)
    # Search results only on request: the whole catalogue under every card was metres long.
    asked = search["query"].strip() or search["act"] or search["sector"]
    found = search["results"] if asked else []
    # The experience bank: what other courses did about the card's requirements (and
    # about each entry the search finds), in one query.
    law_keys = [link.requirement.key for link in card.links if not link.requirement.is_local]
    bank = experience_for_keys(
        law_keys + [r.key for r in found if not r.is_local], exclude_course_id=course.id
    )
    return {
        **search,
        "searched": bool(asked),
        "results": found,
        "bank": bank,
        # The organisation's corrections beside the shipped entries (issue 18).
        "corrections": corrections_for(course.organisation_id),
    }


def render_card_page(course: Course, card: Card, *, status: int = 200, **overrides):
    """The facilitator's card page, with any refused form shown as it was filled in
    (`overrides`: the forms as posted, `error` and `error_at`: card, links, merge, redact)."""
    context = {
        "course": course,
        "card": card,
        "form": CardEditForm(obj=card),
        "priority_form": PriorityForm(
            priority=card.priority,
            later_when=card.later_when,
            later_due=card.later_due,
            reason=card.out_of_scope_reason,
        ),
        "merge_form": MergeForm(formdata=None),
        # Merging picks from the wall itself, with nothing chosen until the facilitator does.
        "merge_targets": [other for other in wall_cards(course) if other.id != card.id],
        "action_form": ActionForm(),
        "redact_form": RedactForm(formdata=None),
        **_catalogue_search(course, card),
        "bank_copy_card": card if card.priority == "prioritised" else None,
        "link_url": url_for("challenges.link", course_id=course.id, card_id=card.id),
        "linked_keys": {link.requirement.key for link in card.links},
        "search_url": url_for("challenges.card", course_id=course.id, card_id=card.id),
        "error": None,
        "error_at": "card",
        "error_code": None,
        **state_feedback_panel(course, card),
        **local_feedback_panels(course, card),
        **examine_panel(course, card, overrides.pop("examine_form", None)),
        **overrides,
    }
    if asks_for_results():
        return render_template("steps/challenges/_card_results.html", **context)
    return render_template("steps/challenges/card.html", **context), status


def refused_card_page(course, card, refusal: WorkshopError, error_at: str = "card", **forms):
    """The card page again (422), the refused `forms` as posted and the reason at `error_at`."""
    return render_card_page(
        course,
        card,
        status=422,
        error=refusal.message,
        error_at=error_at,
        error_code=refusal.code,  # the departments' fields mark themselves
        **forms,
    )


def _card_or_panel(course_id: int, card_id: int):
    course = facilitator_course(course_id)
    return course, card_in_course(course, card_id)


def _back_to_card(course, card, query: str = "", act: str = "", sector: str = ""):
    # Keep the facilitator's catalogue search, so linking a second entry is one click.
    query = query[:200] or None
    search = {"q": query, "act": act[:20] or None, "sector": sector[:32] or None}
    return redirect(url_for(".card", course_id=course.id, card_id=card.id, **search))


@bp.route("/f/courses/<int:course_id>/cards/<int:card_id>", methods=["GET", "POST"])
def card(course_id: int, card_id: int):
    """The facilitator's card page: reword, examine, link, prioritise, merge, hide."""
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return back_to_panel(course)
    if request.method == "GET":
        return render_card_page(course, card)
    form = CardEditForm()
    if not form.validate_on_submit():
        return _back_to_card(course, card)
    return _save_card(course, card, form)


def _save_card(course, card, form: CardEditForm):
    """One save for everything typed on the card page: the wording, the examination and the
    status, each part as far as the form carries it. A refusal shows the page again with
    every field as it was typed, and says what is wrong."""
    examine_form, priority_form = ExamineForm(), PriorityForm()
    posted = request.form
    try:
        if "priority" in posted:  # checked first: its rules (say when, say why) refuse most
            _check_day(priority_form.later_due, priority_form)
            prioritise(
                card,
                priority_form.priority.data or "",
                later_when=priority_form.later_when.data or "",
                reason=priority_form.reason.data or "",
                later_due=priority_form.later_due.data,
            )
        if "origin" in posted:
            examine_card(card, **examine_form.examination())
        if "text" in posted:
            edit_card(card, form.text.data, form.category.data)
    except WorkshopError as refused:
        db.session.rollback()
        forms = {"form": form, "examine_form": examine_form, "priority_form": priority_form}
        return refused_card_page(course, card, refused, **forms)
    flash(_("The card has been saved."))
    return _back_to_card(course, card)


def _check_day(day, form) -> None:
    """A typed date that is no date is said, not dropped (this form is not validated whole:
    the card page saves several forms' fields in one post)."""
    if not day.validate(form):
        raise WorkshopError(str(day.errors[0]), code=day.name)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/examine")
def examine(course_id: int, card_id: int):
    """Where the rule comes from, the real problem, and who else has a stake."""
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return back_to_panel(course)
    form = ExamineForm()
    if form.validate_on_submit():
        try:
            examine_card(card, **form.examination())
        except WorkshopError as refused:
            return refused_card_page(course, card, refused, examine_form=form)
        flash(_("The examination has been saved."))
    return _back_to_card(course, card)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/priority")
def priority(course_id: int, card_id: int):
    """Prioritised, later (with when) or outside the frame (with why)."""
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return back_to_panel(course)
    form = PriorityForm()
    try:
        if not form.validate_on_submit():
            raise form_refusal(form)
        prioritise(
            card,
            form.priority.data,
            later_when=form.later_when.data,
            reason=form.reason.data,
            later_due=form.later_due.data,
        )
    except WorkshopError as refused:
        return refused_card_page(course, card, refused, priority_form=form)
    flash(_("The status of the challenge has been saved."))
    return _back_to_card(course, card)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/links")
def link(course_id: int, card_id: int):
    """Link the card to a catalogue entry (the entry's version is recorded)."""
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return back_to_panel(course)
    form = LinkForm()
    if form.validate_on_submit():
        try:
            linked = link_requirement(card, form.key.data)
        except WorkshopError as refused:
            return refused_card_page(course, card, refused, error_at="links")
        title = requirement_label(linked.requirement)
        flash(_("The card is linked to %(requirement)s.", requirement=title))
    search = {name: request.form.get(name, "") for name in ("act", "sector")}
    return _back_to_card(course, card, request.form.get("q", ""), **search)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/links/<int:link_id>/delete")
def unlink(course_id: int, card_id: int, link_id: int):
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return back_to_panel(course)
    if ActionForm().validate_on_submit():
        unlink_requirement(card, link_id)
    return _back_to_card(course, card)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/hidden")
def toggle_hidden(course_id: int, card_id: int):
    course, card = _card_or_panel(course_id, card_id)
    if card is None or not ActionForm().validate_on_submit():
        return back_to_panel(course)
    try:
        set_card_hidden(card, not card.hidden)
    except WorkshopError as refused:
        flash(refused.message, "error")
        return back_to_panel(course)
    if card.hidden:  # one click hides: the same click's undo sits in the message
        text = shorten(card.text, 60, placeholder=" …")
        message = _("“%(text)s” is hidden from the phones and the projector.", text=text)
        flash(message, f"undo:{request.path}")
    return back_to_panel(course)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/merge")
def merge(course_id: int, card_id: int):
    """Merge this card into another one (the target keeps both texts and authors)."""
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return back_to_panel(course)
    form = MergeForm()
    if not form.validate_on_submit():
        return _back_to_card(course, card)
    try:
        target = merge_card_into(card, card_in_course(course, form.target.data))
    except WorkshopError as refused:
        return refused_card_page(course, card, refused, error_at="merge", merge_form=form)
    undo = url_for(".unmerge", course_id=course.id, card_id=card.id)
    text = shorten(target.text, 60, placeholder=" …")
    flash(_("The card has been placed under “%(target)s”.", target=text), f"undo:{undo}")
    return back_to_panel(course)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/unmerge")
def unmerge(course_id: int, card_id: int):
    course = facilitator_course(course_id)
    card = card_in_course(course, card_id)
    if card is not None and ActionForm().validate_on_submit():
        try:
            unmerge_card(card)
        except WorkshopError as refused:
            flash(refused.message, "error")
    return back_to_panel(course)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/redact")
def redact(course_id: int, card_id: int):
    """Remove a citizen's name or CPR number for good: the text and the author's original
    are replaced by a marker; the card keeps its place, dots and links."""
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return back_to_panel(course)
    form = RedactForm()
    if not form.validate_on_submit():
        return _back_to_card(course, card)
    refusal = form.unconfirmed()
    if refusal is not None:
        return refused_card_page(course, card, refusal, error_at="redact", redact_form=form)
    redact_card(card)
    # Which card, never its words.
    record("redacted", course=course, target_kind="card", target_id=card.id)
    flash(_("The card's text has been removed."))
    return _back_to_card(course, card)
