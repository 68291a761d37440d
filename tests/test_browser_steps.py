"""Steps 2 to 5 end to end in a real headless Chromium: one challenge from a card on a
phone to a chosen solution, an action with an owner, and a measured effect.

Issue 4: "a browser test that takes one challenge from card to chosen solution to action to
measured effect". Everything goes through the UI with the real forms and CSRF tokens; only
the facilitator's account is made directly. A laptop (control panel, card, solution and
action pages, and the projector in a second tab) and two phones (a staff member with a
name, a manager) work through the workshop:

- step 2: the staff phone writes the card, both phones vote, the facilitator reveals and
  prioritises the card on its card page;
- step 3: the staff phone proposes a "remove" solution with an assessment, which the
  projector shows without a reload; both phones vote; the facilitator reveals and chooses
  the solution, naming who decided;
- step 4: the facilitator makes the staff member the owner, with a start date (today) and
  who does what; the owner sets the status to "in test" with a note from their phone, and
  the control panel follows;
- step 5: the facilitator adds a measure with a baseline in the past and a follow-up that
  includes today; the owner logs 60 before and 12,5 after (a refused "tolv" keeps what was
  typed); the control panel and the projector show 60,0 → 12,5, the change −47,5 (−79 %)
  and an SVG chart.

The test asserts on the data it typed, on numbers (formatted the Danish way by Babel),
and on ids, classes and form values, so rewording a button breaks nothing here; the one
message it reads, the refusal of "tolv", must be the Danish one (`danish` fails on a
message that is not translated yet).

The server, the browser and the screen helpers are shared by every browser test
(tests/browser_support.py).

Run alone with `pytest tests/test_browser_steps.py -q`; skip with `-m "not browser"`.
Screenshots land in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser_support import (
    BIG_SCREEN,
    LIVE,
    assert_not_reloaded,
    danish,
    log_in,
    mark_loaded,
    screens,
    shot,
)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

CARD = "Den ugentlige opgørelse til ledelsen tager en time, og ingen bruger tallene."
SOLUTION = "Vi stopper den ugentlige opgørelse og trækker tallene fra Jobindsats, når nogen spørger"
EVIDENCE = "Vi logger minutter brugt på opgørelsen hver uge, før og efter"
DECIDED_BY = "Lone Holm, jobcenterchef"
STAFF_NAME = "Sara Jensen"
WHO_DOES_WHAT = "Sara melder til teamlederen, at opgørelsen stopper; lederen henter tal ved behov"
STATUS_NOTE = "Vi tester i Team Ledige i fire uger"
MEASURE_WHAT = "Tid brugt på den ugentlige opgørelse"
MEASURE_UNIT = "minutter pr. uge"
FOLLOWUP_NOTE = "Første uge uden opgørelsen"

BASELINE_VALUE, FOLLOWUP_VALUE = 60.0, 12.5
NOT_A_NUMBER = "tolv"
MINUS = "\u2212"


# --- helpers ------------------------------------------------------------------------------


def danish_number(value: float, decimals: int = 1) -> str:
    """60.0 -> '60,0'; a real minus sign, as the figures on screen have."""
    text = f"{abs(value):.{decimals}f}".replace(".", ",")
    return (MINUS if value < 0 else "") + text


def join(page: Page, base: str, code: str, role: str, unit: str, name: str = "") -> None:
    """Join by the join URL (the QR code's link): role, unit and, if given, a name."""
    page.goto(f"/j/{code}")
    page.locator(f"input[name=role][value={role}]").check()
    page.locator("#unit").fill(unit)
    if name:
        page.locator("#name").fill(name)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/c/{code}")
    if name:
        expect(page.locator(".phone-me")).to_contain_text(name)


def go_to_step(control: Page, number: int) -> None:
    control.locator(f".step-nav .step-button[value='{number}']").click()
    expect(control.locator(f".step-nav .step-button[value='{number}']")).to_have_attribute(
        "aria-current", "step"
    )


def vote_for(page: Page, text: str, dots: int) -> None:
    """Give an item `dots` dots with its + button, one tap at a time."""
    card = page.locator("#live .vote-card").filter(has=page.locator(".vote-text", has_text=text))
    for given in range(1, dots + 1):
        card.locator("button.dot-button[name=dots]").last.click()
        expect(card.locator(".my-dots")).to_have_text(str(given))


def phase(control: Page, state: str) -> None:
    """Press the control panel's vote phase button (open, reveal, ...)."""
    control.locator(f"button[name=state][value={state}]").click()
    expect(control.locator(f"button[name=state][value={state}]")).to_have_count(0)


# What runs into what in an SVG chart, as the browser lays it out: a text over an entry's
# dot, or a period label too low to clear a dot at the very top of the plot (its radius,
# plus a pixel for the stroke).
OVERLAPS = """svg => {
  const box = element => element.getBoundingClientRect();
  const touch = (a, b) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const dots = [...svg.querySelectorAll("circle")].map(box);
  const problems = [...svg.querySelectorAll("text")]
    .filter(text => dots.some(dot => touch(box(text), dot)))
    .map(text => `${text.textContent.trim()}: over a dot`);
  const radius = Math.max(0, ...dots.map(dot => dot.height / 2));
  const plotTop = Math.min(...[...svg.querySelectorAll(".chart-band")].map(b => box(b).top));
  for (const label of svg.querySelectorAll(".chart-band-label")) {
    if (box(label).bottom > plotTop - radius - 1) {
      problems.push(`${label.textContent.trim()}: too close above the plot`);
    }
  }
  return problems;
}"""


def info_flash(page: Page):
    return page.locator("#messages .message-info")


# --- the test -----------------------------------------------------------------------------


def test_one_challenge_from_card_to_chosen_solution_to_action_to_measured_effect(
    e2e_server, browser: Browser
):
    app, base = e2e_server.app, e2e_server.url
    # The app's today is Danish time (dates in the past or the future are refused by it).
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    baseline = (today - timedelta(days=30), today - timedelta(days=16))
    followup = (today - timedelta(days=7), today + timedelta(days=7))
    baseline_day = today - timedelta(days=20)

    with screens(browser, base) as s:
        # --- the facilitator creates the course; two phones join ---------------------------
        desk = s.desk()
        control = s.page(desk, "steps-control")
        log_in(control, base)
        control.goto("/f/courses/new")
        form = control.locator("form.wide-form")
        form.locator("#title").fill("Mindre bøvl i Jobcentret")
        form.locator("#municipality").fill("Fjordby Kommune")
        form.locator("#dot_budget").fill("3")
        form.locator("#min_group_size").fill("1")  # one staff member and one manager
        form.locator("button[type=submit]").click()
        join_code = control.locator(".join-box .join-code")
        expect(join_code).to_have_text(re.compile(r"^[A-Z0-9]{3} [A-Z0-9]{3}$"))
        code = join_code.text_content().strip().replace(" ", "")  # in the folded "Joining"
        join_href = control.locator(".join-box a[href^='/j/']").get_attribute("href")
        assert join_href == f"/j/{code}"
        projector_href = control.locator("a[href$='/projector']").get_attribute("href")
        course_id = int(re.search(r"/f/courses/(\d+)/projector$", projector_href).group(1))
        panel = f"{base}/f/courses/{course_id}"
        expect(control).to_have_url(panel)
        go_to_step(control, 2)

        staff = s.page(s.context(**PHONE), "steps-staff")
        manager = s.page(s.context(**PHONE), "steps-manager")
        join(staff, base, code, "medarbejder", "Team Ledige", STAFF_NAME)
        join(manager, base, code, "leder", "Ledelsen")
        for phone in (staff, manager):
            expect(phone.locator("#card-form")).to_be_visible()

        # --- step 2: a card, dots, the reveal, prioritised ---------------------------------
        staff.locator("#card-text").fill(CARD)
        staff.locator("#card-form button[type=submit]").click()
        expect(staff.locator("#card-text")).to_have_value("")
        expect(staff.locator("#card-form .message-info")).to_be_visible()
        expect(staff.locator("#live .card-list")).to_contain_text(CARD)
        expect(control.locator("#control-live .moderation-card")).to_contain_text(
            CARD, timeout=LIVE
        )

        phase(control, "voting")
        for phone in (staff, manager):
            expect(phone.locator("#live .vote-card")).to_have_count(1, timeout=LIVE)
        vote_for(staff, CARD, 2)
        vote_for(manager, CARD, 1)
        phase(control, "revealed")
        result = control.locator("#control-live .results .result")
        expect(result.locator(".result-text")).to_have_text([CARD], timeout=LIVE)
        expect(result.locator(".result-group dd")).to_have_text(["2", "1"])  # staff, managers

        control.locator("#control-live .moderation-card").filter(has_text=CARD).locator(
            "a[href*='/cards/']"
        ).click()
        expect(control).to_have_url(re.compile(rf"{panel}/cards/\d+$"))
        expect(control.locator("blockquote.card-quote")).to_have_text(CARD)
        control.locator("input[name=priority][value=prioritised]").check()
        control.locator("#card-save").click()  # one save for all that is typed on the card
        expect(info_flash(control)).to_be_visible()
        expect(control.locator("input[name=priority][value=prioritised]")).to_be_checked()
        expect(control.locator("main .tag.priority-prioritised")).to_be_visible()

        # --- step 3: a solution, live on the projector; a vote; the choice ------------------
        control.goto(panel)
        go_to_step(control, 3)
        projector = s.page(desk, "steps-projector")
        projector.set_viewport_size(BIG_SCREEN)
        projector.goto(f"/f/courses/{course_id}/projector")
        expect(
            projector.locator("#projector-live .solution-group .challenge-text")
        ).to_contain_text(CARD)
        expect(projector.locator("#projector-live .wall-card")).to_have_count(0)
        mark_loaded(projector)

        # The phone's forms follow the step by its own polling: the solution form appears,
        # with the one prioritised challenge already chosen.
        solution_form = staff.locator("#solution-form")
        expect(solution_form).to_be_visible(timeout=LIVE)
        challenge_choice = solution_form.locator("input[name=card]")
        expect(challenge_choice).to_have_count(1)
        expect(challenge_choice).to_be_checked()
        staff.locator("#solution-text").fill(SOLUTION)
        solution_form.locator("input[name=kind][value=remove]").check()
        solution_form.locator(".assessment-details > summary").click()
        solution_form.locator("input[name=effect_citizens][value='0']").check()
        solution_form.locator("input[name=effect_efficiency][value='2']").check()
        solution_form.locator("input[name=effect_work_environment][value='1']").check()
        solution_form.locator("input[name=likelihood][value=likely]").check()
        staff.locator("#solution-evidence").fill(EVIDENCE)
        solution_form.locator("input[name=effort][value=small]").check()
        shot(staff, "steps-phone-proposing-solution")
        solution_form.locator("button[type=submit]").click()
        expect(staff.locator("#solution-form .message-info")).to_be_visible()
        expect(staff.locator("#solution-form .message-error")).to_have_count(0)
        expect(staff.locator("#solution-text")).to_have_value("")  # a fresh form
        expect(staff.locator("#live .solution-list li.is-mine")).to_contain_text(SOLUTION)
        shot(staff, "steps-phone-solution-sent")

        # On the big screen within a poll or two, without a reload.
        wall_card = projector.locator("#projector-live .wall-card")
        expect(wall_card).to_have_count(1, timeout=LIVE)
        expect(wall_card).to_contain_text(SOLUTION)
        assert_not_reloaded(projector)

        # The control panel lists it with the assessment the phone gave.
        listed = control.locator("#control-live li.solution").filter(has_text=SOLUTION)
        expect(listed).to_have_count(1, timeout=LIVE)
        solution_id = int(listed.get_attribute("id").removeprefix("solution-"))
        expect(listed).to_contain_text(EVIDENCE)

        phase(control, "voting")
        for phone in (staff, manager):
            expect(phone.locator("#live .vote-card")).to_have_count(1, timeout=LIVE)
        vote_for(staff, SOLUTION, 2)
        vote_for(manager, SOLUTION, 1)
        phase(control, "revealed")
        projector_result = projector.locator("#projector-live .solution-results .result")
        expect(projector_result.locator(".result-text")).to_have_text([SOLUTION], timeout=LIVE)
        expect(projector_result.locator(".result-group dd")).to_have_text(["2", "1"])

        chosen = control.locator(f"#control-live #solution-{solution_id}")
        chosen.locator(f"#decided-by-{solution_id}").fill(DECIDED_BY)
        chosen.locator(".choose-form button[type=submit]").click()
        expect(info_flash(control)).to_be_visible()
        expect(chosen).to_have_class(re.compile(r"\bis-chosen\b"))
        expect(chosen.locator(".tag-chosen")).to_be_visible()
        expect(chosen).to_contain_text(DECIDED_BY)
        for phone in (staff, manager):
            expect(phone.locator("#live .results .result.is-chosen")).to_contain_text(
                SOLUTION, timeout=LIVE
            )

        # --- step 4: the action's owner, start and who does what; the owner's status --------
        go_to_step(control, 4)
        plan_row = control.locator("#control-live table.action-plan tbody tr")
        expect(plan_row).to_have_count(1)
        expect(plan_row).to_contain_text(SOLUTION)
        expect(plan_row.locator(".draft-flag")).to_be_visible()  # no owner, no date yet
        action_id = int(plan_row.get_attribute("id").removeprefix("plan-action-"))
        plan_row.locator(f"a[href$='/actions/{action_id}']").click()
        action_url = f"{panel}/actions/{action_id}"
        expect(control).to_have_url(action_url)
        expect(control.locator("main h1")).to_have_text(SOLUTION)
        expect(control.locator(".action-source")).to_contain_text(DECIDED_BY)

        action_form = control.locator("form.action-form")
        action_form.locator("#owner_id").select_option(label=STAFF_NAME)
        action_form.locator("#start_date").fill(today.isoformat())
        action_form.locator("#who_does_what").fill(WHO_DOES_WHAT)
        action_form.locator("button[type=submit]").click()
        expect(info_flash(control)).to_be_visible()
        expect(control.locator("main .message-error")).to_have_count(0)
        expect(control.locator("#owner_id option:checked")).to_have_text(STAFF_NAME)
        expect(control.locator("#start_date")).to_have_value(today.isoformat())
        expect(control.locator("#who_does_what")).to_have_value(WHO_DOES_WHAT)
        expect(control.locator("main .draft-flag")).to_have_count(0)
        expect(control.locator("main .action-status.action-not_started")).to_be_visible()

        control.goto(panel)
        expect(plan_row.locator(".action-status")).to_have_class(
            re.compile(r"\baction-not_started\b")
        )
        expect(plan_row).to_contain_text(STAFF_NAME)
        expect(plan_row.locator(".draft-flag")).to_have_count(0)

        # The owner's phone gets the status form in place (its forms follow the owners).
        expect(staff.locator(f"#stage #owner-status-{action_id}")).to_be_visible(timeout=LIVE)
        expect(manager.locator("#stage .owner-status")).to_have_count(0)
        # The "Your actions" link came with step 4's forms: no reload since step 2.
        staff.locator(f'#stage a[href="/c/{code}/actions"]').click()
        expect(staff).to_have_url(f"{base}/c/{code}/actions")
        owner_form = staff.locator(f"#owner-status-{action_id}")
        expect(owner_form.locator(".owner-action-title")).to_have_text(SOLUTION)
        expect(owner_form.locator(".action-status")).to_have_class(
            re.compile(r"\baction-not_started\b")
        )
        owner_form.locator("input[name=status][value=in_test]").check()
        staff.locator(f"#owner-note-{action_id}").fill(STATUS_NOTE)
        owner_form.locator("button[type=submit]").click()
        expect(owner_form.locator(".message-info")).to_be_visible()
        expect(owner_form.locator(".message-error")).to_have_count(0)
        expect(owner_form.locator(".action-status")).to_have_class(
            re.compile(r"\baction-in_test\b")
        )
        expect(owner_form.locator("input[name=status][value=in_test]")).to_be_checked()

        # The control panel follows by its polling; the action page keeps the status log.
        expect(plan_row.locator(".action-status")).to_have_class(
            re.compile(r"\baction-in_test\b"), timeout=LIVE
        )
        control.goto(action_url)
        expect(control.locator("main > p .action-status")).to_have_class(
            re.compile(r"\baction-in_test\b")
        )
        log_row = control.locator("table.status-log tbody tr")
        expect(log_row).to_have_count(1)
        expect(log_row.locator(".action-status.action-in_test")).to_be_visible()
        expect(log_row).to_contain_text(STATUS_NOTE)
        expect(log_row).to_contain_text(STAFF_NAME)
        expect(control.locator("input[name=status][value=in_test]")).to_be_checked()
        shot(control, "steps-action-page")

        # --- step 5: a measure, a baseline and a follow-up value, the effect ---------------
        control.goto(panel)
        go_to_step(control, 5)
        measure_form = control.locator("#measure-form")
        expect(measure_form.locator("#action option:checked")).to_have_text(SOLUTION)
        measure_form.locator("#what").fill(MEASURE_WHAT)
        measure_form.locator("#unit").fill(MEASURE_UNIT)
        expect(measure_form.locator("#higher_is_better")).not_to_be_checked()  # fewer is better
        for field_id, day in (
            ("baseline_from", baseline[0]),
            ("baseline_to", baseline[1]),
            ("followup_from", followup[0]),
            ("followup_to", followup[1]),
        ):
            measure_form.locator(f"#{field_id}").fill(day.isoformat())
        measure_form.locator("button[type=submit]").click()
        expect(info_flash(control)).to_be_visible()
        measure = control.locator("#control-live .measure-action .measure")
        expect(measure).to_have_count(1)
        expect(measure.locator("h4")).to_contain_text(MEASURE_WHAT)
        expect(measure.locator(".figures-baseline .figure-empty")).to_be_visible()

        # The owner goes back to the workshop page, where the logbook form has appeared.
        staff.locator(f"main a[href='/c/{code}']").click()
        expect(staff).to_have_url(f"{base}/c/{code}")
        entry_form = staff.locator("#entry-form")
        expect(entry_form).to_be_visible(timeout=LIVE)
        expect(entry_form.locator("input[name=measure]")).to_be_checked()  # the only one
        expect(entry_form).to_contain_text(MEASURE_WHAT)

        staff.locator("#entry-date").fill(baseline_day.isoformat())
        staff.locator("#entry-value").fill("60")
        entry_form.locator("button[type=submit]").click()
        expect(staff.locator("#entry-form .message-info")).to_be_visible()
        expect(staff.locator("#entry-value")).to_have_value("")
        my_entries = staff.locator("#live .entry-list li")
        expect(my_entries).to_have_count(1)
        expect(my_entries).to_contain_text(f"60 {MEASURE_UNIT}")

        # Not a number: refused beside the form, with everything typed kept.
        staff.locator("#entry-date").fill(today.isoformat())
        staff.locator("#entry-value").fill(NOT_A_NUMBER)
        staff.locator("#entry-note").fill(FOLLOWUP_NOTE)
        staff.locator("#entry-form button[type=submit]").click()
        refusal = staff.locator("#entry-form .message-error")
        expect(refusal).to_have_text(danish(app, "Write a number, for example 45 or 12,5."))
        expect(refusal).to_have_attribute("role", "alert")
        expect(staff.locator("#entry-value")).to_have_value(NOT_A_NUMBER)
        expect(staff.locator("#entry-value")).to_have_attribute("aria-invalid", "true")
        expect(staff.locator("#entry-date")).to_have_value(today.isoformat())
        expect(staff.locator("#entry-note")).to_have_value(FOLLOWUP_NOTE)
        expect(my_entries).to_have_count(1)

        staff.locator("#entry-value").fill("12,5")
        staff.locator("#entry-form button[type=submit]").click()
        expect(staff.locator("#entry-form .message-info")).to_be_visible()
        expect(staff.locator("#entry-form .message-error")).to_have_count(0)
        expect(my_entries).to_have_count(2)
        expect(my_entries.first).to_contain_text(f"12,5 {MEASURE_UNIT}")
        expect(my_entries.first).to_contain_text(FOLLOWUP_NOTE)
        shot(staff, "steps-phone-logbook")

        # The figures, from what was logged: one value in each period.
        change = FOLLOWUP_VALUE - BASELINE_VALUE
        percent = round(change / BASELINE_VALUE * 100)
        expected_change = f"{danish_number(change)} ({danish_number(percent, 0)} %)"
        assert expected_change == f"{MINUS}47,5 ({MINUS}79 %)"

        def assert_effect(root) -> None:
            figures = root.locator("dl.figures")
            expect(figures.locator(".figures-baseline .figure")).to_have_text(
                danish_number(BASELINE_VALUE), timeout=LIVE
            )
            expect(figures.locator(".figures-followup .figure")).to_have_text(
                danish_number(FOLLOWUP_VALUE)
            )
            expect(figures.locator(".figures-change .figure")).to_have_text(expected_change)
            expect(figures.locator(".figures-change .verdict-better")).to_be_visible()
            chart = root.locator("svg.measure-chart")
            expect(chart).to_be_visible()
            expect(chart.locator("rect.chart-bar-baseline")).to_have_count(1)
            expect(chart.locator("rect.chart-bar-followup")).to_have_count(1)
            expect(chart.locator("text.chart-value")).to_have_text(
                [danish_number(BASELINE_VALUE), danish_number(FOLLOWUP_VALUE)]
            )
            expect(chart.locator("circle")).to_have_count(2)  # the two entries
            expect(chart.locator("desc")).to_contain_text(expected_change)
            # As laid out, no label runs into an entry's dot (the highest dot sits at the
            # top of the plot, right under the period labels).
            expect(chart.locator(".chart-band")).to_have_count(2)
            expect(chart.locator(".chart-band-label")).to_have_count(2)
            assert chart.evaluate(OVERLAPS) == []

        assert_effect(control.locator("#control-live .measure"))
        expect(projector.locator("#projector-live .step-badge")).to_contain_text("5", timeout=LIVE)
        effect = projector.locator("#projector-live .effect")
        expect(effect.locator("h3")).to_contain_text(MEASURE_WHAT, timeout=LIVE)
        expect(effect.locator("dl.figures")).to_have_class(re.compile(r"\bfigures-large\b"))
        assert_effect(effect)
        expect(projector.locator("#projector-live .effect .eyebrow")).to_have_text(SOLUTION)
        assert_not_reloaded(projector)  # steps 3 to 5 on the big screen by polling alone
        shot(projector, "steps-projector-effect")
        shot(control, "steps-control-effect")

        # The manager's phone shows the same figures, without having logged anything.
        expect(manager.locator("#live .measure .figures-change .figure")).to_have_text(
            expected_change, timeout=LIVE
        )

        for page in (staff, manager, control, projector):
            expect(page.locator("#messages .message-error")).to_have_count(0)
        assert s.errors == []
        statuses = [status for _m, _p, status in e2e_server.recorder.seen]
        assert 500 not in statuses
        # The only refusals were the ones this test made on purpose (the "tolv").
        assert e2e_server.recorder.statuses(r"/measure-entries$").count(422) == 1
        assert statuses.count(400) == 0  # no CSRF failure anywhere
