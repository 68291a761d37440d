"""Where the rule comes from, across departments (issue 14, point 3), in real Chromium: the
facilitator names another department's rule and the departments involved on the card page
(axe finds nothing serious), and the projector's revealed step 2 with eight departments
still fits the window in type the back row reads (screenshots in test-artifacts/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser_support import ARTIFACTS, EMAIL, Axe, log_in, screens, shot
from tests.factories import departments_exactly
from tests.test_browser_projector import SIZES, _check
from workshop.cards import submit_card
from workshop.core.extensions import db
from workshop.core.models import Card, Department
from workshop.courses import create_course, go_to_step
from workshop.examination import examine_card, prioritise
from workshop.facilitators import find_facilitator
from workshop.participants import join
from workshop.votes import cast_vote, set_voting_state

pytestmark = pytest.mark.browser

# The Danish defaults: eight departments, as many as a course across them may have.
DEPARTMENTS = [
    ("Beskæftigelse", "employment"),
    ("Social og handicap", "social"),
    ("Sundhed og psykiatri", "health"),
    ("Unge og uddannelse (UU)", "youth"),
    ("Ydelse/borgerservice", "benefits"),
    ("Regionens sundhedskoordinator", "region"),
    ("Leverandøren af fagsystemet", "vendor"),
    ("Politikere", "politics"),
]
CARDS = [
    "Borgeren skal give samtykke tre gange til de samme oplysninger",
    "Handleplanen efter serviceloven skrives forfra, selvom Min Plan findes",
    "Rehabiliteringsteamet mødes stadig, som før reformen",
    "Sundhedsfaglig vurdering indhentes både fra egen læge og klinisk funktion",
    "UU og jobcentret holder hver sit møde med den samme unge",
    "Ydelsen stopper, mens sagen flyttes mellem afdelinger",
    "Fagsystemet kræver en ny sag for hver afdeling",
    "Politisk beslutning om ugentlige opfølgninger, som ingen læser",
    "Vi venter fire uger på svar fra socialafdelingen",
    "Samme borger har fire kontaktpersoner",
]


@pytest.fixture(scope="module")
def course_id(e2e_server):
    """A course across the eight departments, in step 2, every card examined, voted on,
    five prioritised, the result revealed."""
    with e2e_server.app.test_request_context("/", headers={"Accept-Language": "da-DK"}):
        facilitator = find_facilitator(EMAIL)
        course = create_course(
            facilitator, title="Borgerens vej", municipality="Strandvig Kommune", unit=""
        )
        course.across_departments = True
        departments = departments_exactly(course.organisation_id, DEPARTMENTS)
        go_to_step(course, 2)
        people = [join(course, "medarbejder", "Team", "", str(departments[n].id)) for n in range(8)]
        cards = [
            submit_card(people[n % 8], text, client_token=f"card-{n}")
            for n, text in enumerate(CARDS)
        ]
        for n, card in enumerate(cards):
            named = departments[n % 8]
            others = [departments[(n + 1) % 8].id, departments[(n + 3) % 8].id]
            examine_card(
                card, origin="other_department", origin_department=named.id, departments=others
            )
        set_voting_state(course, "voting")
        for n, person in enumerate(people):
            cast_vote(person, cards[n], 3)
            cast_vote(person, cards[(n + 1) % len(cards)], 2)
        set_voting_state(course, "revealed")
        for card in cards[:5]:
            prioritise(card, "prioritised")
        return course.id


@pytest.mark.parametrize("size", ["1920x1080", "1280x720"])
def test_the_revealed_origins_with_eight_departments_fit_the_projector(
    browser: Browser, e2e_server, course_id, size: str
):
    width, height = SIZES[size]
    with screens(browser, e2e_server.url) as s:
        page = s.page(s.context(viewport={"width": width, "height": height}), "projector")
        log_in(page, e2e_server.url)
        page.goto(f"/f/courses/{course_id}/projector")
        page.locator("body[data-fitted]").wait_for(state="attached")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"projector-{size}-step2-departments.png"))
        expect(page.locator(".projector .department-line")).to_have_count(4)
        expect(page.locator(".projector .department-more")).to_have_text("og 4 afdelinger mere")
        problems = _check(page, min(width / 1920, height / 1080))
        assert not problems, "\n".join(problems)
        assert not s.errors, s.errors


def test_the_facilitator_names_another_departments_rule_on_the_card_page(
    browser: Browser, e2e_server, course_id
):
    with e2e_server.app.test_request_context("/"):
        card = db.session.scalar(
            db.select(Card).where(Card.course_id == course_id).order_by(Card.id.desc())
        )
        card_id = card.id
    axe = Axe()
    with screens(browser, e2e_server.url) as s:
        page = s.page(s.context(), "card")
        log_in(page, e2e_server.url)
        page.goto(f"/f/courses/{course_id}/cards/{card_id}")
        page.locator("#origin").select_option("other_department")
        page.locator("#origin_department").select_option(label="Politikere")
        page.get_by_role("checkbox", name="Unge og uddannelse (UU)").check()
        axe.check(page, "card page with departments")
        page.locator("#examine").screenshot(path=str(ARTIFACTS / "card-page-departments.png"))
        page.locator("#card-save").click()
        expect(page.locator("#messages")).to_contain_text("Kortet er gemt")
        expect(page.locator("#origin_department")).to_have_value(
            str(_department_id(e2e_server, "Politikere"))
        )
        expect(page.get_by_role("checkbox", name="Politikere", exact=True)).to_be_checked()
        expect(page.get_by_role("checkbox", name="Unge og uddannelse (UU)")).to_be_checked()
        page.goto(f"/f/courses/{course_id}")
        expect(page.locator(".department-table").first).to_contain_text("Politikere")
        axe.check(page, "control panel with departments")
        shot(page, "control-panel-departments")
        assert not s.errors, s.errors


def _department_id(e2e_server, name: str) -> int:
    with e2e_server.app.test_request_context("/"):
        return db.session.scalar(db.select(Department.id).where(Department.name == name))
