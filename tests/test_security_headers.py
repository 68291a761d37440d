"""Security headers on every response, cookie flags, and the pages working in Chromium
under the Content-Security-Policy without a single violation."""

from __future__ import annotations

import re
import threading

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from workshop.cards import submit_card
from workshop.core.extensions import db
from workshop.core.models import Course
from workshop.manager_links import create_manager_link
from workshop.web.headers import CONTENT_SECURITY_POLICY

EXPECTED = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


@pytest.fixture
def course(app, make):
    with app.app_context():
        course = make.course(step=2)
        anne = make.participant(course, name="Anne")
        make.card(anne, "Dobbeltregistrering")
        return {"id": course.id, "code": course.join_code}


def assert_security_headers(response, referrer="strict-origin-when-cross-origin"):
    for name, value in {**EXPECTED, "Referrer-Policy": referrer}.items():
        assert response.headers.get(name) == value, name
    assert "Strict-Transport-Security" not in response.headers


def test_the_policy_is_the_one_documented():
    assert EXPECTED["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_html_pages_fragments_and_errors_carry_the_headers(client, auth, course):
    assert_security_headers(client.get("/"))
    assert_security_headers(client.get("/j/QQQ999"))  # a 404 page
    static = client.get("/static/app.css")
    assert_security_headers(static)
    static.close()
    phone = client.application.test_client()
    phone.post(f"/j/{course['code']}", data={"role": "medarbejder"})
    poll = phone.get(f"/c/{course['code']}/live", headers={"HX-Request": "true"})
    assert_security_headers(poll)
    unchanged = phone.get(
        f"/c/{course['code']}/live",
        headers={"HX-Request": "true", "If-None-Match": poll.headers["ETag"]},
    )
    assert unchanged.status_code == 304
    assert_security_headers(unchanged)
    auth.login()
    assert_security_headers(client.get(f"/f/courses/{course['id']}"))


def test_json_csv_and_pdf_downloads_carry_the_headers(client, auth, course):
    auth.login()
    for path, kind in (
        (f"/f/courses/{course['id']}/export/course.json", "application/json"),
        (f"/f/courses/{course['id']}/export/cards.csv", "text/csv"),
        (f"/f/courses/{course['id']}/action-plan.pdf", "application/pdf"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == kind
        assert_security_headers(response)


def test_manager_links_keep_their_stricter_referrer_policy(app, client, course):
    with app.app_context():
        token = create_manager_link(db.session.get(Course, course["id"])).token
    assert_security_headers(client.get(f"/m/{token}"), referrer="no-referrer")
    assert_security_headers(client.get(f"/m/{token}/action-plan.pdf"), referrer="no-referrer")


def test_no_template_has_an_inline_style_or_script(app):
    """What the policy forbids must not be in a template (the PDF's are rendered server-side)."""
    offending = []
    for name in app.jinja_env.list_templates(extensions=["html"]):
        if name.startswith(("report/", "mail/")):
            # WeasyPrint renders report/ to PDF; mail/ goes to mail programs, which want
            # inline styles: no browser applies the page's policy to either.
            continue
        source = app.jinja_env.loader.get_source(app.jinja_env, name)[0]
        source = re.sub(r"{#.*?#}", "", source, flags=re.S)  # comments may name them
        if re.search(r"\sstyle\s*=|<style|\son[a-z]+\s*=|hx-on|[\"']js:|javascript:", source):
            offending.append(name)
        for script in re.findall(r"<script[^>]*>", source):
            if "src=" not in script:
                offending.append(name)
    assert offending == []


# --- cookies ------------------------------------------------------------------------


def _cookie_header(response, name):
    return next(
        header for header in response.headers.getlist("Set-Cookie") if header.startswith(f"{name}=")
    )


def test_session_and_remember_cookies_are_httponly_and_samesite_lax(client, auth, course):
    joined = client.post(f"/j/{course['code']}", data={"role": "medarbejder"})
    session_cookie = _cookie_header(joined, "session")
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie  # plain HTTP on a laptop must keep working
    logged_in = auth.login()
    remember = _cookie_header(logged_in, "remember_token")
    assert "HttpOnly" in remember
    assert "SameSite=Lax" in remember


@pytest.mark.parametrize("app", [{"SECURE_COOKIES": True}], indirect=True)
def test_behind_https_cookies_are_secure_and_hsts_is_sent(client, auth, course):
    joined = client.post(f"/j/{course['code']}", data={"role": "medarbejder"})
    assert "Secure" in _cookie_header(joined, "session")
    logged_in = auth.login()
    for name in ("session", "remember_token"):
        cookie = _cookie_header(logged_in, name)
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert joined.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_secure_cookies_come_from_the_environment(monkeypatch, app):
    monkeypatch.setenv("SECURE_COOKIES", "1")
    secure = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    )
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    assert secure.config["REMEMBER_COOKIE_SECURE"] is True
    with secure.app_context():
        db.engine.dispose()


# --- a real browser -----------------------------------------------------------------

EMAIL = "csp@example.dk"
PASSWORD = "korrekt hest batteri"


@pytest.fixture(scope="module")
def csp_server(tmp_path_factory):
    """The app over real HTTP with a course in step 2, a card and a manager link."""
    from workshop.courses import create_course, go_to_step
    from workshop.facilitators import create_facilitator
    from workshop.participants import join

    path = tmp_path_factory.mktemp("csp") / "csp.db"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "csp", "TESTING": False}
    )
    with app.app_context():
        upgrade(revision="heads")
    with app.test_request_context():
        facilitator = create_facilitator(EMAIL, PASSWORD, "Fie")
        course = create_course(facilitator, title="CSP-kurset", municipality="Ærø Kommune")
        go_to_step(course, 2)
        submit_card(join(course, "leder", "Ledelsen"), "Et kort på væggen", "", client_token="c1")
        info = {
            "id": course.id,
            "code": course.join_code,
            "token": create_manager_link(course).token,
        }
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}", **info}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.mark.browser
def test_the_phone_projector_and_control_panel_run_without_a_csp_violation(csp_server):
    from playwright.sync_api import expect, sync_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, DESK, PHONE

    base = csp_server["url"]
    problems: list[str] = []

    def watch(page, name):
        page.on(
            "console",
            lambda message: (
                problems.append(f"{name} console: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"{name} error: {error}"))
        # The policy's own report, also for what the console might not say.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('Content Security Policy violation: ' + e.violatedDirective"
            " + ' ' + e.blockedURI))"
        )
        return page

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            desk = browser.new_context(base_url=base, locale="da-DK", viewport=DESK)
            phone_context = browser.new_context(base_url=base, locale="da-DK", **PHONE)

            control = watch(desk.new_page(), "control")
            control.goto("/login")
            control.locator("#email").fill(EMAIL)
            control.locator("#password").fill(PASSWORD)
            control.locator("main form button[type=submit]").click()
            expect(control).to_have_url(f"{base}/f/")
            control.goto(f"/f/courses/{csp_server['id']}")
            expect(control.locator("body")).to_contain_text("CSP-kurset")

            projector = watch(desk.new_page(), "projector")
            projector.goto(f"/f/courses/{csp_server['id']}/projector")
            expect(projector.locator("body")).to_contain_text("Et kort på væggen")

            phone = watch(phone_context.new_page(), "phone")
            phone.goto("/")
            phone.locator("input[name=code]").fill(csp_server["code"])
            phone.locator("main form button[type=submit]").click()
            expect(phone).to_have_url(re.compile(rf"/j/{csp_server['code']}$"))
            phone.locator("input[name=role][value=medarbejder]").check()
            phone.locator("main form button[type=submit]").click()
            expect(phone).to_have_url(f"{base}/c/{csp_server['code']}")
            # An htmx form post and its swap, then the card on the projector's polled wall.
            phone.locator("#card-text").fill("Kort skrevet under CSP")
            phone.locator("#card-form button[type=submit]").click()
            expect(phone.locator("#card-text")).to_have_value("")
            expect(projector.locator("body")).to_contain_text(
                "Kort skrevet under CSP", timeout=8000
            )
            # An htmx error message (a refused, empty card) lands in the page too.
            phone.locator("#card-form button[type=submit]").click()
            expect(phone.locator("#card-form .message-error")).to_have_count(1)

            manager = watch(desk.new_page(), "manager")
            manager.goto(f"/m/{csp_server['token']}")
            expect(manager.locator("body")).to_contain_text("CSP-kurset")

            # htmx was told to add no <style> of its own, and its config took.
            assert phone.evaluate("document.querySelectorAll('style').length") == 0
            assert phone.evaluate("htmx.config.allowEval") is False
            assert phone.evaluate("htmx.config.includeIndicatorStyles") is False
            # Let a few polls run (every 2 s) before judging.
            phone.wait_for_timeout(4500)
        finally:
            browser.close()
    assert problems == []
