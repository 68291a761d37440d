"""Single sign-on through a real OpenID Connect provider (tests/oidc/provider.mjs, the
certified `oidc-provider` package) with Flask's test client on the app's side: the
authorisation code flow with PKCE, the state, nonce, audience and expiry checks, a
replayed code, who may sign in, password login switched off, and the provider's
sign-out."""

from __future__ import annotations

import base64
import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask_babel import gettext

from app import create_app
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import SignOn
from workshop.facilitators import find_facilitator
from workshop.organisations import set_active
from workshop.sso import (
    ID_TOKEN_KEY,
    SignOnRefused,
    configure_sign_on,
    facilitator_for_claims,
    secret_variable,
    verified_claims,
)

from .oidc_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_CLIENT_ID,
    OTHER_CLIENT_SECRET,
    start_provider,
    walk_to_callback,
)

APP = "http://localhost"  # the test client's address (url_for(..., _external=True))
ORG = "Fjordby Kommune"
EMAIL = "fie@kommune.dk"
UNKNOWN = "Det lykkedes ikke at logge ind"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    with start_provider(tmp_path_factory.mktemp("oidc"), [APP]) as running:
        yield running


@pytest.fixture
def world(app, make, provider):
    """Fjordby Kommune signs in at the provider (client "samskabt"); Fie is its facilitator.
    Another organisation uses the same provider with another client."""
    with app.test_request_context():
        organisation = make.organisation(ORG)
        make.facilitator(EMAIL, organisation=organisation, is_admin=True)
        configure_sign_on(
            organisation,
            label="Fjordby Kommunes login",
            issuer=provider.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            allowed_domains="kommune.dk",
            allowed_groups="samskabt",
            slug="fjordby",
        )
        other = make.organisation("Anden Kommune")
        make.facilitator("anne@anden.dk", organisation=other)
        configure_sign_on(
            other,
            label="Anden",
            issuer=provider.issuer,
            client_id=OTHER_CLIENT_ID,
            client_secret=OTHER_CLIENT_SECRET,
            slug="anden",
        )
    return provider


def begin(client, email=EMAIL, slug="fjordby") -> str:
    response = client.get(f"/login/sso/{slug}", query_string={"login_hint": email})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.path == "/login/sso/callback", url
    return f"{parts.path}?{parts.query}"


def sign_in(client, email=EMAIL, slug="fjordby", browser=None):
    return client.get(callback_path(walk_to_callback(begin(client, email, slug), browser)))


def refusal(client, response) -> str:
    """The message a refused sign-in leaves on the login page it sends the browser to."""
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == "/login"
    return client.get("/login").get_data(as_text=True)


def logged_in(client) -> bool:
    return client.get("/f/").status_code == 200


def claims_of(id_token: str) -> dict:
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_authorisation_request_carries_pkce_s256_a_state_and_a_nonce(client, world):
    query = parse_qs(urlsplit(begin(client)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["response_type"] == ["code"]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["client_id"] == [CLIENT_ID]


def test_a_known_email_signs_in_and_the_provider_account_is_linked(app, client, world):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/f/")
    assert logged_in(client)
    with app.app_context():
        fie = find_facilitator(EMAIL)
        assert (fie.sso_issuer, fie.sso_subject) == (world.issuer, "sub-fie")


def test_a_linked_account_is_found_by_its_subject_when_the_email_changed(app, client, world):
    sign_in(client)
    with app.app_context():
        fie = find_facilitator(EMAIL)
        fie.email = "fie.nyt.navn@kommune.dk"
        db.session.commit()
    client.post("/logout")
    assert not logged_in(client)
    sign_in(client)
    assert logged_in(client)


def test_signing_in_logs_in_with_the_revocable_session_token(app, client, world):
    sign_in(client)
    with app.app_context():
        from workshop.facilitators import revoke_logins

        revoke_logins(find_facilitator(EMAIL))
    assert not logged_in(client)


def test_a_wrong_state_is_refused(client, world):
    url = walk_to_callback(begin(client))
    tampered = url.replace("state=", "state=x")
    response = client.get(callback_path(tampered))
    assert UNKNOWN in refusal(client, response)
    assert not logged_in(client)


def test_a_wrong_nonce_is_refused(client, world):
    url = walk_to_callback(begin(client))
    state = parse_qs(urlsplit(url).query)["state"][0]
    with client.session_transaction() as session:
        key = next(k for k in session if k.startswith("_state_") and k.endswith(state))
        remembered = session[key]
        remembered["data"]["nonce"] = "another-nonce"
        session[key] = remembered
    response = client.get(callback_path(url))
    assert UNKNOWN in refusal(client, response)
    assert not logged_in(client)


def test_a_replayed_code_is_refused_by_the_provider(client, world):
    url = walk_to_callback(begin(client))
    state = parse_qs(urlsplit(url).query)["state"][0]
    with client.session_transaction() as session:
        key = next(k for k in session if k.startswith("_state_") and k.endswith(state))
        remembered = dict(session[key])
        pending = session["sso_pending"]
    assert client.get(callback_path(url)).status_code == 302
    client.post("/logout")
    # The state put back as it was: only the provider stands between the code and a login.
    with client.session_transaction() as session:
        session[key] = remembered
        session["sso_pending"] = pending
    response = client.get(callback_path(url))
    assert UNKNOWN in refusal(client, response)
    assert not logged_in(client)


def test_the_same_callback_twice_is_refused_as_its_state_is_used_up(client, world):
    url = walk_to_callback(begin(client))
    assert client.get(callback_path(url)).status_code == 302
    client.post("/logout")
    assert UNKNOWN in refusal(client, client.get(callback_path(url)))
    assert not logged_in(client)


def _id_token_for(client, email, slug) -> str:
    assert sign_in(client, email, slug).status_code == 302
    with client.session_transaction() as session:
        return session[ID_TOKEN_KEY]


def test_an_id_token_for_another_client_is_refused(app, client, world):
    id_token = _id_token_for(client, "anne@anden.dk", "anden")
    with app.test_request_context():
        ours = db.session.scalar(db.select(SignOn).where(SignOn.slug == "fjordby"))
        with pytest.raises(SignOnRefused) as refused:
            verified_claims(ours, {"id_token": id_token}, claims_of(id_token)["nonce"])
        assert refused.value.reason == "id_token:invalid_claim:aud"
        theirs = db.session.scalar(db.select(SignOn).where(SignOn.slug == "anden"))
        # The same token passes for the client it was issued to: the audience decided.
        assert verified_claims(theirs, {"id_token": id_token}, claims_of(id_token)["nonce"])


def test_an_expired_id_token_is_refused(app, client, world, monkeypatch):
    id_token = _id_token_for(client, EMAIL, "fjordby")
    claims = claims_of(id_token)
    time_now = time.time()
    with app.test_request_context():
        ours = db.session.scalar(db.select(SignOn).where(SignOn.slug == "fjordby"))
        assert verified_claims(ours, {"id_token": id_token}, claims["nonce"])
        # Seen after its expiry and the leeway for clocks (the provider's tokens live an
        # hour): the clock moved on, not the token changed.
        real_time = time.time
        monkeypatch.setattr(time, "time", lambda: real_time() - time_now + claims["exp"] + 61)
        with pytest.raises(SignOnRefused) as refused:
            verified_claims(ours, {"id_token": id_token}, claims["nonce"])
        assert refused.value.reason == "id_token:expired_token:exp"


def test_an_id_token_with_a_wrong_nonce_is_refused(app, client, world):
    id_token = _id_token_for(client, EMAIL, "fjordby")
    with app.test_request_context():
        ours = db.session.scalar(db.select(SignOn).where(SignOn.slug == "fjordby"))
        with pytest.raises(SignOnRefused) as refused:
            verified_claims(ours, {"id_token": id_token}, "not-the-nonce-we-sent")
        assert refused.value.reason == "id_token:invalid_claim:nonce"


def test_an_unknown_email_gets_a_danish_message_and_no_account(app, client, world):
    page = refusal(client, sign_in(client, "ukendt@kommune.dk"))
    assert "ukendt@kommune.dk har intet facilitatorlogin her" in page
    assert not logged_in(client)
    with app.app_context():
        assert find_facilitator("ukendt@kommune.dk") is None


def test_a_domain_the_organisation_does_not_allow_is_refused(app, client, world):
    with app.app_context():
        from workshop.organisations import find_organisation

        from .factories import Factories

        Factories(app).facilitator("ole@andet.dk", organisation=find_organisation(ORG))
    page = refusal(client, sign_in(client, "ole@andet.dk"))
    assert "tillader ikke, at ole@andet.dk logger ind her" in page
    assert not logged_in(client)


def test_a_person_outside_the_allowed_groups_is_refused(app, client, world):
    with app.app_context():
        from workshop.organisations import find_organisation

        from .factories import Factories

        Factories(app).facilitator("nils@kommune.dk", organisation=find_organisation(ORG))
    assert "ikke i en gruppe" in refusal(client, sign_in(client, "nils@kommune.dk"))
    assert not logged_in(client)


def test_a_deactivated_facilitator_is_refused(app, client, world, make):
    with app.app_context():
        organisation = find_facilitator(EMAIL).organisation
        make.facilitator("admin2@kommune.dk", organisation=organisation, is_admin=True)
        set_active(find_facilitator(EMAIL), False)
    assert "Dit login er deaktiveret" in refusal(client, sign_in(client))
    assert not logged_in(client)


def test_a_facilitator_of_another_organisation_cannot_sign_in_through_this_one(app, client, world):
    with app.app_context():
        sign_on = db.session.scalar(db.select(SignOn).where(SignOn.slug == "fjordby"))
        sign_on.allowed_domains = sign_on.allowed_groups = ""  # only the account decides
        db.session.commit()
    page = refusal(client, sign_in(client, "anne@anden.dk", "fjordby"))
    assert "anne@anden.dk har intet facilitatorlogin her" in page
    assert not logged_in(client)


def test_password_login_off_refuses_the_password_and_points_to_sso(app, client, auth, world):
    with app.app_context():
        sign_on = db.session.scalar(db.select(SignOn).where(SignOn.slug == "fjordby"))
        sign_on.password_login = False
        db.session.commit()
    response = auth.login(EMAIL, "correct horse")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "logger ind med Fjordby Kommunes login" in page
    assert "/login/sso/fjordby" in page
    assert not logged_in(client)
    # A wrong password gets the very same answer: a guess is never confirmed (the password
    # may be in use elsewhere), and the organisation's address already says SSO is used.
    wrong = auth.login(EMAIL, "wrong password")
    assert wrong.status_code == 403

    def main(html: str) -> str:  # the page's content, without its form token
        content = html[html.index("<main") : html.index("</main>")]
        return re.sub(r'name="csrf_token"[^>]*>', "", content)

    assert main(wrong.get_data(as_text=True)) == main(page)
    with app.app_context():
        from workshop.core.models import AuditEvent

        reasons = [e.detail for e in db.session.scalars(db.select(AuditEvent))]
        assert reasons.count({"reason": "password_login_off"}) == 2


def test_a_password_login_after_a_sign_in_through_the_provider_forgets_that_sign_in(
    app, client, auth, world
):
    """A shared PC: Fie signed in through the provider and left; Bo logs in with a password.
    Bo's login is not 'via oidc', and his logout does not go to Fie's provider."""
    sign_in(client)
    with app.app_context():
        from .factories import Factories

        Factories(app).facilitator("bo@kommune.dk")
    auth.login("bo@kommune.dk", "correct horse")
    with client.session_transaction() as session:
        assert "sso_sign_on" not in session and "sso_id_token" not in session
    logout = client.post("/logout")
    assert logout.headers["Location"] == "/"
    with app.app_context():
        from workshop.core.models import AuditEvent

        logins = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "login"))
        assert [(e.actor_email, e.detail["via"]) for e in logins] == [
            (EMAIL, "oidc"),
            ("bo@kommune.dk", "password"),
        ]


def test_password_login_stays_on_by_default(client, auth, world):
    assert auth.login(EMAIL, "correct horse").status_code == 302
    assert logged_in(client)


def test_the_email_first_offers_the_organisations_provider(client, world):
    response = client.post("/login", data={"email": "Fie@Kommune.dk", "sso": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Log ind med Fjordby Kommunes login" in page
    assert "/login/sso/fjordby?login_hint=Fie@Kommune.dk" in page


def test_the_email_first_finds_the_provider_by_the_allowed_domain(client, world):
    response = client.post("/login", data={"email": "ny@kommune.dk", "sso": "1"})
    assert "/login/sso/fjordby" in response.get_data(as_text=True)


def test_the_email_first_without_a_provider_says_so_in_danish(client, world):
    response = client.post("/login", data={"email": "someone@elsewhere.dk", "sso": "1"})
    assert response.status_code == 422
    assert "single sign-on" in response.get_data(as_text=True)


def test_an_unknown_sign_in_address_says_so_on_the_login_page(client, world):
    page = refusal(client, client.get("/login/sso/nowhere"))
    assert "Der er ikke noget single sign-on på den adresse" in page


def test_sign_out_reaches_the_providers_end_session_with_the_id_token(client, world):
    browser = requests.Session()  # the provider's side of the browser: its session cookie
    sign_in(client, browser=browser)
    with client.session_transaction() as session:
        id_token = session[ID_TOKEN_KEY]
    response = client.post("/logout")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"{world.issuer}/session/end?id_token_hint={id_token}" in page.replace("&amp;", "&")
    assert "post_logout_redirect_uri=http%3A%2F%2Flocalhost%2Flogin" in page
    assert not logged_in(client)
    # The provider takes the request: it asks to end its session, and then sends the
    # browser back to our login page.
    url = page.split('id="provider-sign-out" href="')[1].split('"')[0].replace("&amp;", "&")
    answer = browser.get(url, timeout=10)
    assert answer.status_code == 200 and "op.logoutForm" in answer.text
    xsrf = answer.text.split('name="xsrf" value="')[1].split('"')[0]
    confirmed = browser.post(
        f"{world.issuer}/session/end/confirm",
        data={"xsrf": xsrf, "logout": "yes"},
        allow_redirects=False,
        timeout=10,
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["Location"].startswith("http://localhost/login")


def test_a_password_login_signs_out_locally_only(client, auth, world):
    auth.login(EMAIL, "correct horse")
    response = client.post("/logout")
    assert response.status_code == 302
    assert not logged_in(client)


def test_the_secret_from_the_environment_wins_over_the_stored_one(app, world, monkeypatch):
    with app.test_request_context():
        from workshop.sso import client_secret, secret_source

        sign_on = db.session.scalar(db.select(SignOn).where(SignOn.slug == "fjordby"))
        assert secret_source(sign_on) == "stored"
    monkeypatch.setenv(secret_variable("fjordby"), "from-the-environment")
    assert secret_variable("fjordby") == "SAMSKABT_OIDC_FJORDBY_SECRET"
    # The environment is read when the app is made (workshop.core.config).
    started = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    try:
        with started.test_request_context():
            sign_on = db.session.scalar(db.select(SignOn).where(SignOn.slug == "fjordby"))
            assert client_secret(sign_on) == "from-the-environment"
            assert secret_source(sign_on) == "environment"
    finally:
        with started.app_context():
            db.engine.dispose()


def test_a_wrong_client_secret_gives_a_message_not_an_error(app, client, world):
    with app.app_context():
        sign_on = db.session.scalar(db.select(SignOn).where(SignOn.slug == "fjordby"))
        sign_on.client_secret = "wrong"
        db.session.commit()
    assert UNKNOWN in refusal(client, sign_in(client))
    assert not logged_in(client)


# --- The admin page -------------------------------------------------------------------------

SETTINGS = {
    "issuer": "https://login.microsoftonline.com/tenant-id/v2.0",
    "client_id": "11111111-2222",
    "client_secret": "hemmelig-klient-vaerdi",
    "label": "Fjordby Kommune",
    "slug": "",
    "allowed_domains": "Fjordby.dk\n@kommune.dk",
    "allowed_groups": "",
    "groups_claim": "groups",
    "enabled": "y",
    "password_login": "y",
}


@pytest.fixture
def admin(app, make, auth):
    with app.app_context():
        make.facilitator(EMAIL, organisation=make.organisation(ORG), is_admin=True)
    auth.login(EMAIL, "correct horse")


def test_an_admin_sets_up_sign_on_and_the_secret_is_never_shown_again(app, client, admin):
    response = client.post("/f/organisation/sign-on", data=SETTINGS)
    assert response.status_code == 302
    page = client.get("/f/organisation").get_data(as_text=True)
    assert "hemmelig-klient-vaerdi" not in page
    assert "Der er sat en hemmelighed" in page
    assert "http://localhost/login/sso/fjordby-kommune" in page
    assert "http://localhost/login/sso/callback" in page
    with app.app_context():
        sign_on = db.session.scalar(db.select(SignOn))
        assert sign_on.client_secret == "hemmelig-klient-vaerdi"
        assert sign_on.allowed_domains == "fjordby.dk\nkommune.dk"
    # Saved again with the secret field empty: the secret stays.
    client.post("/f/organisation/sign-on", data={**SETTINGS, "client_secret": ""})
    with app.app_context():
        assert db.session.scalar(db.select(SignOn)).client_secret == "hemmelig-klient-vaerdi"


def test_an_issuer_that_is_not_https_is_refused_and_the_form_kept(client, admin):
    response = client.post(
        "/f/organisation/sign-on", data={**SETTINGS, "issuer": "http://idp.example.dk"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Udstederen skal være en https://-adresse." in page
    assert 'value="11111111-2222"' in page
    assert "hemmelig-klient-vaerdi" not in page


def test_password_login_goes_off_only_after_the_admin_signed_in_with_the_provider(
    app, client, admin
):
    data = {key: value for key, value in SETTINGS.items() if key != "password_login"}
    response = client.post("/f/organisation/sign-on", data=data)
    assert response.status_code == 422
    assert "Log selv ind med udbyderen én gang" in response.get_data(as_text=True)
    with app.app_context():
        find_facilitator(EMAIL).sso_subject = "linked"
        find_facilitator(EMAIL).sso_issuer = SETTINGS["issuer"]
        db.session.commit()
    assert client.post("/f/organisation/sign-on", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(SignOn)).password_login is False


def test_a_facilitator_who_is_not_admin_cannot_set_up_sign_on(app, client, auth, make):
    with app.app_context():
        organisation = make.organisation(ORG)
        make.facilitator("admin@kommune.dk", organisation=organisation, is_admin=True)
        make.facilitator(EMAIL, organisation=organisation)
    auth.login(EMAIL, "correct horse")
    assert client.post("/f/organisation/sign-on", data=SETTINGS).status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(SignOn)) is None


def test_a_boosted_sign_out_sends_the_whole_window_to_the_provider(client, world):
    sign_in(client)
    response = client.post("/logout", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith(f"{world.issuer}/session/end?")
    assert "id_token_hint=" in response.headers["HX-Redirect"]
    assert not logged_in(client)


def test_sign_ins_through_the_provider_and_their_refusals_reach_the_audit_trail(app, client, world):
    from workshop.core.models import AuditEvent
    from workshop.organisations import find_organisation

    refusal(client, sign_in(client, "ukendt@kommune.dk"))
    sign_in(client)
    assert logged_in(client)
    with app.app_context():
        organisation_id = find_organisation(ORG).id
        events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
        failed = [event for event in events if event.action == "login_failed"]
        assert [(e.organisation_id, e.detail) for e in failed] == [
            (organisation_id, {"reason": "unknown_account", "via": "oidc"})
        ]
        login = [event for event in events if event.action == "login"]
        assert [(e.actor_email, e.detail) for e in login] == [(EMAIL, {"via": "oidc"})]
        assert "ukendt@kommune.dk" not in repr([(e.detail, e.actor_email) for e in events])


def test_moving_to_another_provider_relinks_people_by_email_and_never_locks_them_out(
    app, client, world
):
    """Fie was linked at the provider the organisation used before (ADFS, say). After the
    admin points the organisation at the new one, her first sign-in there links her anew,
    and password login cannot be turned off on the strength of the old link."""
    sign_in(client)
    client.post("/logout")
    with app.app_context():
        fie = find_facilitator(EMAIL)
        fie.sso_issuer = "https://adfs.fjordby.example/adfs"  # the provider left behind
        db.session.commit()
        from workshop.organisations import find_organisation

        with pytest.raises(WorkshopError):
            configure_sign_on(
                find_organisation(ORG),
                label="Fjordby Kommunes login",
                issuer=world.issuer,
                client_id=CLIENT_ID,
                password_login=False,
                slug="fjordby",
                by=find_facilitator(EMAIL),
            )
    sign_in(client)
    assert logged_in(client)
    with app.app_context():
        fie = find_facilitator(EMAIL)
        assert fie.sso_issuer == world.issuer.rstrip("/")


def test_single_sign_on_settings_and_the_privacy_notice_changes_are_audited(app, client, admin):
    """An admin who points the organisation at another provider could sign in as a
    colleague: the trail must say the provider changed (never the secret)."""
    from workshop.core.models import AuditEvent

    client.post("/f/organisation/sign-on", data=SETTINGS)
    client.post("/f/organisation/sign-on", data={**SETTINGS, "client_secret": ""})
    client.post("/f/organisation/privacy", data={"controller_name": "Fjordby Kommune"})
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
        changed = [e.detail for e in events if e.action == "sign_on_changed"]
        assert [(d["first_setup"], d["secret_changed"]) for d in changed] == [
            (True, True),
            (False, False),
        ]
        assert "hemmelig" not in repr([e.detail for e in events])
        assert [e.action for e in events].count("privacy_notice_changed") == 1


# --- Refusals decided before the provider is asked (configure_sign_on, facilitator_for_claims)

ISSUER = "https://login.fjordby.example"


def test_a_short_name_another_organisation_uses_is_refused(app, make):
    with app.test_request_context():
        configure_sign_on(make.organisation(ORG), label="", issuer=ISSUER, client_id="a")
        with pytest.raises(WorkshopError) as refused:
            configure_sign_on(
                make.organisation("Bakkedal Kommune"),
                label="",
                issuer=ISSUER,
                client_id="b",
                slug="Fjordby Kommune",
            )
        assert refused.value.message == gettext(
            "Another organisation uses that short name. Choose another."
        )


def test_the_short_name_of_the_callback_address_is_refused(app, make):
    with app.test_request_context():
        with pytest.raises(WorkshopError) as refused:
            configure_sign_on(
                make.organisation(ORG), label="", issuer=ISSUER, client_id="a", slug="callback"
            )
        assert refused.value.message == gettext(
            "Choose another short name for the sign-in address."
        )
        assert db.session.scalar(db.select(SignOn)) is None


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"issuer": ""}, "Give the provider's issuer address."),
        ({"issuer": ISSUER + "/" + "x" * 500}, "The issuer must be an https:// address."),
        ({"client_id": " "}, "Give the client id the provider gave the app."),
        ({"client_secret": "s" * 501}, "The client secret is too long."),
    ],
)
def test_an_unusable_provider_setting_is_refused_with_its_own_message(app, make, settings, message):
    with app.test_request_context():
        with pytest.raises(WorkshopError) as refused:
            configure_sign_on(
                make.organisation(ORG),
                **{"label": "", "issuer": ISSUER, "client_id": "a", **settings},
            )
        assert refused.value.message == gettext(message)


def test_an_email_the_provider_has_not_confirmed_is_refused(app, make):
    with app.test_request_context():
        organisation = make.organisation(ORG)
        make.facilitator(EMAIL, organisation=organisation)
        sign_on = configure_sign_on(organisation, label="", issuer=ISSUER, client_id="a")
        claims = {"iss": ISSUER, "sub": "fie", "email": EMAIL, "email_verified": False}
        with pytest.raises(SignOnRefused) as refused:
            facilitator_for_claims(sign_on, claims)
        assert refused.value.reason == "email_unverified"
        assert find_facilitator(EMAIL).sso_subject is None


def test_an_email_linked_to_another_account_at_the_same_provider_does_not_move_the_link(app, make):
    with app.test_request_context():
        organisation = make.organisation(ORG)
        fie = make.facilitator(EMAIL, organisation=organisation)
        sign_on = configure_sign_on(organisation, label="", issuer=ISSUER, client_id="a")
        fie.sso_issuer, fie.sso_subject = ISSUER, "fie"
        db.session.commit()
        claims = {"iss": ISSUER, "sub": "someone-else", "email": EMAIL}
        with pytest.raises(SignOnRefused) as refused:
            facilitator_for_claims(sign_on, claims)
        assert refused.value.reason == "unknown_account"
        assert find_facilitator(EMAIL).sso_subject == "fie"
