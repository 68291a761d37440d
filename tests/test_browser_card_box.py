"""Cards from people who are not in the room (issue 18 item 2), in a real headless Chromium:
a colleague adds a card through the card box on a phone-sized screen before the meeting,
the facilitator types in a paper card, and both are on the wall (control panel and
projector) with their marks. axe-core checks the box page; its targets are 44 px tall."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser_support import EMAIL, Axe, log_in, screens
from tests.factories import Factories
from workshop.card_box import set_card_box_window
from workshop.core.extensions import db
from workshop.core.models import Course, utcnow
from workshop.courses import go_to_step
from workshop.facilitators import find_facilitator

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
HEIGHT = "element => element.getBoundingClientRect().height"


def test_a_colleague_sends_a_card_through_the_box_and_a_paper_card_joins_it_on_the_wall(
    e2e_server, browser
):
    app = e2e_server.app
    make = Factories(app)
    with app.app_context():
        course = make.course(find_facilitator(EMAIL), step=1, title="Kortkassen i Mosevang")
        now = utcnow()
        box = set_card_box_window(course, now - timedelta(hours=1), now + timedelta(days=5))
        token, course_id = box.token, course.id
    with screens(browser, e2e_server.url) as s:
        # A colleague at home, from the intranet's link, on a phone.
        colleague = s.page(s.context(**PHONE), "card-box-phone")
        colleague.goto(f"/k/{token}")
        expect(colleague.locator("h1")).to_contain_text("Kortkasse")
        Axe().check(colleague, "card-box")
        role = colleague.locator("label.choice", has_text="Medarbejder")
        assert role.evaluate(HEIGHT) >= 44
        send = colleague.locator("#box-form button[type=submit]")
        assert send.evaluate(HEIGHT) >= 44
        role.click()
        colleague.locator("#box-text").fill("Vi udfylder den samme tjekliste i to systemer")
        send.click()
        expect(colleague.locator(".message-info").last).to_contain_text("Tak. Dit kort")
        expect(colleague.locator("#box-text")).to_have_value("")
        # The role stays picked for the next card.
        expect(colleague.locator("#box-form input[name=role][value=medarbejder]")).to_be_checked()

        # The facilitator types in a card someone handed in on paper.
        desk = s.page(s.desk(), "card-box-desk")
        log_in(desk, e2e_server.url)
        desk.goto(f"/f/courses/{course_id}/card-box")
        desk.locator("#paper-form label.choice", has_text="Leder").click()
        desk.locator("#paper-text").fill("Mødereferater skal godkendes af tre ledere")
        desk.locator("#paper-save").click()
        expect(desk.locator("#messages")).to_contain_text("Papirkortet er på væggen")

        with app.app_context():
            go_to_step(db.session.get(Course, course_id), 2)
        desk.goto(f"/f/courses/{course_id}")
        cards = desk.locator(".moderation-list")
        expect(cards).to_contain_text("Vi udfylder den samme tjekliste i to systemer")
        expect(cards).to_contain_text("Sendt på forhånd")
        expect(cards).to_contain_text("Mødereferater skal godkendes af tre ledere")
        expect(cards).to_contain_text("Papirkort")
        projector = s.page(s.desk(), "card-box-projector")
        log_in(projector, e2e_server.url)
        projector.goto(f"/f/courses/{course_id}/projector")
        wall = projector.locator(".wall")
        expect(wall).to_contain_text("Vi udfylder den samme tjekliste i to systemer")
        expect(wall).to_contain_text("Mødereferater skal godkendes af tre ledere")
        assert not s.errors, s.errors
