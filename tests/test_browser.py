"""Step 2 end to end in a real headless Chromium: a facilitator, a projector and two phones.

The real app runs on 127.0.0.1 in a background thread (SQLite made by the real migrations).
The facilitator creates a course and moves to step 2; phone A joins by typing the code,
phone B through the QR link; both write cards, which appear on the projector wall without
a reload; both vote with their dots; the facilitator reveals the result, and the projector
and the phones show the cards ranked, staff and managers side by side.

Everything is asserted in Danish. Texts the brief names (buttons, roles, groups) are written
out here; the rest are looked up in the compiled Danish catalogue, and the test refuses to
run on an untranslated string, so an English fallback can never pass for Danish.

Run alone with `pytest tests/test_browser.py -q`; skip with `-m "not browser"`.
Screenshots land in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask_babel import gettext, ngettext
from flask_migrate import upgrade
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect, sync_playwright
from werkzeug.serving import make_server

from app import create_app
from workshop.extensions import db
from workshop.facilitators import create_facilitator

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

EMAIL = "facilitator@example.dk"
PASSWORD = "korrekt hest batteri"

# Live views poll every 2 s: "within ~5 s" leaves room for two polls and a slow machine.
LIVE = 6000

# The Danish texts the brief asks for by name.
OPEN_VOTE = "Åbn afstemningen"
REVEAL = "Vis resultatet"
ROLE_STAFF = "Medarbejder"
ROLE_MANAGER = "Leder"
GROUP_STAFF = "Medarbejdere"
GROUP_MANAGERS = "Ledere"

# The cards: X gets the most dots, Z some, Y none (A takes its dot on Y back).
CARD_X = "Vi registrerer det samme i to IT-systemer"
CARD_Y = "Lange svartider hos IT-support"
CARD_Z = "Krav om at dokumentere hver eneste samtale"
TOO_LONG = ("Vi skal dokumentere alt to gange, og det tager tid fra borgerne. " * 8)[:501]


# --- the server ---------------------------------------------------------------------


class StatusRecorder:
    """WSGI middleware: the status the server really sent for each request."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.seen: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        def recording_start_response(status, headers, exc_info=None):
            with self._lock:
                self.seen.append(
                    (environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), int(status[:3]))
                )
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, recording_start_response)

    def statuses(self, path_pattern: str) -> list[int]:
        pattern = re.compile(path_pattern)
        with self._lock:
            return [status for _m, path, status in self.seen if pattern.search(path)]


@dataclass
class LiveServer:
    app: object
    url: str
    recorder: StatusRecorder


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("e2e")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/e2e.db",
            "SECRET_KEY": "e2e",
            "TESTING": False,
        }
    )
    with app.app_context():
        upgrade()
    with app.test_request_context():
        create_facilitator(EMAIL, PASSWORD, "Fie Facilitator")
    recorder = StatusRecorder(app.wsgi_app)
    app.wsgi_app = recorder
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", recorder)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


# --- helpers ------------------------------------------------------------------------


def danish(app, msgid: str, plural: str | None = None, num: int | None = None, **values) -> str:
    """The Danish text the app renders for a message; fails if it is not translated yet."""
    with app.test_request_context("/", headers={"Accept-Language": "da-DK"}):
        if plural is None:
            text = gettext(msgid, **values)
            english = msgid % values if values else msgid
        else:
            text = ngettext(msgid, plural, num, **values)
            english = (msgid if num == 1 else plural) % {"num": num, **values}
    assert text != english, f"not translated into Danish yet: {msgid!r}"
    return text


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@dataclass
class Watch:
    """Uncaught script errors on any page."""

    errors: list[str] = field(default_factory=list)

    def page(self, page: Page, name: str) -> Page:
        page.on("pageerror", lambda error: self.errors.append(f"{name}: {error}"))
        return page


def vote_card(page: Page, text: str):
    return page.locator(".vote-card").filter(has=page.locator(".vote-text", has_text=text))


def plus(card):
    return card.locator("button.dot-button", has_text="+")


def minus(card):
    return card.locator("button.dot-button", has_text="−")


# --- the test -----------------------------------------------------------------------


def test_step_2_end_to_end_facilitator_projector_and_two_phones(live_server, browser: Browser):
    app, base = live_server.app, live_server.url
    da = lambda *args, **kwargs: danish(app, *args, **kwargs)  # noqa: E731
    dots_left = lambda n: da("You have %(num)s dot left", "You have %(num)s dots left", n)  # noqa: E731
    watch = Watch()
    contexts: list[BrowserContext] = []
    pages: dict[str, Page] = {}
    for stale in ARTIFACTS.glob("failed-*.png"):
        stale.unlink()

    def new_context(**options) -> BrowserContext:
        context = browser.new_context(base_url=base, locale="da-DK", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    try:
        # --- the facilitator logs in and creates a course ---------------------------
        desk = new_context(viewport={"width": 1280, "height": 800})
        control = pages["control"] = watch.page(desk.new_page(), "control")
        control.goto("/login")
        expect(control.locator("html")).to_have_attribute("lang", "da")
        control.locator("#email").fill(EMAIL)
        control.locator("#password").fill(PASSWORD)
        control.locator("main form button[type=submit]").click()
        expect(control).to_have_url(f"{base}/f/")

        control.goto("/f/courses/new")
        form = control.locator("form.wide-form")
        form.locator("#title").fill("Mindre bøvl i Jobcentret")
        form.locator("#municipality").fill("Holbæk Kommune")
        form.locator("#dot_budget").fill("3")
        form.locator("#min_group_size").fill("1")  # one staff member and one manager
        form.locator("button[type=submit]").click()

        # The control panel (boosted: the body is swapped, the URL follows the redirect).
        join_code = control.locator(".join-box .join-code")
        expect(join_code).to_have_text(re.compile(r"^[A-Z0-9]{3} [A-Z0-9]{3}$"))
        code_display = join_code.inner_text().strip()
        code = code_display.replace(" ", "")
        projector_href = control.locator("a[href$='/projector']").get_attribute("href")
        course_id = int(re.search(r"/f/courses/(\d+)/projector$", projector_href).group(1))
        expect(control).to_have_url(f"{base}/f/courses/{course_id}")

        # To step 2 with the step buttons.
        control.locator(".step-nav .step-button[value='2']").click()
        expect(control.locator(".step-nav .step-button[value='2']")).to_have_attribute(
            "aria-current", "step"
        )
        expect(control.locator(".control-step .eyebrow")).to_have_text(da("Step %(n)s of 6", n=2))
        open_vote = control.locator("button[name=state][value=voting]")
        expect(open_vote).to_have_text(OPEN_VOTE)

        # The projector, in a second page of the same context.
        projector = pages["projector"] = watch.page(desk.new_page(), "projector")
        projector.goto(f"/f/courses/{course_id}/projector")
        expect(projector.locator(".projector-join .join-code")).to_have_text(code_display)
        expect(projector.locator("#projector-live .step-badge")).to_have_text(
            da("Step %(n)s of 6", n=2)
        )

        # --- two phones join ---------------------------------------------------------
        phone = {
            "viewport": {"width": 360, "height": 740},
            "is_mobile": True,
            "has_touch": True,
        }
        a = pages["phone-a"] = watch.page(new_context(**phone).new_page(), "phone-a")
        b = pages["phone-b"] = watch.page(new_context(**phone).new_page(), "phone-b")

        # Phone A types the code as shown on the big screen, space and all.
        a.goto("/")
        a.locator("#code").press_sequentially(code_display)
        a.locator("main form button[type=submit]").click()
        expect(a).to_have_url(f"{base}/j/{code}")
        a.get_by_label(ROLE_STAFF, exact=True).check()
        expect(a.locator("input[name=role][value=medarbejder]")).to_be_checked()
        a.locator("#unit").fill("Team Ledige")
        a.locator("main form button[type=submit]").click()
        expect(a).to_have_url(f"{base}/c/{code}")
        expect(a.locator(".phone-me")).to_have_text(ROLE_STAFF)

        # Phone B follows the QR code's link.
        b.goto(f"/j/{code}")
        b.get_by_label(ROLE_MANAGER, exact=True).check()
        expect(b.locator("input[name=role][value=leder]")).to_be_checked()
        b.locator("#unit").fill("Ledelsen")
        b.locator("main form button[type=submit]").click()
        expect(b).to_have_url(f"{base}/c/{code}")
        expect(b.locator(".phone-me")).to_have_text(ROLE_MANAGER)

        for page in (a, b):
            expect(page.locator("#stage .step-badge")).to_have_text(da("Step %(n)s of 6", n=2))
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
            page.locator("#card-text").fill(text)
            page.locator("#card-form button[type=submit]").click()
            expect(page.locator("#card-text")).to_have_value("")  # a fresh form
            expect(page.locator("#card-form .message-info")).to_have_text(thanks)
            expect(page.locator("#card-form .message-error")).to_have_count(0)
            expect(page.locator("#live .card-list")).to_contain_text(text)
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
        # Chromium revalidates its cached fragment with If-None-Match by itself; the server
        # answers 304 and the page (htmx, and Playwright too) sees the cached 200. So the
        # request shows the revalidation (If-None-Match = the current ETag), the server's
        # own record shows the 304.
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
            assert 304 in live_server.recorder.statuses(rf"^{re.escape(live_path)}$")

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
        assert watch.errors == []
        assert 500 not in [status for _m, _p, status in live_server.recorder.seen]
    except BaseException:
        for name, page in pages.items():
            if not page.is_closed():
                shot(page, f"failed-{name}")
        raise
    finally:
        for context in contexts:
            context.close()
