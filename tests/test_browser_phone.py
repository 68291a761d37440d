"""Phones in the room, in a real headless Chromium at 390×844 with touch (issue 20, points 6
and 8): a refused form's reason is scrolled into view and takes focus, the countdown and the
dots left stay on screen while the phone scrolls, the frame keeps its line breaks, the
owner's "status saved" is beside the button, and the control panel's step buttons never
break a word in two.

Courses are built directly in the database (tests/factories.py); the phones join and act
through the UI. Screenshots of the screen as the person sees it (not the whole page) land
in test-artifacts/phone-*.png (git-ignored).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser_support import ARTIFACTS, EMAIL, log_in, screens
from tests.factories import Factories
from workshop.core.extensions import db
from workshop.core.models import Action, Course, Participant
from workshop.courses import go_to_step, start_timer
from workshop.facilitators import find_facilitator
from workshop.votes import set_voting_state

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

IN_VIEW = """element => {
  const box = element.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
}"""
FOCUSED_IS = "element => document.activeElement === element"


def screen_shot(page: Page, name: str) -> None:
    """What the phone's screen shows now (fixed bars included), not the whole page."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def build(app, *, step: int, **course_fields) -> dict:
    """A course of the e2e facilitator with a prioritised challenge, in `step`."""
    make = Factories(app)
    with app.app_context():
        course = make.course(find_facilitator(EMAIL), step=2, **course_fields)
        author = make.participant(course, name="Bente")
        challenge = make.challenge(author, "Samtaleskemaet kræver tolv overskrifter")
        if step != 2:
            go_to_step(course, step)
        return {"id": course.id, "code": course.join_code, "challenge": challenge.id}


def join(page: Page, code: str, name: str = "") -> None:
    page.goto(f"/j/{code}")
    page.locator("input[name=role][value=medarbejder]").check()
    if name:
        page.locator("#name").fill(name)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#stage")).to_be_visible()


def test_a_solution_without_a_type_shows_its_reason_on_screen_with_focus(e2e_server, browser):
    app = e2e_server.app
    course = build(app, step=3)
    with app.app_context():
        start_timer(db.session.get(Course, course["id"]), 10, "Skriv løsninger")
    with screens(browser, e2e_server.url) as s:
        phone = s.page(s.context(**PHONE), "phone-solution")
        join(phone, course["code"])
        phone.locator("#solution-form input[name=card]").first.check()
        phone.locator("#solution-text").fill("Vi nøjes med lovens fire overskrifter")
        submit = phone.locator("#solution-form button[type=submit]")
        submit.scroll_into_view_if_needed()
        submit.click()
        error = phone.locator("#solution-form .message-error")
        expect(error).to_be_visible()
        expect(error).to_be_focused()
        phone.wait_for_timeout(300)  # the scroll settles
        assert error.evaluate(IN_VIEW), "the reason is off-screen"
        # The text typed is kept, and the countdown is in sight as well.
        expect(phone.locator("#solution-text")).to_have_value(
            "Vi nøjes med lovens fire overskrifter"
        )
        assert phone.locator("#live .timer").evaluate(IN_VIEW)
        screen_shot(phone, "phone-solution-refused")
        assert not s.errors, s.errors


def test_the_countdown_stays_on_screen_while_the_phone_scrolls(e2e_server, browser):
    app = e2e_server.app
    course = build(app, step=3)
    with app.app_context():
        start_timer(db.session.get(Course, course["id"]), 5, "Skriv løsninger")
    with screens(browser, e2e_server.url) as s:
        phone = s.page(s.context(**PHONE), "phone-timer")
        join(phone, course["code"])
        timer = phone.locator("#live .timer")
        expect(timer).to_be_visible()
        for position in ("0", "document.body.scrollHeight / 2", "document.body.scrollHeight"):
            phone.evaluate(f"window.scrollTo(0, {position})")
            phone.wait_for_timeout(100)
            assert timer.evaluate(IN_VIEW), f"the countdown is off-screen at {position}"
        # Nothing of the page hides under it at the top.
        phone.evaluate("window.scrollTo(0, 0)")
        header_top = phone.locator(".phone-header").evaluate("e => e.getBoundingClientRect().top")
        timer_bottom = timer.evaluate("e => e.getBoundingClientRect().bottom")
        assert header_top >= timer_bottom - 1
        screen_shot(phone, "phone-timer-top")
        assert not s.errors, s.errors


def test_the_dots_left_stay_on_screen_below_the_countdown_through_a_long_vote(e2e_server, browser):
    app = e2e_server.app
    make = Factories(app)
    with app.app_context():
        course = make.course(find_facilitator(EMAIL), step=2, dot_budget=5)
        author = make.participant(course, name="Bente")
        for number in range(1, 16):
            make.card(author, f"Kort nummer {number}: noget der bøvler i hverdagen")
        set_voting_state(course, "voting")
        start_timer(db.session.get(Course, course.id), 3, "Afstemning")
        code = course.join_code
    with screens(browser, e2e_server.url) as s:
        phone = s.page(s.context(**PHONE), "phone-dots")
        join(phone, code)
        expect(phone.locator("#live .vote-card")).to_have_count(15)
        last = phone.locator("#live .vote-card").last
        last.scroll_into_view_if_needed()
        last.locator("button.dot-button[name=dots]").last.click()
        expect(last.locator(".my-dots")).to_have_text("1")
        phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        phone.wait_for_timeout(100)
        dots, timer = phone.locator("#dots-left"), phone.locator("#live .timer")
        assert dots.evaluate(IN_VIEW) and timer.evaluate(IN_VIEW)
        assert (
            dots.evaluate("e => e.getBoundingClientRect().top")
            >= timer.evaluate("e => e.getBoundingClientRect().bottom") - 1
        ), "the dots left hide under the countdown"
        expect(dots).to_contain_text("4")
        screen_shot(phone, "phone-dots-left-scrolled")
        assert not s.errors, s.errors


def test_the_frame_keeps_its_line_breaks_on_the_phone(e2e_server, browser):
    app = e2e_server.app
    make = Factories(app)
    with app.app_context():
        course = make.course(
            find_facilitator(EMAIL),
            purpose="Mindre bøvl\nMere tid til borgeren\n\nFærre skemaer",
            frame_cannot_change="Loven\nBudgettet",
        )
        code = course.join_code
    with screens(browser, e2e_server.url) as s:
        phone = s.page(s.context(**PHONE), "phone-frame")
        join(phone, code)
        purpose = phone.locator(".frame dd").first
        expect(purpose.locator("p")).to_have_count(2)
        lines = purpose.locator("p").first.evaluate(
            "p => Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight))"
        )
        assert lines == 2, "the typed line break was merged"
        screen_shot(phone, "phone-frame")


def test_the_owner_sees_status_saved_beside_the_button(e2e_server, browser):
    app = e2e_server.app
    make = Factories(app)
    with app.app_context():
        course = make.course(find_facilitator(EMAIL), step=2)
        author = make.participant(course, name="Bente")
        challenge = make.challenge(author, "Samtaleskemaet kræver tolv overskrifter")
        action = make.action(make.solution(author, challenge, "Skær skemaet ned"))
        go_to_step(course, 4)
        code, action_id = course.join_code, action.id
    with screens(browser, e2e_server.url) as s:
        phone = s.page(s.context(**PHONE), "phone-owner")
        join(phone, code, name="Anne")
        with app.app_context():
            anne = db.session.scalar(db.select(Participant).filter_by(name="Anne"))
            db.session.get(Action, action_id).owner_id = anne.id
            db.session.commit()
        phone.goto(f"/c/{code}/actions")
        form = phone.locator(f"#owner-status-{action_id}")
        form.locator("input[name=status][value=in_test]").check()
        button = form.locator("button[type=submit]")
        button.scroll_into_view_if_needed()
        button.click()
        saved = phone.locator(f"#owner-status-{action_id} .saved-note")
        expect(saved).to_be_visible()
        # Scrolled to once htmx has settled the swap: wait for it, do not race it.
        expect(saved).to_be_in_viewport(ratio=1)
        saved_box = saved.bounding_box()
        button_box = phone.locator(f"#owner-status-{action_id} button[type=submit]").bounding_box()
        assert abs(saved_box["y"] - button_box["y"]) < 120, (
            "the confirmation is far from the button"
        )
        screen_shot(phone, "phone-owner-status-saved")
        assert not s.errors, s.errors


def test_a_refused_post_of_a_whole_page_brings_its_reason_into_view(e2e_server, browser):
    """The action page's status form posts the whole page (boosted: htmx swaps the body and
    scrolls to the top); the reason, far down the page, is scrolled to and focused."""
    app = e2e_server.app
    make = Factories(app)
    with app.app_context():
        course = make.course(find_facilitator(EMAIL), step=2)
        author = make.participant(course, name="Bente")
        challenge = make.challenge(author, "Samtaleskemaet kræver tolv overskrifter")
        action = make.action(make.solution(author, challenge, "Skær skemaet ned"))
        go_to_step(course, 4)
        course_id, action_id = course.id, action.id
    with screens(browser, e2e_server.url) as s:
        phone = s.page(s.context(**PHONE), "phone-full-page")
        log_in(phone, e2e_server.url)
        phone.goto(f"/f/courses/{course_id}/actions/{action_id}")
        status_form = phone.locator(f"form[action$='/actions/{action_id}/status']")
        status_form.locator("input[name=status][value=dropped]").check()
        status_form.locator("button[type=submit]").click()
        error = phone.locator(".message-error[role=alert]")
        expect(error).to_be_focused()
        phone.wait_for_timeout(300)
        assert error.evaluate(IN_VIEW)
        assert phone.evaluate("window.scrollY") > 0


@pytest.mark.parametrize("size", [(1366, 768), (1440, 900), (1280, 800), (1920, 1080)])
def test_no_step_button_breaks_a_word_in_two(e2e_server, browser: Browser, size):
    app = e2e_server.app
    course = build(app, step=2)
    width, height = size
    with screens(browser, e2e_server.url) as s:
        desk = s.page(s.context(viewport={"width": width, "height": height}), "step-buttons")
        log_in(desk, e2e_server.url)
        desk.goto(f"/f/courses/{course['id']}")
        broken = desk.locator(".step-nav").evaluate(
            """nav => {
              const broken = [];
              for (const button of nav.querySelectorAll(".step-button")) {
                const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                  for (const match of node.data.matchAll(/\\S+/g)) {
                    const range = document.createRange();
                    range.setStart(node, match.index);
                    range.setEnd(node, match.index + match[0].length);
                    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    if (tops.size > 1) broken.push(match[0]);
                  }
                }
              }
              return broken;
            }"""
        )
        assert broken == [], f"words broken in two at {width}×{height}: {broken}"
        if size == (1366, 768):
            desk.locator(".step-nav").screenshot(path=str(ARTIFACTS / "desk-step-buttons.png"))
