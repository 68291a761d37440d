"""Step 2 end to end in a real headless Chromium: a facilitator, a projector and phones.

The real app runs on 127.0.0.1 in a background thread (the test database, made by the real migrations).

The first test: the facilitator creates a course and moves to step 2; phone A joins by typing
the code, phone B through the QR link; both write cards, which appear on the projector wall
without a reload; both vote with their dots; the facilitator reveals the result, and the
projector and the phones show the cards ranked, staff and managers side by side.

The second test: after the reveal, the facilitator opens a card, finds § 31 in the
requirement catalogue by active search, links the card to it, says the rule is local
practice and prioritises the card; the projector's origin chart, opened before, follows
without a reload, and a phone searches the catalogue and sees the card's new status.

Everything is asserted in Danish. Texts the brief names (buttons, roles, groups) are written
out here; the rest are looked up in the compiled Danish catalogue, and the test refuses to
run on an untranslated string, so an English fallback can never pass for Danish.

The server, the browser and the screen helpers are shared by every browser test
(tests/browser_support.py). Run alone with `pytest tests/test_browser.py -q`; skip with
`-m "not browser"`. Screenshots land in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from tests.browser_support import (
    BIG_SCREEN,
    EMAIL,
    LIVE,
    assert_not_reloaded,
    danish,
    log_in,
    mark_loaded,
    screens,
    shot,
)
from workshop.cards import submit_card, wall_cards
from workshop.catalogue import load_catalogue
from workshop.core.extensions import db
from workshop.core.models import Course
from workshop.courses import create_course, go_to_step
from workshop.facilitators import find_facilitator
from workshop.participants import join
from workshop.votes import cast_vote, set_voting_state

pytestmark = pytest.mark.browser

# The Danish texts the brief asks for by name.
OPEN_VOTE = "Åbn afstemningen"
REVEAL = "Vis resultatet"
ROLE_STAFF = "Medarbejder"
ROLE_MANAGER = "Leder"
GROUP_STAFF = "Medarbejdere"
GROUP_MANAGERS = "Ledere"
EXAMINE = "Undersøg, tilknyt eller flet"
LINK = "Tilknyt kortet"
SAVE_CARD = "Gem kortet"
LOCAL_PRACTICE = "Lokal praksis eller vane"
PRIORITISED = "Prioriteret"
PRIORITISED_HEADING = "Prioriterede udfordringer"
ORIGIN_SUMMARY = (
    "%(local)s of %(total)s cards rest on our own decisions, habits or IT systems; "
    "%(state)s on law or executive orders; %(unknown)s are not examined yet."
)

# The cards: X gets the most dots, Z some, Y none (A takes its dot on Y back).
CARD_X = "Vi registrerer det samme i to IT-systemer"
CARD_Y = "Lange svartider hos IT-support"
CARD_Z = "Krav om at dokumentere hver eneste samtale"
TOO_LONG = ("Vi skal dokumentere alt to gange, og det tager tid fra borgerne. " * 8)[:501]

# The second test: a card that turns out to rest on § 31, and on our own habit.
CARD_31 = "Vi indkalder alle til jobsamtale hver måned, også når det ikke giver mening"
CARD_NOTES = "Vi skriver det samme notat i to systemer"
CARD_FORMS = "Borgerne skal udfylde den samme blanket flere gange"
LINKED_TO = "LAB § 31"
LINKED_VERSION = "Koblet til version 1"


# --- fixtures (the server and the browser: tests/browser_support.py) -----------------


@pytest.fixture
def da(e2e_server):
    """`da(msgid, ...)`: the Danish text the live app renders for a message."""
    return partial(danish, e2e_server.app)


# --- helpers ------------------------------------------------------------------------


def join_as(page: Page, base: str, code: str, role: str, value: str, unit: str) -> None:
    """On the join page: choose the role (label `role`, input value `value`), the unit."""
    page.get_by_label(role, exact=True).check()
    expect(page.locator(f"input[name=role][value={value}]")).to_be_checked()
    page.locator("#unit").fill(unit)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/c/{code}")
    expect(page.locator(".phone-me")).to_have_text(role)


def write_card(page: Page, text: str, thanks: str) -> None:
    """A phone writes a card; the form comes back fresh and the card is in its list."""
    page.locator("#card-text").fill(text)
    page.locator("#card-form button[type=submit]").click()
    expect(page.locator("#card-text")).to_have_value("")  # a fresh form
    expect(page.locator("#card-form .message-info")).to_have_text(thanks)
    expect(page.locator("#card-form .message-error")).to_have_count(0)
    expect(page.locator("#live .card-list")).to_contain_text(text)


def search_catalogue(page: Page, text: str) -> None:
    """Type into the catalogue's active search; the results come as an htmx fragment."""
    with page.expect_response(lambda r: "q=" in urlsplit(r.url).query) as reply:
        page.locator("#catalogue-q").press_sequentially(text)
    request = reply.value.request
    assert request.header_value("hx-request") == "true"
    assert request.header_value("hx-trigger-name") == "q"
    expect(page.locator("#catalogue-q")).to_have_value(text)


def requirement(page: Page, key: str):
    return page.locator(f"#catalogue-results article.requirement[aria-labelledby='req-{key}']")


def vote_card(page: Page, text: str):
    return page.locator(".vote-card").filter(has=page.locator(".vote-text", has_text=text))


def plus(card):
    return card.locator("button.dot-button", has_text="+")


def minus(card):
    return card.locator("button.dot-button", has_text="−")


# --- the test -----------------------------------------------------------------------


def test_step_2_end_to_end_facilitator_projector_and_two_phones(e2e_server, browser: Browser, da):
    base = e2e_server.url
    dots_left = lambda n: da("You have %(num)s dot left", "You have %(num)s dots left", n)  # noqa: E731

    with screens(browser, base) as s:
        # --- the facilitator logs in and creates a course ---------------------------
        desk = s.desk()
        control = s.page(desk, "control")
        log_in(control, base)

        control.goto("/f/courses/new")
        form = control.locator("form.wide-form")
        form.locator("#title").fill("Mindre bøvl i Jobcentret")
        form.locator("#municipality").fill("Fjordby Kommune")
        form.locator("#dot_budget").fill("3")
        form.locator("#min_group_size").fill("1")  # one staff member and one manager
        form.locator("button[type=submit]").click()

        # The control panel (boosted: the body is swapped, the URL follows the redirect).
        join_code = control.locator(".join-box .join-code")
        expect(join_code).to_have_text(re.compile(r"^[A-Z0-9]{3} [A-Z0-9]{3}$"))
        code_display = join_code.text_content().strip()  # in the folded "Joining" section
        code = code_display.replace(" ", "")
        projector_href = control.locator("a[href$='/projector']").get_attribute("href")
        course_id = int(re.search(r"/f/courses/(\d+)/projector$", projector_href).group(1))
        expect(control).to_have_url(f"{base}/f/courses/{course_id}")

        # To step 2 with the step buttons.
        control.locator(".step-nav .step-button[value='2']").click()
        expect(control.locator(".step-nav .step-button[value='2']")).to_have_attribute(
            "aria-current", "step"
        )
        expect(control.locator(".control-step .eyebrow")).to_have_text(
            da("Step %(n)s of %(count)s", n=2, count=6)
        )
        open_vote = control.locator("button[name=state][value=voting]")
        expect(open_vote).to_have_text(OPEN_VOTE)

        # The projector, in a second page of the same context.
        projector = s.page(desk, "projector")
        projector.goto(f"/f/courses/{course_id}/projector")
        expect(projector.locator(".projector-join .join-code")).to_have_text(code_display)
        expect(projector.locator("#projector-live .step-badge")).to_have_text(
            da("Step %(n)s of %(count)s", n=2, count=6)
        )

        # --- two phones join ---------------------------------------------------------
        a = s.page(s.phone(), "phone-a")
        b = s.page(s.phone(), "phone-b")

        # Phone A types the code as shown on the big screen, space and all.
        a.goto("/")
        a.locator("#code").press_sequentially(code_display)
        a.locator("main form button[type=submit]").click()
        expect(a).to_have_url(f"{base}/j/{code}")
        join_as(a, base, code, ROLE_STAFF, "medarbejder", "Team Ledige")

        # Phone B follows the QR code's link.
        b.goto(f"/j/{code}")
        join_as(b, base, code, ROLE_MANAGER, "leder", "Ledelsen")

        for page in (a, b):
            expect(page.locator("#stage .step-badge")).to_have_text(
                da("Step %(n)s of %(count)s", n=2, count=6)
            )
            expect(page.locator("#card-form")).to_be_visible()
        expect(projector.locator("#projector-live .counts")).to_contain_text(
            da("%(num)s participant", "%(num)s participants", 2), timeout=LIVE
        )

        # --- cards -------------------------------------------------------------------
        wall = projector.locator("#projector-live .wall")
        thanks = da("Thank you. Your card is on the wall.")

        # An empty card is refused in Danish, beside the form; nothing else breaks.
        a.locator("#card-form button[type=submit]").click()
        expect(a.locator("#card-form .message-error")).to_have_text(da("Write something first."))
        expect(a.locator("#card-text")).to_have_attribute("aria-invalid", "true")
        expect(a.locator("#card-text")).to_be_editable()
        expect(a.locator("#card-form button[type=submit]")).to_be_enabled()

        def send_card(page: Page, text: str) -> None:
            write_card(page, text, thanks)
            # On the big screen without a reload, by the projector's own polling.
            expect(wall).to_contain_text(text, timeout=LIVE)

        send_card(a, CARD_X)
        send_card(b, CARD_Z)
        send_card(a, CARD_Y)
        shot(a, "phone-collect")

        # Over 500 characters: refused with a message, and the text stays to be shortened.
        assert len(TOO_LONG) == 501 and TOO_LONG.strip() == TOO_LONG
        a.locator("#card-text").fill(TOO_LONG)
        a.locator("#card-form button[type=submit]").click()
        expect(a.locator("#card-form .message-error")).to_have_text(
            da(
                "That is %(length)s characters; at most %(max)s fit. Shorten it a little.",
                length=501,
                max=500,
            )
        )
        expect(a.locator("#card-text")).to_have_value(TOO_LONG)
        expect(a.locator("#card-hint")).to_have_class(re.compile(r"\bfield-error\b"))

        expect(wall.locator(".wall-card")).to_have_count(3, timeout=LIVE)
        expect(projector.locator("#projector-live .projector-lead")).to_have_text(
            da("%(num)s card on the wall", "%(num)s cards on the wall", 3)
        )
        for page in (a, b):
            expect(page.locator("#messages .message-error")).to_have_count(0)

        # --- nothing changes: the polls are answered 304 -----------------------------
        # The page's script sends each region's last ETag as If-None-Match (static/app.js);
        # the server answers 304 and the script keeps the region as it is. The request
        # shows the revalidation (If-None-Match = the current ETag), the server's own
        # record shows the 304.
        def poll_is_revalidated(page: Page, live_path: str) -> None:
            def is_poll(response: Response) -> bool:
                return urlsplit(response.url).path == live_path

            for _attempt in range(3):  # the first poll may still fetch the last change
                poll = page.wait_for_event("response", is_poll, timeout=LIVE)
                etag = poll.header_value("etag")
                assert etag, "a polled fragment has an ETag"
                if poll.request.header_value("if-none-match") == etag:
                    break
            else:
                pytest.fail(f"the browser never revalidated {live_path} with its ETag")
            assert 304 in e2e_server.recorder.statuses(rf"^{re.escape(live_path)}$")

        poll_is_revalidated(projector, f"/f/courses/{course_id}/projector/live")
        poll_is_revalidated(b, f"/c/{code}/live")
        poll_is_revalidated(control, f"/f/courses/{course_id}/live")
        # ... and a revalidated poll leaves the fragment as it was (not blanked).
        expect(wall.locator(".wall-card")).to_have_count(3)
        expect(b.locator("#live .card-list")).to_contain_text(CARD_Z)

        # The same check by hand: the ETag of a fresh reply, sent back, gives 304.
        projector_live = f"{base}/f/courses/{course_id}/projector/live"
        first = desk.request.get(projector_live, headers={"HX-Request": "true"})
        assert first.status == 200 and first.headers.get("etag")
        again = desk.request.get(
            projector_live, headers={"HX-Request": "true", "If-None-Match": first.headers["etag"]}
        )
        assert again.status == 304

        # --- the vote opens; the phones follow without a reload ------------------------
        open_vote.click()
        expect(control.locator("button[name=state][value=revealed]")).to_have_text(REVEAL)
        for page in (a, b):
            expect(page.locator("#live .vote-list")).to_be_visible(timeout=LIVE)
            expect(page.locator("#card-form")).to_have_count(0)
            expect(page.locator("#live .vote-card")).to_have_count(3)
            expect(page.locator("#live .dots-left")).to_have_text(dots_left(3))
        expect(projector.locator("#projector-live .projector-lead")).to_have_text(
            da("Vote on your phone"), timeout=LIVE
        )
        expect(projector.locator(".results")).to_have_count(0)

        def give(page: Page, text: str, mine: int, left: int) -> None:
            card = vote_card(page, text)
            plus(card).click()
            expect(card.locator(".my-dots")).to_have_text(str(mine))
            expect(page.locator("#live .dots-left")).to_have_text(dots_left(left))

        def take_back(page: Page, text: str, mine: int, left: int) -> None:
            card = vote_card(page, text)
            minus(card).click()
            expect(card.locator(".my-dots")).to_have_text(str(mine))
            expect(page.locator("#live .dots-left")).to_have_text(dots_left(left))

        # Phone A spends all 3 dots: 2 on X, 1 on Y.
        give(a, CARD_X, 1, 2)
        expect(a.locator("#live .dots-left")).to_contain_text("prikker")
        give(a, CARD_X, 2, 1)
        give(a, CARD_Y, 1, 0)
        expect(a.locator("#live .dots-left")).to_contain_text("0 prikker")
        # No dots left: every + is disabled, every card with a dot can give it back.
        a_plus = a.locator("#live .vote-list button.dot-button", has_text="+")
        expect(a_plus).to_have_count(3)
        for button in a_plus.all():
            expect(button).to_be_disabled()
        expect(minus(vote_card(a, CARD_X))).to_be_enabled()
        expect(minus(vote_card(a, CARD_Z))).to_be_disabled()
        shot(a, "phone-voting")

        # A stale page that still offers + is refused by the server, in Danish.
        plus(vote_card(a, CARD_Z)).evaluate(
            "button => { button.disabled = false; button.click(); }"
        )
        expect(a.locator("#live .message-error")).to_have_text(
            da("You have used all %(budget)s dots. Take one back first.", budget=3)
        )
        expect(vote_card(a, CARD_Z).locator(".my-dots")).to_have_text("0")
        expect(a.locator("#live .dots-left")).to_have_text(dots_left(0))

        # Taking a dot back frees it again.
        take_back(a, CARD_Y, 0, 1)
        expect(plus(vote_card(a, CARD_Z))).to_be_enabled()
        give(a, CARD_X, 3, 0)

        # Phone B: 2 on Z, 1 on X.
        give(b, CARD_Z, 1, 2)
        give(b, CARD_Z, 2, 1)
        give(b, CARD_X, 1, 0)

        # The big screen shows progress, never where the dots went.
        expect(projector.locator("#projector-live .progress-line")).to_have_text(
            da(
                "%(voters)s of %(people)s have voted · %(dots)s of %(possible)s dots placed",
                voters=2,
                people=2,
                dots=6,
                possible=6,
            ),
            timeout=LIVE,
        )
        expect(projector.locator(".results")).to_have_count(0)

        # --- reveal --------------------------------------------------------------------
        reveal = control.locator("button[name=state][value=revealed]")
        expect(reveal).to_have_text(REVEAL)
        reveal.click()
        expect(control.locator("button[name=state][value=revealed]")).to_have_count(0)

        results = projector.locator("#projector-live .results")
        expect(results).to_be_visible(timeout=LIVE)
        expect(results.locator(".result .result-text")).to_have_text([CARD_X, CARD_Z, CARD_Y])
        dots = lambda n: da("%(num)s dot", "%(num)s dots", n)  # noqa: E731
        expect(results.locator(".result .result-total")).to_have_text([dots(4), dots(2), dots(0)])
        top = results.locator(".result").first
        expect(top.locator(".result-group dt")).to_have_text([GROUP_STAFF, GROUP_MANAGERS])
        expect(top.locator(".result-group dd")).to_have_text(["3", "1"])
        expect(results.locator(".result").nth(1).locator(".result-group dd")).to_have_text(
            ["0", "2"]
        )
        shot(projector, "projector-revealed")

        for page in (a, b):
            phone_results = page.locator("#live .results")
            expect(phone_results).to_be_visible(timeout=LIVE)
            expect(phone_results.locator(".result-text")).to_have_text([CARD_X, CARD_Z, CARD_Y])
            expect(page.locator("#live .vote-list")).to_have_count(0)
        shot(b, "phone-revealed")

        expect(control.locator("#control-live .results .result-text").first).to_have_text(
            CARD_X, timeout=LIVE
        )
        shot(control, "control-panel")

        for page in (a, b):
            expect(page.locator("#messages .message-error")).to_have_count(0)
        assert s.errors == []
        assert 500 not in [status for _m, _p, status in e2e_server.recorder.seen]


def test_step_2_facilitator_links_a_card_to_section_31_and_the_origin_chart_follows(
    e2e_server, browser: Browser, da
):
    app, base = e2e_server.app, e2e_server.url
    with app.app_context():
        load_catalogue()  # idempotent: entries already loaded keep their version
    with app.test_request_context():
        course = create_course(
            find_facilitator(EMAIL),
            title="Samtaler med mening",
            municipality="Fjordby Kommune",
            dot_budget=3,
            min_group_size=1,
        )
        go_to_step(course, 2)
        course_id, code = course.id, course.join_code

    with screens(browser, base) as s:
        # --- a phone writes the card; colleagues' cards and dots by domain calls -----
        phone = s.page(s.phone(), "catalogue-phone")
        phone.goto(f"/j/{code}")
        join_as(phone, base, code, ROLE_STAFF, "medarbejder", "Team Ledige")
        write_card(phone, CARD_31, da("Thank you. Your card is on the wall."))

        with app.test_request_context():
            course = db.session.get(Course, course_id)
            colleague = join(course, "medarbejder", "Team Sygedagpenge")
            manager = join(course, "leder", "Ledelsen")
            submit_card(colleague, CARD_NOTES, client_token="origin-notes")
            submit_card(manager, CARD_FORMS, client_token="origin-forms")
            set_voting_state(course, "voting")  # collect -> revealed directly is refused
            cards = {card.text: card for card in wall_cards(course)}
            for participant, text, dots in (
                (colleague, CARD_31, 2),
                (colleague, CARD_NOTES, 1),
                (manager, CARD_31, 1),
                (manager, CARD_FORMS, 2),
            ):
                cast_vote(participant, cards[text], dots)
            set_voting_state(course, "revealed")
            card_id = cards[CARD_31].id
        total = len(cards)

        # --- the projector, opened before anything is examined --------------------------
        desk = s.desk()
        control = s.page(desk, "examine-control")
        log_in(control, base)
        projector = s.page(desk, "origin-projector")
        projector.set_viewport_size(BIG_SCREEN)
        projector.goto(f"/f/courses/{course_id}/projector")
        summary = projector.locator("#projector-live .origin-summary")
        expect(summary).to_have_text(
            da(ORIGIN_SUMMARY, local=0, total=total, state=0, unknown=total)
        )
        local_row = projector.locator("#projector-live .origin-table tr.origin-local_practice")
        expect(local_row.locator("th")).to_have_text(LOCAL_PRACTICE)
        expect(local_row.locator(".origin-number:not(.group-number)")).to_have_text(
            ["0", "0"]
        )  # cards, dots
        expect(projector.locator("#projector-live .prioritised")).to_have_count(0)
        mark_loaded(projector)

        # --- the phone looks a rule up in the catalogue: active search, no reload --------
        phone.get_by_role("link", name=da("Look up a rule in the requirement catalogue")).click()
        expect(phone).to_have_url(f"{base}/c/{code}/catalogue")
        expect(requirement(phone, "R01")).to_be_visible()  # no query yet: the whole catalogue
        mark_loaded(phone)
        search_catalogue(phone, "selvbooking")
        expect(requirement(phone, "R10")).to_be_visible()
        expect(requirement(phone, "R01")).to_have_count(0)
        expect(requirement(phone, "R12")).to_have_count(0)
        expect(requirement(phone, "R10").locator("button")).to_have_count(0)  # read-only
        expect(phone).to_have_url(f"{base}/c/{code}/catalogue")
        assert_not_reloaded(phone)
        phone.locator(".phone-header a.phone-course").click()
        expect(phone).to_have_url(f"{base}/c/{code}")
        phone_result = phone.locator("#live .result").filter(has_text=CARD_31)
        expect(phone_result).to_be_visible()
        expect(phone_result.locator(".tag")).to_have_count(0)  # no status decided yet

        # --- the facilitator opens the card from the control panel ------------------------
        control.goto(f"/f/courses/{course_id}")
        control.locator("#control-live .moderation-card").filter(has_text=CARD_31).locator(
            "a", has_text=EXAMINE
        ).click()
        card_url = f"{base}/f/courses/{course_id}/cards/{card_id}"
        expect(control).to_have_url(card_url)
        expect(control.locator("blockquote.card-quote")).to_have_text(CARD_31)
        expect(control.locator(".link-list")).to_have_count(0)
        # No query yet: no catalogue under the card until the facilitator searches.
        expect(control.locator("#catalogue-results article.requirement")).to_have_count(0)

        # § 31 by active search: the results change in place.
        mark_loaded(control)
        search_catalogue(control, "§ 31")
        expect(requirement(control, "R05")).to_be_visible()
        expect(requirement(control, "R06")).to_be_visible()
        expect(requirement(control, "R12")).to_have_count(0)
        expect(control).to_have_url(card_url)
        assert_not_reloaded(control)

        requirement(control, "R06").locator("button", has_text=LINK).click()
        expect(control.locator("#messages")).to_contain_text(
            # By the rule's paragraph and name, not its key in the database (R06).
            da("The card is linked to %(requirement)s.", requirement="LAB § 31, stk. 3").rstrip(".")
        )
        # After linking, the page keeps the search, and R06 is marked as linked.
        expect(control).to_have_url(f"{card_url}?q=%C2%A7+31")
        expect(requirement(control, "R06").locator("button", has_text=LINK)).to_have_count(0)
        expect(requirement(control, "R05").locator("button", has_text=LINK)).to_be_visible()
        link = control.locator(".link-list .link-item")
        expect(link).to_have_count(1)
        expect(link).to_contain_text(LINKED_TO)
        expect(link).to_contain_text(LINKED_VERSION)
        shot(control, "card-linked")

        # Where the rule comes from: our own habit. Then: prioritised.
        control.locator("#origin").select_option("local_practice")
        expect(control.locator("#origin option:checked")).to_have_text(LOCAL_PRACTICE)
        control.get_by_role("button", name=SAVE_CARD, exact=True).click()
        expect(control.locator("#messages")).to_contain_text(da("The card has been saved."))
        expect(control.locator("#origin")).to_have_value("local_practice")
        control.get_by_label(PRIORITISED, exact=True).check()
        control.get_by_role("button", name=SAVE_CARD, exact=True).click()
        expect(control.locator("#messages")).to_contain_text(da("The card has been saved."))
        expect(control.locator("input[name=priority][value=prioritised]")).to_be_checked()
        expect(control.locator("main .tag.priority-prioritised")).to_have_text(PRIORITISED)

        # --- the projector follows by its own polling ---------------------------------
        expect(local_row.locator(".origin-number:not(.group-number)")).to_have_text(
            ["1", "3"], timeout=LIVE
        )
        expect(summary).to_have_text(
            da(ORIGIN_SUMMARY, local=1, total=total, state=0, unknown=total - 1), timeout=LIVE
        )
        unknown_row = projector.locator("#projector-live .origin-table tr.origin-unknown")
        expect(unknown_row.locator(".origin-number:not(.group-number)")).to_have_text(
            [str(total - 1), "3"]
        )
        prioritised = projector.locator("#projector-live .prioritised")
        expect(prioritised.locator("h2")).to_have_text(PRIORITISED_HEADING, timeout=LIVE)
        top = prioritised.locator(".top-list li")
        expect(top).to_have_count(1)
        expect(top).to_contain_text(CARD_31)
        expect(top.locator(".tag")).to_contain_text(LINKED_TO)
        assert_not_reloaded(projector)
        shot(projector, "projector-origins")

        # --- and the phone shows the card's status ------------------------------------
        expect(phone_result.locator(".tag.priority-prioritised")).to_have_text(
            PRIORITISED, timeout=LIVE
        )

        for page in (phone, control, projector):
            expect(page.locator("#messages .message-error")).to_have_count(0)
        assert s.errors == []
        assert 500 not in [status for _m, _p, status in e2e_server.recorder.seen]
