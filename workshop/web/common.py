"""What the views share: finding the course and the person, and the live-polling reply."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from flask import Response, abort, current_app, make_response, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.http import quote_etag

from workshop.core.extensions import db, login_manager
from workshop.core.models import Course, Participant
from workshop.courses import find_course_by_code
from workshop.participants import (
    legacy_participant,
    participant_by_token,
    participant_revision,
    participant_with_course,
    poll_revisions,
    voter_with_item,
)

# course id (as text) -> the participant's token (Participant.token). Never the
# participant's id: SQLite gives a deleted course's ids to the next rows, and an old phone
# would then be someone else in someone else's course. A token is never reused.
SESSION_KEY = "participant_of"


def safe_local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site ("/f/courses/3/cards/7"), else None.

    For `next`/return parameters: a link from elsewhere must not bounce a facilitator to
    another host. Browsers read "//host", "/\\host" and "\\host" as other hosts, and
    strip tabs and newlines before they do, so those are refused too."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


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


def date_range_from_args() -> tuple[date | None, date | None, list[str]]:
    """?since=&until= as dates (ISO, as a date field sends them), with a Danish reason for
    each that is not one, or for a period that ends before it starts."""
    problems = []
    dates: dict[str, date | None] = {}
    for name in ("since", "until"):
        raw = (request.args.get(name) or "").strip()
        dates[name] = None
        if raw:
            try:
                dates[name] = date.fromisoformat(raw)
            except ValueError:
                problems.append(_("Write dates as YYYY-MM-DD, for example 2026-01-31."))
    if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
        problems.append(_("The period ends before it starts."))
    return dates["since"], dates["until"], problems


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


def _remembered_entry(course_id: int) -> str | int | None:
    return session.get(SESSION_KEY, {}).get(str(course_id))


def current_participant(course: Course) -> Participant | None:
    """The participant this phone is in `course`, as its cookie says.

    A cookie from before tokens names the participant by id; that is honoured only for a
    participant who existed at the upgrade (their id cannot have been reused since), and
    the entry is rewritten with the token at once."""
    entry = _remembered_entry(course.id)
    if isinstance(entry, str):
        return participant_by_token(course, entry)
    participant = legacy_participant(course, entry)
    if participant is not None:
        remember_participant(participant)
    return participant


def quick_poll_key(code: str, shown_stage: str) -> str | None:
    """A phone's poll key (phone_poll_key) from one small query, before anything is
    loaded; None when the full way must decide (no such course, a cookie from before
    tokens)."""
    entries = session.get(SESSION_KEY, {})
    found = poll_revisions(code, remembered_tokens())
    if found is None:
        return None
    entry = entries.get(str(found.course_id))
    if entry is not None and not isinstance(entry, str):
        return None
    return phone_poll_key(found.own.get(entry), found.course_revision, shown_stage)


def phone_in_course(code: str) -> tuple[Course, Participant | None]:
    """(course, this phone's participant or None) for a phone's view: one query where the
    cookie names a participant of the course, else course_by_code and current_participant
    (which also honour a cookie from before tokens)."""
    found = participant_with_course(code, remembered_tokens())
    if found is not None:
        participant, course = found
        if _remembered_entry(course.id) == participant.token:
            return course, participant
    course = course_by_code(code)
    return course, current_participant(course)


def voter_and_item(code: str, model: type, item_id: int, find_item: Callable):
    """(course, participant, item or None) for a phone's tap on a dot: one query where the
    cookie names a participant of the course, else the way every phone view finds them
    (course_by_code, require_participant, then `find_item(course, item_id)`)."""
    entries = session.get(SESSION_KEY, {})
    found = voter_with_item(code, remembered_tokens(), model, item_id)
    if found is not None:
        participant, course, item = found
        if entries.get(str(participant.course_id)) == participant.token:
            return course, participant, item
    course = course_by_code(code)
    return course, require_participant(course), find_item(course, item_id)


def current_participant_revision(course: Course) -> tuple[int, int] | None:
    """(id, own revision) of this phone's participant in `course`, for the poll's ETag,
    without loading the participant (a legacy cookie entry: None, the poll then loads)."""
    entry = _remembered_entry(course.id)
    return participant_revision(course, entry) if isinstance(entry, str) else None


def remember_participant(participant: Participant) -> None:
    """Keep the phone in the course across reloads and days (signed session cookie)."""
    joined = dict(session.get(SESSION_KEY, {}))
    joined[str(participant.course_id)] = participant.token
    session[SESSION_KEY] = joined
    session.permanent = True


def forget_remembered(course: Course) -> None:
    """This phone is no longer in `course` (its participant deleted their data)."""
    joined = dict(session.get(SESSION_KEY, {}))
    if joined.pop(str(course.id), None) is not None:
        session[SESSION_KEY] = joined


def remembered_token(course: Course) -> str | None:
    """The token this phone's cookie holds for `course`, whoever it names (or nobody)."""
    entry = _remembered_entry(course.id)
    return entry if isinstance(entry, str) else None


def remembered_tokens() -> list[str]:
    """Every participant token this phone's cookie holds (its courses, any organisation)."""
    return [entry for entry in session.get(SESSION_KEY, {}).values() if isinstance(entry, str)]


def remembered_courses() -> list[Course]:
    """The courses this phone has joined (newest first), for a person back days later.
    Entries that name nobody any more (a deleted course) leave the cookie."""
    courses, gone = [], []
    for course_id in list(session.get(SESSION_KEY, {})):
        number = int(course_id) if course_id.isascii() and course_id.isdigit() else 0
        course = db.session.get(Course, number) if 0 < number < 2**63 else None
        if course is not None and current_participant(course) is not None:
            courses.append(course)
        else:
            gone.append(course_id)
    if gone:
        session[SESSION_KEY] = {
            key: entry for key, entry in session[SESSION_KEY].items() if key not in gone
        }
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


def live_etag(key: str) -> str:
    """The ETag (quoted, as in the header) live_response gives a fragment with this key."""
    return quote_etag(f"{key}-{get_locale()}")


def phone_poll_key(own: tuple[int, int] | None, course_revision: int, shown_stage: str) -> str:
    """A phone's poll key: its participant's id and own revision, the course's revision
    and the stage it shows. (The id, not the token: a secret has no place in a header.)"""
    mark = f"p{own[0]}-m{own[1]}" if own is not None else "p-"
    return f"{mark}-r{course_revision}-s{shown_stage}"


def etag_after_own_change(sent: str, participant_id: int, revision: int) -> str | None:
    """The ETag a phone's poll will have after its own change that took the participant
    to `revision`, when the phone's last poll (`sent`, as its script keeps it) showed
    everything up to the revision before: the reply to the change shows the rest, so
    the next poll needs no redraw (static/app.js sends it back as If-None-Match). None
    when the phone missed something of its own (another tap, whose reply it never got).
    Anything of the course's that changed meanwhile is in the course revision the key
    carries, which the phone's ETag still has as it was: its next poll brings it."""
    before = f"p{participant_id}-m{revision - 1}-"
    prefix = "W/" if sent.startswith("W/") else ""
    quoted = sent.removeprefix("W/")
    if len(quoted) > 200 or not quoted.startswith(f'"{before}') or not quoted.endswith('"'):
        return None
    return f'{prefix}"p{participant_id}-m{revision}-{quoted[len(before) + 1 :]}'


def render_fragment(template: str, status: int = 200, **context):
    return make_response(render_template(template, **context), status)
