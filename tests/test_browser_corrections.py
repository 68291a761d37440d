"""The catalogue people can correct in Chromium (issue 18 point 5): an organisation admin
corrects a law entry beside the shipped one, and retires a local rule; axe-core finds no
serious or critical violation on the new pages.
Run alone with `pytest tests/test_browser_corrections.py -q -m browser`."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser_support import EMAIL, Axe, log_in, screens, shot
from workshop.catalogue import add_local_rule, load_catalogue
from workshop.core.extensions import db
from workshop.facilitators import find_facilitator

pytestmark = pytest.mark.browser

NOTE = "Fjordby har et lokalt mål om en samtale hver 3. måned."


def test_an_admin_corrects_a_law_entry_and_retires_a_local_rule(e2e_server, browser: Browser):
    app, base = e2e_server.app, e2e_server.url
    with app.app_context():
        load_catalogue()
        facilitator = find_facilitator(EMAIL)
        facilitator.is_admin = True
        db.session.commit()
        rule = add_local_rule(facilitator, name="Tjekskema før samtaler", kind="template").key
    axe = Axe()
    with screens(browser, base) as s:
        page = s.page(s.desk(), "catalogue-correction")
        log_in(page, base)
        page.goto("/f/catalogue?q=R08")
        page.get_by_role(
            "link", name="Ret opslaget eller tilføj en note for jeres organisation"
        ).first.click()
        expect(page.locator("h1")).to_have_text("Ret R08 for jeres organisation")
        axe.check(page, "correction-form")
        page.locator("#note").fill(NOTE)
        page.locator("#source").fill("Beskæftigelsesplan 2026, Fjordby Kommune (eksempel)")
        page.locator("#confidence").select_option("verified")
        page.get_by_role("button", name="Gem rettelsen").click()
        expect(page.locator(".correction").first).to_contain_text(NOTE)
        axe.check(page, "correction-saved")
        shot(page, "correction-saved")

        page.goto("/f/catalogue?q=R08")
        expect(page.locator("#catalogue-results .correction")).to_contain_text(NOTE)

        page.goto(f"/f/catalogue/local/{rule}/edit")
        axe.check(page, "local-rule-edit")
        page.get_by_role("button", name="Tag reglen ud af brug").click()
        expect(page.locator("#local-rules")).to_contain_text("udgået")
    assert not s.errors, s.errors
