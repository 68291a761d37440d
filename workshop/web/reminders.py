"""Reminders by email, on the web: a participant leaving or removing their work email on
their phone, a reminder's link opening the right page on a phone without the code, and
the link that stops the reminders (workshop.reminders does the work)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField

from workshop.core.errors import WorkshopError
from workshop.core.extensions import csrf
from workshop.reminders import (
    LinkReading,
    read_open_token,
    read_stop_token,
    remove_email,
    set_email,
    stop_reminders,
    target_action,
)
from workshop.web.common import (
    course_by_code,
    current_participant,
    remember_participant,
    require_participant,
)
from workshop.web.refusals import refusal_reply

bp = Blueprint("reminders", __name__)


class EmailForm(FlaskForm):
    # Checked by the domain (reminders.set_email), which says what is wrong in Danish.
    email = EmailField(_l("Your work email"))


# --- The participant's email, on their phone -----------------------------------------------


@bp.route("/c/<code>/email", methods=["GET", "POST"])
def email_page(code: str):
    """Leave (or change) a work email for reminders about one's own actions and measures."""
    course = course_by_code(code)
    participant = current_participant(course)
    if participant is None:
        return redirect(url_for("participant.join_course", code=course.join_code))
    form = EmailForm()
    page = {"page": "reminders/email.html", "course": course, "participant": participant}
    if not form.validate_on_submit():
        if not form.is_submitted():
            form.email.data = participant.email
        return render_template(page.pop("page"), form=form, **page)
    try:
        set_email(participant, form.email.data)
    except WorkshopError as refused:
        return refusal_reply(refused, form=form, **page)
    flash(_("Thank you. We will remind you at %(email)s.", email=participant.email))
    return redirect(url_for(".email_page", code=course.join_code))


@bp.post("/c/<code>/email/delete")
def remove(code: str):
    """Remove the work email: no more reminders."""
    course = course_by_code(code)
    participant = require_participant(course)
    remove_email(participant)
    flash(_("Your email is removed. You get no reminders."))
    back = "participant.my_data" if request.form.get("back") == "my-data" else ".email_page"
    return redirect(url_for(back, code=course.join_code))


# --- A reminder's links ------------------------------------------------------------------------


def _link_problem(reading: LinkReading, *, stopping: bool = False):
    """The kind page for a link that cannot do what it says, and why."""
    messages = {
        "expired": _(
            "This link is too old. Open the course with its code, or wait for the next reminder."
        ),
        "gone": _("The course this link belongs to is no longer here. It may have been deleted."),
        "forgotten": _(
            "You have deleted your data in this course, so this link no longer opens it. "
            "You get no more reminders."
        ),
        "invalid": _(
            "This link does not work. Check that the whole link was copied from the mail."
        ),
    }
    status = {"expired": 410, "forgotten": 410}.get(reading.problem, 404)
    return render_template(
        "reminders/link_problem.html", message=messages[reading.problem], stopping=stopping
    ), status


@bp.get("/r/<token>")
def open_link(token: str):
    """A reminder's link: this phone becomes the participant (as joining does) and opens
    their action, or the logbook for a measure (any step)."""
    reading = read_open_token(token)
    if reading.participant is None:
        return _link_problem(reading)
    participant = reading.participant
    code = participant.course.join_code
    current = current_participant(participant.course)
    if current is not None and current.id != participant.id:
        # A forwarded mail, a shared mailbox: the phone stays who it is in the course.
        flash(_("This link was sent to someone else in the course. This phone stays in it as you."))
        return redirect(url_for("participant.course_page", code=code))
    remember_participant(participant)
    if reading.target.startswith("a"):
        action = target_action(participant, reading.target)
        owned = action is not None and action.owner_id == participant.id
        anchor = f"owner-action-{action.id}" if owned else None
        return redirect(url_for("implement.my_actions", code=code, _anchor=anchor))
    if reading.target.startswith("m") and reading.target[1:].isdigit():
        return redirect(url_for("evaluate.logbook", code=code, measure=reading.target[1:]))
    return redirect(url_for("participant.course_page", code=code))


@bp.route("/u/<token>", methods=["GET", "POST"])
# The signed token in the address is what proves the request comes from the mail; a mail
# program's one-click unsubscribe (RFC 8058: "List-Unsubscribe=One-Click", no cookies) has
# no CSRF token to send. The page's own button still sends one, and it is checked.
@csrf.exempt
def stop(token: str):
    """Stop reminders: a page with one button (mail scanners open links, but do not post
    forms), or the mail program's one-click POST."""
    reading = read_stop_token(token)
    if reading.participant is None:
        return _link_problem(reading, stopping=True)
    participant = reading.participant
    page = {"participant": participant, "token": token}
    if request.method == "GET":
        return render_template("reminders/stop.html", done=False, **page)
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    if not one_click and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    stop_reminders(participant)
    return render_template("reminders/stop.html", done=True, **page)
