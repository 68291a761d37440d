"""The catalogue beyond LAB in Chromium (issue 14, point 4): the facilitator narrows the
catalogue to one department's law and to one act without a reload, a plan that never
became law says so, and axe-core finds no serious or critical violation on the page.
Run alone with `pytest tests/test_browser_catalogue.py -q -m browser`."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser_support import (
    Axe,
    assert_not_reloaded,
    log_in,
    mark_loaded,
    screens,
    shot,
)
from workshop.catalogue import load_catalogue

pytestmark = pytest.mark.browser


def test_the_facilitator_narrows_the_catalogue_by_department_and_act(e2e_server, browser: Browser):
    app, base = e2e_server.app, e2e_server.url
    with app.app_context():
        load_catalogue()
    axe = Axe()
    with screens(browser, base) as s:
        page = s.page(s.desk(), "catalogue-filters")
        log_in(page, base)
        page.goto("/f/catalogue")
        entry = lambda key: page.locator(f"#catalogue-results [aria-labelledby='req-{key}']")  # noqa: E731
        expect(entry("R01")).to_be_visible()
        mark_loaded(page)

        page.locator("#catalogue-sector").select_option("youth")
        expect(entry("X05")).to_be_visible()
        expect(entry("R01")).to_have_count(0)
        assert_not_reloaded(page)
        axe.check(page, "catalogue-by-department")

        page.locator("#catalogue-sector").select_option("")
        page.locator("#catalogue-act").select_option("HOI")
        expect(entry("X19")).to_be_visible()
        expect(entry("X05")).to_have_count(0)
        expect(entry("X19").locator(".not-law-hint")).to_be_visible()
        expect(entry("X19").locator(".tag")).to_have_text("Planlagt, aldrig vedtaget – ikke lov")
        assert_not_reloaded(page)
        axe.check(page, "catalogue-not-law")
        shot(page, "catalogue-not-law")
    assert not s.errors, s.errors
