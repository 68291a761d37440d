"""A course across departments from start to result, in a real headless Chromium (issue 14,
"Done means"): three phones (390×844, touch) join from three of the organisation's default
departments with one tap each, the facilitator opens the citizen's path on the control
panel, each phone adds a touchpoint, two touchpoints become cards with one tap each, the
path is closed, the phones vote with their dot buttons, and the facilitator reveals the
vote split by department. One voter per department is under the minimum group size (3), and
the three together would be everybody, so the projector shows only the totals and says why.
The projector never scrolls at 1920×1080 or 1280×720; axe-core finds no serious or critical
violation on the join page, the phone's path form, the control panel or the projector.
Screenshots land in test-artifacts/across-*.png.
Run alone with `pytest tests/test_browser_across_departments.py -q -m browser`."""

from __future__ import annotations

import json

import pytest
from flask_babel import gettext
from playwright.sync_api import Page, expect

from tests.browser_support import (
    ARTIFACTS,
    BIG_SCREEN,
    EMAIL,
    LIVE,
    Axe,
    danish,
    log_in,
    screens,
    shot,
)
from tests.factories import Factories
from tests.test_browser_steps import phase, vote_for
from workshop.core.extensions import db
from workshop.core.models import Card, Participant
from workshop.facilitators import find_facilitator

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SMALL_SCREEN = {"width": 1280, "height": 720}
# Each phone's department (three of the defaults) and the touchpoint it adds: (kind's Danish
# label, text, the citizen's minutes).
TOUCHPOINTS = {
    "Beskæftigelse": ("Plan", "Opfølgningsplan for sygedagpenge", "45"),
    "Social og handicap": ("Plan", "Handleplan i socialafdelingen", "60"),
    "Sundhed og psykiatri": ("Møde", "Samtale med behandleren", "30"),
}
CARDS = ("Handleplan i socialafdelingen", "Samtale med behandleren")
# The dots each phone gives: one on each card it names (one dot per card works whatever the
# course allows): the first card gets 3, the second 2.
VOTES = {
    "Beskæftigelse": (CARDS[0],),
    "Social og handicap": CARDS,
    "Sundhed og psykiatri": CARDS,
}
NO_SCROLL = "document.documentElement.scrollHeight <= window.innerHeight"


class AcrossAxe(Axe):
    """Its own report file, so another browser test's report is not overwritten."""

    def write_report(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "axe-report-across.json").write_text(
            json.dumps(self.findings, indent=2, ensure_ascii=False), encoding="utf-8"
        )


def _course(app) -> tuple[int, str]:
    with app.app_context():
        course = Factories(app).course(
            find_facilitator(EMAIL), step=2, title="På tværs", across_departments=True
        )
        return course.id, course.join_code


def _fits(projector: Page) -> None:
    """Nobody scrolls a projector: the page fits the window at both sizes."""
    for size in (BIG_SCREEN, SMALL_SCREEN):
        projector.set_viewport_size(size)
        assert projector.evaluate(NO_SCROLL), (
            size,
            projector.evaluate("[document.documentElement.scrollHeight, window.innerHeight]"),
        )
    projector.set_viewport_size(BIG_SCREEN)


def _held_back_note(app) -> str:
    """What the screens say when each department has a single voter (workshop.votes'
    split_held_back_note, by department, nothing pooled), in Danish."""
    with app.test_request_context("/", headers={"Accept-Language": "da-DK"}):
        # (not through `danish`, whose own `num` would swallow the message's)
        reasons = "; ".join(
            gettext("among %(group)s only %(num)s voted", group=department, num=1)
            for department in TOUCHPOINTS
        )
    return danish(
        app,
        "The split by department is not shown: %(reasons)s, and at least %(min)s must "
        "vote in each department before nobody can work out one person's dots. "
        "Everyone's dots are in the total.",
        reasons=reasons,
        min=3,
    )


def test_phones_from_three_departments_map_a_path_vote_and_see_the_split_held_back(
    e2e_server, browser
):
    app, base = e2e_server.app, e2e_server.url
    course_id, code = _course(app)
    axe = AcrossAxe()
    with screens(browser, base) as s:
        control = s.page(s.desk(), "across-control")
        log_in(control, base)
        control.goto(f"/f/courses/{course_id}")
        projector = s.page(s.context(viewport=BIG_SCREEN), "across-projector")
        log_in(projector, base)
        projector.goto(f"/f/courses/{course_id}/projector")

        # --- three phones join, each with one tap on its department -----------------------
        phones: dict[str, Page] = {}
        for department in TOUCHPOINTS:
            phone = phones[department] = s.page(s.context(**PHONE), f"across-{department[:5]}")
            phone.goto(f"/j/{code}")
            radio = phone.get_by_role("radio", name=department)
            expect(radio).to_be_visible()
            if department == "Beskæftigelse":
                axe.check(phone, "across-join")
            phone.locator("input[name=role][value=medarbejder]").check()
            phone.locator("label.choice", has=radio).tap()
            expect(radio).to_be_checked()
            phone.locator("main form button[type=submit]").click()
            expect(phone.locator("#stage")).to_be_visible()

        # --- the facilitator opens the path; each phone adds its touchpoint ---------------
        control.locator("#path-toggle").click()
        expect(control.locator("#citizens-path")).to_be_visible(timeout=LIVE)
        for department, (kind, text, minutes) in TOUCHPOINTS.items():
            phone = phones[department]
            form = phone.locator("#touchpoint-form")
            expect(form).to_be_visible(timeout=LIVE)
            if department == "Beskæftigelse":
                axe.check(phone, "across-phone-path-form")
            form.locator("label.chip", has_text=kind).click()
            form.locator("label.chip", has_text=department).click()
            form.locator("#touchpoint-text").fill(text)
            form.locator("#touchpoint-citizen").fill(minutes)
            form.locator("button[type=submit]").click()
            expect(phone.locator("#touchpoint-form .message-info")).to_contain_text(
                "Berøringspunktet er på forløbet"
            )
            expect(phone.locator(".card-list")).to_contain_text(text)

        items = control.locator("#citizens-path .path-item")
        expect(items).to_have_count(3, timeout=LIVE)
        chart = projector.locator("svg.path-chart")
        expect(chart.locator("g.path-box")).to_have_count(3, timeout=LIVE)
        # Two plans for one citizen: both marked as the duplicates they are.
        expect(chart.locator("g.path-box.is-duplicate")).to_have_count(2)
        for department in TOUCHPOINTS:
            expect(chart).to_contain_text(department)
        _fits(projector)
        shot(projector, "across-projector-swimlanes")
        axe.check(projector, "across-projector-path")

        # --- two touchpoints become cards, one tap each ------------------------------------
        for text in CARDS:
            item = control.locator("#citizens-path .path-item", has_text=text)
            item.locator("button", has_text="Lav et kort").click()
            expect(
                control.locator("#citizens-path .path-item", has_text=text).locator(
                    "a", has_text="Kort lavet"
                )
            ).to_be_visible()
        axe.check(control, "across-control-path")

        # --- the path closes, the vote opens, the phones vote ------------------------------
        control.locator("#path-toggle").click()
        expect(control.locator("#path-toggle")).to_have_text(
            danish(app, "Map the citizen's path on the phones")
        )
        for text in CARDS:
            expect(control.locator("#control-live .moderation-card", has_text=text)).to_have_count(
                1, timeout=LIVE
            )
        phase(control, "voting")
        for department, chosen in VOTES.items():
            phone = phones[department]
            expect(phone.locator("#live .vote-card")).to_have_count(2, timeout=LIVE)
            for text in chosen:
                vote_for(phone, text, 1)

        # --- revealed, split by department: only the totals, and why -----------------------
        phase(control, "revealed")
        by_department = control.locator("#split-form button[value=department]")
        by_department.click()
        expect(control.locator("#split-form button[value=department]")).to_have_attribute(
            "aria-pressed", "true"
        )
        note = _held_back_note(app)
        expect(control.locator(".groups-note").first).to_contain_text(note, timeout=LIVE)
        axe.check(control, "across-control-revealed")

        results = projector.locator(".results .result")
        expect(results.locator(".result-text")).to_have_text(list(CARDS), timeout=LIVE)
        expect(results.locator(".result-total")).to_have_text(
            [danish(app, "%(num)s dot", "%(num)s dots", n) for n in (3, 2)]
        )
        expect(projector.locator(".groups-note").first).to_contain_text(note)
        # Nobody's dots by department, pooled or not: no group beside the totals.
        expect(projector.locator(".result-group")).to_have_count(0)
        for department in TOUCHPOINTS:
            expect(projector.locator(".results")).not_to_contain_text(f"{department}: ")
        _fits(projector)
        shot(projector, "across-projector-result")
        axe.check(projector, "across-projector-result")
        assert not s.errors, s.errors

    with app.app_context():
        joined = db.session.scalars(
            db.select(Participant).where(Participant.course_id == course_id)
        ).all()
        assert sorted(p.department.name for p in joined) == sorted(TOUCHPOINTS)
        cards = db.session.scalars(
            db.select(Card).where(Card.course_id == course_id).order_by(Card.id)
        ).all()
        assert [c.text for c in cards] == list(CARDS)
