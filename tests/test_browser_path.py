"""The citizen's path in a real headless Chromium (issue 14, point 5): the facilitator opens
the path, three phones from three departments add touchpoints with one tap for the kind and
one for the department, the facilitator turns two into cards, and the projector draws the
swimlanes at 1920×1080 and 1280×720 without scrolling, the duplicated plans marked.
Screenshots land in test-artifacts/path-*.png; axe-core finds no serious or critical
violation on the phone's form, the control panel, the touchpoint page or the projector."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser_support import ARTIFACTS, BIG_SCREEN, EMAIL, LIVE, Axe, log_in, screens
from tests.factories import Factories
from workshop.core.extensions import db
from workshop.core.models import Card, Touchpoint
from workshop.facilitators import find_facilitator

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DEPARTMENTS = (
    ("Beskæftigelse", "employment"),
    ("Social og handicap", "social"),
    ("Sundhed og psykiatri", "health"),
)
# What each department's phone adds: (kind's Danish label, text, the citizen's minutes).
TOUCHPOINTS = {
    "Beskæftigelse": [("Plan", "Opfølgningsplan for sygedagpenge", "45"),
                      ("Møde", "Jobsamtale om det samme igen", "60")],
    "Social og handicap": [("Plan", "Handleplan i socialafdelingen", "60"),
                           ("Samtykke", "Samtykke til at dele oplysninger", "15")],
    "Sundhed og psykiatri": [("Plan", "Behandlingsplan i psykiatrien", "60"),
                             ("Møde", "Samtale med behandleren", "45")],
}  # fmt: skip


class PathAxe(Axe):
    def write_report(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "axe-report-path.json").write_text(
            json.dumps(self.findings, indent=2, ensure_ascii=False), encoding="utf-8"
        )


def _course(app) -> tuple[int, str]:
    with app.app_context():
        make = Factories(app)
        course = make.course(find_facilitator(EMAIL), step=2, title="Borgerforløb")
        for name, sector in DEPARTMENTS:  # among the organisation's defaults, found by name
            make.department(course.organisation, name, sector)
        return course.id, course.join_code


def test_three_departments_map_a_path_and_two_touchpoints_become_cards(e2e_server, browser):
    app = e2e_server.app
    course_id, code = _course(app)
    axe = PathAxe()
    with screens(browser, e2e_server.url) as s:
        desk = s.page(s.desk(), "path-desk")
        log_in(desk, e2e_server.url)
        desk.goto(f"/f/courses/{course_id}")
        desk.locator("#path-toggle").click()
        expect(desk.locator("#citizens-path")).to_be_visible(timeout=LIVE)

        for department, touchpoints in TOUCHPOINTS.items():
            phone = s.page(s.context(**PHONE), f"path-phone-{department[:5]}")
            phone.goto(f"/j/{code}")
            phone.locator("input[name=role][value=medarbejder]").check()
            phone.locator("main form button[type=submit]").click()
            form = phone.locator("#touchpoint-form")
            expect(form).to_be_visible()
            for kind, text, minutes in touchpoints:
                form = phone.locator("#touchpoint-form")
                form.locator("label.chip", has_text=kind).click()
                form.locator("label.chip", has_text=department).click()
                form.locator("#touchpoint-text").fill(text)
                form.locator("#touchpoint-citizen").fill(minutes)
                form.locator("button[type=submit]").click()
                expect(phone.locator("#touchpoint-form .message-info")).to_contain_text(
                    "Berøringspunktet er på forløbet"
                )
            expect(phone.locator(".card-list")).to_contain_text(touchpoints[-1][1])
            if department == "Beskæftigelse":
                phone.screenshot(path=str(ARTIFACTS / "path-phone.png"), full_page=True)
                axe.check(phone, "path-phone")

        items = desk.locator("#citizens-path .path-item")
        expect(items).to_have_count(6, timeout=LIVE)
        expect(desk.locator("#citizens-path .path-item.is-duplicate")).to_have_count(5)
        axe.check(desk, "path-control-panel")
        for text in ("Handleplan i socialafdelingen", "Behandlingsplan i psykiatrien"):
            item = desk.locator("#citizens-path .path-item", has_text=text)
            item.locator("button", has_text="Lav et kort").click()
            expect(
                desk.locator("#citizens-path .path-item", has_text=text).locator(
                    "a", has_text="Kort lavet"
                )
            ).to_be_visible()
        desk.screenshot(path=str(ARTIFACTS / "path-control-panel.png"), full_page=True)

        desk.locator("#citizens-path .path-item").first.locator("a", has_text="Redigér").click()
        expect(desk.locator("h1")).to_contain_text("Berøringspunkt")
        axe.check(desk, "path-touchpoint-page")

        for size, name in ((BIG_SCREEN, "1920x1080"), ({"width": 1280, "height": 720}, "1280x720")):
            projector = s.page(s.context(viewport=size), f"path-projector-{name}")
            log_in(projector, e2e_server.url)
            projector.goto(f"/f/courses/{course_id}/projector")
            chart = projector.locator("svg.path-chart")
            expect(chart).to_be_visible()
            expect(chart.locator("g.path-box")).to_have_count(6)
            expect(chart.locator("g.path-box.is-duplicate")).to_have_count(5)
            # Nobody scrolls a projector: the chart fits the window.
            assert projector.evaluate(
                "document.documentElement.scrollHeight <= window.innerHeight + 1"
            )
            box = chart.bounding_box()
            assert box["y"] + box["height"] <= size["height"] + 1
            assert box["x"] + box["width"] <= size["width"] + 1
            projector.screenshot(path=str(ARTIFACTS / f"path-projector-{name}.png"))
            if name == "1920x1080":
                axe.check(projector, "path-projector")
        assert not s.errors, s.errors

    with app.app_context():
        cards = db.session.scalars(db.select(Card).order_by(Card.id)).all()
        assert [c.text for c in cards] == [
            "Handleplan i socialafdelingen",
            "Behandlingsplan i psykiatrien",
        ]
        assert (
            db.session.scalar(
                db.select(db.func.count())
                .select_from(Touchpoint)
                .where(Touchpoint.card_id.is_not(None))
            )
            == 2
        )
