"""Step 4's routes: the facilitator's action page, and owners updating a status by phone."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)

from workshop.actions import (
    action_in_course,
    actions_of,
    set_action_status,
    started_before_recorded,
    update_action,
)
from workshop.audit import record
from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db, htmx
from workshop.core.models import Action, Course, Requirement
from workshop.core.vocabulary import ACTION_STATUSES, BARRIERS
from workshop.corrections import (
    local_rule,
    mark_rule_repealed,
    repeal_offers,
    repealed_by,
    rule_reach,
)
from workshop.measures import open_measures
from workshop.web.common import (
    Confirmation,
    confirmed,
    course_by_code,
    current_participant,
    facilitator_course,
    render_fragment,
    require_participant,
)
from workshop.web.errors import error_response
from workshop.web.forms import ActionForm, database_id, day_field
from workshop.web.refusals import form_refusal, refusal_reply
from workshop.web.templating import short_date

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

    def action_fields(self) -> dict:
        """What was typed, as workshop.actions.update_action takes it."""
        fields = {name: getattr(self, name).data for name in PLAIN_FIELDS}
        fields["barriers"] = {
            kind: {
                "checked": getattr(self, f"barrier_{kind}").data,
                "note": getattr(self, f"barrier_{kind}_note").data,
            }
            for kind in BARRIERS
        }
        return fields


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


# --- The facilitator's action page -------------------------------------------------------


def _edit_form(course: Course, action: Action | None = None) -> ActionEditForm:
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


def _solution_url(course: Course, action: Action) -> str | None:
    """Step 3's page for the action's solution, where the app has one."""
    if action.solution_id is None:
        return None
    try:
        return url_for(
            "solutions.solution_page", course_id=course.id, solution_id=action.solution_id
        )
    except BuildError:
        return None


def _action_page(course: Course, action: Action, *, status: int = 200, **overrides):
    context = {
        "course": course,
        "action": action,
        "solution_url": _solution_url(course, action),
        "form": _edit_form(course, action),
        "status_form": StatusForm(formdata=None, status=action.status),
        "error": None,
        "status_error": None,
        # Issue 18: an implemented action that removes a local rule offers to mark it
        # repealed (never automatically: the facilitator decides the rule is gone).
        "repeal_offers": repeal_offers(action),
        "repealed_rules": repealed_by(action),
        "repeal_form": ActionForm(),
        "confirm": None,
    }
    context.update(overrides)
    return render_template("steps/implement/action.html", **context), status


def _action_or_404(course_id: int, action_id: int) -> tuple[Course, Action]:
    course = facilitator_course(course_id)
    action = action_in_course(course, action_id)
    if action is None:
        abort(404)
    return course, action


def _saved_notices(action: Action, start_before) -> None:
    flash(_("The action has been saved."))
    if action.start_date != start_before and started_before_recorded(action):
        flash(
            _(
                "The start date %(date)s has already passed. If the action has begun, "
                "set its status below.",
                date=format_date(action.start_date, "long"),
            )
        )


@bp.route("/f/courses/<int:course_id>/actions/<int:action_id>", methods=["GET", "POST"])
def action_page(course_id: int, action_id: int):
    """The facilitator's action page: the whole plan for one action, in any step."""
    course, action = _action_or_404(course_id, action_id)
    if request.method == "GET":
        return _action_page(course, action)
    form = _edit_form(course)
    start_before = action.start_date
    try:
        if not form.validate_on_submit():
            raise form_refusal(form)
        update_action(action, **form.action_fields())
    except WorkshopError as refused:
        db.session.rollback()
        return _action_page(course, action, status=422, form=form, error=refused.message)
    _saved_notices(action, start_before)
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
            return _action_page(
                course, action, status=422, status_form=form, status_error=refused.message
            )
        flash(_("The status has been saved."))
    return redirect(url_for(".action_page", course_id=course.id, action_id=action.id))


@bp.post("/f/courses/<int:course_id>/actions/<int:action_id>/repealed/<key>")
def mark_repealed(course_id: int, action_id: int, key: str):
    """Mark the local rule the implemented action removed "ophævet <dato>, forløb <titel>":
    every card that links it, in every course of the organisation, shows it so. The button
    asks first (confirmed=1 goes ahead); the rule's page in the catalogue can undo it."""
    course, action = _action_or_404(course_id, action_id)
    back = url_for(".action_page", course_id=course.id, action_id=action.id, _anchor="repeal")
    rule = local_rule(course.facilitator, key)
    if rule is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    if not confirmed() and rule in repeal_offers(action):
        # Organisation-wide, on every card of every course: say so and ask first. (A rule
        # not on offer is refused below, without a question it could not answer.)
        return _action_page(course, action, confirm=_repeal_question(course, action, rule))
    try:
        mark_rule_repealed(action, rule)
    except WorkshopError as refused:
        return refusal_reply(refused, redirect_to=back)
    record(
        "local_rule_repealed",
        course=course,
        target_kind="requirement",
        target_id=rule.id,
        detail={"rule": rule.key, "action": action.id},
    )
    flash(_("“%(name)s” is marked as repealed on every card that links it.", name=rule.name_da))
    return redirect(back)


def _repeal_question(course: Course, action: Action, rule: Requirement) -> Confirmation:
    cards, courses = rule_reach(rule)
    state = _(
        "repealed %(date)s, course %(course)s",
        date=short_date(local_today()),
        course=course.title,
    )
    return Confirmation(
        key=f"repeal-{rule.key}",
        message=_("Mark “%(name)s” as repealed for the whole organisation?", name=rule.name_da),
        detail=_(
            "Every card of your organisation that links the rule – now %(cards)d, in "
            "%(courses)d course(s) – shows it as “%(state)s”, in every course: on the card "
            "pages, on the projector and in the action plan PDF. Its status becomes repealed, "
            "in a new version of the rule. A mistake can be undone on the rule's page in the "
            "catalogue.",
            cards=cards,
            courses=courses,
            state=state,
        ),
        action=request.path,
        yes_label=_("Yes, mark it as repealed"),
        cancel=url_for(".action_page", course_id=course.id, action_id=action.id, _anchor="repeal"),
        in_place=False,
    )


# --- Owners on their phones --------------------------------------------------------------


@bp.get("/c/<code>/actions")
def my_actions(code: str):
    """An owner's own actions with a status form each, whatever step the course is in."""
    course = course_by_code(code)
    participant = current_participant(course)
    if participant is None:
        return redirect(url_for("participant.join_course", code=course.join_code))
    plan = actions_of(course)
    owned = [a for a in plan if a.owner_id == participant.id]
    return render_template(
        "steps/implement/my_actions.html",
        course=course,
        participant=participant,
        plan=plan,
        owned=owned,
        has_open_measures=bool(open_measures(course)),
    )


def _refused_status(course, participant, action, form: StatusForm, refused, back: str):
    """The owner's form again with their choice and note, or the page without htmx."""
    if refused.code in ("course", "owner"):
        # Not theirs: say so, and show nothing of an action they may not see.
        return error_response(403, refused.message)
    plan = actions_of(course)
    return refusal_reply(
        refused,
        fragment="steps/implement/_owner_status.html",
        page="steps/implement/my_actions.html",
        course=course,
        participant=participant,
        action=action,
        back=back,
        kept_form=form,
        kept_id=action.id,
        plan=plan,
        owned=[a for a in plan if a.owner_id == participant.id],
    )


@bp.post("/c/<code>/actions/<int:action_id>/status")
def my_action_status(code: str, action_id: int):
    """The owner updates an action's status from a phone (htmx fragment or full page)."""
    course = course_by_code(code)
    participant = require_participant(course)
    action = action_in_course(course, action_id)
    if action is None:
        abort(404)  # another course's action: not even whether it exists
    form = StatusForm()
    back = "course" if request.form.get("back") == "course" else "actions"
    try:
        set_action_status(action, form.status.data or "", note=form.note.data or "", by=participant)
    except WorkshopError as refused:
        db.session.rollback()
        return _refused_status(course, participant, action, form, refused, back)
    return _status_saved(course, action, back)


def _status_saved(course: Course, action: Action, back: str):
    done = _("Thank you. The status is saved.")
    if htmx:
        return render_fragment(
            "steps/implement/_owner_status.html",
            course=course,
            action=action,
            back=back,
            saved_id=action.id,
            message=done,
        )
    flash(done)
    if back == "course":
        return redirect(url_for("participant.course_page", code=course.join_code))
    return redirect(url_for(".my_actions", code=course.join_code))
