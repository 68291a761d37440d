"""Step 5's measure templates in a real headless Chromium (issue 14): the facilitator picks
one from the citizen's side, the panel swaps in place with the name, unit and direction
filled in and the focus on the action, the one choice left; dates, confirm, added. axe-core
finds no serious or critical violation; a screenshot lands in
test-artifacts/measure-template-filled.png."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser_support import (
    ARTIFACTS,
    EMAIL,
    Axe,
    assert_not_reloaded,
    danish,
    log_in,
    mark_loaded,
    screens,
    shot,
)
from tests.factories import Factories
from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Measure
from workshop.courses import go_to_step
from workshop.facilitators import find_facilitator

pytestmark = pytest.mark.browser


class TemplateAxe(Axe):
    """axe-core as everywhere, its findings kept in a report of their own."""

    def write_report(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "axe-report-measure-templates.json").write_text(
            json.dumps(self.findings, indent=2, ensure_ascii=False), encoding="utf-8"
        )


def _course_in_step_five(app) -> int:
    with app.app_context():
        make = Factories(app)
        course = make.course(find_facilitator(EMAIL), step=2)
        anne = make.participant(course, name="Anne")
        challenge = make.challenge(anne, "Tre samtykkeblanketter om næsten det samme")
        make.action(make.solution(anne, challenge, "Én fælles samtykkeblanket"))
        go_to_step(course, 5)
        return course.id


def test_a_citizen_side_template_fills_the_measure_and_the_facilitator_only_confirms(
    e2e_server, browser
):
    app = e2e_server.app
    course_id = _course_in_step_five(app)
    axe = TemplateAxe()
    today = local_today()
    with screens(browser, e2e_server.url) as s:
        page = s.page(s.desk(), "measure-templates")
        log_in(page, e2e_server.url)
        page.goto(f"/f/courses/{course_id}")
        mark_loaded(page)
        page.locator("#measure_template").select_option("consents_asked")
        page.locator("#measure-template-form button[type=submit]").click()
        expect(page.locator("#measure-template-note")).to_be_visible()
        assert_not_reloaded(page)  # the panel swapped in place
        expect(page.locator("#what")).to_have_value(
            "Samtykker, borgeren bliver bedt om at underskrive"
        )
        expect(page.locator("#unit")).to_have_value("samtykker pr. borger")
        expect(page.locator("#higher_is_better")).not_to_be_checked()
        expect(page.locator("#action")).to_be_focused()
        page.locator(".measure-add").scroll_into_view_if_needed()
        shot(page, "measure-template-filled")
        axe.check(page, "measure-template-filled", include=".measure-add")

        for name, day in (
            ("baseline_from", today - timedelta(days=28)),
            ("baseline_to", today - timedelta(days=15)),
            ("followup_from", today + timedelta(days=14)),
            ("followup_to", today + timedelta(days=28)),
        ):
            page.locator(f"#{name}").fill(day.isoformat())
        page.locator("#measure-form button[type=submit]").click()
        added = danish(
            app, "The measure has been added. Participants can log values from their phones."
        )
        expect(page.locator("#messages")).to_contain_text(added)
        assert not s.errors, s.errors
    with app.app_context():
        measure = db.session.scalar(db.select(Measure))
        assert (measure.what, measure.unit, measure.higher_is_better) == (
            "Samtykker, borgeren bliver bedt om at underskrive",
            "samtykker pr. borger",
            False,
        )
