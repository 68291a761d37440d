"""The facilitator's cockpit in a real Chromium at 1366×768 (issue 20, point 1).

The demo course (workshop/commands/demo.py) has data in every step. The facilitator goes through
the six steps with the step bar; in every step the bar and the current step's controls lie
inside the first screen, and after each action (a step, a vote's phase, hiding a card)
they are still there: the panel answers in place (no reload, the page stays where it was
scrolled to, the focus stays on the control that was used). Screenshots of each step's
first screen land in test-artifacts/cockpit-step-N.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser_support import assert_not_reloaded, mark_loaded, screens
from workshop.commands.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo
from workshop.core.extensions import db

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def demo(e2e_server):
    with e2e_server.app.app_context():
        course = seed_demo()
        ids = {"course": course.id, "cards": [card.id for card in course.cards]}
        db.session.remove()
    return ids


def log_in_demo(page: Page, base: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(DEMO_EMAIL)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/f/")


def box(page: Page, selector: str) -> dict:
    """Where an element is on the page (document coordinates, so a scroll doesn't move it)."""
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not rendered"
    scroll_y = page.evaluate("window.scrollY")
    return {
        "top": round(found["y"] + scroll_y),
        "bottom": round(found["y"] + found["height"] + scroll_y),
    }


def assert_in_first_screen(page: Page, selector: str) -> None:
    where = box(page, selector)
    assert where["bottom"] <= LAPTOP["height"], f"{selector} ends at y={where['bottom']}"


STEP_CONTROLS = {
    1: ".cockpit-now-head",
    2: "#phase-form",
    3: "#phase-form",
    4: ".cockpit-now-head",
    5: "#add-measure-heading",
    6: "#lessons-heading",
}


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def test_every_step_s_controls_are_in_the_first_laptop_screen_and_stay_there(
    e2e_server, browser: Browser, demo
):
    base = e2e_server.url
    panel_url = f"{base}/f/courses/{demo['course']}"
    with screens(browser, base) as s:
        page = s.page(s.context(viewport=LAPTOP), "cockpit")
        log_in_demo(page, base)
        page.goto(panel_url)
        mark_loaded(page)
        for number in range(1, 7):
            page.evaluate("window.scrollTo(0, 0)")
            page.locator(f"#step-button-{number}").click()
            expect(page.locator(f"#step-button-{number}")).to_have_attribute("aria-current", "step")
            expect(page.locator(".cockpit-now-head .eyebrow")).to_contain_text(str(number))
            assert_not_reloaded(page)
            expect(page).to_have_url(panel_url)
            assert focused_id(page) == f"step-button-{number}"
            assert_in_first_screen(page, ".cockpit-steps")
            assert_in_first_screen(page, STEP_CONTROLS[number])
            page.screenshot(path=f"test-artifacts/cockpit-step-{number}.png")
        assert not s.errors, s.errors


def test_the_vote_s_phases_answer_in_place_with_the_controls_where_they_were(
    e2e_server, browser: Browser, demo
):
    base = e2e_server.url
    panel_url = f"{base}/f/courses/{demo['course']}"
    with screens(browser, base) as s:
        page = s.page(s.context(viewport=LAPTOP), "cockpit-vote")
        log_in_demo(page, base)
        page.goto(panel_url)
        page.locator("#step-button-2").click()
        expect(page.locator("#step-button-2")).to_have_attribute("aria-current", "step")
        mark_loaded(page)
        steps_at = box(page, ".cockpit-steps")
        phases_at = box(page, "#phase-form")
        # The demo's vote is revealed: back to collecting, open, close, reveal.
        for state in ("collect", "voting", "closed", "revealed"):
            page.locator(f"#phase-form button[value={state}]").click()
            expect(page.locator(f"#phase-form button[value={state}]")).to_have_count(0)
            assert_not_reloaded(page)
            page.screenshot(path=f"test-artifacts/cockpit-vote-{state}.png")
            assert box(page, ".cockpit-steps") == steps_at
            assert box(page, "#phase-form")["top"] == phases_at["top"]
            assert_in_first_screen(page, "#phase-form")
            # The focus stays in the phase buttons (the one pressed is gone, its form stays).
            assert page.evaluate("document.activeElement.closest('#phase-form') !== null")
        assert not s.errors, s.errors


def test_hiding_a_card_far_down_keeps_the_page_where_it_was_and_the_focus_on_the_button(
    e2e_server, browser: Browser, demo
):
    base = e2e_server.url
    with screens(browser, base) as s:
        page = s.page(s.context(viewport=LAPTOP), "cockpit-hide")
        log_in_demo(page, base)
        page.goto(f"/f/courses/{demo['course']}")
        page.locator("#step-button-2").click()
        expect(page.locator("#step-button-2")).to_have_attribute("aria-current", "step")
        mark_loaded(page)
        # By id: the live region polls, and a poll replaces the element a position finds.
        button_id = (
            page.locator("#control-live .moderation-card button[id^=hide-card-]")
            .nth(6)
            .get_attribute("id")
        )
        button = page.locator(f"#{button_id}")
        # In the page itself, at once: a poll may replace the element between two steps.
        page.evaluate(f"document.getElementById('{button_id}').scrollIntoView({{block: 'center'}})")
        label = button.text_content()
        scrolled = page.evaluate("window.scrollY")
        assert scrolled > 200
        button.click()
        expect(page.locator(f"#{button_id}")).not_to_have_text(label)
        assert_not_reloaded(page)
        assert abs(page.evaluate("window.scrollY") - scrolled) <= 2
        assert focused_id(page) == button_id
        # And back: the same button, in the same place.
        page.locator(f"#{button_id}").click()
        expect(page.locator(f"#{button_id}")).to_have_text(label)
        assert abs(page.evaluate("window.scrollY") - scrolled) <= 2
        assert not s.errors, s.errors


def card_with_many_neighbours(demo) -> int:
    return demo["cards"][0]


def test_the_card_page_s_tasks_are_each_one_jump_away_and_the_page_is_short(
    e2e_server, browser: Browser, demo
):
    base = e2e_server.url
    card_id = card_with_many_neighbours(demo)
    with screens(browser, base) as s:
        page = s.page(s.context(viewport=LAPTOP), "card-page")
        log_in_demo(page, base)
        page.goto(f"/f/courses/{demo['course']}/cards/{card_id}")
        page.screenshot(path="test-artifacts/card-page-first-screen.png")
        page.screenshot(path="test-artifacts/card-page.png", full_page=True)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 6000, f"the card page is {height} px tall"
        assert_in_first_screen(page, ".card-tasks")
        assert_in_first_screen(page, "#examine-heading")
        for anchor in ("links", "merge", "moderation"):
            page.locator(f".card-tasks a[href='#{anchor}']").click()
            heading = page.locator(f"#{anchor} h2").first
            expect(heading).to_be_in_viewport()
        assert not s.errors, s.errors


def test_typed_examination_survives_linking_a_requirement_and_a_reload_until_saved(
    e2e_server, browser: Browser, demo
):
    base = e2e_server.url
    card_id = demo["cards"][1]
    card_url = f"{base}/f/courses/{demo['course']}/cards/{card_id}"
    problem = "Skabelonen blev lavet i 2015 og er aldrig revideret"
    stakeholders = "Teamlederne og IT-afdelingen"
    with screens(browser, base) as s:
        page = s.page(s.context(viewport=LAPTOP), "card-drafts")
        log_in_demo(page, base)
        page.goto(card_url)
        mark_loaded(page)
        page.locator("#origin").select_option("local_practice")
        page.locator("#problem").fill(problem)
        page.locator("#stakeholders").fill(stakeholders)

        # Linking answers inside its own section: what is typed above stays as it is.
        page.locator("#catalogue-q").fill("§ 31")
        result = page.locator("#catalogue-results article.requirement").first
        expect(result).to_be_visible()
        result.locator("button").click()
        expect(page.locator("#links .link-list .link-item").last).to_be_visible()
        assert_not_reloaded(page)
        # The pressed button is gone (the entry is linked now): the focus stays nearby.
        assert page.evaluate("document.activeElement.closest('#links') !== null")
        expect(page.locator("#problem")).to_have_value(problem)
        expect(page.locator("#origin")).to_have_value("local_practice")

        # A reload (or a crash) does not lose it either: it comes back, and says so.
        page.reload()
        expect(page.locator("#problem")).to_have_value(problem)
        expect(page.locator("#stakeholders")).to_have_value(stakeholders)
        expect(page.locator("#origin")).to_have_value("local_practice")
        expect(page.locator("#card-edit [data-draft-note]")).to_be_visible()
        page.screenshot(path="test-artifacts/card-page-draft-restored.png")

        # One save keeps all of it; then the note goes and no draft is left.
        page.locator("#card-save").click()
        expect(page.locator("#messages")).to_contain_text("Kortet er gemt.")
        expect(page.locator("#card-edit [data-draft-note]")).to_be_hidden()
        assert (
            page.evaluate(
                "Object.keys(localStorage).filter(k => k.startsWith("
                f"'samskabt-keep:card-{card_id}-'))"
            )
            == []
        )
        page.reload()
        expect(page.locator("#problem")).to_have_value(problem)
        expect(page.locator("#card-edit [data-draft-note]")).to_be_hidden()
        assert not s.errors, s.errors
    with e2e_server.app.app_context():
        from workshop.core.models import Card

        card = db.session.get(Card, card_id)
        assert (card.origin, card.problem, card.stakeholders) == (
            "local_practice",
            problem,
            stakeholders,
        )
        db.session.remove()


def test_giving_all_dots_back_asks_in_place_and_no_keeps_the_vote(
    e2e_server, browser: Browser, demo
):
    base = e2e_server.url
    with screens(browser, base) as s:
        page = s.page(s.context(viewport=LAPTOP), "cockpit-confirm")
        log_in_demo(page, base)
        page.goto(f"/f/courses/{demo['course']}")
        page.locator("#step-button-3").click()
        expect(page.locator("#step-button-3")).to_have_attribute("aria-current", "step")
        mark_loaded(page)
        page.locator("#restart-solutions-form button").click()
        confirm = page.locator("#confirm-restart-solutions")
        expect(confirm).to_contain_text(
            re.compile(r"Giver \d+ prikker fra \d+ deltagere tilbage\.")
        )
        assert_in_first_screen(page, "#confirm-restart-solutions")
        expect(page.locator("#confirm-restart-solutions-no")).to_be_focused()
        page.screenshot(path="test-artifacts/cockpit-confirm-restart.png")
        page.locator("#confirm-restart-solutions-no").click()
        expect(confirm).to_have_count(0)
        expect(page.locator("#restart-solutions-form button")).to_be_visible()
        assert_not_reloaded(page)

        # Yes: the dots go back, and the message offers to take that back for a minute.
        top = page.locator("#control-live .result-total").first
        before = top.text_content()
        assert not before.startswith("0 ")
        page.locator("#restart-solutions-form button").click()
        page.locator("#confirm-restart-solutions-yes").click()
        undo = page.locator("#messages .message-undo button")
        expect(undo).to_be_visible()
        expect(top).to_have_text("0 prikker")
        page.screenshot(path="test-artifacts/cockpit-restart-undo.png")
        undo.click()
        expect(page.locator("#messages")).to_contain_text("Afstemningen er tilbage, som den var")
        expect(top).to_have_text(before)
        assert_not_reloaded(page)
        assert not s.errors, s.errors
