"""Today's date where the courses happen. A server running on UTC would otherwise call a
value logged at 01:00 Danish time "in the future", and a start date "in the past"."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

DANISH_TIME = ZoneInfo("Europe/Copenhagen")


def local_today() -> date:
    return datetime.now(DANISH_TIME).date()
