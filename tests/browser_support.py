"""What every browser test shares: the live server, headless Chromium, screens, axe-core.

Loaded as a pytest plugin by tests/conftest.py (`pytest_plugins`), so its fixtures
`e2e_server` (the real app on 127.0.0.1 in a background thread, over its own freshly
migrated database, one per test module) and `browser` (Debian's Chromium, one per test
module) are there for every test module marked `browser`, and its helpers are imported
from here.

Accessibility: `Axe` runs axe-core, the npm package pinned in package-lock.json
(`npm ci`, run by `make test`), inside a page. Its source is evaluated through the
DevTools protocol (as Playwright's `evaluate` is), which the page's Content-Security-Policy
does not govern, so the pages keep the app's strict policy (no context bypasses it, and a
violation by the app still shows) and no request routing is needed (routing would switch
off the HTTP cache, and with it the ETag revalidation of polls and the static files'
caching that the tests measure). A missing node_modules/axe-core fails the test with a
clear message.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask_babel import gettext, ngettext
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import make_server

from app import create_app
from workshop.core.extensions import db
from workshop.facilitators import create_facilitator

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
]

DESK = {"width": 1280, "height": 800}
BIG_SCREEN = {"width": 1920, "height": 1080}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}

EMAIL = "facilitator@example.dk"
PASSWORD = "korrekt hest batteri"

# Live views poll every 2 s: "within ~5 s" leaves room for two polls and a slow machine.
LIVE = 6000


# --- the server -----------------------------------------------------------------------


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
def e2e_server(new_database, request):
    """The real app over real HTTP, with one facilitator (EMAIL, PASSWORD); per module."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": new_database(),
            "SECRET_KEY": f"e2e-{request.module.__name__}",
            "TESTING": False,
        }
    )
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


def pytest_collection_finish(session):
    """Screenshots of an earlier failed run must not pass for this run's (only a run with
    browser tests clears them, so a run without any leaves another run's shots alone)."""
    if any(item.get_closest_marker("browser") for item in session.items):
        for stale in ARTIFACTS.glob("failed-*.png"):
            stale.unlink(missing_ok=True)


# --- helpers --------------------------------------------------------------------------


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


def mark_loaded(page: Page) -> None:
    """Tag the window: a reload (or a full navigation) would lose the tag."""
    page.evaluate("window.e2eNotReloaded = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.e2eNotReloaded === true"), f"{page.url} was reloaded"


def log_in(page: Page, base: str, lang: str = "da") -> None:
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/f/")


CSP_PREFIX = "CSP violation (e2e): "
# The policy's own report names the directive and the element. An empty style attribute is
# not reported: tools that measure the page (axe-core) leave `style=""` on elements, which
# htmx then copies onto their replacements; the app itself never writes a style attribute,
# and any with content would still be reported (tests/test_security_headers.py counts
# every refusal, without tools in the page).
REPORT_CSP_VIOLATIONS = (
    "document.addEventListener('securitypolicyviolation', e => {"
    " const t = e.target && e.target.getAttribute ? e.target : null;"
    " if (e.violatedDirective.startsWith('style-src') && t && t.getAttribute('style') === '')"
    " return;"
    f" console.error('{CSP_PREFIX}' + e.violatedDirective + ' on ' +"
    " (t ? t.outerHTML.slice(0, 160) : e.blockedURI));"
    "})"
)


@dataclass
class Screens:
    """One test's browser contexts and pages, all watched for uncaught script errors and
    for anything the Content-Security-Policy refused."""

    browser: Browser
    base: str
    errors: list[str] = field(default_factory=list)
    pages: dict[str, Page] = field(default_factory=dict)
    contexts: list[BrowserContext] = field(default_factory=list)

    def context(self, locale: str = "da-DK", **options) -> BrowserContext:
        context = self.browser.new_context(base_url=self.base, locale=locale, **options)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return context

    def desk(self, **options) -> BrowserContext:
        return self.context(viewport=DESK, **options)

    def phone(self, locale: str = "da-DK") -> BrowserContext:
        return self.context(locale=locale, **PHONE)

    def page(self, context: BrowserContext, name: str) -> Page:
        page = self.pages[name] = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{name}: {error}"))

        def console(message) -> None:
            if message.text.startswith(CSP_PREFIX):
                self.errors.append(f"{name} ({page.url}): {message.text}")

        page.on("console", console)
        page.add_init_script(REPORT_CSP_VIOLATIONS)
        return page


@contextmanager
def screens(browser: Browser, base: str) -> Iterator[Screens]:
    """Screens for one test; on failure every open page is shot as failed-<name>.png."""
    screens = Screens(browser, base)
    try:
        yield screens
    except BaseException:
        if screens.errors:  # script errors and refusals may explain the failure
            print("Errors in the pages:", *screens.errors, sep="\n  ")
        for name, page in screens.pages.items():
            if not page.is_closed():
                try:
                    shot(page, f"failed-{name}")
                except Exception:  # noqa: S112 - a page that cannot be shot is no reason to hide the failure
                    continue
        raise
    finally:
        for context in screens.contexts:
            context.close()


# --- accessibility: axe-core ------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE_SCRIPT} is missing): run `npm ci` in the "
            "project directory (`make test` does it), with Debian's nodejs and npm installed.",
            pytrace=False,
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


HOLD_POLLS = """() => {
    window.e2eHoldPolls = event => {
        const elt = event.detail && event.detail.elt;
        if (elt && elt.hasAttribute && elt.hasAttribute("data-poll")) event.preventDefault();
    };
    document.addEventListener("htmx:beforeRequest", window.e2eHoldPolls);
}"""
RELEASE_POLLS = """() => document.removeEventListener("htmx:beforeRequest", window.e2eHoldPolls)"""


class Axe:
    """Runs axe-core in pages; keeps every finding for the report in test-artifacts/.

    `check(page, name)` fails on any serious or critical violation; moderate and minor
    ones are written to test-artifacts/axe-report.json for a human to read.
    """

    def __init__(self) -> None:
        self.source = axe_source()
        self.findings: dict[str, list[dict]] = {}
        self.checked: list[str] = []

    def check(self, page: Page, name: str, include: str | None = None) -> None:
        # Polls wait while axe works: it measures elements by setting their style for a
        # moment, and a swap in between would copy that style attribute (which the app's CSP
        # refuses, rightly: the app itself never writes one).
        page.evaluate(HOLD_POLLS)
        for _ in range(50):  # (wait_for_function would need eval, which the CSP forbids)
            if not page.evaluate("!!document.querySelector('.htmx-request, .htmx-settling')"):
                break
            page.wait_for_timeout(100)
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Through the DevTools protocol, as Playwright evaluates: outside the page's CSP.
            page.evaluate(self.source + "\n;0")
        result = page.evaluate(
            """async ([include, tags]) => {
                const context = include ? {include: [include]} : document;
                const found = await axe.run(context, {
                    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
                });
                return found.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(" "),
                                              html: n.html.slice(0, 200),
                                              summary: n.failureSummary})),
                }));
            }""",
            [include, AXE_TAGS],
        )
        # axe-core leaves `style=""` on elements it measured; htmx would copy that attribute
        # onto their replacements at the next swap, which the app's CSP rightly refuses.
        page.evaluate(
            "document.querySelectorAll('[style]').forEach(e => e.removeAttribute('style'))"
        )
        page.evaluate(RELEASE_POLLS)
        self.checked.append(name)
        self.findings[name] = result
        self.write_report()
        serious = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not serious, f"axe-core on {name} ({page.url}):\n" + json.dumps(
            serious, indent=2, ensure_ascii=False
        )

    def write_report(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "axe-report.json").write_text(
            json.dumps(self.findings, indent=2, ensure_ascii=False), encoding="utf-8"
        )


# --- transferred bytes --------------------------------------------------------------------


class ByteMeter:
    """What a page really received over the network (Chrome DevTools Protocol:
    Network.loadingFinished's encodedDataLength: headers and the body as sent,
    compressed if it was), per request."""

    def __init__(self, page: Page) -> None:
        self.session = page.context.new_cdp_session(page)
        self.urls: dict[str, str] = {}
        self.statuses: dict[str, int] = {}
        self.raw_statuses: dict[str, int] = {}
        self.received: list[tuple[str, int, int]] = []  # url, status, bytes
        self.session.on("Network.responseReceived", self._response)
        self.session.on("Network.responseReceivedExtraInfo", self._raw_status)
        self.session.on("Network.loadingFinished", self._finished)
        self.session.send("Network.enable")
        self.session.send("Network.setCacheDisabled", {"cacheDisabled": False})

    def _response(self, event) -> None:
        self.urls[event["requestId"]] = event["response"]["url"]
        self.statuses[event["requestId"]] = event["response"]["status"]

    def _raw_status(self, event) -> None:
        # What the server really sent: a revalidated poll is a 304 here, where
        # responseReceived reports the cached 200 the page gets.
        self.raw_statuses[event["requestId"]] = event["statusCode"]

    def _finished(self, event) -> None:
        request_id = event["requestId"]
        self.received.append(
            (
                self.urls.get(request_id, "?"),
                self.raw_statuses.get(request_id, self.statuses.get(request_id, 0)),
                int(event["encodedDataLength"]),
            )
        )

    def reset(self) -> None:
        self.received.clear()

    def total(self) -> int:
        return sum(size for _url, _status, size in self.received)
