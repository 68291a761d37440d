"""Reminders by email in a real headless Chromium at phone size (issue 18 item 3): an
action's owner leaves their work email on the phone, `flask --app app reminders send`
mails them through the test's own SMTP server (aiosmtpd), and the link in the mail, opened
in a fresh phone with no cookie, shows their action. Screenshots land in
test-artifacts/reminders-*.png."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser_support import ARTIFACTS, EMAIL, Axe, screens
from tests.factories import Factories
from tests.mail_support import SENDER, text_of
from workshop.actions import update_action
from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Action, Participant
from workshop.courses import go_to_step
from workshop.facilitators import find_facilitator

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
OWNER_EMAIL = "bente.hansen@fjordby.example"


def _course_with_an_action(app):
    """A course in step 4 with an action that starts today (its owner not yet named)."""
    make = Factories(app)
    with app.app_context():
        course = make.course(find_facilitator(EMAIL), step=2, title="Mindre bøvl i jobcentret")
        author = make.participant(course)
        solution = make.solution(author, make.challenge(author, "Skemaet har tolv overskrifter"))
        action = make.action(
            solution,
            title="Samtaleskemaet får fire overskrifter",
            start_date=local_today(),
            first_step="Bente retter skabelonen i fagsystemet",
            pilot_to=local_today() + timedelta(days=28),
        )
        go_to_step(course, 4)
        return course.join_code, action.id


def _make_owner(app, code: str, action_id: int) -> int:
    """The facilitator names the newest participant (Bente, who just joined) the owner."""
    with app.app_context():
        bente = db.session.scalar(
            select(Participant).where(Participant.name == "Bente").order_by(Participant.id.desc())
        )
        update_action(db.session.get(Action, action_id), owner_id=bente.id)
        return bente.id


def test_an_owner_gets_a_reminder_whose_link_opens_their_action_on_a_phone(
    e2e_server, browser, mailbox
):
    app = e2e_server.app
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=mailbox.port,
        SMTP_SECURITY="none",
        SMTP_FROM=SENDER,
        PUBLIC_URL=e2e_server.url,
    )
    code, action_id = _course_with_an_action(app)
    axe = Axe()
    with screens(browser, e2e_server.url) as s:
        # Bente joins on her phone, is named the action's owner, and leaves her work email.
        phone = s.page(s.context(**PHONE), "reminders-email")
        phone.goto(f"/j/{code}")
        phone.locator("input[name=role][value=medarbejder]").check()
        phone.locator("input[name=name]").fill("Bente")
        phone.locator("main form button[type=submit]").click()
        expect(phone.locator("#stage")).to_be_visible()
        owner = _make_owner(app, code, action_id)
        phone.goto(f"/c/{code}/actions")
        phone.locator("#reminder-offer a").click()
        expect(phone.locator("h1")).to_have_text("Påmindelser på mail")
        phone.locator("input[name=email]").fill(OWNER_EMAIL)
        phone.locator("#email-save").click()
        expect(phone.locator("#email-current")).to_contain_text(OWNER_EMAIL)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        axe.check(phone, "reminders-email")
        phone.screenshot(path=str(ARTIFACTS / "reminders-email.png"))

        result = app.test_cli_runner().invoke(args=["reminders", "send"])
        assert result.exit_code == 0, result.output
        (mail,) = mailbox.to(OWNER_EMAIL)
        assert mail["Subject"] == "Din handling starter: Samtaleskemaet får fire overskrifter"
        link = re.search(re.escape(e2e_server.url) + r"/r/\S+", text_of(mail)).group(0)

        # The mail read on another phone, never in the course: the link opens her action.
        fresh = s.page(s.context(**PHONE), "reminders-link")
        fresh.goto(link)
        status = fresh.locator(f"#owner-status-{action_id}")
        expect(status).to_be_visible()
        expect(status).to_contain_text("Samtaleskemaet får fire overskrifter")
        assert fresh.url.endswith(f"/c/{code}/actions#owner-action-{action_id}")
        fresh.screenshot(path=str(ARTIFACTS / "reminders-link.png"))
        assert not s.errors, s.errors
    with app.app_context():
        assert db.session.get(Participant, owner).email == OWNER_EMAIL
