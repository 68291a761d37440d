"""A phone's polls in a real headless Chromium (issue 16): the page keeps its polled
region's ETag itself, a 304 leaves the region as it is, and a tap on a dot brings the
ETag of the list with that dot, so the poll after it is a 304 instead of a redraw of the
whole list. A change by anyone else still reaches the phone with its next poll.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser_support import EMAIL, screens
from tests.factories import Factories
from workshop.cards import set_card_hidden
from workshop.core.extensions import db
from workshop.core.models import Card
from workshop.facilitators import find_facilitator
from workshop.votes import set_voting_state

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LIVE = 6000  # ms: a poll every 2 s, with room for a slow machine


def test_the_poll_after_a_tap_is_a_304_and_keeps_the_tapped_dot(e2e_server, browser):
    app = e2e_server.app
    make = Factories(app)
    with app.app_context():
        course = make.course(find_facilitator(EMAIL), step=2, dot_budget=5)
        author = make.participant(course, name="Bente")
        card_ids = [make.card(author, f"Kort {n}: skemaet bøvler").id for n in range(1, 6)]
        set_voting_state(course, "voting")
        code = course.join_code
    live_path = f"/c/{code}/live"
    with screens(browser, e2e_server.url) as s:
        phone = s.page(s.context(**PHONE), "phone-polls")
        phone.goto(f"/j/{code}")
        phone.locator("input[name=role][value=medarbejder]").check()
        phone.locator("main form button[type=submit]").click()
        expect(phone.locator("#live .vote-card")).to_have_count(5)

        def next_poll():
            return phone.wait_for_event(
                "response", lambda r: urlsplit(r.url).path == live_path, timeout=LIVE
            )

        first = next_poll()  # the first poll brings the list once, with its ETag
        while first.status != 200:
            first = next_poll()
        assert first.header_value("etag")
        unchanged = next_poll()
        assert unchanged.status == 304
        assert unchanged.request.header_value("if-none-match") == first.header_value("etag")

        item = phone.locator("#live .vote-card").first
        action = item.locator("form").get_attribute("action")
        tapped = int(re.search(r"/cards/(\d+)/dots", action).group(1))
        with phone.expect_response(lambda r: r.request.method == "POST") as tap:
            item.locator("button[data-give]").click()
        following = tap.value.header_value("x-live-etag")
        assert following and following != first.header_value("etag")
        assert tap.value.request.header_value("x-live-etag") == first.header_value("etag")
        expect(item.locator(".my-dots")).to_have_text("1")

        after = next_poll()
        assert after.status == 304, "the tap's reply showed the dot: nothing to redraw"
        assert after.request.header_value("if-none-match") == following
        phone.wait_for_timeout(300)  # a 304 must not blank the region
        expect(item.locator(".my-dots")).to_have_text("1")
        expect(phone.locator("#dots-left")).to_contain_text("4")
        expect(phone.locator("#live .vote-card")).to_have_count(5)

        # The facilitator hides another card: the phone's next poll is a 200 with four.
        other = next(card_id for card_id in card_ids if card_id != tapped)
        with app.app_context():
            set_card_hidden(db.session.get(Card, other), True)
        expect(phone.locator("#live .vote-card")).to_have_count(4, timeout=LIVE)
        still = phone.locator(f"#live .vote-card:has(form[action$='/cards/{tapped}/dots'])")
        expect(still.locator(".my-dots")).to_have_text("1")
        assert not s.errors, s.errors
    statuses = e2e_server.recorder.statuses(rf"^{re.escape(live_path)}$")
    assert 304 in statuses and 500 not in statuses
