"""Today's date where the courses happen. A server running on UTC would otherwise call a
value logged at 01:00 Danish time "in the future", and a start date "in the past".

Also the one place stored times become Danish time. Python's datetimes end at year 1 and
year 9999: a stored time within an hour or two of either end (an old backup, a bad clock)
cannot be moved to Danish time, and would otherwise break every page that shows it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DANISH_TIME = ZoneInfo("Europe/Copenhagen")

# The days a form or a course file may hold: plans and decisions (a local rule decided
# decades ago, a pilot years ahead). Beyond them a date is a typo or a damaged file.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2100, 12, 31)


def local_today() -> date:
    return datetime.now(DANISH_TIME).date()


def as_utc(moment: datetime) -> datetime:
    """A stored time with its zone: SQLite hands back naive datetimes, stored in UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # year 1 ahead of UTC, or year 9999 behind it
        return moment


def danish_time(moment: datetime) -> datetime:
    """The stored time in Danish time; at the very ends of the calendar, where that is out
    of Python's range, the time as it is (in UTC) rather than an error."""
    moment = as_utc(moment)
    try:
        return moment.astimezone(DANISH_TIME)
    except OverflowError:
        return moment


def local_date(moment: datetime | date) -> date:
    """The day in Denmark a stored time fell on; a date stays as it is."""
    if isinstance(moment, datetime):
        return danish_time(moment).date()
    return moment


def day_start(day: date) -> datetime:
    """Midnight in Denmark, in UTC (SQLite compares the stored UTC text); the first or
    last moment Python knows for a day at the ends of the calendar."""
    try:
        return datetime.combine(day, time(0), tzinfo=DANISH_TIME).astimezone(UTC)
    except OverflowError:
        edge = datetime.min if day.year == 1 else datetime.max
        return edge.replace(tzinfo=UTC)


def danish_moment(day: date, at: time) -> datetime:
    """A day and a time on the clock in Denmark (a meeting, a card box's window), in UTC:
    how times are stored."""
    return datetime.combine(day, at, tzinfo=DANISH_TIME).astimezone(UTC)


def day_after(day: date) -> date:
    """The next day, or the same day at the end of the calendar."""
    return day if day == date.max else day + timedelta(days=1)


def format_moment(
    moment: datetime | date | None, format: str = "medium", kind: str = "datetime"
) -> str:
    """Flask-Babel's date filters (dateformat, datetimeformat, timeformat) without the
    overflow: the time is moved to Danish time here (see danish_time), then formatted in
    the zone it is in."""
    from babel import dates
    from flask_babel import get_locale

    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return dates.format_date(moment, format, locale=get_locale())
    local = danish_time(moment)
    if kind == "date":
        return dates.format_date(local.date(), format, locale=get_locale())
    formatter = dates.format_time if kind == "time" else dates.format_datetime
    return formatter(local, format, tzinfo=local.tzinfo, locale=get_locale())
