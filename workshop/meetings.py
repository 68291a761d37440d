"""The course's workshops as dated meetings (issue 18): the facilitator plans when and
where each one is and which of the method's steps it covers; the control panel, the phones
and the manager link show the next one, and each comes as a calendar file
(workshop.exchange.ical).

Times are typed in Danish time (a day, a start and an end) and stored in UTC, so a meeting
on the day the clocks change is still at the hour people read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import func, select

from workshop.core.clock import (
    EARLIEST_DAY,
    LATEST_DAY,
    as_utc,
    danish_moment,
    danish_time,
)
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course, Meeting
from workshop.core.text import looks_like_cpr, tidy
from workshop.core.vocabulary import StepNumber
from workshop.courses import touch

# A course meets every week or two for some months; more than this is a typo or a script.
MEETINGS_MAX = 50
PLACE_MAX = 200
NOTE_MAX = 1000


def _now(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else now.astimezone(UTC)


def meeting_times(day: date | None, start: time | None, end: time | None):
    """The meeting's start and end in UTC from a day and two clock times in Denmark."""
    if day is None:
        raise WorkshopError(_("Give the date of the meeting."), code="day")
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise WorkshopError(
            _(
                "Give a date between %(first)s and %(last)s.",
                first=EARLIEST_DAY.year,
                last=LATEST_DAY.year,
            ),
            code="day",
        )
    if start is None:
        raise WorkshopError(_("Give the time the meeting starts."), code="start")
    if end is None:
        raise WorkshopError(_("Give the time the meeting ends."), code="end")
    if end <= start:
        raise WorkshopError(
            _("The meeting must end after it starts: check the two times."), code="end"
        )
    return danish_moment(day, start), danish_moment(day, end)


def _short_text(value: str | None, limit: int, what: str, code: str) -> str:
    text = tidy(value)
    if len(text) > limit:
        raise WorkshopError(
            _(
                "“%(what)s” can be at most %(max)s characters.",
                what=what,
                max=limit,
            ),
            code=code,
        )
    if looks_like_cpr(text):
        raise WorkshopError(
            _("This looks like a CPR number. A meeting's place and note are no place for it."),
            code=code,
        )
    return text


def _steps(steps) -> list[int]:
    """The steps the meeting covers, in the method's order; an unknown one is refused."""
    numbers = set()
    for step in steps or ():
        try:
            numbers.add(StepNumber(int(step)))
        except (TypeError, ValueError):
            raise WorkshopError(_("Choose steps of the method (1 to 6)."), code="steps") from None
    return sorted(int(number) for number in numbers)


def _fields(day, start, end, place, steps, note) -> dict:
    starts_at, ends_at = meeting_times(day, start, end)
    return {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": _short_text(place, PLACE_MAX, _("Place"), "place"),
        "steps": _steps(steps),
        "note": _short_text(note, NOTE_MAX, _("Note"), "note"),
    }


def _not_over(ends_at: datetime, now: datetime) -> None:
    if ends_at <= now:
        raise WorkshopError(
            _("That time has passed. Check the date: only meetings still to come can be planned."),
            code="day",
        )


def plan_meeting(
    course: Course,
    *,
    day: date | None,
    start: time | None,
    end: time | None,
    place: str = "",
    steps=(),
    note: str = "",
    now: datetime | None = None,
) -> Meeting:
    """A new meeting of the course. One that is already over is refused: planning is for
    what is to come, and a past date is nearly always a typo in the year or the month."""
    fields = _fields(day, start, end, place, steps, note)
    _not_over(fields["ends_at"], _now(now))
    count = db.session.scalar(
        select(func.count()).select_from(Meeting).where(Meeting.course_id == course.id)
    )
    if count >= MEETINGS_MAX:
        raise WorkshopError(
            _(
                "A course can have at most %(max)s meetings. Delete one that is over first.",
                max=MEETINGS_MAX,
            ),
            code="too_many",
        )
    meeting = Meeting(course_id=course.id, **fields)
    db.session.add(meeting)
    touch(course)
    db.session.commit()
    return meeting


def edit_meeting(
    meeting: Meeting,
    *,
    day: date | None,
    start: time | None,
    end: time | None,
    place: str = "",
    steps=(),
    note: str = "",
    now: datetime | None = None,
) -> Meeting:
    """Change a meeting. A meeting still to come cannot be moved into the past (a typo);
    one that is over may be corrected, as long as it stays over."""
    fields = _fields(day, start, end, place, steps, note)
    now = _now(now)
    if as_utc(meeting.ends_at) > now:
        _not_over(fields["ends_at"], now)
    if fields == _stored(meeting):
        return meeting
    for name, value in fields.items():
        setattr(meeting, name, value)
    # Calendars replace an event with a higher SEQUENCE: a downloaded update wins.
    meeting.sequence += 1
    meeting.updated_at = now
    touch(meeting.course)
    db.session.commit()
    return meeting


def _stored(meeting: Meeting) -> dict:
    return {
        "starts_at": as_utc(meeting.starts_at),
        "ends_at": as_utc(meeting.ends_at),
        "place": meeting.place,
        "steps": list(meeting.steps or []),
        "note": meeting.note,
    }


def delete_meeting(meeting: Meeting) -> None:
    course = meeting.course
    db.session.delete(meeting)
    touch(course)
    db.session.commit()


def meeting_in_course(course: Course, meeting_id: int) -> Meeting | None:
    """The course's meeting of that id, or None (another course's, or none at all)."""
    if not 0 < meeting_id < 2**63:
        return None
    meeting = db.session.get(Meeting, meeting_id)
    return meeting if meeting is not None and meeting.course_id == course.id else None


def meetings_of(course: Course) -> list[Meeting]:
    """Every meeting of the course, the earliest first."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.course_id == course.id)
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def coming_meetings(course: Course, now: datetime | None = None) -> list[Meeting]:
    """The meetings not over yet (one going on now included), the earliest first."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.course_id == course.id, Meeting.ends_at > _now(now))
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def next_meeting(course: Course, now: datetime | None = None) -> Meeting | None:
    """The meeting going on now, else the next one to come; None when none is planned."""
    return next(iter(coming_meetings(course, now)), None)


def is_going_on(meeting: Meeting, now: datetime | None = None) -> bool:
    now = _now(now)
    return as_utc(meeting.starts_at) <= now < as_utc(meeting.ends_at)


def local_parts(meeting: Meeting) -> tuple[date, time, time]:
    """The day and the two clock times in Denmark, as the facilitator typed them."""
    start, end = danish_time(meeting.starts_at), danish_time(meeting.ends_at)
    return start.date(), start.time().replace(tzinfo=None), end.time().replace(tzinfo=None)
