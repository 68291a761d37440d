"""Step 3 — Udvikle løsninger: solutions per prioritised challenge, assessed and voted on."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField

from steps.base import Step, stage_with
from steps.challenges import RedactForm
from workshop.audit import record
from workshop.cards import card_in_course, cards_of
from workshop.core.db import write_lock_only_when_writing
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, Course, Solution
from workshop.core.vocabulary import (
    EFFECT_DIMENSIONS,
    EFFECT_SCALE,
    EFFORT,
    LIKELIHOOD,
    SOLUTION_KINDS,
)
from workshop.experience import experience_by_challenge
from workshop.solutions import (
    ASSESSMENT_FIELDS,
    challenges_with_solutions,
    choose_solution,
    chosen_solutions,
    edit_solution,
    propose_solution,
    redact_solution,
    set_solution_hidden,
    solution_in_course,
    unchoose_solution,
)
from workshop.votes import (
    SOLUTIONS,
    Results,
    dots_left,
    my_dots,
    results,
    role_groups_below_minimum,
    set_voting_state,
    voting_progress,
)
from workshop.web.common import (
    course_by_code,
    facilitator_course,
    new_client_token,
    require_participant,
)
from workshop.web.forms import ActionForm, ParticipantTextForm, VotingForm
from workshop.web.phone_forms import submit_phone_form
from workshop.web.refusals import first_form_error
from workshop.web.screens import control_context
from workshop.web.voting import (
    answer_vote,
    restart_vote_reply,
    restore_vote_reply,
    voting_list_context,
)

bp = Blueprint("solutions", __name__)


def _choices(vocabulary: dict) -> list[SelectChoice]:
    return [SelectChoice(str(key), label) for key, label in vocabulary.items()]


def _effect_field(dimension: str) -> RadioField:
    return RadioField(
        EFFECT_DIMENSIONS[dimension],
        choices=lambda: _choices(EFFECT_SCALE),
        validate_choice=False,  # the domain checks the scale and says so kindly
    )


class SolutionFields(FlaskForm):
    """What a solution says: its text, its kind and the method's assessment questions."""

    text = TextAreaField(_l("Your solution"))
    kind = RadioField(
        _l("What kind of solution is it?"),
        choices=lambda: _choices(SOLUTION_KINDS),
        validate_choice=False,
    )
    effect_citizens = _effect_field("effect_citizens")
    effect_efficiency = _effect_field("effect_efficiency")
    effect_work_environment = _effect_field("effect_work_environment")
    likelihood = RadioField(
        _l("Will it have the effect?"), choices=lambda: _choices(LIKELIHOOD), validate_choice=False
    )
    evidence = TextAreaField(_l("How will we see it?"))
    effort = RadioField(
        _l("How much effort does it take?"),
        choices=lambda: _choices(EFFORT),
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


class SolutionsStep(Step):
    number = 3
    slug = "solutions"
    title = _l("Develop solutions")
    purpose = _l(
        "Those with a stake, and a manager who can decide, develop solutions for each "
        "prioritised challenge and assess them: what effect should it have, will it have it, "
        "and how will we see it?"
    )
    outcome = _l("Assessed solution proposals; chosen solutions.")
    guidance = (
        _l("Take one prioritised challenge at a time."),
        _l("Remove, change, embed or keep: which kind of solution is it?"),
        _l("Ask about the effect for citizens, on the work, and on the work environment."),
        _l("Make sure a manager who can decide is in the room when solutions are chosen."),
    )
    phone_template = "steps/solutions/phone.html"
    phone_live_template = "steps/solutions/phone_live.html"
    projector_template = "steps/solutions/projector.html"
    control_template = "steps/solutions/control.html"
    control_live_template = "steps/solutions/control_live.html"

    def stage(self, course):
        # A phone's forms change with the phase of the solution vote, and while solutions
        # are collected also with the challenges they can be proposed for.
        state = course.solution_voting_state
        if state != "collect":
            return f"{self.number}-{state}"
        challenges = db.session.execute(
            select(Card.id, Card.text)
            .where(
                Card.course_id == course.id,
                Card.priority == "prioritised",
                Card.hidden.is_(False),
                Card.merged_into_id.is_(None),
            )
            .order_by(Card.id)
        ).all()
        return stage_with(self.number, state, challenges)

    def context(self, course, audience, participant=None):
        state = course.solution_voting_state
        control = audience == "control"
        challenges = challenges_with_solutions(course, include_hidden=control)
        context = {
            "solution_state": state,
            "challenges": challenges,
            "open_challenges": open_challenges(challenges),
            "solution_count": sum(len(solutions) for _card, solutions in challenges),
            "results": None,
        }
        if state == "revealed":
            ranked = results(course, SOLUTIONS)
            context["results"] = ranked
            context["ranked_by_challenge"] = ranked_by_challenge(ranked, challenges)
        if control and state in ("collect", "voting"):
            context["small_groups"] = role_groups_below_minimum(course)
        if audience == "phone":
            context["my_cards"] = cards_of(participant)
            if state == "collect":
                context["solution_form"] = fresh_solution_form(context["open_challenges"])
            elif state == "voting":
                context["my_dots"] = my_dots(participant, SOLUTIONS)
                left = dots_left(participant, SOLUTIONS)
                context["dots_left"] = left
                context.update(
                    voting_list_context(course, Solution, participant, left, self.stage(course))
                )
            return context
        # Phones don't show the progress; on their hot path it would be two queries each.
        context["progress"] = (
            voting_progress(course, SOLUTIONS) if state in ("voting", "closed") else None
        )
        if control:
            context["solution_form"] = fresh_solution_form(context["open_challenges"])
            context["dots"] = (
                {row.item.id: row.total for row in context["results"].rows}
                if context["results"]
                else {}
            )
            context["last_decided_by"] = _latest_decider(course)
            # The experience bank, for the (unpolled) forms only: called by control.html.
            context["bank_for"] = partial(
                experience_by_challenge, course, context["open_challenges"]
            )
        return context


def open_challenges(challenges: list[tuple[Card, list[Solution]]]) -> list[Card]:
    """The challenges a new solution may be proposed for (not those taken off the list)."""
    return [
        card
        for card, _solutions in challenges
        if card.priority == "prioritised" and not card.hidden and card.merged_into_id is None
    ]


def fresh_solution_form(cards: list[Card]) -> SolutionForm:
    form = SolutionForm(formdata=None)
    form.client_token.data = new_client_token()
    if len(cards) == 1:
        form.card.data = str(cards[0].id)  # only one challenge: nothing to choose
    return form


def ranked_by_challenge(ranked: Results | None, challenges) -> list[tuple[Card, list]]:
    """The ranked rows grouped under their challenge, so the room sees what won for each."""
    if ranked is None:
        return []
    order = {card.id: index for index, (card, _solutions) in enumerate(challenges)}
    grouped: dict[int, tuple[Card, list]] = {}
    for row in ranked.rows:
        grouped.setdefault(row.item.card_id, (row.card, []))[1].append(row)
    return sorted(grouped.values(), key=lambda group: order.get(group[0].id, len(order)))


def _latest_decider(course: Course) -> str:
    """Who decided the latest choice: usually the same manager decides the next one."""
    chosen = chosen_solutions(course)
    return chosen[-1].decided_by if chosen else ""


def _challenge(course: Course, raw: str | None) -> Card:
    try:
        card_id = int(raw or "")
    except ValueError:
        card_id = None
    card = card_in_course(course, card_id)
    if card is None:
        raise WorkshopError(_("Choose the challenge your solution is for."), code="card")
    return card


# --- Phones ---------------------------------------------------------------------------


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
    course = course_by_code(code)
    participant = require_participant(course)
    solution = solution_in_course(course, solution_id)
    if solution is None:
        abort(404)
    return answer_vote(course, participant, solution)


# --- The facilitator ------------------------------------------------------------------


def _back_to_panel(course: Course):
    return redirect(url_for("facilitator.course", course_id=course.id))


def _back(course: Course, solution: Solution | None, back: str | None):
    """Back to the solution page when the button was there, else to the control panel."""
    if solution is not None and back == "page":
        return redirect(url_for(".solution_page", course_id=course.id, solution_id=solution.id))
    return _back_to_panel(course)


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
    return _back_to_panel(course)


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
    refusal = None
    if not form.validate_on_submit():
        refusal = WorkshopError(first_form_error(form) or _("Check the form and try again."))
    else:
        try:
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
            refusal = refused
    if refusal is None:
        flash(_("The solution is on the wall."))
        return _back_to_panel(course)
    if not form.client_token.data:
        form.client_token.data = new_client_token()
    context = control_context(course, solution_form=form, refusal=refusal)
    return render_template("facilitator/course.html", **context), 422


def _solution_or_panel(course_id: int, solution_id: int):
    course = facilitator_course(course_id)
    return course, solution_in_course(course, solution_id)


def _solution_page(course: Course, solution: Solution, *, status: int = 200, **overrides):
    ranked = results(course, SOLUTIONS)
    context = {
        "course": course,
        "solution": solution,
        "form": SolutionEditForm(obj=solution),
        "choose_form": ChooseForm(
            decided_by=solution.decided_by or _latest_decider(course), back="page"
        ),
        "action_form": ActionForm(),
        "redact_form": RedactForm(formdata=None),
        "dots": next((row.total for row in ranked.rows if row.item.id == solution.id), None)
        if ranked
        else None,
        "error": None,
    }
    context.update(overrides)
    return render_template("steps/solutions/solution.html", **context), status


@bp.route("/f/courses/<int:course_id>/solutions/<int:solution_id>", methods=["GET", "POST"])
def solution_page(course_id: int, solution_id: int):
    """The facilitator's solution page: reword it, record the assessment, choose or hide."""
    course, solution = _solution_or_panel(course_id, solution_id)
    if solution is None:
        return _back_to_panel(course)
    if request.method == "GET":
        return _solution_page(course, solution)
    form = SolutionEditForm()
    if not form.validate_on_submit():
        message = first_form_error(form) or _("Check the form and try again.")
        return _solution_page(course, solution, status=422, form=form, error=message)
    try:
        edit_solution(solution, form.text.data, form.kind.data or "", **form.assessment())
    except WorkshopError as refused:
        return _solution_page(course, solution, status=422, form=form, error=refused.message)
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
        return _back_to_panel(course)
    form = RedactForm()
    if not form.validate_on_submit():
        return _back(course, solution, "page")
    if not form.confirm.data:
        message = _("Tick the box to confirm that the text should be removed for good.")
        return _solution_page(course, solution, status=422, redact_form=form, error=message)
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
