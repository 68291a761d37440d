"""Single sign-on end to end in Chromium through a real OpenID Connect provider
(tests/oidc/provider.mjs, the certified `oidc-provider` package): the intranet link, the
provider's login, the app's courses page, the sign-out that ends the provider's session
too, and the email-first way from the login page. No mock stands in for the provider."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser_support import EMAIL, PASSWORD, Axe, danish, screens
from workshop.core.extensions import db
from workshop.facilitators import find_facilitator
from workshop.organisations import default_organisation
from workshop.sso import configure_sign_on

from .oidc_support import CLIENT_ID, CLIENT_SECRET, start_provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider(e2e_server, tmp_path_factory):
    """The provider knows our live server's callback; the default organisation (where the
    browser tests' facilitator is) signs in with it."""
    with start_provider(tmp_path_factory.mktemp("oidc"), [e2e_server.url]) as running:
        with e2e_server.app.test_request_context():
            configure_sign_on(
                default_organisation(),
                label="Testkommunens login",
                issuer=running.issuer,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                allowed_domains="example.dk",
                slug="testkommune",
            )
        yield running


def test_a_facilitator_signs_in_with_the_provider_and_signs_out_of_both(
    e2e_server, provider, browser: Browser
):
    app, base = e2e_server.app, e2e_server.url
    with screens(browser, base) as s:
        page = s.page(s.desk(), "facilitator")
        # The intranet link: straight to the provider, whose login asks for the email.
        page.goto("/login/sso/testkommune")
        expect(page).to_have_url(re.compile(re.escape(provider.issuer) + "/interaction/"))
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{base}/f/")
        with app.app_context():
            assert find_facilitator(EMAIL).sso_subject == "sub-e2e"

        # Sign-out: here, and then the provider's session (its own confirmation page).
        page.get_by_role("button", name=danish(app, "Log out")).click()
        expect(page).to_have_url(re.compile(re.escape(provider.issuer) + "/session/end"))
        page.get_by_role("button", name="Yes, sign me out").click()
        expect(page).to_have_url(re.compile(re.escape(f"{base}/login")))
        page.goto("/f/")
        expect(page).to_have_url(re.compile(re.escape(f"{base}/login")))

        # The provider's session has ended: the intranet link asks for the email again.
        page.goto("/login/sso/testkommune")
        expect(page.get_by_label("Email")).to_be_visible()
        assert page.url.startswith(provider.issuer)
        assert not s.errors, s.errors


def test_the_login_page_finds_the_provider_by_the_email_and_signs_in(
    e2e_server, provider, browser: Browser
):
    app, base = e2e_server.app, e2e_server.url
    axe = Axe()
    with screens(browser, base) as s:
        page = s.page(s.desk(), "facilitator")
        page.goto("/login")
        page.locator("#email").fill(EMAIL.upper())
        page.get_by_role(
            "button", name=danish(app, "Log in with your organisation (single sign-on)")
        ).click()
        button = page.get_by_role(
            "link", name=danish(app, "Log in with %(provider)s", provider="Testkommunens login")
        )
        expect(button).to_be_visible()
        axe.check(page, "login with single sign-on")
        # The email travels as login_hint: the provider signs in without asking again.
        button.click()
        expect(page).to_have_url(f"{base}/f/")
        assert not s.errors, s.errors


def test_password_login_switched_off_points_to_the_provider(e2e_server, provider, browser: Browser):
    app, base = e2e_server.app, e2e_server.url
    with app.app_context():
        sign_on = default_organisation().sign_on
        sign_on.password_login = False
        db.session.commit()
    try:
        with screens(browser, base) as s:
            page = s.page(s.desk(), "facilitator")
            page.goto("/login")
            page.locator("#email").fill(EMAIL)
            page.locator("#password").fill(PASSWORD)
            page.get_by_role("button", name=danish(app, "Log in"), exact=True).click()
            expect(page.get_by_role("alert")).to_contain_text("Testkommunens login")
            page.get_by_role(
                "link",
                name=danish(app, "Log in with %(provider)s", provider="Testkommunens login"),
            ).click()
            # Through the provider (the email as login_hint) and back, signed in.
            expect(page).to_have_url(f"{base}/f/")
            assert not s.errors, s.errors
    finally:
        with app.app_context():
            default_organisation().sign_on.password_login = True
            db.session.commit()
