"""Reminders by email between the workshops: who gets what, when, and sending each once.

- A participant may leave a work email on their phone (`set_email`, `remove_email`); it
  is used for reminders about their own actions and measures only, never shown to others,
  exported, shared or printed, and it leaves with "delete my data" (workshop.privacy).
- An action's owner is reminded of the first step when the start date comes, and when the
  test period ends; whoever logged a measure (and its action's owner) when a period before
  or after starts, and when it is about to end (`due_reminders`). The course's
  facilitator gets one digest a week of what is stuck in their courses (`due_digests`).
- `send_reminders` (run by `flask --app app reminders send`) writes a SentReminder row
  *before* each mail goes out: its unique key (kind, subject, recipient, period) turns a
  second run, or one running at the same time, into "already sent". A mail the server
  refuses has its row removed again, so the next run tries once more. A run killed
  between the server accepting a mail and the row being marked sent leaves the row
  claimed: that reminder is not sent again (at most once, never twice).
- A mail's links carry a signed, expiring token (itsdangerous, the app's SECRET_KEY, one
  salt per purpose): one opens the participant's page on their phone as joining does,
  one stops their reminders (`stop_reminders`).
"""

from __future__ import annotations

import hashlib
import re
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from workshop.actions import StuckAction, stuck_actions
from workshop.core.db import writing
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    Card,
    Course,
    Facilitator,
    Measure,
    MeasureEntry,
    Participant,
    SentReminder,
    utcnow,
)
from workshop.core.text import tidy
from workshop.courses import last_activity
from workshop.examination import due_later_cards

EMAIL_MAX = 254
# One address, nothing a mail header could read as more (no spaces, commas, brackets).
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"\\]+@[^@\s<>()\[\],;:\"\\]+\.[^@\s<>()\[\],;:\"\\]{2,}")

# A reminder is due from its day for this many days, so a run missed (a server down over a
# weekend) still sends it, while an action recorded long after it started gets none.
GRACE_DAYS = 7
# "The period ends": a little before the last day, while values can still be logged.
ENDING_DAYS_BEFORE = 2
# A course where nothing has happened for this long is over: no more digests about it.
DIGEST_QUIET_DAYS = 180

ACTION_START = "action_start"
TEST_END = "test_end"
PERIOD_START = {"baseline": "baseline_start", "followup": "followup_start"}
PERIOD_END = {"baseline": "baseline_end", "followup": "followup_end"}
DIGEST = "digest"
KINDS = (ACTION_START, TEST_END, *PERIOD_START.values(), *PERIOD_END.values(), DIGEST)

OPEN_SALT = "samskabt-reminder-open"
STOP_SALT = "samskabt-reminder-stop"
OPEN_DAYS = 60  # a reminder's link opens the page for two months
STOP_DAYS = 400  # an unsubscribe link works for more than a year


# --- The participant's email -----------------------------------------------------------------


def set_email(participant: Participant, raw: str | None) -> Participant:
    """Keep the participant's work email for reminders (a new one replaces the old, and
    starts reminders again after an unsubscribe)."""
    address = tidy(raw)
    if not address:
        raise WorkshopError(_("Write your work email, for example navn@kommune.dk."), code="email")
    if len(address) > EMAIL_MAX or not _EMAIL.fullmatch(address):
        raise WorkshopError(
            _(
                "That does not look like an email address. Write it like navn@kommune.dk, "
                "without spaces."
            ),
            code="email",
        )
    local, _at, domain = address.rpartition("@")
    participant.email = f"{local}@{domain.lower()}"
    participant.reminders_stopped_at = None
    db.session.commit()
    return participant


def remove_email(participant: Participant) -> Participant:
    participant.email = ""
    db.session.commit()
    return participant


def stop_reminders(participant: Participant) -> bool:
    """Unsubscribe: no more reminders, and the address, now without a use, is removed.
    Returns False if they had done so already (a second click)."""
    if participant.reminders_stopped_at is not None and not participant.email:
        return False
    participant.reminders_stopped_at = utcnow()
    participant.email = ""
    db.session.commit()
    return True


def reachable(participant: Participant | None) -> bool:
    """Whether reminders may go to this participant."""
    return (
        participant is not None
        and bool(participant.email)
        and participant.reminders_stopped_at is None
        and participant.forgotten_at is None
    )


# --- Signed links ------------------------------------------------------------------------------


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(participant: Participant) -> str:
    # Ties the token to this very row: SQLite may give a deleted course's participant ids
    # to new rows, whose tokens differ. A hash, so the mail never carries the cookie's secret.
    return hashlib.sha256(participant.token.encode()).hexdigest()[:16]


def open_token(participant: Participant, target: str = "") -> str:
    """The token of a reminder's link: it opens `target` ("a<id>" an action, "m<id>" a
    measure, "" the course) on the participant's phone."""
    payload = {"p": participant.id, "f": _fingerprint(participant), "t": target}
    return _serializer(OPEN_SALT).dumps(payload)


def stop_token(participant: Participant) -> str:
    payload = {"p": participant.id, "f": _fingerprint(participant)}
    return _serializer(STOP_SALT).dumps(payload)


@dataclass(frozen=True)
class LinkReading:
    """What a link's token says: the participant and where it leads, or why not
    ("invalid": not one of ours, "expired", "gone": the course or person is deleted,
    "forgotten": they deleted their data)."""

    participant: Participant | None = None
    target: str = ""
    problem: str = ""


def _read(raw: str, salt: str, days: int) -> LinkReading:
    if not raw or len(raw) > 400:
        return LinkReading(problem="invalid")
    try:
        payload = _serializer(salt).loads(raw, max_age=days * 24 * 3600)
    except SignatureExpired:
        return LinkReading(problem="expired")
    except BadSignature:
        return LinkReading(problem="invalid")
    if not isinstance(payload, dict) or type(payload.get("p")) is not int:
        return LinkReading(problem="invalid")
    number = payload["p"]
    participant = db.session.get(Participant, number) if 0 < number < 2**63 else None
    if participant is None or _fingerprint(participant) != payload.get("f"):
        return LinkReading(problem="gone")
    if participant.forgotten_at is not None:
        return LinkReading(problem="forgotten")
    target = payload.get("t")
    return LinkReading(participant, target if isinstance(target, str) else "")


def read_open_token(raw: str) -> LinkReading:
    return _read(raw, OPEN_SALT, OPEN_DAYS)


def read_stop_token(raw: str) -> LinkReading:
    return _read(raw, STOP_SALT, STOP_DAYS)


def target_action(participant: Participant, target: str) -> Action | None:
    """The action a link names, if it is still in the participant's course."""
    if not target.startswith("a") or not target[1:].isdigit():
        return None
    action = db.session.get(Action, int(target[1:])) if len(target) < 19 else None
    return action if action is not None and action.course_id == participant.course_id else None


# --- Who gets what -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    """One reminder to one participant: about an action (its start, its test's end) or a
    measure (a period starting or ending), on `day`."""

    kind: str
    participant: Participant
    day: date
    action: Action
    measure: Measure | None = None

    @property
    def key(self) -> tuple[str, int, str, str]:
        subject = self.measure.id if self.measure is not None else self.action.id
        return (self.kind, subject, f"p{self.participant.id}", self.day.isoformat())

    @property
    def course(self) -> Course:
        return self.participant.course

    @property
    def address(self) -> str:
        return self.participant.email

    @property
    def period(self) -> str:
        """For a measure: "baseline" or "followup"."""
        return self.kind.partition("_")[0] if self.measure is not None else ""


@dataclass(frozen=True)
class DigestSection:
    """One course in a facilitator's weekly digest."""

    course: Course
    stuck: list[StuckAction]
    # Cards prioritised "later" whose date has come (examination.due_later_cards).
    due_later: list[Card] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.stuck and not self.due_later


@dataclass(frozen=True)
class Digest:
    """A facilitator's weekly digest of what is stuck in their courses."""

    facilitator: Facilitator
    week: str  # ISO week, "2026-W49": one digest a week, sent by the first run on or after Monday
    sections: list[DigestSection]

    kind = DIGEST

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (DIGEST, self.facilitator.id, f"f{self.facilitator.id}", self.week)

    @property
    def course(self) -> Course | None:
        return None

    @property
    def address(self) -> str:
        return self.facilitator.email


def _within(day: date | None, today: date, *, before: int = 0, after: int = 0) -> bool:
    """`today` is from `before` days ahead of `day` to `after` days past it (subtracting
    dates never overflows, so a period "without end", 31.12.9999, is safe)."""
    return day is not None and -before <= (today - day).days <= after


def _live_actions() -> Iterable[Action]:
    """Every action not dropped: an implemented one is still measured."""
    return db.session.scalars(
        select(Action).where(Action.status != "dropped").order_by(Action.course_id, Action.id)
    )


def _action_reminders(action: Action, today: date) -> list[Reminder]:
    owner = action.owner
    if not reachable(owner):
        return []
    found = []
    if action.status == "not_started" and _within(action.start_date, today, after=GRACE_DAYS):
        found.append(Reminder(ACTION_START, owner, action.start_date, action))
    if _within(action.pilot_to, today, before=1, after=GRACE_DAYS):
        found.append(Reminder(TEST_END, owner, action.pilot_to, action))
    return found


def _loggers(measure: Measure) -> list[Participant]:
    """Who logged values on the measure, and its action's owner, each once."""
    people = {
        participant.id: participant
        for participant in db.session.scalars(
            select(Participant)
            .join(MeasureEntry, MeasureEntry.participant_id == Participant.id)
            .where(MeasureEntry.measure_id == measure.id)
        )
    }
    owner = measure.action.owner
    if owner is not None:
        people.setdefault(owner.id, owner)
    return [people[number] for number in sorted(people)]


def _measure_reminders(action: Action, today: date) -> list[Reminder]:
    found = []
    for measure in action.measures:
        events = []
        for period in ("baseline", "followup"):
            if getattr(measure, f"{period}_closed"):
                continue  # its figures have been discussed: nothing more to log
            start = getattr(measure, f"{period}_from")
            end = getattr(measure, f"{period}_to")
            if _within(start, today, after=GRACE_DAYS) and start != end:
                events.append((PERIOD_START[period], start))
            if _within(end, today, before=ENDING_DAYS_BEFORE):
                events.append((PERIOD_END[period], end))
        if not events:
            continue
        for participant in _loggers(measure):
            if reachable(participant):
                found += [Reminder(kind, participant, day, action, measure) for kind, day in events]
    return found


def due_reminders(today: date) -> list[Reminder]:
    """The reminders to participants due today, in every course (sent or not)."""
    found = []
    for action in _live_actions():
        if action.status != "implemented":
            found += _action_reminders(action, today)
        found += _measure_reminders(action, today)
    return found


def iso_week(today: date) -> str:
    year, week, _weekday = today.isocalendar()
    return f"{year}-W{week:02d}"


def digest_section(course: Course, today: date) -> DigestSection:
    return DigestSection(course, stuck_actions(course, today), due_later_cards(course, today))


def due_digests(today: date) -> list[Digest]:
    """This week's digest for each active facilitator with something stuck in a course
    they made (co-facilitators see the same on the control panel). A course quiet for
    DIGEST_QUIET_DAYS is over and no longer reported."""
    since = datetime.now(UTC) - timedelta(days=DIGEST_QUIET_DAYS)
    digests = []
    for facilitator in db.session.scalars(
        select(Facilitator).where(Facilitator.active.is_(True)).order_by(Facilitator.id)
    ):
        sections = [
            section
            for course in sorted(facilitator.courses, key=lambda course: course.id)
            if not (section := digest_section(course, today)).empty
            and last_activity(course) >= since
        ]
        if sections:
            digests.append(Digest(facilitator, iso_week(today), sections))
    return digests


# --- Sending, each once -----------------------------------------------------------------------


@dataclass
class RunReport:
    """What a run did: lines for the person running it, and the counts."""

    sent: int = 0
    skipped: int = 0  # sent already (or being sent by a run at the same time)
    failed: int = 0  # refused by the mail server: tried again by the next run
    lines: list[str] = field(default_factory=list)


def describe(item: Reminder | Digest) -> str:
    """One line for the command's output: what, about which, to whom (an address is
    printed only to whoever runs the command on the server)."""
    kind, subject, recipient, period = item.key
    return f"{kind} {subject} {period} -> {recipient} <{item.address}>"


def _already_claimed(item: Reminder | Digest) -> bool:
    kind, subject, recipient, period = item.key
    return (
        db.session.scalar(
            select(SentReminder.id).where(
                SentReminder.kind == kind,
                SentReminder.subject_id == subject,
                SentReminder.recipient == recipient,
                SentReminder.period == period,
            )
        )
        is not None
    )


def _claim(item: Reminder | Digest) -> int | None:
    """Write the reminder's row, or None if another run has (the unique key says so)."""
    kind, subject, recipient, period = item.key
    course = item.course
    row = SentReminder(
        kind=kind,
        subject_id=subject,
        recipient=recipient,
        period=period,
        course_id=course.id if course is not None else None,
    )
    # writing(): SQLite's write lock from the start of the transaction, also where a
    # request context is pushed for the mails' links (a deferred one that reads first
    # fails at once with "database is locked" when another run writes).
    with writing():
        db.session.add(row)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return None
    return row.id


def _release(row_id: int) -> None:
    with writing():
        db.session.execute(delete(SentReminder).where(SentReminder.id == row_id))
        db.session.commit()


def _mark_sent(row_id: int) -> None:
    with writing():
        db.session.execute(
            update(SentReminder).where(SentReminder.id == row_id).values(sent_at=utcnow())
        )
        db.session.commit()


def send_reminders(
    today: date,
    *,
    compose: Callable[[Reminder | Digest], EmailMessage],
    mailer=None,
    dry_run: bool = False,
) -> RunReport:
    """Send every reminder and digest due today that has not gone out, each once.

    `compose` makes the mail; `mailer.send(message)` sends it (workshop.mail.Mailer). A
    dry run sends nothing and records nothing: it lists what would go out."""
    items: list[Reminder | Digest] = [*due_reminders(today), *due_digests(today)]
    report = RunReport()
    for item in items:
        line = describe(item)
        if dry_run:
            if _already_claimed(item):
                report.skipped += 1
            else:
                report.sent += 1
                report.lines.append(f"would send {line}")
            continue
        row_id = _claim(item)
        if row_id is None:
            report.skipped += 1
            continue
        try:
            mailer.send(compose(item))
        except (smtplib.SMTPException, OSError) as refused:
            _release(row_id)
            report.failed += 1
            report.lines.append(f"FAILED {line}: {refused}")
            continue
        except Exception as broken:
            # A mail that could not even be made: the others still go out, this one is
            # tried again next run (and the command exits non-zero, so cron reports it).
            _release(row_id)
            report.failed += 1
            report.lines.append(f"FAILED {line}: could not be written: {broken!r}")
            continue
        except BaseException:
            _release(row_id)  # stopped (Ctrl-C): the next run tries again
            raise
        _mark_sent(row_id)
        report.sent += 1
        report.lines.append(f"sent {line}")
    db.session.commit()  # end the last read, so the run holds no lock
    return report
