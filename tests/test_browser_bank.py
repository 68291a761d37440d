"""The experience bank in a real browser: Bakkedal shares a course whose solution was measured;
a facilitator in Sølund links a card to the same requirement, sees Bakkedal's solution as a
suggestion on the card page and copies it as a starting proposal.

Run with `pytest -m browser tests/test_browser_bank.py` (Debian's Chromium, Playwright)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from workshop.catalogue import load_catalogue
from workshop.core.extensions import db
from workshop.core.models import Share, Solution

from .bank_support import shareable_course
from .browser_support import EMAIL, log_in, screens, shot
from .factories import Factories

pytestmark = pytest.mark.browser


def log_in_as(page: Page, base: str, email: str, password: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/f/")


def test_a_measured_solution_shared_in_bakkedal_is_suggested_and_copied_in_solund(
    e2e_server, browser
):
    app, base = e2e_server.app, e2e_server.url
    make = Factories(app)
    with app.app_context():
        load_catalogue()
        bakkedal = shareable_course(make, "bakkedal@example.dk", "Bakkedal Kommune", label="A")
        solund_facilitator = make.facilitator(email=EMAIL)
        solund = make.course(solund_facilitator, title="Bøvl i Sølund", municipality="Sølund")
        solund_id = solund.id
        person = make.participant(solund)
        from workshop.courses import go_to_step

        go_to_step(solund, 2)
        card = make.challenge(person, "Vi indkalder stadig alle dagpengemodtagere hver 3. uge")
        card_id = card.id
    solution_key = f"solution-{bakkedal.solution}"

    with screens(browser, base) as s:
        # Bakkedal's facilitator reviews what will be shared, includes one solution's words
        # and confirms.
        desk = s.page(s.desk(), "bakkedal")
        log_in_as(desk, base, "bakkedal@example.dk", "correct horse")
        desk.goto(f"/f/courses/{bakkedal.course}/share")
        expect(desk.locator("#bank-not-shared")).to_be_visible()
        desk.locator(f"#include-{solution_key}").check()
        desk.locator(f"#text-{solution_key}").fill("Drop den lokale samtaleskabelon")
        desk.locator("button[name=step][value=review]").click()
        confirm = desk.locator("#bank-confirm")
        expect(confirm).to_contain_text("Drop den lokale samtaleskabelon")
        expect(confirm).to_contain_text("R05")
        expect(confirm).not_to_contain_text("Medarbejder A0")
        shot(desk, "bank-review")
        desk.locator("button[name=step][value=confirm]").click()
        expect(desk.locator("#bank-shared")).to_be_visible()

        # Sølund's facilitator links the card to the same requirement ...
        page = s.page(s.desk(), "solund")
        log_in(page, base)
        page.goto(f"/f/courses/{solund_id}/cards/{card_id}")
        with page.expect_response(lambda r: "q=" in urlsplit(r.url).query):
            page.locator("#catalogue-q").press_sequentially("R05")
        entry = page.locator("#catalogue-results article.requirement[aria-labelledby='req-R05']")
        expect(entry.locator(".bank-count")).to_contain_text("1")  # the search shows it too
        entry.locator("form button[type=submit]").click()
        # ... and sees Bakkedal's measured solution as a suggestion under the link.
        link = page.locator(".link-item").filter(has_text="R05")
        suggestion = link.locator(".bank-item").filter(has_text="Drop den lokale samtaleskabelon")
        expect(suggestion).to_be_visible()
        expect(suggestion).to_contain_text("Bakkedal Kommune")
        expect(suggestion.locator(".bank-measured")).to_be_visible()
        expect(suggestion.locator(".bank-figures")).to_contain_text("60")
        expect(suggestion.locator(".bank-figures")).to_contain_text("40")
        shot(page, "bank-suggestion")
        suggestion.locator("form button[type=submit]").click()
        expect(page.locator(".message").first).to_be_visible()
        expect(page).to_have_url(f"{base}/f/courses/{solund_id}/cards/{card_id}")
        assert s.errors == []

    with app.app_context():
        copies = db.session.scalars(select(Solution).where(Solution.course_id == solund_id)).all()
        assert [c.text for c in copies] == ["Drop den lokale samtaleskabelon"]
        assert "Bakkedal Kommune" in copies[0].source and copies[0].card_id == card_id
        assert db.session.scalar(select(Share.municipality)) == "Bakkedal Kommune"
