"""Joining a course across departments from a phone (issue 14), in a real headless Chromium
at 390×844 with touch: the department is one tap on a large radio button, a join without
one is refused with the typed name kept, the next course of the same organisation comes
with the department preselected, and axe-core finds nothing serious on the join page, the
refusal or the organisation's departments. Screenshots land in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser_support import ARTIFACTS, EMAIL, Axe, danish, log_in, screens
from tests.factories import Factories
from workshop.core.extensions import db
from workshop.core.models import Participant
from workshop.facilitators import find_facilitator

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TAP_TARGET = "element => { const b = element.getBoundingClientRect(); return [b.width, b.height]; }"


def test_a_phone_joins_across_departments_with_one_tap_and_is_remembered(e2e_server, browser):
    app = e2e_server.app
    make = Factories(app)
    with app.app_context():
        facilitator = find_facilitator(EMAIL)
        first = make.course(facilitator, across_departments=True, invites_citizens=True)
        second = make.course(facilitator, title="Næste forløb", across_departments=True)
        codes = first.join_code, second.join_code
    axe = Axe()
    with screens(browser, e2e_server.url) as s:
        phone = s.page(s.context(**PHONE), "phone-departments")
        phone.goto(f"/j/{codes[0]}")
        health = phone.get_by_role("radio", name="Sundhed og psykiatri")
        expect(health).to_be_visible()
        expect(phone.get_by_role("radio", name="Borger eller pårørende")).to_be_visible()
        label = phone.locator("label.choice", has=health)
        width, height = label.evaluate(TAP_TARGET)
        assert height >= 44 and width >= 300, (width, height)
        axe.check(phone, "join-across-departments")

        # No department: refused, the typed name kept.
        phone.locator("input[name=role][value=medarbejder]").check()
        phone.locator("#name").fill("Søren")
        phone.locator("main form button[type=submit]").click()
        expect(
            phone.get_by_text(danish(app, "Choose the department you come from."))
        ).to_have_count(2)
        expect(phone.locator("#name")).to_have_value("Søren")
        axe.check(phone, "join-department-refused")

        label.tap()
        expect(health).to_be_checked()
        ARTIFACTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / "phone-join-departments.png"))
        phone.locator("main form button[type=submit]").click()
        expect(phone.locator("#stage")).to_be_visible()

        # The next course of the same organisation: the department comes preselected.
        phone.goto(f"/j/{codes[1]}")
        expect(phone.get_by_role("radio", name="Sundhed og psykiatri")).to_be_checked()

        desk = s.page(s.desk(), "desk-departments")
        log_in(desk, e2e_server.url)
        desk.goto("/f/organisation#departments")
        expect(desk.locator("#departments")).to_be_visible()
        axe.check(desk, "organisation-departments")
        # Adding through the boosted form: a name taken is refused with the text kept.
        desk.locator("#department-name").fill("politikere")
        desk.get_by_role("button", name="Tilføj afdeling").click()
        expect(desk.get_by_role("alert")).to_contain_text("Politikere")
        expect(desk.locator("#department-name")).to_have_value("politikere")
        desk.locator("#department-name").fill("Misbrugscenter")
        desk.locator("#department-sector").select_option("health")
        desk.get_by_role("button", name="Tilføj afdeling").click()
        expect(desk.locator(".department-name").last).to_have_text("Misbrugscenter")
    with app.app_context():
        joined = db.session.scalar(db.select(Participant).where(Participant.name == "Søren"))
        assert joined.department.name == "Sundhed og psykiatri"
