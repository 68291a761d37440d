"""Read-only manager links: the facilitator makes and revokes them; a manager opens one
without logging in and sees the course's status and the action plan, nothing else."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from workshop.actions import actions_of
from workshop.audit import record
from workshop.core.errors import WorkshopError
from workshop.learning import course_status, lessons_by_kind
from workshop.manager_links import (
    course_for_token,
    create_manager_link,
    link_in_course,
    revoke_manager_link,
)
from workshop.measures import measure_groups
from workshop.meetings import coming_meetings, meeting_in_course
from workshop.web.common import Confirmation, confirmed, facilitator_course
from workshop.web.forms import ActionForm
from workshop.web.meetings import calendar_download
from workshop.web.refusals import back_to_panel, form_refusal, panel_url, refusal_reply
from workshop.web.reports import pdf_download
from workshop.web.screens import control_context, step_of

bp = Blueprint("manager", __name__)


# --- Forms --------------------------------------------------------------------------------


class ManagerLinkForm(FlaskForm):
    label = StringField(_l("Who is the link for? (optional)"), validators=[Length(max=120)])


# --- The facilitator's side ---------------------------------------------------------------

ANCHOR = "manager-links"  # the panel's section with the links


@bp.post("/f/courses/<int:course_id>/manager-links")
def create(course_id: int):
    course = facilitator_course(course_id)
    form = ManagerLinkForm()
    back = panel_url(course, ANCHOR)
    if not form.validate_on_submit():
        return refusal_reply(form_refusal(form), redirect_to=back)
    try:
        link = create_manager_link(course, form.label.data or "")
    except WorkshopError as refused:
        return refusal_reply(refused, redirect_to=back)
    # The label names the managers (no participant's words), but it is typed text: the
    # line keeps only the link's id.
    record("manager_link_created", course=course, target_kind="manager_link", target_id=link.id)
    flash(_("The link is ready. Copy it and send it to the managers."))
    return redirect(back)


@bp.post("/f/courses/<int:course_id>/manager-links/<int:link_id>/revoke")
def revoke(course_id: int, link_id: int):
    course = facilitator_course(course_id)
    link = link_in_course(course, link_id)
    if link is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        return back_to_panel(course, ANCHOR)
    if not confirmed():
        confirm = _revoke_confirmation(course, link)
        return render_template(
            "facilitator/course.html", **control_context(course, confirm=confirm)
        )
    was_open = link.revoked_at is None
    revoke_manager_link(link)
    if was_open:  # a double click revokes once, and is recorded once
        record("manager_link_revoked", course=course, target_kind="manager_link", target_id=link.id)
    flash(_("The link has been revoked. It no longer opens anything."))
    return back_to_panel(course, ANCHOR)


def _revoke_confirmation(course, link) -> Confirmation:
    return Confirmation(
        key=f"revoke-{link.id}",
        message=_("Revoke the link for %(who)s?", who=link.label)
        if link.label
        else _("Revoke the link?"),
        detail=_(
            "Whoever has the link can no longer open the course's status. This cannot be "
            "undone, but you can make a new link."
        ),
        action=request.path,
        yes_label=_("Yes, revoke the link"),
        cancel=url_for("facilitator.course", course_id=course.id),
    )


# --- The manager's side -------------------------------------------------------------------


def _course_or_404(token: str):
    course = course_for_token(token)
    if course is None:
        # Unknown and revoked look the same: a link says nothing once it is withdrawn.
        abort(404)
    return course


@bp.route("/m/<token>")
def status(token: str):
    """The course's status for a manager: the action plan, effects, every challenge."""
    course = _course_or_404(token)
    return render_template(
        "manager/status.html",
        course=course,
        token=token,
        step=step_of(course),
        overview=course_status(course),
        plan=actions_of(course),
        measure_groups=measure_groups(course),
        lessons=lessons_by_kind(course),
        meetings=coming_meetings(course),
    )


@bp.route("/m/<token>/action-plan.pdf")
def action_plan_pdf(token: str):
    course = _course_or_404(token)
    response = pdf_download(course)
    # No facilitator: the line says it came through a manager's link.
    record(
        "exported",
        actor=None,
        course=course,
        detail={"file": "action_plan_pdf", "via": "manager_link"},
    )
    return response


@bp.route("/m/<token>/meetings/<int:meeting_id>/calendar.ics")
def meeting_calendar(token: str, meeting_id: int):
    """A meeting of the link's own course, for the manager's calendar. Without a link in
    it: the manager's link is a secret and calendars are shared, and the join code is the
    facilitator's to hand out."""
    course = _course_or_404(token)
    meeting = meeting_in_course(course, meeting_id)
    if meeting is None:
        abort(404)
    return calendar_download(meeting, None)


@bp.after_request
def keep_the_token_private(response):
    # The token is the key: never send it on in a Referer, never let a search engine in.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response
