"""The reminder mails (workshop.reminders) as messages: Danish plain text with an HTML
alternative, the course's title, what is due, and links that open the right page on a
phone (signed tokens, no login) and stop the reminders.

Made inside a request context whose base URL is SAMSKABT_PUBLIC_URL (the command sets
one up), so `url_for(..., _external=True)` gives addresses a phone can open.
"""

from __future__ import annotations

from email.message import EmailMessage

from flask import render_template, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from workshop.mail import new_message
from workshop.reminders import (
    ACTION_START,
    DIGEST,
    TEST_END,
    Digest,
    Reminder,
    open_token,
    stop_token,
)

MAIL_LANGUAGE = "da"  # the participants' phones speak Danish by default, and so do the mails


def _subject(reminder: Reminder) -> str:
    title = reminder.action.title if reminder.measure is None else reminder.measure.what
    # One line: a mail header may hold no line break, and an action's title may (a textarea).
    title = " ".join(title.split())
    title = title if len(title) <= 60 else title[:59] + "…"
    if reminder.kind == ACTION_START:
        return _("Your action starts: %(title)s", title=title)
    if reminder.kind == TEST_END:
        return _("The test period ends: %(title)s", title=title)
    if reminder.kind.endswith("_start"):
        return _("Time to measure: %(title)s", title=title)
    return _("The last days to log: %(title)s", title=title)


def reminder_message(reminder: Reminder) -> EmailMessage:
    """The mail of one reminder to a participant."""
    participant = reminder.participant
    target = f"a{reminder.action.id}" if reminder.measure is None else f"m{reminder.measure.id}"
    with force_locale(MAIL_LANGUAGE):
        context = {
            "reminder": reminder,
            "course": reminder.course,
            "action": reminder.action,
            "measure": reminder.measure,
            "day": format_date(reminder.day, "long"),
            "open_url": url_for(
                "reminders.open_link", token=open_token(participant, target), _external=True
            ),
            "stop_url": url_for("reminders.stop", token=stop_token(participant), _external=True),
        }
        return new_message(
            participant.email,
            _subject(reminder),
            render_template("mail/reminder.txt", **context),
            html=render_template("mail/reminder.html", **context),
            unsubscribe_url=context["stop_url"],
        )


def digest_message(digest: Digest) -> EmailMessage:
    """A facilitator's weekly digest: each of their courses with what is stuck."""
    with force_locale(MAIL_LANGUAGE):
        context = {
            "digest": digest,
            "panel_urls": {
                section.course.id: url_for(
                    "facilitator.course", course_id=section.course.id, _external=True
                )
                for section in digest.sections
            },
        }
        return new_message(
            digest.facilitator.email,
            _("This week in your courses: what is stuck"),
            render_template("mail/digest.txt", **context),
            html=render_template("mail/digest.html", **context),
        )


def compose(item: Reminder | Digest) -> EmailMessage:
    return digest_message(item) if item.kind == DIGEST else reminder_message(item)
