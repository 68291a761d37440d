"""Step 4 — Teste og implementere: the action plan, its owners, dates and status."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.routing import BuildError
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)

from steps.base import Step, stage_with
from workshop.actions import (
    action_board,
    action_in_course,
    actions_of,
    set_action_status,
    started_before_recorded,
    update_action,
)
from workshop.cards import cards_of
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db, htmx
from workshop.core.models import Action
from workshop.core.vocabulary import ACTION_STATUSES, BARRIERS
from workshop.web.common import (
    course_by_code,
    current_participant,
    facilitator_course,
    render_fragment,
    require_participant,
)
from workshop.web.errors import error_response
from workshop.web.forms import database_id, day_field
from workshop.web.refusals import first_form_error

bp = Blueprint("implement", __name__)


class ActionEditForm(FlaskForm):
    """The facilitator's edit of an action: every field of the implementation plan."""

    title = TextAreaField(_l("What changes?"))
    owner_id = SelectField(
        _l("Owner among the participants"), coerce=database_id, validate_choice=False
    )
    owner_name = StringField(_l("Or the owner's name, if they did not join"))
    who_does_what = TextAreaField(_l("Who does something new, and what?"))
    start_date = day_field(_l("From which date?"))
    first_step = TextAreaField(_l("The first step"))
    pilot_unit = StringField(_l("Test in which unit or team?"))
    pilot_from = day_field(_l("Test from"))
    pilot_to = day_field(_l("Test until"))
    communication = TextAreaField(_l("How is it communicated, and to whom?"))
    success_signs = TextAreaField(_l("Which signs will show that it works?"))
    watched_by = StringField(_l("Who watches the signs?"))


# One checkbox and one note per barrier: barrier_cultural, barrier_cultural_note, ...
for _kind in BARRIERS:
    setattr(ActionEditForm, f"barrier_{_kind}", BooleanField())
    setattr(ActionEditForm, f"barrier_{_kind}_note", TextAreaField())

PLAIN_FIELDS = (
    "title",
    "owner_id",
    "owner_name",
    "who_does_what",
    "start_date",
    "first_step",
    "pilot_unit",
    "pilot_from",
    "pilot_to",
    "communication",
    "success_signs",
    "watched_by",
)


class StatusForm(FlaskForm):
    # The domain refuses an unknown or missing status with the reason; no form rule needed.
    status = RadioField(
        _l("Status"),
        choices=lambda: [SelectChoice(key, label) for key, label in ACTION_STATUSES.items()],
        validate_choice=False,
    )
    note = TextAreaField(_l("Note (needed when the action is dropped)"))


class ImplementStep(Step):
    number = 4
    slug = "implement"
    title = _l("Test and implement solutions")
    purpose = _l(
        "Check the barriers (cultural, legal, technical, competence), test in one unit or "
        "for a limited time, and agree who does what differently from when."
    )
    outcome = _l("An action plan, a summary of the test, an adjusted solution.")
    guidance = (
        _l("For each solution: who does what differently, from when?"),
        _l("Which signs will show that it works, and who watches them?"),
        _l("How and when is it communicated to everyone affected?"),
    )
    phone_template = "steps/implement/phone.html"
    phone_live_template = "steps/implement/phone_live.html"
    projector_template = "steps/implement/projector.html"
    control_template = "steps/implement/control.html"
    control_live_template = "steps/implement/control_live.html"

    def stage(self, course):
        # A phone's forms are the status forms of the actions its person owns: they are
        # drawn again when an owner, a status or a title changes, so a form never offers
        # a status the facilitator has since changed.
        actions = db.session.execute(
            select(Action.id, Action.owner_id, Action.status, Action.title)
            .where(Action.course_id == course.id)
            .order_by(Action.id)
        ).all()
        return stage_with(self.number, "", actions)

    def context(self, course, audience, participant=None):
        context = {}
        if audience == "projector":
            context["board"] = action_board(course)
        else:
            context["plan"] = actions_of(course)
        if audience == "phone":
            # Nobody's card disappears: the person's own cards keep showing their status.
            context["my_cards"] = cards_of(participant)
            context["owned"] = [a for a in context["plan"] if a.owner_id == participant.id]
        return context


# --- The facilitator's action page -------------------------------------------------------


def _edit_form(course, action=None) -> ActionEditForm:
    if action is None:
        form = ActionEditForm()  # as posted
    else:
        form = ActionEditForm(formdata=None, obj=action)
        for kind in BARRIERS:
            entry = (action.barriers or {}).get(kind) or {}
            getattr(form, f"barrier_{kind}").data = bool(entry.get("checked"))
            getattr(form, f"barrier_{kind}_note").data = entry.get("note", "")
    form.owner_id.choices = [
        SelectChoice("", _("No participant")),
        *(
            SelectChoice(p.id, p.label)
            for p in sorted(course.participants, key=lambda p: (p.plain_label.lower(), p.id))
        ),
    ]
    return form


def _solution_url(course, action) -> str | None:
    """Step 3's page for the action's solution, where the app has one."""
    if action.solution_id is None:
        return None
    try:
        return url_for(
            "solutions.solution_page", course_id=course.id, solution_id=action.solution_id
        )
    except BuildError:
        return None


def _action_page(course, action, *, status: int = 200, **overrides):
    context = {
        "course": course,
        "action": action,
        "solution_url": _solution_url(course, action),
        "form": _edit_form(course, action),
        "status_form": StatusForm(formdata=None, status=action.status),
        "error": None,
        "status_error": None,
    }
    context.update(overrides)
    return render_template("steps/implement/action.html", **context), status


def _action_or_404(course_id: int, action_id: int):
    course = facilitator_course(course_id)
    action = action_in_course(course, action_id)
    if action is None:
        abort(404)
    return course, action


@bp.route("/f/courses/<int:course_id>/actions/<int:action_id>", methods=["GET", "POST"])
def action_page(course_id: int, action_id: int):
    """The facilitator's action page: the whole plan for one action, in any step."""
    course, action = _action_or_404(course_id, action_id)
    if request.method == "GET":
        return _action_page(course, action)
    form = _edit_form(course)
    if not form.validate_on_submit():
        message = first_form_error(form) or _("Check the form and try again.")
        return _action_page(course, action, status=422, form=form, error=message)
    fields = {name: getattr(form, name).data for name in PLAIN_FIELDS}
    fields["barriers"] = {
        kind: {
            "checked": getattr(form, f"barrier_{kind}").data,
            "note": getattr(form, f"barrier_{kind}_note").data,
        }
        for kind in BARRIERS
    }
    start_before = action.start_date
    try:
        update_action(action, **fields)
    except WorkshopError as refused:
        db.session.rollback()
        return _action_page(course, action, status=422, form=form, error=refused.message)
    flash(_("The action has been saved."))
    if action.start_date != start_before and started_before_recorded(action):
        flash(
            _(
                "The start date %(date)s has already passed. If the action has begun, "
                "set its status below.",
                date=format_date(action.start_date, "long"),
            )
        )
    return redirect(url_for(".action_page", course_id=course.id, action_id=action.id))


@bp.post("/f/courses/<int:course_id>/actions/<int:action_id>/status")
def action_status(course_id: int, action_id: int):
    """The facilitator changes an action's status; the change is logged."""
    course, action = _action_or_404(course_id, action_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            set_action_status(action, form.status.data or "", note=form.note.data or "")
        except WorkshopError as refused:
            db.session.rollback()
            message = _status_message(refused, form)
            return _action_page(course, action, status=422, status_form=form, status_error=message)
        flash(_("The status has been saved."))
    return redirect(url_for(".action_page", course_id=course.id, action_id=action.id))


def _status_message(refused: WorkshopError, form: StatusForm) -> str:
    if refused.code == "status" and not form.status.data:
        return _("Choose a status.")
    return refused.message


# --- Owners on their phones --------------------------------------------------------------


@bp.get("/c/<code>/actions")
def my_actions(code: str):
    """An owner's own actions with a status form each, whatever step the course is in."""
    course = course_by_code(code)
    participant = current_participant(course)
    if participant is None:
        return redirect(url_for("participant.join_course", code=course.join_code))
    return _my_actions_page(course, participant)


def _my_actions_page(course, participant, *, status: int = 200, **kept):
    plan = actions_of(course)
    owned = [a for a in plan if a.owner_id == participant.id]
    return render_template(
        "steps/implement/my_actions.html",
        course=course,
        participant=participant,
        plan=plan,
        owned=owned,
        **kept,
    ), status


@bp.post("/c/<code>/actions/<int:action_id>/status")
def my_action_status(code: str, action_id: int):
    """The owner updates an action's status from a phone (htmx fragment or full page)."""
    course = course_by_code(code)
    participant = require_participant(course)
    action = action_in_course(course, action_id)
    if action is None:
        abort(404)  # another course's action: not even whether it exists
    form = StatusForm()
    back = request.form.get("back") == "course"
    try:
        set_action_status(action, form.status.data or "", note=form.note.data or "", by=participant)
    except WorkshopError as refused:
        db.session.rollback()
        if refused.code in ("course", "owner"):
            # Not theirs: say so, and show nothing of an action they may not see.
            return error_response(403, refused.message)
        kept = {"kept_form": form, "kept_id": action.id, "refusal": _status_message(refused, form)}
        if htmx:
            return render_fragment(
                "steps/implement/_owner_status.html",
                422,
                course=course,
                action=action,
                back="course" if back else "actions",
                **kept,
            )
        return _my_actions_page(course, participant, status=422, **kept)
    done = _("Thank you. The status is saved.")
    if htmx:
        return render_fragment(
            "steps/implement/_owner_status.html",
            course=course,
            action=action,
            back="course" if back else "actions",
            saved_id=action.id,
            message=done,
        )
    flash(done)
    if back:
        return redirect(url_for("participant.course_page", code=course.join_code))
    return redirect(url_for(".my_actions", code=course.join_code))
