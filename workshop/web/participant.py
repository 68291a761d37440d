"""Phones: entering a code, joining a course, following it live, and the participant's
privacy (the notice, their own data, deleting it)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField

from workshop.audit import record
from workshop.core.errors import WorkshopError
from workshop.core.vocabulary import CITIZEN_ROLE, ROLES
from workshop.courses import find_course_by_code, format_join_code, normalise_join_code
from workshop.departments import join_choices, previous_choice
from workshop.meetings import next_meeting
from workshop.participants import forgotten_by_token, join, unit_suggestions
from workshop.privacy import forget_participant, own_data, privacy_notice
from workshop.web.common import (
    confirmed,
    course_by_code,
    current_participant,
    current_participant_revision,
    forget_remembered,
    live_etag,
    live_response,
    phone_in_course,
    phone_poll_key,
    quick_poll_key,
    remember_participant,
    remembered_courses,
    remembered_token,
    remembered_tokens,
)
from workshop.web.refusals import refusal_reply
from workshop.web.screens import phone_context, render_phone_live_html, step_of

bp = Blueprint("participant", __name__)


# --- Forms --------------------------------------------------------------------------------


class CodeForm(FlaskForm):
    code = StringField(_l("Course code"))


class JoinForm(FlaskForm):
    # The domain (participants.join) checks role and department against the course: a
    # citizen or relative answers no role, and which roles and departments there are
    # depends on the course (`for_course`).
    department = RadioField(_l("Your department"), validate_choice=False)
    role = RadioField(_l("Your role"), validate_choice=False)
    unit = StringField(_l("Your unit or team"))
    name = StringField(_l("Your name (optional)"))

    def for_course(self, course, remembered: str | None) -> JoinForm:
        """The course's choices; the department this phone picked last preselected."""
        self.department.choices = [SelectChoice(v, label) for v, label in join_choices(course)]
        self.role.choices = [
            SelectChoice(key, label)
            for key, label in ROLES.items()
            if key != CITIZEN_ROLE or (course.invites_citizens and not course.across_departments)
        ]
        offered = {choice.value for choice in self.department.choices}
        if self.department.data is None and remembered in offered:
            self.department.data = remembered
        return self


# --- Views --------------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
def home():
    """Type the code shown on the big screen."""
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        code = normalise_join_code(form.code.data or "")
        if find_course_by_code(code) is not None:
            return redirect(url_for(".join_course", code=code))
        error = _(
            "We cannot find a course with the code %(code)s. Check the code on the big screen.",
            code=(form.code.data or "").strip()[:20],
        )
    return render_template(
        "participant/home.html", form=form, error=error, my_courses=remembered_courses()
    ), 422 if error else 200


@bp.route("/j/<code>", methods=["GET", "POST"])
def join_course(code: str):
    """Join by QR code or link: role, unit and (optionally) a name. No account."""
    course = find_course_by_code(code)
    if course is None:
        form = CodeForm(code=code[:20])
        error = _("The code %(code)s does not match any course.", code=code[:20])
        return render_template("participant/home.html", form=form, error=error), 404
    if code != course.join_code:
        return redirect(url_for(".join_course", code=course.join_code))
    if current_participant(course) is not None:
        return redirect(url_for(".course_page", code=course.join_code))
    form = JoinForm().for_course(course, _remembered_department(course))
    if not form.validate_on_submit():
        return _join_page(course, form)
    try:
        participant = join(
            course, form.role.data, form.unit.data, form.name.data, form.department.data
        )
    except WorkshopError as refused:
        return _join_page(course, form, refused)
    remember_participant(participant)
    return redirect(url_for(".course_page", code=course.join_code))


def _remembered_department(course) -> str | None:
    """What this phone picked in its last course of the same organisation (its cookie)."""
    if not course.across_departments:
        return None
    return previous_choice(course.organisation, remembered_tokens())


def _join_page(course, form: JoinForm, refusal: WorkshopError | None = None):
    """The join form; a course closed to newcomers says so before anyone types."""
    if refusal is None and not course.joining_open:
        refusal = WorkshopError(_("This course is not taking new participants."), code="closed")
    context = {
        "course": course,
        "form": form,
        "units": unit_suggestions(course),
        "join_code_display": format_join_code(course.join_code),
        "notice": privacy_notice(course),
    }
    if refusal is not None:
        return refusal_reply(refusal, page="participant/join.html", **context)
    return render_template("participant/join.html", **context), (422 if form.errors else 200)


@bp.route("/c/<code>")
def course_page(code: str):
    """The phone's page: what the current step asks of this participant."""
    course = course_by_code(code)
    participant = current_participant(course)
    if participant is None:
        return redirect(url_for(".join_course", code=course.join_code))
    return render_template(
        "participant/course.html",
        **phone_context(course, participant, next_meeting=next_meeting(course)),
    )


@bp.route("/c/<code>/live")
def live(code: str):
    """The phone's polled region; 304 while nothing it shows has changed. The key comes
    from one small query first: most polls end there, without loading the course."""
    shown_stage = request.args.get("stage", "")[:20]
    key = quick_poll_key(code, shown_stage)
    if key is None:
        key = _poll_key(course_by_code(code), shown_stage)
    drawn = []

    def render():
        course, participant = phone_in_course(code)
        drawn.append(course)
        return _live_region(course, participant, shown_stage)

    response = live_response(key, render)
    if drawn and response.status_code == 200:
        stage = step_of(drawn[0]).stage(drawn[0])
        if stage != shown_stage:
            # The region polls the new stage's URL from now on and shows what a poll there
            # would bring, so its script keeps the key for it (static/app.js): this key, read
            # before drawing (whatever changed since makes the next poll a 200), for there.
            moved = key.removesuffix(f"-s{shown_stage}") + f"-s{stage}"
            response.headers["X-Live-ETag"] = live_etag(moved)
    return response


def _poll_key(course, shown_stage: str) -> str:
    """The poll's key: the course's revision, the stage the phone shows, and this
    participant's own revision.

    Others' cards and dots don't change the revision (Course.activity); this phone's own
    ones change its participant's revision, so the poll after its own tap draws it afresh.
    """
    own = current_participant_revision(course)
    if own is None:  # no place in the course, or a cookie from before tokens
        participant = current_participant(course)
        own = (participant.id, participant.revision) if participant is not None else None
    return phone_poll_key(own, course.revision, shown_stage)


def _live_region(course, participant, shown_stage: str):
    if participant is None:
        # Not (or no longer) in this course: htmx sends the phone to the join page.
        response = make_response("")
        response.headers["HX-Redirect"] = url_for(".join_course", code=course.join_code)
        return response
    return render_phone_live_html(course, participant, shown_stage=shown_stage)


# --- Privacy: the notice, and a participant deleting their own data -----------------------


@bp.route("/privacy/<code>")
def privacy(code: str):
    """The course's privacy notice in full: for anyone with the code, before or after joining."""
    course = course_by_code(code)
    return render_template(
        "participant/privacy.html",
        course=course,
        notice=privacy_notice(course),
        participant=current_participant(course),
    )


@bp.route("/c/<code>/my-data")
def my_data(code: str):
    """What the app holds about this participant, and the button to delete it."""
    course = course_by_code(code)
    participant = current_participant(course)
    if participant is None:
        return redirect(url_for(".join_course", code=course.join_code))
    return _my_data_page(course, participant)


def _my_data_page(course, participant, *, confirming: bool = False):
    return render_template(
        "participant/my_data.html",
        course=course,
        participant=participant,
        data=own_data(participant),
        notice=privacy_notice(course),
        confirming=confirming,
    )


@bp.post("/c/<code>/my-data/delete")
def forget(code: str):
    """Delete my name and texts: the first post asks (what will happen), the confirmed one
    deletes, takes the course off this phone and shows the notice with what was done."""
    course = course_by_code(code)
    participant = current_participant(course)
    if participant is None:
        if forgotten_by_token(course, remembered_token(course)) is None:
            abort(403)
        # A double tap: the first tap deleted everything; this one says so again.
    elif not confirmed():
        return _my_data_page(course, participant, confirming=True)
    else:
        _forget(course, participant)
    forget_remembered(course)
    flash(
        _(
            "Your name and texts are deleted. Your dots still count, without your name. "
            "This phone is no longer in the course."
        )
    )
    return redirect(url_for(".privacy", code=course.join_code))


def _forget(course, participant) -> None:
    forget_participant(participant)
    # Who, when: only the participant's number in the course, never a name or a text.
    record(
        "participant_forgot",
        actor=None,
        course=course,
        target_kind="participant",
        target_id=participant.id,
    )
