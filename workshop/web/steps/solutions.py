"""Step 3's routes: a phone proposes a solution and votes with its dots; the facilitator
runs the vote, types in solutions proposed aloud, and on each solution's page rewords it,
records its assessment, chooses it (it becomes an action) or hides or redacts it. The
solution forms live here; the step itself is steps/solutions.py."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField

from steps.solutions import latest_decider
from workshop.audit import record
from workshop.cards import card_in_course
from workshop.core.db import write_lock_only_when_writing
from workshop.core.errors import WorkshopError
from workshop.core.models import Card, Course, Solution
from workshop.core.vocabulary import (
    EFFECT_DIMENSIONS,
    EFFECT_SCALE,
    EFFORT,
    LIKELIHOOD,
    SOLUTION_KINDS,
)
from workshop.solutions import (
    ASSESSMENT_FIELDS,
    choose_solution,
    edit_solution,
    propose_solution,
    redact_solution,
    set_solution_hidden,
    solution_in_course,
    unchoose_solution,
)
from workshop.votes import SOLUTIONS, results, set_voting_state
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
    vocabulary_choices,
)
from workshop.web.phone_forms import submit_phone_form
from workshop.web.refusals import back_to_panel, form_refusal, refusal_reply
from workshop.web.screens import control_context, screen_context
from workshop.web.voting import (
    answer_vote,
    restart_vote_reply,
    restore_vote_reply,
    voting_list_context,
)

bp = Blueprint("solutions", __name__)


# --- Forms ------------------------------------------------------------------------------


def _effect_field(dimension: str) -> RadioField:
    return RadioField(
        EFFECT_DIMENSIONS[dimension],
        choices=lambda: vocabulary_choices(EFFECT_SCALE),
        validate_choice=False,  # the domain checks the scale and says so kindly
    )


class SolutionFields(FlaskForm):
    """What a solution says: its text, its kind and the method's assessment questions."""

    text = TextAreaField(_l("Your solution"))
    kind = RadioField(
        _l("What kind of solution is it?"),
        choices=lambda: vocabulary_choices(SOLUTION_KINDS),
        validate_choice=False,
    )
    effect_citizens = _effect_field("effect_citizens")
    effect_efficiency = _effect_field("effect_efficiency")
    effect_work_environment = _effect_field("effect_work_environment")
    likelihood = RadioField(
        _l("Will it have the effect?"),
        choices=lambda: vocabulary_choices(LIKELIHOOD),
        validate_choice=False,
    )
    evidence = TextAreaField(_l("How will we see it?"))
    effort = RadioField(
        _l("How much effort does it take?"),
        choices=lambda: vocabulary_choices(EFFORT),
        validate_choice=False,
    )

    def assessment(self) -> dict:
        return {name: getattr(self, name).data for name in ASSESSMENT_FIELDS}


class SolutionForm(ParticipantTextForm, SolutionFields):
    """A new solution, from a phone or typed in by the facilitator, for one challenge."""

    card = StringField(_l("Which challenge is it a solution for?"))


class SolutionEditForm(SolutionFields):
    text = TextAreaField(_l("Text"))


class BackForm(ActionForm):
    """A button on the control panel or the solution page: `back` says where to return."""

    back = HiddenField()


class ChooseForm(BackForm):
    decided_by = StringField(_l("Decided by (optional)"))


def fresh_solution_form(cards: list[Card]) -> SolutionForm:
    form = SolutionForm(formdata=None)
    form.client_token.data = new_client_token()
    if len(cards) == 1:
        form.card.data = str(cards[0].id)  # only one challenge: nothing to choose
    return form


def _challenge(course: Course, raw: str | None) -> Card:
    try:
        card_id = int(raw or "")
    except ValueError:
        card_id = None
    card = card_in_course(course, card_id)
    if card is None:
        raise WorkshopError(_("Choose the challenge your solution is for."), code="card")
    return card


# --- The screens ------------------------------------------------------------------------


@screen_context("solutions")
def solutions_screen(course, audience, participant, context) -> dict:
    """The solution form (a phone while solutions are collected, and the control panel),
    and a phone's dot buttons while the vote is open."""
    state = context["solution_state"]
    if audience == "control" or (audience == "phone" and state == "collect"):
        return {"solution_form": fresh_solution_form(context["open_challenges"])}
    if audience == "phone" and state == "voting":
        left, stage = context["dots_left"], context["stage"]
        return voting_list_context(course, Solution, participant, left, stage)
    return {}


# --- Phones -----------------------------------------------------------------------------


@bp.post("/c/<code>/solutions")
def propose(code: str):
    """A participant proposes a solution for a prioritised challenge."""
    course = course_by_code(code)
    participant = require_participant(course)
    return submit_phone_form(
        course,
        participant,
        SolutionForm(),
        save=lambda form: propose_solution(
            participant,
            _challenge(course, form.card.data),
            form.text.data,
            form.kind.data or "",
            client_token=form.client_token.data,
            allow_cpr_like=form.not_cpr.data,
            **form.assessment(),
        ),
        form_name="solution_form",
        form_template="steps/solutions/_solution_form.html",
        done_message=_("Thank you. Your solution is on the wall."),
        keep_after_save=("card",),
    )


@bp.post("/c/<code>/solutions/<int:solution_id>/dots")
@write_lock_only_when_writing
def vote(code: str, solution_id: int):
    """Set how many of the participant's dots lie on a solution (0 takes them back)."""
    course, participant, solution = voter_and_item(code, Solution, solution_id, solution_in_course)
    if solution is None:
        abort(404)
    return answer_vote(course, participant, solution)


# --- The facilitator ------------------------------------------------------------------


def _back(course: Course, solution: Solution | None, back: str | None):
    """Back to the solution page when the button was there, else to the control panel."""
    if solution is not None and back == "page":
        return redirect(url_for(".solution_page", course_id=course.id, solution_id=solution.id))
    return back_to_panel(course)


@bp.post("/f/courses/<int:course_id>/solutions/voting")
def voting(course_id: int):
    """Open, close or reveal the vote on solutions, or go back to collecting them."""
    course = facilitator_course(course_id)
    form = VotingForm()
    if form.validate_on_submit():
        try:
            set_voting_state(course, form.state.data, SOLUTIONS)
        except WorkshopError as refused:
            flash(refused.message, "error")
    return back_to_panel(course)


@bp.post("/f/courses/<int:course_id>/solutions/votes/clear")
def restart_vote(course_id: int):
    """Give every dot on the solutions back, after a confirmation that says how many."""
    course = facilitator_course(course_id)
    undo = url_for(".restore_vote", course_id=course.id)
    return restart_vote_reply(course, SOLUTIONS, "restart-solutions", undo)


@bp.post("/f/courses/<int:course_id>/solutions/votes/restore")
def restore_vote(course_id: int):
    """Take a restart of the solutions' vote back within a minute."""
    return restore_vote_reply(facilitator_course(course_id), SOLUTIONS)


@bp.post("/f/courses/<int:course_id>/solutions")
def add(course_id: int):
    """The facilitator types in a solution someone proposed aloud in the room."""
    course = facilitator_course(course_id)
    form = SolutionForm()
    try:
        if not form.validate_on_submit():
            raise form_refusal(form)
        propose_solution(
            None,
            _challenge(course, form.card.data),
            form.text.data,
            form.kind.data or "",
            client_token=form.client_token.data,
            allow_cpr_like=form.not_cpr.data,
            course=course,
            **form.assessment(),
        )
    except WorkshopError as refused:
        if not form.client_token.data:
            form.client_token.data = new_client_token()
        context = control_context(course, solution_form=form)
        return refusal_reply(refused, page="facilitator/course.html", **context)
    flash(_("The solution is on the wall."))
    return back_to_panel(course)


def _solution_or_panel(course_id: int, solution_id: int):
    course = facilitator_course(course_id)
    return course, solution_in_course(course, solution_id)


def _solution_page(
    course: Course, solution: Solution, refusal: WorkshopError | None = None, **forms
):
    """The facilitator's solution page; after a `refusal` (422) with the refused `forms`
    as posted and the reason."""
    ranked = results(course, SOLUTIONS)
    context = {
        "course": course,
        "solution": solution,
        "form": SolutionEditForm(obj=solution),
        "choose_form": ChooseForm(
            decided_by=solution.decided_by or latest_decider(course), back="page"
        ),
        "action_form": ActionForm(),
        "redact_form": RedactForm(formdata=None),
        "dots": next((row.total for row in ranked.rows if row.item.id == solution.id), None)
        if ranked
        else None,
        "error": refusal.message if refusal else None,
        **forms,
    }
    status = 422 if refusal else 200
    return render_template("steps/solutions/solution.html", **context), status


@bp.route("/f/courses/<int:course_id>/solutions/<int:solution_id>", methods=["GET", "POST"])
def solution_page(course_id: int, solution_id: int):
    """The facilitator's solution page: reword it, record the assessment, choose or hide."""
    course, solution = _solution_or_panel(course_id, solution_id)
    if solution is None:
        return back_to_panel(course)
    if request.method == "GET":
        return _solution_page(course, solution)
    form = SolutionEditForm()
    try:
        if not form.validate_on_submit():
            raise form_refusal(form)
        edit_solution(solution, form.text.data, form.kind.data or "", **form.assessment())
    except WorkshopError as refused:
        return _solution_page(course, solution, refused, form=form)
    flash(_("The solution has been saved."))
    return _back(course, solution, "page")


@bp.post("/f/courses/<int:course_id>/solutions/<int:solution_id>/hidden")
def toggle_hidden(course_id: int, solution_id: int):
    course, solution = _solution_or_panel(course_id, solution_id)
    form = BackForm()
    if solution is not None and form.validate_on_submit():
        try:
            set_solution_hidden(solution, not solution.hidden)
        except WorkshopError as refused:
            flash(refused.message, "error")
    return _back(course, solution, form.back.data)


@bp.post("/f/courses/<int:course_id>/solutions/<int:solution_id>/choose")
def choose(course_id: int, solution_id: int):
    """Mark the solution as chosen, with the manager who decided: it becomes an action."""
    course, solution = _solution_or_panel(course_id, solution_id)
    form = ChooseForm()
    if solution is not None and form.validate_on_submit():
        try:
            choose_solution(solution, form.decided_by.data or "")
        except WorkshopError as refused:
            flash(refused.message, "error")
        else:
            flash(_("The solution is chosen. It is now an action in step 4."))
    return _back(course, solution, form.back.data)


@bp.post("/f/courses/<int:course_id>/solutions/<int:solution_id>/unchoose")
def unchoose(course_id: int, solution_id: int):
    course, solution = _solution_or_panel(course_id, solution_id)
    form = BackForm()
    if solution is not None and form.validate_on_submit():
        try:
            unchoose_solution(solution)
        except WorkshopError as refused:
            flash(refused.message, "error")
        else:
            flash(_("The choice has been undone."))
    return _back(course, solution, form.back.data)


@bp.post("/f/courses/<int:course_id>/solutions/<int:solution_id>/redact")
def redact(course_id: int, solution_id: int):
    """Remove personal data from a solution for good: its words become a marker."""
    course, solution = _solution_or_panel(course_id, solution_id)
    if solution is None:
        return back_to_panel(course)
    form = RedactForm()
    if not form.validate_on_submit():
        return _back(course, solution, "page")
    refusal = form.unconfirmed()
    if refusal is not None:
        return _solution_page(course, solution, refusal, redact_form=form)
    redact_solution(solution)
    record("redacted", course=course, target_kind="solution", target_id=solution.id)
    flash(_("The solution's text has been removed."))
    if solution.action is not None:
        # The title was derived from the solution's words (workshop.redaction).
        flash(
            _(
                "The title of the action chosen from it was replaced too: "
                "give the action a new title."
            )
        )
    return _back(course, solution, "page")
