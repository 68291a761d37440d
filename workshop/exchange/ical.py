"""A course's meeting as an iCalendar file (RFC 5545) that Outlook, Google and Apple's
calendars import: one VEVENT in a VCALENDAR with METHOD:PUBLISH, its times in Danish time
(TZID=Europe/Copenhagen, with the VTIMEZONE that defines it), a UID that stays the same for
the meeting and a SEQUENCE that grows with each edit, so downloading it again after a
change updates the event instead of adding a second one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import gettext as _
from icalendar import Calendar, Event

from steps import get_step
from workshop.core.clock import as_utc, danish_time
from workshop.core.models import Meeting
from workshop.core.text import slugify

PRODID = "-//Samskabt//Samskabt Styring//DA"
UID_DOMAIN = "samskabt"


def meeting_uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@{UID_DOMAIN}"


def step_lines(meeting: Meeting) -> list[str]:
    """ "2. Det der bøvler …": the steps the meeting covers, by the method's names."""
    return [f"{number}. {get_step(number).title}" for number in meeting.steps or []]


def _description(meeting: Meeting, link: str | None) -> str:
    parts = []
    steps = step_lines(meeting)
    if steps:
        parts.append(_("The steps of the method we work on:") + "\n" + "\n".join(steps))
    if meeting.note:
        parts.append(meeting.note)
    if link:
        parts.append(_("The course on your phone: %(link)s", link=link))
    return "\n\n".join(parts)


def meeting_calendar(meeting: Meeting, *, link: str | None = None) -> bytes:
    """The meeting as an .ics file; `link` (the course's page for phones) goes in the
    description and as the event's URL."""
    course = meeting.course
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("created", as_utc(meeting.created_at))
    event.add("last-modified", as_utc(meeting.updated_at))
    event.add("dtstart", danish_time(meeting.starts_at))
    event.add("dtend", danish_time(meeting.ends_at))
    event.add("summary", _("Workshop: %(title)s", title=course.title))
    if meeting.place:
        event.add("location", meeting.place)
    description = _description(meeting, link)
    if description:
        event.add("description", description)
    if link:
        event.add("url", link)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    # The zone's rules around the meeting only: the whole of 1970-2038 would be kilobytes.
    year = danish_time(meeting.starts_at).year
    calendar.add_missing_timezones(date(year - 1, 1, 1), date(year + 2, 1, 1))
    return calendar.to_ical()


def calendar_filename(meeting: Meeting) -> str:
    """mindre-boevl-i-jobcentret-2027-01-12.ics"""
    day = danish_time(meeting.starts_at).date().isoformat()
    return f"{slugify(meeting.course.title) or 'workshop'}-{day}.ics"
