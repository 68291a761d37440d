"""Between the workshops (issue 18), one walk in a real headless Chromium: the course's next
meeting is planned; before it, a colleague who will not be in the room adds a card through
the card box on a phone; the facilitator types in a card handed in on paper; both are on the
wall at the workshop; and an action's owner later gets a reminder mail (read back from the
test's own SMTP server) whose link opens their action on a phone that never joined."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser_support import EMAIL, log_in, screens
from tests.factories import Factories
from tests.mail_support import SENDER, text_of
from workshop.card_box import set_card_box_window
from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Course, utcnow
from workshop.courses import go_to_step
from workshop.facilitators import find_facilitator
from workshop.meetings import plan_meeting
from workshop.reminders import set_email

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
OWNER_EMAIL = "karin.holm@mosevang.example"


def _course_before_the_meeting(app) -> tuple[int, str, str]:
    """A course in step 1, its workshop planned a week ahead, its card box open now."""
    with app.app_context():
        course = Factories(app).course(
            find_facilitator(EMAIL), step=1, title="Mindre bøvl i Mosevang (eksempel)"
        )
        plan_meeting(
            course,
            day=local_today() + timedelta(days=7),
            start=time(9),
            end=time(12),
            place="Byrådssalen",
            steps=[2],
        )
        now = utcnow()
        box = set_card_box_window(course, now - timedelta(hours=1), now + timedelta(days=6))
        return course.id, course.join_code, box.token


def _an_action_owned_by_karin(app, course_id: int) -> int:
    """After the workshop: a card became an action owned by Karin, who left her work email;
    it starts today."""
    make = Factories(app)
    with app.app_context():
        course = db.session.get(Course, course_id)
        karin = make.participant(course, name="Karin")
        solution = make.solution(karin, make.challenge(karin, "Tjeklisten tastes to gange"))
        action = make.action(
            solution,
            title="Tjeklisten tastes kun i fagsystemet",
            owner_id=karin.id,
            start_date=local_today(),
            first_step="Karin sletter regnearket og retter skabelonen",
        )
        set_email(karin, OWNER_EMAIL)
        go_to_step(course, 4)
        return action.id


def test_a_card_from_the_box_a_paper_card_and_a_reminder_that_opens_the_action(
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
    course_id, code, token = _course_before_the_meeting(app)
    with screens(browser, e2e_server.url) as s:
        # The facilitator's panel names the coming workshop.
        desk = s.page(s.desk(), "between-desk")
        log_in(desk, e2e_server.url)
        desk.goto(f"/f/courses/{course_id}")
        expect(desk.locator("body")).to_contain_text("Byrådssalen")

        # A colleague at home, from the link on the intranet, before the meeting.
        colleague = s.page(s.context(**PHONE), "between-box")
        colleague.goto(f"/k/{token}")
        colleague.locator("label.choice", has_text="Medarbejder").click()
        colleague.locator("#box-text").fill("Vi udfylder den samme tjekliste i to systemer")
        colleague.locator("#box-form button[type=submit]").click()
        expect(colleague.locator(".message-info").last).to_contain_text("Tak. Dit kort")

        # A card handed in on paper, typed in by the facilitator.
        desk.goto(f"/f/courses/{course_id}/card-box")
        desk.locator("#paper-form label.choice", has_text="Leder").click()
        desk.locator("#paper-text").fill("Mødereferater skal godkendes af tre ledere")
        desk.locator("#paper-save").click()
        expect(desk.locator("#messages")).to_contain_text("Papirkortet er på væggen")

        # At the workshop both are on the wall, marked.
        with app.app_context():
            go_to_step(db.session.get(Course, course_id), 2)
        desk.goto(f"/f/courses/{course_id}")
        cards = desk.locator(".moderation-list")
        expect(cards).to_contain_text("Vi udfylder den samme tjekliste i to systemer")
        expect(cards).to_contain_text("Sendt på forhånd")
        expect(cards).to_contain_text("Mødereferater skal godkendes af tre ledere")
        expect(cards).to_contain_text("Papirkort")

        # Weeks later: the action starts, the reminder goes out, its link opens the action.
        action_id = _an_action_owned_by_karin(app, course_id)
        result = app.test_cli_runner().invoke(args=["reminders", "send"])
        assert result.exit_code == 0, result.output
        (mail,) = mailbox.to(OWNER_EMAIL)
        assert "Tjeklisten tastes kun i fagsystemet" in mail["Subject"]
        link = re.search(re.escape(e2e_server.url) + r"/r/\S+", text_of(mail)).group(0)
        phone = s.page(s.context(**PHONE), "between-reminder")
        phone.goto(link)
        status = phone.locator(f"#owner-status-{action_id}")
        expect(status).to_be_visible()
        expect(status).to_contain_text("Tjeklisten tastes kun i fagsystemet")
        assert phone.url.endswith(f"/c/{code}/actions#owner-action-{action_id}")
        assert not s.errors, s.errors
