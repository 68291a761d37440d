"""What the views share: finding the course and the person, and the live-polling reply."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, abort, current_app, make_response, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user

from ..courses import find_course_by_code
from ..extensions import db, login_manager
from ..models import Course, Participant
from ..participants import participant_in_course

SESSION_KEY = "participant_of"  # course id (as text) -> participant id


@dataclass(frozen=True)
class Confirmation:
    """The second step of a destructive action (templates/facilitator/_confirm.html): what
    will happen and to how much, posted again with confirmed=1 to go ahead."""

    key: str  # which button it stands in for, e.g. "restart-cards"
    message: str  # what happens, with figures: "Gives 212 dots from 31 participants back."
    action: str  # the same URL the button posts to
    yes_label: str
    cancel: str  # where "no" leads: the page as it was
    detail: str = ""
    fields: tuple[tuple[str, str], ...] = ()  # further form values to post again
    in_place: bool = True  # on the control panel: "no" swaps #panel back without a reload


def confirmed() -> bool:
    """The facilitator said yes on the confirmation step (a hidden confirmed=1)."""
    return request.form.get("confirmed") == "1"


def new_client_token() -> str:
    """A nonce for one rendering of a form, so a double submit makes one record."""
    return secrets.token_urlsafe(16)


def facilitator_course(course_id: int) -> Course:
    """A course of the logged-in facilitator's organisation, or 404 (never say another
    organisation's course exists). Facilitators of one organisation co-facilitate: each may
    see and run every course of the organisation."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    course = db.session.get(Course, course_id)
    if course is None or course.organisation_id != current_user.organisation_id:
        abort(404)
    return course


def course_by_code(code: str) -> Course:
    course = find_course_by_code(code)
    if course is None:
        abort(404)
    return course


def participant_id_from_cookie(course_id: int) -> int | None:
    return session.get(SESSION_KEY, {}).get(str(course_id))


def current_participant(course: Course) -> Participant | None:
    return participant_in_course(course, participant_id_from_cookie(course.id))


def remember_participant(participant: Participant) -> None:
    """Keep the phone in the course across reloads and days (signed session cookie)."""
    joined = dict(session.get(SESSION_KEY, {}))
    joined[str(participant.course_id)] = participant.id
    session[SESSION_KEY] = joined
    session.permanent = True


def remembered_courses() -> list[Course]:
    """The courses this phone has joined (newest first), for a person back days later."""
    joined = session.get(SESSION_KEY, {})
    courses = []
    for course_id, participant_id in joined.items():
        participant = db.session.get(Participant, participant_id)
        if participant is not None and str(participant.course_id) == course_id:
            courses.append(participant.course)
    return sorted(courses, key=lambda course: course.id, reverse=True)


def require_participant(course: Course) -> Participant:
    participant = current_participant(course)
    if participant is None:
        abort(403)
    return participant


def live_response(key: str, render: Callable[[], str | Response]):
    """A polled fragment: 304 while nothing changed, else the fresh HTML with an ETag.

    The browser keeps the last reply and revalidates it with If-None-Match on its own;
    htmx then sees the unchanged fragment. `key` must cover everything the fragment shows.
    `render` may return a finished response instead (a redirect), which gets no ETag.
    """
    etag = f"{key}-{get_locale()}"
    # Weak comparison (RFC 9110): a compressing proxy turns our ETag into W/"…".
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
    else:
        rendered = render()
        if isinstance(rendered, Response):
            return rendered
        response = make_response(rendered)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache, private"
    return response


def render_fragment(template: str, status: int = 200, **context):
    return make_response(render_template(template, **context), status)
