"""The privacy notice and "Mine data" on a phone, in a real headless Chromium at 390×844
(issue 19 part 4): the notice sits on the join page without an extra tap, reads at phone
size, folds the rest; deleting one's own data works with JavaScript switched off.
Screenshots of the screen as the person sees it land in test-artifacts/privacy-*.png."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser_support import ARTIFACTS, EMAIL, Axe, screens
from tests.factories import Factories
from workshop.core.extensions import db
from workshop.core.models import Card, Participant
from workshop.facilitators import find_facilitator

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


class PrivacyAxe(Axe):
    """axe-core as everywhere, its findings kept in a report of their own."""

    def write_report(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "axe-report-privacy.json").write_text(
            json.dumps(self.findings, indent=2, ensure_ascii=False), encoding="utf-8"
        )


def screen_shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _course(app) -> str:
    app.config["RETENTION_DAYS"] = 365
    with app.app_context():
        course = Factories(app).course(find_facilitator(EMAIL), step=2, min_group_size=3)
        return course.join_code


def test_the_join_page_shows_the_notice_and_joining_takes_two_taps(e2e_server, browser):
    code = _course(e2e_server.app)
    axe = PrivacyAxe()
    with screens(browser, e2e_server.url) as s:
        phone = s.page(s.context(**PHONE), "privacy-join")
        phone.goto(f"/j/{code}")
        notice = phone.locator(".privacy-summary")
        expect(notice).to_contain_text("er ansvarlig for dine data")
        expect(notice).to_contain_text("365 dage")
        expect(notice).to_contain_text("mindst 3 i en rolle")
        # Nothing wider than the phone: no sideways scrolling to read it.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screen_shot(phone, "privacy-join")
        phone.locator(".privacy-more summary").click()
        expect(phone.locator(".privacy-notice")).to_be_visible()
        phone.screenshot(path=str(ARTIFACTS / "privacy-join-read-more.png"), full_page=True)
        axe.check(phone, "privacy-join")
        # Two taps: the role, then "Deltag".
        phone.locator("input[name=role][value=medarbejder]").check()
        phone.locator("main form button[type=submit]").click()
        expect(phone.locator("#stage")).to_be_visible()
        expect(phone.locator(".privacy-links")).to_contain_text("Mine data")
        phone.locator(".privacy-links").scroll_into_view_if_needed()
        screen_shot(phone, "privacy-course-page")
        assert not s.errors, s.errors


def test_a_phone_without_javascript_deletes_its_own_data_after_confirming(e2e_server, browser):
    app = e2e_server.app
    code = _course(app)
    axe = PrivacyAxe()
    with screens(browser, e2e_server.url) as s:
        phone = s.page(s.context(java_script_enabled=False, **PHONE), "privacy-no-script")
        phone.goto(f"/j/{code}")
        phone.locator("input[name=role][value=medarbejder]").check()
        phone.locator("#unit").fill("Team Ledige")
        phone.locator("#name").fill("Bente")
        phone.locator("main form button[type=submit]").click()
        phone.locator("#card-text").fill("Skemaet har tolv overskrifter")
        phone.locator("#card-form button[type=submit]").click()
        phone.get_by_role("link", name="Mine data").click()
        expect(phone.locator("h1")).to_have_text("Mine data")
        expect(phone.locator(".my-data")).to_contain_text("Bente")
        expect(phone.locator(".my-data")).to_contain_text("1 kort")
        screen_shot(phone, "privacy-my-data")
        phone.locator("#forget").click()
        expect(phone.locator("#forget-confirm")).to_contain_text("Det kan ikke fortrydes.")
        screen_shot(phone, "privacy-my-data-confirm")
        phone.locator("#forget-yes").click()
        expect(phone.locator("#messages")).to_contain_text("Dit navn og dine tekster er slettet")
        expect(phone.locator("h1")).to_have_text("Om dine data")
        screen_shot(phone, "privacy-deleted")
        phone.goto(f"/c/{code}")
        expect(phone.locator("main form button[type=submit]")).to_have_text("Deltag")
        with app.app_context():
            bente = db.session.scalar(
                db.select(Participant).where(Participant.forgotten_at.is_not(None))
            )
            assert bente.name == "" and bente.unit == ""
            card = db.session.scalar(db.select(Card).where(Card.participant_id == bente.id))
            assert card.text == card.original_text == "[Slettet af deltageren]"
        # The same pages with scripts on meet WCAG 2.1 AA.
        scripted = s.page(s.context(**PHONE), "privacy-scripted")
        scripted.goto(f"/j/{code}")
        scripted.locator("input[name=role][value=leder]").check()
        scripted.locator("main form button[type=submit]").click()
        scripted.goto(f"/c/{code}/my-data")
        axe.check(scripted, "privacy-my-data")
        scripted.locator("#forget").click()
        axe.check(scripted, "privacy-my-data-confirm")
        assert not s.errors, s.errors
