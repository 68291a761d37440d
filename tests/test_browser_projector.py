"""The projector fits the window in every state of the demo course, in type the back row reads.

Issue 20, point 2: nobody scrolls a projector. Every projector screen of the demo course
(`flask --app app demo`: workshop/commands/demo.py) is opened in a real Chromium at 1920×1080 and at
1280×720 — every step; steps 2 and 3 while collecting, voting, closed, revealed with and
without the split by role, and step 2 revealed before and after prioritising; the join
screen of a course that has just begun; the catalogue on the big screen — and the test fails
if the page scrolls, if any visible text lies outside the window or is cut off by a box it
overflows, or if any visible text is smaller than:

- 24 px for body text and 18 px for labels, tags and notes at 1920×1080;
- the same scaled with the window at smaller sizes (the projector's type is set in units of
  the window, so at 1280×720 it is two thirds: 16 px and 12 px). A projector throws the
  picture at the same size on the wall whatever the laptop's resolution, so proportional
  type is what the back row sees.

Screenshots of every state land in test-artifacts/projector-<size>-<state>.png.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser_support import ARTIFACTS, screens
from workshop.commands.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo
from workshop.core.extensions import db
from workshop.core.models import Card, Course
from workshop.courses import create_course, go_to_step
from workshop.participants import join
from workshop.votes import CARDS, SOLUTIONS, set_voting_state

pytestmark = pytest.mark.browser

SIZES = {
    "1920x1080": (1920, 1080),
    "1280x720": (1280, 720),
    "1280x1024": (1280, 1024),  # an old 5:4 projector
    "2560x1440": (2560, 1440),
}
BODY_PX, LABEL_PX = 24.0, 18.0  # at 1920×1080, scaled by min(width/1920, height/1080)

# Labels, tags and notes beside the body text: these may be smaller (LABEL_PX), all other
# visible text is body text (BODY_PX).
SECONDARY = ", ".join(
    [
        ".small",
        ".tag",
        ".eyebrow",
        ".merged-count",
        ".priority-note",
        ".figure-basis",
        ".figures dt",
        ".board-meta",
        ".lesson-details",
        ".timer-label",
        ".timer-until",
        ".result-group dt",
        ".counts",
        ".step-badge",
        ".progress-line",
        ".requirement-ref",
        ".fit-more",
        ".projector-join",
        ".origin-table",
        ".summary-counts dt",
        ".measure-chart",
        ".count",
        ".habit-hint",
        ".changes",
        ".search-box",
        ".projector-back",
        ".frame dt",
        ".verdict",
        ".lesson-group h3",
        ".fit-more",
    ]
)

MEASURE = """([secondary]) => {
  const W = window.innerWidth, H = window.innerHeight;
  const problems = [];
  const root = document.documentElement;
  if (root.scrollHeight > H + 1) problems.push(`the page scrolls: ${root.scrollHeight} px tall in a ${H} px window`);
  if (root.scrollWidth > W + 1) problems.push(`the page scrolls sideways: ${root.scrollWidth} px wide in ${W} px`);
  const sizes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text) continue;
    const el = node.parentElement;
    if (el.closest(".visually-hidden, .skip-link, title, desc, script, style, noscript")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    if (!rects.length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.opacity === "0") continue;
    let size = parseFloat(style.fontSize);
    if (el instanceof SVGElement) {
      const m = el.getScreenCTM();
      size *= Math.hypot(m.a, m.b);
    }
    const label = text.slice(0, 50);
    for (const r of rects) {
      if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1) {
        problems.push(`outside the window: "${label}" at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`);
        break;
      }
    }
    // Cut off by a box that clips what overflows it.
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const s = getComputedStyle(box);
      if (s.overflowX === "visible" && s.overflowY === "visible") continue;
      const b = box.getBoundingClientRect();
      if (rects.some(r => r.top < b.top - 1 || r.bottom > b.bottom + 1 || r.left < b.left - 1 || r.right > b.right + 1)) {
        problems.push(`cut off by .${box.className || box.tagName}: "${label}"`);
        break;
      }
    }
    sizes.push({text: label, size, secondary: !!el.closest(secondary)});
  }
  return {problems, sizes};
}"""


@dataclass
class State:
    name: str
    setup: Callable[[Course], None]
    path: str = "projector"


# The priorities the demo set, kept while a state shows step 2 before prioritising.
SAVED_PRIORITIES: dict[int, tuple[str, str, str]] = {}


def _step(number: int, cards: str | None = None, solutions: str | None = None, split=True):
    def setup(course: Course) -> None:
        for card_id, (priority, later_when, reason) in SAVED_PRIORITIES.items():
            card = db.session.get(Card, card_id)
            card.priority, card.later_when, card.out_of_scope_reason = priority, later_when, reason
        SAVED_PRIORITIES.clear()
        course.min_group_size = 3 if split else 5  # the demo has four managers
        db.session.commit()
        go_to_step(course, number)
        for ballot, state in ((CARDS, cards), (SOLUTIONS, solutions)):
            if state:
                _walk_to(course, ballot, state)

    return setup


def _walk_to(course: Course, ballot, state: str) -> None:
    """From wherever the vote is to `state`, through the phases the facilitator would use."""
    path = {
        "collect": ["collect"],
        "voting": ["collect", "voting"],
        "closed": ["collect", "voting", "closed"],
        "revealed": ["collect", "voting", "revealed"],
    }[state]
    for phase in path:
        set_voting_state(course, phase, ballot)


def _unprioritised(course: Course) -> None:
    """Step 2 just revealed: nothing examined or prioritised yet."""
    _step(2, cards="revealed")(course)
    for card in db.session.scalars(db.select(Card).where(Card.course_id == course.id)):
        SAVED_PRIORITIES[card.id] = (card.priority, card.later_when, card.out_of_scope_reason)
        card.priority = "open"
    db.session.commit()


STATES = [
    State("step1", _step(1)),
    State("step2-collect", _step(2, cards="collect")),
    State("step2-voting", _step(2, cards="voting")),
    State("step2-closed", _step(2, cards="closed")),
    State("step2-revealed-unprioritised", _unprioritised),
    State("step2-revealed-no-split", _step(2, cards="revealed", split=False)),
    State("step2-revealed-split", _step(2, cards="revealed")),
    State("step3-collect", _step(3, solutions="collect")),
    State("step3-voting", _step(3, solutions="voting")),
    State("step3-closed", _step(3, solutions="closed")),
    State("step3-revealed-no-split", _step(3, solutions="revealed", split=False)),
    State("step3-revealed-split", _step(3, solutions="revealed")),
    State("step4", _step(4)),
    State("step5", _step(5)),
    State("step6", _step(6)),
    State("catalogue", _step(2), "projector/catalogue"),
    State("catalogue-search", _step(2), "projector/catalogue?q=LAB"),
]


@pytest.fixture(scope="module")
def demo(e2e_server):
    """The demo course (the one `flask --app app demo` makes) and a course just begun."""
    with e2e_server.app.test_request_context("/", headers={"Accept-Language": "da-DK"}):
        course = seed_demo()
        fresh = create_course(
            course.facilitator,
            title="Nyt forløb",
            municipality="Fjordby Kommune",
            unit="Borgerservice",
        )
        join(fresh, role="medarbejder", unit="Borgerservice", name="")
        return course.id, fresh.id


def _log_in(page: Page, base: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(DEMO_EMAIL)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/f/")


def _check(page: Page, scale: float) -> list[str]:
    result = page.evaluate(MEASURE, [SECONDARY])
    problems = list(result["problems"])
    body, label = BODY_PX * scale, LABEL_PX * scale
    for item in result["sizes"]:
        least = label if item["secondary"] else body
        if item["size"] < least - 0.05:
            kind = "label" if item["secondary"] else "body text"
            problems.append(f'{kind} {item["size"]:.1f} px < {least:.1f} px: "{item["text"]}"')
    return problems


@pytest.mark.parametrize("size", list(SIZES))
def test_every_projector_screen_fits_the_window_in_type_read_from_the_back(
    browser: Browser, e2e_server, demo, size: str
):
    course_id, fresh_id = demo
    width, height = SIZES[size]
    scale = min(width / 1920, height / 1080)
    ARTIFACTS.mkdir(exist_ok=True)
    failures: dict[str, list[str]] = {}
    with screens(browser, e2e_server.url) as s:
        page = s.page(s.context(viewport={"width": width, "height": height}), "projector")
        _log_in(page, e2e_server.url)
        states = [State("join", lambda course: None)] + STATES
        for state in states:
            target = fresh_id if state.name == "join" else course_id
            with e2e_server.app.test_request_context("/"):
                course = db.session.get(Course, target)
                state.setup(course)
            page.goto(f"/f/courses/{target}/{state.path}")
            page.locator("body[data-fitted]").wait_for(state="attached")
            page.screenshot(path=str(ARTIFACTS / f"projector-{size}-{state.name}.png"))
            problems = _check(page, scale)
            if problems:
                failures[state.name] = problems[:12]
        assert not s.errors, s.errors
    assert not failures, "\n".join(
        f"{name}:\n  " + "\n  ".join(found) for name, found in failures.items()
    )


def test_what_does_not_fit_on_one_screen_is_paged_through_by_itself(
    browser: Browser, e2e_server, demo
):
    """Step 5's measures (and the actions not measured yet) take two screens at 1920×1080:
    the projector shows the first page, says "Side 1 af 2", and turns to the second by
    itself; both pages fit."""
    course_id, _fresh = demo
    with screens(browser, e2e_server.url) as s:
        page = s.page(s.context(viewport={"width": 1920, "height": 1080}), "projector-pages")
        page.clock.install()
        _log_in(page, e2e_server.url)
        with e2e_server.app.test_request_context("/"):
            _step(5)(db.session.get(Course, course_id))
        page.goto(f"/f/courses/{course_id}/projector")
        page.locator("body[data-fitted]").wait_for(state="attached")
        shown = page.locator("#projector-live .effect:visible h3")
        label = page.locator("#projector-live .effects .fit-more")
        expect(label).to_have_text("Side 1 af 2")
        page.screenshot(path=str(ARTIFACTS / "projector-1920x1080-step5-page-1.png"))
        first = shown.all_inner_texts()
        assert len(first) == 2
        assert _check(page, 1.0) == []
        page.clock.fast_forward(13_000)
        expect(label).to_have_text("Side 2 af 2")
        second = shown.all_inner_texts()
        assert len(second) == 1 and second[0] not in first
        assert _check(page, 1.0) == []
        page.screenshot(path=str(ARTIFACTS / "projector-1920x1080-step5-page-2.png"))
        page.clock.fast_forward(12_000)
        expect(label).to_have_text("Side 1 af 2")  # and round again
        assert not s.errors, s.errors
