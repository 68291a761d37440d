"""Reminders by email (issue 18 item 3): a real SMTP server in the test process (aiosmtpd)
receives what `flask --app app reminders send` sends, and the tests read the mails back —
Danish text, the right people and no others, a link that opens the right page on a phone
without a cookie, an unsubscribe link that works, and nothing sent twice."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale, format_date
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from tests.mail_support import PUBLIC_URL, dispose, html_of, mail_app, text_of
from workshop.actions import set_action_status
from workshop.commands.demo import seed_demo
from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Action, Participant, SentReminder
from workshop.core.models import Course as CourseRow
from workshop.courses import delete_course, go_to_step
from workshop.examination import prioritise
from workshop.mail import Mailer, SmtpSettings
from workshop.measures import log_entry
from workshop.privacy import forget_participant
from workshop.reminders import (
    due_digests,
    due_reminders,
    open_token,
    read_open_token,
    send_reminders,
    set_email,
    stop_token,
)
from workshop.reports.reminder_mail import compose
from workshop.web.common import SESSION_KEY

# The action starts today: the stuck rules (step 6) compare with when things were last
# touched, which is now, so the days of the tests are counted from the real today.
DAY = local_today()
OWNER_EMAIL = "bente.hansen@fjordby.example"
FACILITATOR_EMAIL = "facilitator@example.dk"


@pytest.fixture
def app(database_url, mailbox, request):
    """The app, sending mail through the test's SMTP server."""
    app = mail_app(database_url, mailbox.port, **getattr(request, "param", {}))
    yield app
    dispose(app)


@dataclass
class Course:
    id: int
    code: str
    action: int
    owner: int
    other: int  # a participant without an email
    quitter: int  # a participant with an email who unsubscribed


@pytest.fixture
def course(app, make):
    """A course in step 4: Bente owns an action starting on DAY, with a first step, and has
    left her work email; Ole left none; Kim left one and then unsubscribed."""
    with app.app_context():
        course = make.course(step=2, title="Mindre bøvl i jobcentret")
        owner = make.participant(course, name="Bente")
        other = make.participant(course, unit="Team Unge")
        quitter = make.participant(course, unit="Team Sygedagpenge")
        card = make.challenge(owner, "Samtaleskemaet kræver tolv overskrifter")
        solution = make.solution(owner, card, "Skær skemaet ned til lovens minimum")
        action = make.action(
            solution,
            title="Samtaleskemaet får fire overskrifter",
            owner_id=owner.id,
            start_date=DAY,
            first_step="Bente retter skabelonen i fagsystemet",
            pilot_from=DAY,
            pilot_to=DAY + timedelta(days=28),
        )
        go_to_step(course, 4)
        set_email(owner, OWNER_EMAIL)
        set_email(quitter, "kim@fjordby.example")
        quitter.reminders_stopped_at = quitter.created_at
        db.session.commit()
        return Course(course.id, course.join_code, action.id, owner.id, other.id, quitter.id)


def send(app, day: date = DAY, *extra: str):
    result = app.test_cli_runner().invoke(
        args=["reminders", "send", "--today", day.isoformat(), *extra]
    )
    return result


def link_in(text: str, path: str) -> str:
    """The first link in `text` to PUBLIC_URL + path…, as its path for the test client."""
    found = re.search(re.escape(PUBLIC_URL) + re.escape(path) + r"[^\s\"<>]+", text)
    assert found, f"no {path} link in:\n{text}"
    return urlsplit(found.group(0)).path


def danish_day(app, day: date) -> str:
    with app.app_context(), force_locale("da"):
        return format_date(day, "long")


def to_participants(mailbox) -> list:
    """The mails to participants (the facilitator's digest may come on the same day)."""
    return [m for m in mailbox.messages if m["To"] != FACILITATOR_EMAIL]


def sent_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SentReminder))


# --- Mails: what, to whom, once ------------------------------------------------------------


def test_the_owner_gets_a_danish_reminder_of_the_first_step_when_the_action_starts(
    app, course, mailbox
):
    result = send(app)
    assert result.exit_code == 0, result.output
    assert mailbox.recipients == [OWNER_EMAIL]
    mail = mailbox.messages[0]
    assert mail["Subject"] == "Din handling starter: Samtaleskemaet får fire overskrifter"
    assert mail["From"] == "Samskabt <samskabt@fjordby.example>"
    text = text_of(mail)
    assert "Hej Bente," in text
    assert "Mindre bøvl i jobcentret" in text and danish_day(app, DAY) in text
    assert "Det første skridt: Bente retter skabelonen i fagsystemet" in text
    assert "Bente retter skabelonen i fagsystemet" in html_of(mail)
    assert "1 sent, 0 skipped" in result.output


def test_nobody_without_an_email_or_who_unsubscribed_gets_a_mail(app, course, make, mailbox):
    """Ole (no email) and Kim (unsubscribed) own actions starting today too: no mail."""
    with app.app_context():
        for number in (course.other, course.quitter):
            go_to_step(db.session.get(CourseRow, course.id), 2)  # cards, then a solution
            participant = db.session.get(Participant, number)
            card = make.challenge(participant, f"Kort fra {number}")
            make.action(make.solution(participant, card), owner_id=number, start_date=DAY)
    assert send(app).exit_code == 0
    assert mailbox.recipients == [OWNER_EMAIL]


def test_running_twice_sends_nothing_new(app, course, mailbox):
    assert send(app).exit_code == 0
    second = send(app)
    assert second.exit_code == 0
    assert len(mailbox.messages) == 1
    assert "0 sent, 1 skipped" in second.output


def test_two_runs_at_the_same_time_send_each_reminder_once(app, course, mailbox, database_url):
    """Two runs' worth of apps (two connections, as two cron jobs) started together: the
    unique key lets one of them have the reminder, the other counts it as skipped."""
    other = mail_app(database_url, mailbox.port)
    start = threading.Barrier(2)
    reports = []

    def run(each):
        with (
            each.app_context(),
            each.test_request_context(base_url=PUBLIC_URL),
            Mailer(SmtpSettings.from_config()) as mailer,
        ):
            start.wait()
            reports.append(send_reminders(DAY, compose=compose, mailer=mailer))

    threads = [threading.Thread(target=run, args=(each,)) for each in (app, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    dispose(other)
    assert len(mailbox.messages) == 1
    assert sorted((r.sent, r.skipped, r.failed) for r in reports) == [(0, 1, 0), (1, 0, 0)]
    assert sent_rows(app) == 1


def test_a_mail_the_server_refuses_is_not_recorded_and_goes_out_on_the_next_run(
    app, course, mailbox
):
    mailbox.refuse.add(OWNER_EMAIL)
    failed = send(app)
    assert failed.exit_code == 1
    assert "1 failed" in failed.output and "550" in failed.output
    assert mailbox.messages == [] and sent_rows(app) == 0
    mailbox.refuse.clear()
    assert send(app, DAY + timedelta(days=1)).exit_code == 0
    assert len(mailbox.to(OWNER_EMAIL)) == 1


def test_an_action_title_of_several_lines_is_one_line_in_the_subject(app, course, mailbox):
    with app.app_context():
        action = db.session.get(Action, course.action)
        action.title = "Samtaleskemaet\nfår fire overskrifter"
        db.session.commit()
    assert send(app).exit_code == 0
    (mail,) = mailbox.to(OWNER_EMAIL)
    assert mail["Subject"] == "Din handling starter: Samtaleskemaet får fire overskrifter"


def test_a_mail_that_cannot_be_written_stops_no_other_mail(app, course, make, mailbox):
    """One reminder's mail breaks (here: its composer fails); the others still go out,
    the broken one is not recorded, and the run reports it as failed."""
    with app.app_context():
        row = db.session.get(CourseRow, course.id)
        ole = db.session.get(Participant, course.other)
        go_to_step(row, 2)
        solution = make.solution(ole, make.challenge(ole, "Journalen skrives to gange"))
        go_to_step(row, 4)
        broken = make.action(solution, title="Én journal", owner_id=ole.id, start_date=DAY).id
        set_email(ole, "ole@fjordby.example")

    def compose_or_break(item):
        if getattr(item, "action", None) is not None and item.action.id == broken:
            raise ValueError("a header that cannot be written")
        return compose(item)

    with (
        app.app_context(),
        app.test_request_context(base_url=PUBLIC_URL),
        Mailer(SmtpSettings.from_config()) as mailer,
    ):
        report = send_reminders(DAY, compose=compose_or_break, mailer=mailer)
    assert (report.sent, report.failed) == (1, 1)
    assert [m["To"] for m in mailbox.messages] == [OWNER_EMAIL]
    assert sent_rows(app) == 1


def test_the_start_reminder_comes_within_a_week_of_the_start_and_not_after(app, course):
    with app.app_context():
        assert due_reminders(DAY - timedelta(days=1)) == []
        assert [r.kind for r in due_reminders(DAY + timedelta(days=7))] == ["action_start"]
        assert due_reminders(DAY + timedelta(days=8)) == []


def test_an_action_already_under_way_gets_no_start_reminder(app, course):
    with app.app_context():
        set_action_status(db.session.get(Action, course.action), "in_test")
        assert due_reminders(DAY) == []


def test_the_owner_is_reminded_when_the_test_period_ends(app, course, mailbox):
    end = DAY + timedelta(days=28)
    assert send(app, end).exit_code == 0
    (mail,) = mailbox.to(OWNER_EMAIL)
    assert mail["Subject"] == "Testperioden slutter: Samtaleskemaet får fire overskrifter"
    assert danish_day(app, end) in text_of(mail)
    assert "implementere den, justere den eller droppe den" in text_of(mail)


def test_a_dropped_action_sends_no_reminders(app, course, mailbox):
    with app.app_context():
        set_action_status(db.session.get(Action, course.action), "dropped", note="Ingen tid")
    assert send(app).exit_code == 0
    assert to_participants(mailbox) == []


# --- Measures ---------------------------------------------------------------------------------


def test_loggers_and_the_owner_hear_when_a_period_starts_and_ends(app, course, make, mailbox):
    """Ole logged a value; Bente owns the action: both are told when the follow-up period
    starts and ends; Kim (unsubscribed) logged too and hears nothing."""
    with app.app_context():
        action = db.session.get(Action, course.action)
        set_action_status(action, "in_test")
        measure = make.measure(
            action,
            baseline_from=DAY - timedelta(days=40),
            baseline_to=DAY - timedelta(days=27),
            followup_from=DAY + timedelta(days=7),
            followup_to=DAY + timedelta(days=21),
        )
        for number in (course.other, course.quitter):
            go_to_step(db.session.get(CourseRow, course.id), 5)
            participant = db.session.get(Participant, number)
            log_entry(
                participant,
                measure=measure,
                entry_date=DAY - timedelta(days=30),
                value="40",
                client_token=f"m{number}",
                today=DAY - timedelta(days=30),
            )
        set_email(db.session.get(Participant, course.other), "ole@fjordby.example")
    assert send(app, DAY + timedelta(days=7)).exit_code == 0
    mails = to_participants(mailbox)
    assert sorted(m["To"] for m in mails) == [OWNER_EMAIL, "ole@fjordby.example"]
    assert all(m["Subject"].startswith("Tid til at måle:") for m in mails)
    assert "Efter (eftermåling)" in text_of(mails[0])
    mailbox.messages.clear()
    assert send(app, DAY + timedelta(days=20)).exit_code == 0
    mails = to_participants(mailbox)
    assert sorted(m["To"] for m in mails) == [OWNER_EMAIL, "ole@fjordby.example"]
    assert all(m["Subject"].startswith("De sidste dage") for m in mails)


def test_a_measures_link_opens_the_logbook_on_a_phone_in_any_step(app, course, make, mailbox):
    """The course is in step 4, so the course page has no logbook: the link opens the
    logbook page with the measure chosen, and a value logged there is kept."""
    with app.app_context():
        action = db.session.get(Action, course.action)
        measure = make.measure(
            action,
            what="Minutter til dokumentation pr. samtale",
            baseline_from=DAY - timedelta(days=40),
            baseline_to=DAY - timedelta(days=27),
            followup_from=DAY,
            followup_to=DAY + timedelta(days=14),
        )
        measure_id = measure.id
    assert send(app, DAY).exit_code == 0
    mail = next(m for m in mailbox.to(OWNER_EMAIL) if m["Subject"].startswith("Tid til at måle"))
    phone = app.test_client()
    opened = phone.get(link_in(text_of(mail), "/r/"))
    assert opened.headers["Location"] == f"/c/{course.code}/logbook?measure={measure_id}"
    page = phone.get(opened.headers["Location"]).text
    assert f'name="measure" value="{measure_id}" checked' in page
    token = re.search(r'name="client_token"[^>]*value="([^"]+)"', page).group(1)
    entry = {"measure": str(measure_id), "entry_date": DAY.isoformat(), "client_token": token}
    refused = phone.post(f"/c/{course.code}/logbook", data={**entry, "value": "mange"})
    assert refused.status_code == 422 and 'value="mange"' in refused.text
    saved = phone.post(f"/c/{course.code}/logbook", data={**entry, "value": "12,5"})
    assert saved.status_code == 302
    assert "12,5" in phone.get(saved.headers["Location"]).text
    assert 'id="logbook-link"' in phone.get(f"/c/{course.code}/actions").text


# --- The facilitator's weekly digest ----------------------------------------------------------


def test_the_facilitator_gets_one_digest_a_week_of_what_is_stuck(app, course, mailbox):
    """Two weeks after the start the action has not started: the Monday run sends the
    digest, the Tuesday run does not send it again, the next Monday's does."""
    later = DAY + timedelta(days=14)
    monday = later + timedelta(days=(7 - later.weekday()) % 7)
    assert send(app, monday).exit_code == 0
    digests = mailbox.to(FACILITATOR_EMAIL)
    assert len(digests) == 1
    text = text_of(digests[0])
    assert digests[0]["Subject"] == "Denne uge i dine forløb: det, der står stille"
    assert "Mindre bøvl i jobcentret" in text
    assert "Samtaleskemaet får fire overskrifter" in text and "Skulle være startet" in text
    assert f"{PUBLIC_URL}/f/courses/{course.id}" in text
    assert send(app, monday + timedelta(days=1)).exit_code == 0
    assert len(mailbox.to(FACILITATOR_EMAIL)) == 1
    assert send(app, monday + timedelta(days=7)).exit_code == 0
    assert len(mailbox.to(FACILITATOR_EMAIL)) == 2


def test_the_digest_brings_back_a_card_put_off_until_a_date_that_has_come(
    app, course, make, mailbox
):
    with app.app_context():
        row = db.session.get(CourseRow, course.id)
        go_to_step(row, 2)
        card = make.card(make.participant(row), "Journalnotatet skrives to gange")
        go_to_step(row, 4)
        prioritise(card, "later", later_due=DAY + timedelta(days=3), today=DAY)
        assert due_digests(DAY) == []  # not due yet, and nothing is stuck
    assert send(app, DAY + timedelta(days=3)).exit_code == 0
    (digest,) = mailbox.to(FACILITATOR_EMAIL)
    text = text_of(digest)
    assert "Journalnotatet skrives to gange" in text
    assert "Kort, der blev udskudt til senere, og som er aktuelle nu:" in text


def test_no_digest_when_nothing_is_stuck(app, course):
    with app.app_context():
        assert due_digests(DAY) == []  # it starts today: not late yet


# --- Links: open on a phone, stop the reminders ------------------------------------------------


def test_a_link_sent_to_someone_else_leaves_the_phone_who_it_is(app, course, mailbox):
    """Ole's phone opens Bente's reminder (a forwarded mail): it stays Ole's."""
    assert send(app).exit_code == 0
    path = link_in(text_of(mailbox.messages[0]), "/r/")
    phone = app.test_client()
    with app.app_context():
        ole = db.session.get(Participant, course.other)
        with phone.session_transaction() as cookie:
            cookie[SESSION_KEY] = {str(course.id): ole.token}
    opened = phone.get(path)
    assert opened.headers["Location"] == f"/c/{course.code}"
    page = phone.get(opened.headers["Location"]).text
    assert "Linket blev sendt til en anden i forløbet" in page
    with phone.session_transaction() as cookie:
        assert cookie[SESSION_KEY] == {str(course.id): ole.token}


def test_the_link_opens_the_owners_action_on_a_phone_without_a_cookie(app, course, mailbox):
    assert send(app).exit_code == 0
    path = link_in(text_of(mailbox.messages[0]), "/r/")
    phone = app.test_client()  # a fresh phone: no cookie, never joined
    opened = phone.get(path)
    assert opened.status_code == 302
    location = opened.headers["Location"]
    assert location == f"/c/{course.code}/actions#owner-action-{course.action}"
    page = phone.get(location)
    assert page.status_code == 200
    assert f'id="owner-status-{course.action}"' in page.text
    with phone.session_transaction() as session:
        assert session[SESSION_KEY] == {str(course.id): _token_of(app, course.owner)}


def _token_of(app, number: int) -> str:
    with app.app_context():
        return db.session.get(Participant, number).token


def test_the_unsubscribe_link_asks_first_then_stops_the_reminders(app, course, mailbox):
    assert send(app).exit_code == 0
    mail = mailbox.messages[0]
    path = link_in(text_of(mail), "/u/")
    assert mail["List-Unsubscribe"] == f"<{PUBLIC_URL}{path}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    reader = app.test_client()
    page = reader.get(path)  # what a mail scanner's prefetch does: nothing changes
    assert page.status_code == 200 and 'id="stop-yes"' in page.text
    assert _email_of(app, course.owner) == OWNER_EMAIL
    done = reader.post(path)
    assert done.status_code == 200 and 'id="stop-done"' in done.text
    assert _email_of(app, course.owner) == ""
    assert send(app, DAY + timedelta(days=28)).exit_code == 0  # the test's end: nothing
    assert len(mailbox.to(OWNER_EMAIL)) == 1


def _email_of(app, number: int) -> str:
    with app.app_context():
        return db.session.get(Participant, number).email


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_a_mail_programs_one_click_unsubscribe_works_without_a_csrf_token(app, course):
    with app.app_context():
        token = stop_token(db.session.get(Participant, course.owner))
    client = app.test_client()
    assert client.post(f"/u/{token}").status_code == 400  # the page's form needs its token
    response = client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _email_of(app, course.owner) == ""


def test_a_link_of_someone_who_deleted_their_data_says_so_kindly(app, course):
    with app.app_context():
        owner = db.session.get(Participant, course.owner)
        token = open_token(owner, f"a{course.action}")
        forget_participant(owner)
    page = app.test_client().get(f"/r/{token}")
    assert page.status_code == 410
    assert "Du har slettet dine data i dette forløb" in page.text


def test_a_link_to_a_deleted_course_says_the_course_is_gone(app, course):
    with app.app_context():
        token = open_token(db.session.get(Participant, course.owner), "")
        delete_course(db.session.get(CourseRow, course.id))
    page = app.test_client().get(f"/r/{token}")
    assert page.status_code == 404 and "er her ikke længere" in page.text


def test_a_changed_or_foreign_token_opens_nothing(app, course):
    with app.app_context():
        owner = db.session.get(Participant, course.owner)
        token = open_token(owner, f"a{course.action}")
        # Another purpose's token (the unsubscribe link's) does not open the course.
        assert read_open_token(stop_token(owner)).problem == "invalid"
    client = app.test_client()
    assert client.get(f"/r/{token[:-2]}xx").status_code == 404
    with client.session_transaction() as session:
        assert SESSION_KEY not in session


def test_a_link_older_than_sixty_days_has_expired_and_says_so(app, course, monkeypatch):
    with app.app_context():
        token = open_token(db.session.get(Participant, course.owner), f"a{course.action}")
    made = TimestampSigner.get_timestamp
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda signer: made(signer) + 61 * 24 * 3600
    )
    page = app.test_client().get(f"/r/{token}")
    assert page.status_code == 410 and "Linket er for gammelt" in page.text


# --- No mail server ------------------------------------------------------------------------


@pytest.mark.parametrize("app", [{"SMTP_HOST": ""}], indirect=True)
def test_without_a_mail_server_the_command_says_so_and_records_nothing(app, course):
    result = send(app)
    assert result.exit_code != 0
    assert "Reminders are off" in result.output and "SAMSKABT_SMTP_HOST" in result.output
    assert sent_rows(app) == 0


def test_a_dry_run_prints_who_would_get_what_and_sends_nothing(app, course, mailbox):
    result = send(app, DAY, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"would send action_start {course.action} {DAY.isoformat()}" in result.output
    assert OWNER_EMAIL in result.output and "1 would be sent" in result.output
    assert mailbox.messages == [] and sent_rows(app) == 0


def test_the_domain_function_sends_through_any_mailer_and_records_the_key(app, course):
    """send_reminders with a mailer that collects: the ledger holds the key, not the address."""

    class Collect(list):
        def send(self, message):
            self.append(message)

    with app.app_context(), app.test_request_context(base_url=PUBLIC_URL):
        mailer = Collect()
        report = send_reminders(DAY, compose=compose, mailer=mailer)
        assert (report.sent, report.skipped, report.failed) == (1, 0, 0)
        (row,) = db.session.scalars(select(SentReminder))
        assert (row.kind, row.subject_id, row.recipient, row.period) == (
            "action_start",
            course.action,
            f"p{course.owner}",
            DAY.isoformat(),
        )
        assert row.sent_at is not None
        assert "@" not in row.recipient


# --- The demo ---------------------------------------------------------------------------------


def test_the_demos_dry_run_shows_whom_reminders_would_reach(app):
    """The demo's owners left invented work emails: today the facilitator's digest of what
    is stuck is due, and five days on the end of a measure's follow-up period."""
    with app.app_context():
        seed_demo()
    day = local_today()  # the demo's days count from the day it was made, not the import's
    today = send(app, day, "--dry-run")
    assert today.exit_code == 0, today.output
    assert "would send digest" in today.output and "demo@samskabt.dk" in today.output
    later = send(app, day + timedelta(days=5), "--dry-run").output
    assert "would send followup_end" in later and "mette.holm@fjordby.example" in later
