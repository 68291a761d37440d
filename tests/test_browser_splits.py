"""Results by department in Chromium (issue 14, point 2): the facilitator of the demo course
across departments reveals the vote and splits it by department on the control panel; the
projector (1920×1080) shows the departments' dots, or says which are held back and why;
axe-core finds no serious or critical violation on either screen.
Run alone with `pytest tests/test_browser_splits.py -q -m browser`."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser_support import EMAIL, Axe, log_in, screens, shot
from workshop.commands.demo_across import seed_demo_across
from workshop.core.extensions import db
from workshop.facilitators import find_facilitator
from workshop.votes import set_voting_state

pytestmark = pytest.mark.browser


def test_the_facilitator_reveals_the_vote_by_department(e2e_server, browser: Browser):
    app, base = e2e_server.app, e2e_server.url
    with app.app_context():
        course = seed_demo_across(find_facilitator(EMAIL), {})
        set_voting_state(course, "revealed")
        course_id = course.id
        db.session.remove()
    axe = Axe()
    with screens(browser, base) as s:
        panel = s.page(s.desk(), "split-panel")
        log_in(panel, base)
        panel.goto(f"/f/courses/{course_id}")
        by_department = panel.locator("#split-form button[value=department]")
        expect(by_department).to_have_attribute("aria-pressed", "false")
        by_department.click()
        expect(panel.locator("#split-form button[value=department]")).to_have_attribute(
            "aria-pressed", "true"
        )
        axe.check(panel, "split-panel")

        projector = s.page(s.context(viewport={"width": 1920, "height": 1080}), "split-projector")
        log_in(projector, base)
        projector.goto(f"/f/courses/{course_id}/projector")
        note = projector.locator(".groups-note").first
        expect(note).to_be_visible()
        # Half the demo room voted: two departments with one voter each are counted together
        # with the smallest one shown (three), never on their own and never by role.
        expect(note).to_contain_text("Social og handicap: 4 har stemt.")
        expect(note).to_contain_text("blandt Sundhed og psykiatri har kun 1 stemt")
        pooled = "Beskæftigelse, Sundhed og psykiatri, Unge og uddannelse (UU) samlet"
        expect(note).to_contain_text(f"{pooled}: 5 har stemt.")
        # Each result shows Social og handicap and the pooled group, nothing else.
        assert set(projector.locator(".result-group dt").all_inner_texts()) == {
            "Social og handicap",
            pooled,
        }
        expect(note).not_to_contain_text("Medarbejdere")
        axe.check(projector, "split-projector")
        shot(projector, "projector-split-by-department")
