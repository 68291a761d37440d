"""A whole course as real people run it, in real Chromium (issue 7).

A facilitator on a laptop, the projector (a second tab at 1920×1080) and eight phones
(360×740, touch; four with a Danish browser, four with an English one) go through all six
steps: joining by code and by the QR link, dialogue answers, cards (one written while the
connection drops, one sent with a double tap), merging two cards, voting with the dot
budget, the reveal, linking a card to a LAB paragraph, prioritising, a solution, an action
with an owner and a date, measure entries, lessons, reflections, and the manager
downloading the PDF.

At each step the test asserts what each person *sees* (the texts they typed, numbers,
their language), that the projector and the phones follow the facilitator within a few
seconds, and it runs axe-core (tests/browser_support.py) on every page type: zero serious
or critical violations (the others are written to test-artifacts/axe-report.json). It also
checks keyboard-only use of the control panel with a visible focus, 44×44 px touch
targets on the phones, and measures the bytes a phone receives (test-artifacts/
page-sizes.json; the first visit must stay under 60 KB, htmx included).

Screenshots of the key screens land in test-artifacts/course-*.png (git-ignored), and the
PDF's first pages as course-pdf-page-*.png (pdftoppm, Debian's poppler-utils).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser_support import (
    ARTIFACTS,
    BIG_SCREEN,
    LIVE,
    PHONE,
    Axe,
    ByteMeter,
    assert_not_reloaded,
    danish,
    log_in,
    mark_loaded,
    screens,
    shot,
)
from workshop.catalogue import load_catalogue

pytestmark = pytest.mark.browser

FIRST_VISIT_BUDGET = 60 * 1024

# Eight phones: (browser language, role, unit, name).
PHONES = [
    ("da-DK", "medarbejder", "Team Ledige", "Sara Jensen"),
    ("en-GB", "medarbejder", "Team Ledige", ""),
    ("da-DK", "medarbejder", "Team Sygedagpenge", ""),
    ("en-US", "medarbejder", "Team Sygedagpenge", "Omar"),
    ("da-DK", "medarbejder", "Team Unge", ""),
    ("en-GB", "leder", "Ledelsen", ""),
    ("da-DK", "leder", "Ledelsen", "Lone Holm"),
    ("en-US", "leder", "Ledelsen", ""),
]

ANSWER_DA = "Styring hjælper, når den giver borgeren en klar aftale"
ANSWER_EN = "Governance hinders when the same thing is documented twice"
CARDS = [
    "Vi indkalder alle til jobsamtale hver måned, også når det ikke giver mening",
    "We register the same thing in two IT systems",
    "Borgerne udfylder den samme blanket flere gange",
    "The weekly report to management takes an hour",
    "Lange svartider hos IT-support",  # written while the connection drops
    "Managers never see the notes we write",
    "Vi skriver det samme notat i to systemer",
    "We write the same note in two systems",  # a duplicate of the one above: merged
]
OFFLINE_PHONE = 4
DOUBLE_TAP_PHONE = 2
SOLUTION = "Vi holder jobsamtalen, når borgeren og rådgiveren finder den nyttig, og noterer hvorfor"
WHO_DOES_WHAT = "Sara aftaler forsøget med teamlederen; Lone følger op hver fjortende dag"
MEASURE_WHAT = "Samtaler holdt uden at give mening"
MEASURE_UNIT = "samtaler pr. uge"
LESSON = "Det virker at tage et krav op sammen med ledelsen"
REFLECTION = "Vi tør godt udfordre en regel nu"


def step_badge(app, n: int, lang: str) -> str:
    return (
        danish(app, "Step %(n)s of %(count)s", n=n, count=6) if lang == "da" else f"Step {n} of 6"
    )


def lang_of(locale: str) -> str:
    return locale[:2]


def touch_target_problems(page: Page) -> list[str]:
    """Buttons, choice labels and form fields in <main> smaller than 44×44 CSS pixels."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
            "main button, main a.button, main .choice, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), main textarea, main select, main summary")]
          .filter(el => el.offsetParent !== null)
          .map(el => [el, el.getBoundingClientRect()])
          .filter(([el, box]) => box.width < 44 || box.height < 44)
          .map(([el, box]) => `${el.tagName.toLowerCase()}.${el.className}: ` +
               `${Math.round(box.width)}×${Math.round(box.height)} "${el.textContent.trim().slice(0, 30)}"`)"""
    )


def focus_is_visible(page: Page) -> str | None:
    """None if the focused element shows a focus indicator; else what it is."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return "nothing has focus";
            const style = getComputedStyle(el);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
            const ring = style.boxShadow && style.boxShadow !== "none";
            const box = el.getBoundingClientRect();
            const onScreen = box.width > 0 && box.height > 0 && box.right > 0 &&
                box.bottom > 0 && box.left < innerWidth && box.top < innerHeight;
            if (!onScreen) return `${el.tagName} ${el.className}: focused off screen`;
            return outline || ring ? null : `${el.tagName} ${el.className}: no visible focus`;
        }"""
    )


def tab_to(page: Page, selector: str, limit: int = 200) -> list[str]:
    """Press Tab until `selector` has focus; returns the focus problems met on the way."""
    problems = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        problem = focus_is_visible(page)
        if problem:
            problems.append(problem)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return problems
    pytest.fail(f"Tab never reached {selector}")


def go_to_step(control: Page, number: int) -> None:
    control.locator(f".step-nav .step-button[value='{number}']").click()
    expect(control.locator(f".step-nav .step-button[value='{number}']")).to_have_attribute(
        "aria-current", "step"
    )


def phase(control: Page, state: str) -> None:
    control.locator(f"button[name=state][value={state}]").click()
    expect(control.locator(f"button[name=state][value={state}]")).to_have_count(0)


def vote_item(page: Page, text: str):
    return page.locator("#live .vote-card").filter(has_text=text)


def give(page: Page, text: str) -> None:
    """Tap + on an item; the count shown on it goes up by one."""
    item = vote_item(page, text)
    before = int(item.locator(".my-dots").inner_text())
    item.locator("button.dot-button").last.click()
    expect(item.locator(".my-dots")).to_have_text(str(before + 1))


def test_a_whole_course_in_danish_and_english_on_eight_phones(e2e_server, browser: Browser):
    app, base = e2e_server.app, e2e_server.url
    with app.app_context():
        load_catalogue()
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    axe = Axe()
    sizes: dict[str, object] = {}

    with screens(browser, base) as s:

        def context(**options) -> BrowserContext:
            return s.context(**options)

        # --- the facilitator: login, courses, a new course ------------------------------
        desk = context(viewport={"width": 1280, "height": 800})
        control = s.page(desk, "course-control")
        control.goto("/login")
        axe.check(control, "login")
        log_in(control, base)
        axe.check(control, "facilitator-courses")
        control.goto("/f/courses/new")
        axe.check(control, "course-form")
        form = control.locator("form.wide-form")
        form.locator("#title").fill("Mindre bøvl i Jobcentret")
        form.locator("#municipality").fill("Fjordby Kommune")
        form.locator("#dot_budget").fill("3")
        form.locator("#min_group_size").fill("1")
        form.locator("button[type=submit]").click()
        join_code = control.locator(".join-box .join-code")
        expect(join_code).to_have_text(re.compile(r"^[A-Z0-9]{3} [A-Z0-9]{3}$"))
        code_display = join_code.text_content().strip()  # in the folded "Joining" section
        code = code_display.replace(" ", "")
        href = control.locator("a[href$='/projector']").get_attribute("href")
        course_id = int(re.search(r"/f/courses/(\d+)/projector$", href).group(1))
        panel = f"{base}/f/courses/{course_id}"
        expect(control).to_have_url(panel)
        axe.check(control, "control-step-1")

        # --- keyboard only: from the top of the panel to step 1's button, Enter --------------
        control.goto(panel)
        control.locator("body").focus()
        control.keyboard.press("Tab")  # the first stop: the skip link, shown when focused
        expect(control.locator(".skip-link")).to_be_focused()
        assert focus_is_visible(control) is None, focus_is_visible(control)
        problems = tab_to(control, ".step-nav .step-button[value='1']")
        assert problems == [], problems
        control.keyboard.press("Enter")
        expect(control.locator(".step-nav .step-button[value='1']")).to_have_attribute(
            "aria-current", "step"
        )
        expect(control.locator("#messages .message-error")).to_have_count(0)

        # --- the projector ---------------------------------------------------------------
        projector = s.page(desk, "course-projector")
        projector.set_viewport_size(BIG_SCREEN)
        projector.goto(f"/f/courses/{course_id}/projector")
        expect(projector.locator(".projector-join .join-code")).to_have_text(code_display)
        expect(projector.locator("#projector-live .step-badge")).to_have_text(
            step_badge(app, 1, "da")
        )
        mark_loaded(projector)

        # --- eight phones join: one types the code, the others follow the QR link ---------
        phones: list[Page] = []
        for number, (locale, role, unit, name) in enumerate(PHONES):
            phone_context = context(locale=locale, **PHONE)
            phone = s.page(phone_context, f"course-phone-{number}")
            phones.append(phone)
            meter = ByteMeter(phone) if number == 1 else None
            if number == 0:
                phone.goto("/")
                axe.check(phone, "phone-home")
                phone.locator("#code").press_sequentially(code_display)
                phone.locator("main form button[type=submit]").click()
                expect(phone).to_have_url(f"{base}/j/{code}")
            else:
                phone.goto(f"/j/{code}")
            expect(phone.locator("html")).to_have_attribute("lang", lang_of(locale))
            if number in (0, 5):  # Danish, English (not phone 1: its bytes are measured)
                axe.check(phone, f"phone-join-{lang_of(locale)}")
                assert touch_target_problems(phone) == []
            phone.locator(f"input[name=role][value={role}]").check()
            phone.locator("#unit").fill(unit)
            if name:
                phone.locator("#name").fill(name)
            phone.locator("main form button[type=submit]").click()
            expect(phone).to_have_url(f"{base}/c/{code}")
            expect(phone.locator("#stage .step-badge")).to_have_text(
                step_badge(app, 1, lang_of(locale))
            )
            if meter is not None:
                phone.wait_for_load_state("networkidle")
                sizes["first_visit"] = _sizes(meter)
                meter.reset()
                sizes["meter"] = meter  # measured again at a poll below
        expect(projector.locator("#projector-live .counts")).to_contain_text(
            danish(app, "%(num)s participant", "%(num)s participants", 8), timeout=LIVE
        )

        # --- step 1: dialogue answers, on the big screen ------------------------------------
        for phone, text in ((phones[0], ANSWER_DA), (phones[3], ANSWER_EN)):
            answer_form = phone.locator("#answer-form")
            answer_form.locator("input[name=question]").first.check()
            phone.locator("#answer-text").fill(text)
            answer_form.locator("button[type=submit]").click()
            expect(phone.locator("#answer-form .message-info")).to_be_visible()
            expect(phone.locator("#answer-text")).to_have_value("")
        for phone in (phones[0], phones[3]):
            axe.check(phone, f"phone-step-1-{phone.evaluate('document.documentElement.lang')}")
            assert touch_target_problems(phone) == []
        shot(phones[3], "course-phone-step-1-en")
        answers = projector.locator("#projector-live")
        expect(answers).to_contain_text(ANSWER_DA, timeout=LIVE)
        expect(answers).to_contain_text(ANSWER_EN)
        axe.check(projector, "projector-step-1")
        shot(projector, "course-projector-step-1")

        # A poll after a change: only the fragment travels.
        meter = sizes.pop("meter")
        meter.reset()
        with phones[1].expect_response(
            lambda r: urlsplit(r.url).path == f"/c/{code}/live" and r.status == 200,
            timeout=LIVE,
        ):
            phones[0].locator("#answer-form input[name=question]").first.check()
            phones[0].locator("#answer-text").fill("Endnu et svar")
            phones[0].locator("#answer-form button[type=submit]").click()
        phones[1].wait_for_timeout(300)
        sizes["poll_with_a_change"] = _sizes(meter)
        meter.reset()
        phones[1].wait_for_timeout(4500)  # two polls with nothing new: 304
        sizes["polls_unchanged_4_5_s"] = _sizes(meter)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "page-sizes.json").write_text(json.dumps(sizes, indent=2))

        # --- step 2: every phone writes a card ---------------------------------------------
        go_to_step(control, 2)
        for phone in phones:
            expect(phone.locator("#card-form")).to_be_visible(timeout=LIVE)
        for number, (phone, text) in enumerate(zip(phones, CARDS, strict=True)):
            if number == OFFLINE_PHONE:
                continue
            phone.locator("#card-text").fill(text)
            submit = phone.locator("#card-form button[type=submit]")
            if number == DOUBLE_TAP_PHONE:
                submit.dblclick()
            else:
                submit.click()
            expect(phone.locator("#card-text")).to_have_value("")
            expect(phone.locator("#live .card-list")).to_contain_text(text)

        # The connection drops while a card is sent: the text stays, and goes when it can.
        offline = phones[OFFLINE_PHONE]
        offline.locator("#card-text").fill(CARDS[OFFLINE_PHONE])
        offline.context.set_offline(True)
        offline.locator("#card-form button[type=submit]").click()
        expect(offline.locator("#messages .message-error")).to_be_visible()
        expect(offline.locator("#card-text")).to_have_value(CARDS[OFFLINE_PHONE])
        offline.context.set_offline(False)
        # Sent again on its own once the connection is back.
        expect(offline.locator("#card-text")).to_have_value("", timeout=LIVE * 2)
        expect(offline.locator("#live .card-list")).to_contain_text(CARDS[OFFLINE_PHONE])
        expect(offline.locator("#messages .message-error")).to_have_count(0, timeout=LIVE)

        # A draft survives a reload (kept in the browser until sent).
        draft = "Et udkast, der ikke må gå tabt"
        offline.locator("#card-text").fill(draft)
        offline.reload()
        expect(offline.locator("#card-text")).to_have_value(draft)
        offline.locator("#card-text").fill("")
        offline.locator("#card-text").dispatch_event("input")

        wall = projector.locator("#projector-live .wall-card")
        expect(wall).to_have_count(len(CARDS), timeout=LIVE)  # the double tap made one card
        for text in CARDS:
            expect(projector.locator("#projector-live .wall")).to_contain_text(text)
        assert_not_reloaded(projector)
        # Screen readers hear the new count once, from the page's one live region; the wall
        # itself (replaced at every change) is no live region, so it is not read out whole.
        expect(projector.locator("#announcer")).to_have_text(
            danish(app, "%(num)s card on the wall", "%(num)s cards on the wall", len(CARDS))
        )
        expect(projector.locator("#projector-live [aria-live]")).to_have_count(0)
        axe.check(projector, "projector-step-2-cards")
        shot(projector, "course-projector-step-2-cards")
        for number in (0, 1):
            axe.check(phones[number], f"phone-step-2-cards-{lang_of(PHONES[number][0])}")
            assert touch_target_problems(phones[number]) == []
        shot(phones[1], "course-phone-step-2-cards")
        axe.check(control, "control-step-2")

        # --- merging the duplicate ----------------------------------------------------------
        control.goto(panel)
        control.locator("#control-live .moderation-card").filter(has_text=CARDS[7]).locator(
            "a[href*='/cards/']"
        ).click()
        expect(control.locator("blockquote.card-quote")).to_have_text(CARDS[7])
        axe.check(control, "card-page")
        control.locator("#merge label.choice", has_text=CARDS[6]).locator("input").check()
        control.locator("form[action$='/merge'] button[type=submit]").click()
        expect(control.locator("#messages .message-info")).to_be_visible()
        expect(wall).to_have_count(len(CARDS) - 1, timeout=LIVE)

        # --- the vote, opened with the keyboard alone ------------------------------------------
        control.goto(panel)
        control.locator("body").focus()
        problems = tab_to(control, "button[name=state][value=voting]")
        assert problems == [], problems
        control.keyboard.press("Enter")
        expect(control.locator("button[name=state][value=voting]")).to_have_count(0)
        expect(control.locator("button[name=state][value=revealed]")).to_be_visible()
        for phone in phones:
            expect(phone.locator("#live .vote-card")).to_have_count(len(CARDS) - 1, timeout=LIVE)
        first = phones[0]
        give(first, CARDS[0])
        give(first, CARDS[6])
        give(first, CARDS[1])
        expect(first.locator("#live .dots-left")).to_contain_text("0")
        for button in first.locator("#live .vote-card button.dot-button").all():
            if button.inner_text().strip() == "+":
                expect(button).to_be_disabled()
        axe.check(first, "phone-step-2-voting-da")
        shot(first, "course-phone-step-2-voting")
        for number, phone in enumerate(phones[1:], start=1):
            give(phone, CARDS[0])
            give(phone, CARDS[6 if number % 2 else 3])
        axe.check(phones[1], "phone-step-2-voting-en")
        assert touch_target_problems(phones[1]) == []
        expect(projector.locator("#projector-live .results")).to_have_count(0)
        axe.check(projector, "projector-step-2-voting")
        shot(projector, "course-projector-step-2-voting")

        phase(control, "revealed")
        results = projector.locator("#projector-live .results")
        expect(results).to_be_visible(timeout=LIVE)
        expect(results.locator(".result .result-text").first).to_have_text(CARDS[0])
        axe.check(projector, "projector-step-2-results")
        shot(projector, "course-projector-step-2-results")
        for phone in phones:
            expect(phone.locator("#live .results .result-text").first).to_have_text(
                CARDS[0], timeout=LIVE
            )
        expect(phones[3].locator("#announcer")).to_have_text("The result of the vote is shown.")
        expect(phones[0].locator("#announcer")).to_have_text(
            danish(app, "The result of the vote is shown.")
        )
        axe.check(phones[3], "phone-step-2-results-en")
        shot(phones[3], "course-phone-step-2-results")

        # --- linking the top card to LAB § 31 and prioritising it -----------------------------
        control.goto(panel)
        control.locator("#control-live .moderation-card").filter(has_text=CARDS[0]).locator(
            "a[href*='/cards/']"
        ).click()
        expect(control.locator("blockquote.card-quote")).to_have_text(CARDS[0])
        control.wait_for_load_state("networkidle")  # htmx has taken the new page in hand
        with control.expect_response(lambda r: "q=" in urlsplit(r.url).query):
            control.locator("#catalogue-q").press_sequentially("§ 31")
        requirement = control.locator("#catalogue-results article.requirement").filter(
            has_text="31"
        )
        requirement.first.locator("button").first.click()
        link = control.locator(".link-list .link-item")
        expect(link).to_have_count(1)
        expect(link).to_contain_text("LAB § 31")
        control.locator("input[name=priority][value=prioritised]").check()
        control.locator("#card-save").click()  # one save for all that is typed on the card
        expect(control.locator("main .tag.priority-prioritised")).to_be_visible()
        axe.check(control, "card-page-linked")
        shot(control, "course-control-card-linked")

        # --- step 3: a solution, voted on and chosen --------------------------------------
        control.goto(panel)
        go_to_step(control, 3)
        staff = phones[0]
        solution_form = staff.locator("#solution-form")
        expect(solution_form).to_be_visible(timeout=LIVE)
        expect(solution_form.locator("input[name=card]")).to_be_checked()
        staff.locator("#solution-text").fill(SOLUTION)
        solution_form.locator("input[name=kind]").first.check()
        axe.check(staff, "phone-step-3-da")
        assert touch_target_problems(staff) == []
        shot(staff, "course-phone-step-3")
        solution_form.locator("button[type=submit]").click()
        expect(staff.locator("#solution-text")).to_have_value("")
        expect(projector.locator("#projector-live .wall-card")).to_contain_text(
            SOLUTION, timeout=LIVE
        )
        axe.check(projector, "projector-step-3")
        shot(projector, "course-projector-step-3")
        phase(control, "voting")
        for phone in phones[:3]:
            expect(vote_item(phone, SOLUTION)).to_be_visible(timeout=LIVE)
            give(phone, SOLUTION)
        axe.check(phones[1], "phone-step-3-voting-en")
        phase(control, "revealed")
        listed = control.locator("#control-live li.solution").filter(has_text=SOLUTION)
        solution_id = int(listed.get_attribute("id").removeprefix("solution-"))
        listed.locator(f"#decided-by-{solution_id}").fill("Lone Holm, jobcenterchef")
        listed.locator(".choose-form button[type=submit]").click()
        expect(control.locator(f"#control-live #solution-{solution_id}")).to_have_class(
            re.compile(r"\bis-chosen\b")
        )
        axe.check(control, "control-step-3")
        for phone in phones:
            expect(phone.locator("#live .results .result.is-chosen")).to_contain_text(
                SOLUTION, timeout=LIVE
            )

        # --- step 4: the action's owner and date ---------------------------------------------
        go_to_step(control, 4)
        plan_row = control.locator("#control-live table.action-plan tbody tr")
        expect(plan_row).to_have_count(1)
        action_id = int(plan_row.get_attribute("id").removeprefix("plan-action-"))
        plan_row.locator(f"a[href$='/actions/{action_id}']").click()
        action_form = control.locator("form.action-form")
        action_form.locator("#owner_id").select_option(label=PHONES[0][3])
        action_form.locator("#start_date").fill(today.isoformat())
        action_form.locator("#who_does_what").fill(WHO_DOES_WHAT)
        action_form.locator("button[type=submit]").click()
        expect(control.locator("main .draft-flag")).to_have_count(0)
        axe.check(control, "action-page")
        control.goto(panel)
        expect(plan_row).to_contain_text(PHONES[0][3])
        axe.check(control, "control-step-4")
        expect(projector.locator("#projector-live")).to_contain_text(SOLUTION, timeout=LIVE)
        axe.check(projector, "projector-step-4")
        shot(projector, "course-projector-step-4")
        expect(staff.locator(f"#stage #owner-status-{action_id}")).to_be_visible(timeout=LIVE)
        axe.check(staff, "phone-step-4-owner")
        assert touch_target_problems(staff) == []
        shot(staff, "course-phone-step-4")

        # --- step 5: a measure, and entries from the owner's phone ---------------------------
        go_to_step(control, 5)
        measure_form = control.locator("#measure-form")
        measure_form.locator("#what").fill(MEASURE_WHAT)
        measure_form.locator("#unit").fill(MEASURE_UNIT)
        for field_id, day in (
            ("baseline_from", today - timedelta(days=30)),
            ("baseline_to", today - timedelta(days=16)),
            ("followup_from", today - timedelta(days=7)),
            ("followup_to", today + timedelta(days=7)),
        ):
            measure_form.locator(f"#{field_id}").fill(day.isoformat())
        measure_form.locator("button[type=submit]").click()
        expect(control.locator("#control-live .measure")).to_have_count(1)
        axe.check(control, "control-step-5")
        entry_form = staff.locator("#entry-form")
        expect(entry_form).to_be_visible(timeout=LIVE)
        for day, value in ((today - timedelta(days=20), "8"), (today, "2,5")):
            staff.locator("#entry-date").fill(day.isoformat())
            staff.locator("#entry-value").fill(value)
            entry_form.locator("button[type=submit]").click()
            expect(staff.locator("#entry-value")).to_have_value("")
        expect(staff.locator("#live .entry-list li")).to_have_count(2)
        expect(staff.locator("#live .entry-list li").first).to_contain_text(f"2,5 {MEASURE_UNIT}")
        axe.check(staff, "phone-step-5-da")
        assert touch_target_problems(staff) == []
        shot(staff, "course-phone-step-5")
        # English numbers on an English phone: 2.5, not 2,5.
        expect(phones[1].locator("#live .measure .figures-followup .figure")).to_have_text(
            "2.5", timeout=LIVE
        )
        axe.check(phones[1], "phone-step-5-en")
        effect = projector.locator("#projector-live .effect")
        expect(effect.locator(".figures-followup .figure")).to_have_text("2,5", timeout=LIVE)
        axe.check(projector, "projector-step-5")
        shot(projector, "course-projector-step-5")

        # --- step 6: a lesson on the panel, a reflection from a phone ------------------------
        go_to_step(control, 6)
        lessons = control.locator("#lessons")
        lessons.locator("input[name=kind][value=lesson]").check()
        lessons.locator("#text").fill(LESSON)
        lessons.locator("form button[type=submit]").first.click()
        expect(control.locator("#lessons .lesson-list")).to_contain_text(LESSON)
        axe.check(control, "control-step-6")
        reflect = phones[6]
        answer_form = reflect.locator("#answer-form")
        expect(answer_form).to_be_visible(timeout=LIVE)
        answer_form.locator("input[name=question]").first.check()
        reflect.locator("#answer-text").fill(REFLECTION)
        answer_form.locator("button[type=submit]").click()
        expect(reflect.locator("#answer-text")).to_have_value("")
        axe.check(reflect, "phone-step-6-da")
        shot(reflect, "course-phone-step-6")
        expect(projector.locator("#projector-live")).to_contain_text(LESSON, timeout=LIVE)
        expect(projector.locator("#projector-live")).to_contain_text(REFLECTION, timeout=LIVE)
        assert_not_reloaded(projector)
        axe.check(projector, "projector-step-6")
        shot(projector, "course-projector-step-6")

        # --- the manager: a read-only link, the status page, the PDF ---------------------------
        control.goto(panel)
        control.locator("#manager-links summary").click()  # setup is folded away
        control.locator("#manager-link-label").fill("Jobcenterchefen")
        control.locator("#manager-links form button[type=submit]").last.click()
        link_field = control.locator("#manager-links input.link-field").first
        expect(link_field).to_be_visible()
        manager_url = link_field.input_value()
        manager = s.page(context(viewport={"width": 1280, "height": 800}), "course-manager")
        manager.goto(manager_url)
        expect(manager.locator("main")).to_contain_text(SOLUTION)
        expect(manager.locator("main")).to_contain_text(PHONES[0][3])
        axe.check(manager, "manager-status")
        shot(manager, "course-manager-status")
        with manager.expect_download() as download:
            manager.locator("a[href$='action-plan.pdf']").click()
        pdf = ARTIFACTS / "course-action-plan.pdf"
        download.value.save_as(pdf)
        assert pdf.read_bytes().startswith(b"%PDF")
        _render_pdf_pages(pdf)

        # --- error pages -----------------------------------------------------------------------
        missing = s.page(context(locale="da-DK", **PHONE), "course-error")
        reply = missing.goto("/c/ZZZZZZ")
        assert reply.status in (403, 404)
        axe.check(missing, "phone-error")
        reply = missing.goto("/no-such-page?lang=en")
        assert reply.status == 404
        expect(missing.locator("html")).to_have_attribute("lang", "en")
        axe.check(missing, "error-404-en")
        reply = control.goto(f"/f/courses/{course_id + 1000}")
        assert reply.status == 404
        axe.check(control, "facilitator-error")

        # --- what the phones received ----------------------------------------------------------
        first_visit = sizes["first_visit"]["total_bytes"]
        assert first_visit < FIRST_VISIT_BUDGET, sizes["first_visit"]
        assert sizes["poll_with_a_change"]["total_bytes"] < 8 * 1024, sizes
        unchanged = sizes["polls_unchanged_4_5_s"]
        assert unchanged["requests"] >= 2 and set(unchanged["statuses"]) == {304}, unchanged
        assert unchanged["total_bytes"] < 1024 * unchanged["requests"], unchanged

        for page in [control, projector, *phones]:
            expect(page.locator("#messages .message-error")).to_have_count(0)
        assert s.errors == [], "\n".join(s.errors)
        statuses = [status for _m, _p, status in e2e_server.recorder.seen]
        assert 500 not in statuses
        assert statuses.count(400) == 0  # no CSRF failure anywhere
        assert len(axe.checked) >= 30


def _sizes(meter: ByteMeter) -> dict:
    return {
        "total_bytes": meter.total(),
        "requests": len(meter.received),
        "statuses": sorted({status for _u, status, _b in meter.received}),
        "by_url": [
            {"path": urlsplit(url).path, "status": status, "bytes": size}
            for url, status, size in meter.received
        ],
    }


def _render_pdf_pages(pdf) -> None:
    """The PDF's first two pages as PNG beside it (pdftoppm, from poppler-utils)."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm is missing: install Debian's poppler-utils (.ci/run does)")
    subprocess.run(  # noqa: S603 - a fixed program and our own file names
        [pdftoppm, "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf), str(pdf.with_suffix(""))],
        check=True,
        timeout=60,
    )
    assert list(ARTIFACTS.glob("course-action-plan-*.png"))
