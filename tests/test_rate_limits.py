"""Rate limits: joining, guessing codes, logging in and manager links are limited per
address (login also per email); the phones of people who joined never are. The counters
live in the app's own database, so two workers sharing it count together."""

from __future__ import annotations

import threading
import time

import pytest
from limits import parse
from limits.storage import MemoryStorage

from app import create_app
from tests.factories import Factories
from workshop.core.extensions import db
from workshop.core.models import Course
from workshop.manager_links import create_manager_link
from workshop.web.ratelimits import (
    KNOWN_DEVICE_COOKIE,
    DatabaseStorage,
    limiter_of,
    rate_limit_counter,
)

DANISH_429 = "For mange forsøg. Vent et minut, og prøv igen."


def limited(**limits):
    """Parametrise the `app` fixture with rate limits on (and these limits)."""
    return pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True, **limits}], indirect=True)


def config(url, **extra):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": True,
        **extra,
    }


@pytest.fixture
def code(app, make):
    with app.app_context():
        return make.course(step=2).join_code


@pytest.fixture
def course_id(app, make, code):
    with app.app_context():
        return db.session.scalar(db.select(Course.id).where(Course.join_code == code))


def phone(app, address="192.0.2.10"):
    """A new phone (its own cookies) at a network address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def join(client, code):
    return client.post(f"/j/{code}", data={"role": "medarbejder", "unit": "Team Nord"})


def assert_danish_429(response):
    assert response.status_code == 429
    assert DANISH_429 in response.get_data(as_text=True)
    assert 1 <= int(response.headers["Retry-After"]) <= 60


EMAIL_429 = "For mange loginforsøg for denne e-mailadresse. Prøv igen om 1 minut, eller log ind"


def assert_email_429(response):
    """The per-email limit's own message: the real facilitator learns how to get in."""
    assert response.status_code == 429
    assert EMAIL_429 in response.get_data(as_text=True)
    assert 1 <= int(response.headers["Retry-After"]) <= 60


# --- limits off unless asked for ----------------------------------------------------


def test_tests_run_without_limits_unless_they_ask(app, code):
    assert app.config["RATELIMIT_ENABLED"] is False
    assert limiter_of(app) is None
    for _ in range(30):
        assert phone(app).post("/", data={"code": "QQQ999"}).status_code == 422


@limited()
def test_limits_are_on_by_default_with_the_database_storage(app):
    assert isinstance(limiter_of(app).storage, DatabaseStorage)


@limited(RATELIMIT_STORAGE_URI="memory://")
def test_another_storage_is_one_setting_away(app):
    assert isinstance(limiter_of(app).storage, MemoryStorage)


# --- joining ------------------------------------------------------------------------


@limited(RATELIMIT_JOIN="3/minute")
def test_joining_is_limited_per_address_with_a_danish_page_and_retry_after(app, code):
    assert join(phone(app), code).status_code == 302
    assert phone(app).post("/", data={"code": code}).status_code == 302  # the same budget
    assert join(phone(app), code).status_code == 302
    refused = join(phone(app), code)
    assert_danish_429(refused)
    assert refused.headers["Content-Type"].startswith("text/html")
    # Another address has its own budget.
    assert join(phone(app, "192.0.2.99"), code).status_code == 302


@limited(RATELIMIT_JOIN="1/minute")
def test_an_htmx_join_past_the_limit_gets_the_message_in_the_message_area(app, code):
    join(phone(app), code)
    refused = phone(app).post(f"/j/{code}", data={"role": "leder"}, headers={"HX-Request": "true"})
    assert refused.status_code == 429
    assert refused.headers["HX-Retarget"] == "#messages"
    assert DANISH_429 in refused.get_data(as_text=True)
    assert "Retry-After" in refused.headers


@limited(RATELIMIT_JOIN="2/minute")
def test_opening_the_join_page_is_not_a_join(app, code):
    for _ in range(10):
        assert phone(app).get(f"/j/{code}").status_code == 200
    assert join(phone(app), code).status_code == 302


# --- guessing codes -----------------------------------------------------------------


@limited(RATELIMIT_CODE_GUESSES="3/minute")
def test_wrong_codes_are_limited_and_then_even_a_right_code_says_nothing(app, code):
    guesser = phone(app)
    assert guesser.post("/", data={"code": "QQQ 999"}).status_code == 422
    assert guesser.get("/j/QQQ998").status_code == 404
    assert guesser.get("/c/QQQ997/live").status_code == 404
    # The fourth wrong code is refused, and so is the right one: no hint that it exists.
    assert_danish_429(guesser.post("/", data={"code": "QQQ996"}))
    assert_danish_429(guesser.post("/", data={"code": code}))
    assert_danish_429(guesser.get(f"/j/{code}"))
    assert_danish_429(join(phone(app), code))  # a new phone at the same address
    # Elsewhere, the right code works.
    assert phone(app, "198.51.100.7").post("/", data={"code": code}).status_code == 302


@limited(RATELIMIT_CODE_GUESSES="2/minute")
def test_right_codes_and_empty_forms_are_not_counted_as_guesses(app, code):
    for _ in range(5):
        assert phone(app).post("/", data={"code": code}).status_code == 302
        assert phone(app).get(f"/j/{code}").status_code == 200
        assert phone(app).post("/", data={"code": "  "}).status_code == 422
    assert phone(app).post("/", data={"code": "QQQ999"}).status_code == 422


@limited(RATELIMIT_CODE_GUESSES="2/minute", RATELIMIT_JOIN="2/minute")
def test_a_joined_phone_polls_writes_and_votes_whatever_its_neighbours_did(app, code):
    joined = phone(app)
    assert join(joined, code).status_code == 302
    # Its neighbours on the same Wi-Fi use up the address's wrong codes and joins.
    for guess in ("QQQ999", "QQQ998", "QQQ997"):
        phone(app).post("/", data={"code": guess})
    assert phone(app).get(f"/c/{code}").status_code == 429
    join(phone(app), code)
    assert join(phone(app), code).status_code == 429
    # The joined phone polls every 2 s for a long workshop, writes cards and votes.
    etag = None
    for _ in range(100):
        headers = {"HX-Request": "true"}
        if etag:
            headers["If-None-Match"] = etag
        poll = joined.get(f"/c/{code}/live", headers=headers)
        assert poll.status_code in (200, 304)
        etag = poll.headers.get("ETag", etag)
    assert joined.get(f"/c/{code}").status_code == 200
    for number in range(5):
        card = joined.post(
            f"/c/{code}/cards", data={"text": f"Kort {number}", "client_token": f"t{number}"}
        )
        assert card.status_code in (200, 302)
    with app.app_context():
        course = db.session.scalar(db.select(Course).where(Course.join_code == code))
        assert len(course.cards) == 5


# --- login --------------------------------------------------------------------------


@limited(RATELIMIT_LOGIN="3/minute")
def test_login_is_limited_per_address(app, make):
    with app.app_context():
        make.facilitator()
    client = phone(app, "203.0.113.5")
    for _ in range(3):
        wrong = client.post("/login", data={"email": "facilitator@example.dk", "password": "x"})
        assert wrong.status_code == 422
    assert_danish_429(
        client.post("/login", data={"email": "facilitator@example.dk", "password": "correct horse"})
    )
    assert client.get("/login").status_code == 200  # reading the form is not an attempt
    other = phone(app, "203.0.113.6")
    right = other.post(
        "/login", data={"email": "facilitator@example.dk", "password": "correct horse"}
    )
    assert right.status_code == 302


@limited(RATELIMIT_LOGIN="100/minute", RATELIMIT_LOGIN_EMAIL="2/minute")
def test_login_is_limited_per_email_across_addresses(app, make):
    with app.app_context():
        make.facilitator()
        make.facilitator("kollega@example.dk", "correct horse")
    target = {"email": "Facilitator@Example.dk ", "password": "guess"}
    assert phone(app, "203.0.113.1").post("/login", data=target).status_code == 422
    assert phone(app, "203.0.113.2").post("/login", data=target).status_code == 422
    assert_email_429(phone(app, "203.0.113.3").post("/login", data=target))
    colleague = {"email": "kollega@example.dk", "password": "correct horse"}
    assert phone(app, "203.0.113.3").post("/login", data=colleague).status_code == 302
    with app.app_context():
        keys = db.session.scalars(db.select(rate_limit_counter.c.key)).all()
    assert not any("example.dk" in key.lower() for key in keys)  # no addresses stored


@limited(RATELIMIT_LOGIN="100/minute", RATELIMIT_LOGIN_EMAIL="3/minute")
def test_a_strangers_wrong_passwords_do_not_lock_out_a_device_that_logged_in_before(app, make):
    with app.app_context():
        make.facilitator()
    right = {"email": "facilitator@example.dk", "password": "correct horse"}
    laptop = phone(app, "198.51.100.7")
    assert laptop.post("/login", data=right).status_code == 302
    laptop.post("/logout")
    # A stranger tries the email from addresses of their own, and is stopped (the laptop's
    # first login counted: it was not known yet)...
    guess = {"email": "facilitator@example.dk", "password": "guess"}
    for number in range(2):
        assert phone(app, f"203.0.113.{number}").post("/login", data=guess).status_code == 422
    assert_email_429(phone(app, "203.0.113.9").post("/login", data=guess))
    assert_email_429(phone(app, "203.0.113.10").post("/login", data=right))  # right or wrong
    # ...while the facilitator's laptop, on another network today, logs in at once.
    laptop.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    assert laptop.post("/login", data={**guess, "password": "typo"}).status_code == 422
    assert laptop.post("/login", data=right).status_code == 302
    assert phone(app, "203.0.113.11").post("/login", data=guess).status_code == 429


@limited(RATELIMIT_LOGIN="4/minute", RATELIMIT_LOGIN_EMAIL="100/minute")
def test_a_known_device_is_still_limited_per_address_and_only_for_its_own_account(app, make):
    with app.app_context():
        make.facilitator()
        make.facilitator("kollega@example.dk", "correct horse")
    laptop = phone(app, "198.51.100.8")
    assert (
        laptop.post(
            "/login", data={"email": "facilitator@example.dk", "password": "correct horse"}
        ).status_code
        == 302
    )
    cookie = laptop.get_cookie(KNOWN_DEVICE_COOKIE, path="/login")
    assert cookie is not None and cookie.http_only and cookie.max_age > 300 * 24 * 3600
    assert "example.dk" not in cookie.value  # a keyed hash of the email, not the email
    for _ in range(3):
        wrong = {"email": "facilitator@example.dk", "password": "guess"}
        assert laptop.post("/login", data=wrong).status_code == 422
    assert_danish_429(laptop.post("/login", data={"email": "facilitator@example.dk"}))


@limited(RATELIMIT_LOGIN="100/minute", RATELIMIT_LOGIN_EMAIL="2/minute")
def test_a_device_known_for_one_account_is_a_stranger_to_another(app, make):
    with app.app_context():
        make.facilitator()
        make.facilitator("kollega@example.dk", "correct horse")
    laptop = phone(app, "198.51.100.9")
    mine = {"email": "facilitator@example.dk", "password": "correct horse"}
    assert laptop.post("/login", data=mine).status_code == 302
    theirs = {"email": "kollega@example.dk", "password": "guess"}
    assert laptop.post("/login", data=theirs).status_code == 422
    assert laptop.post("/login", data=theirs).status_code == 422
    assert_email_429(laptop.post("/login", data=theirs))
    # A forged cookie is no known device either (the laptop's first login was one attempt).
    stranger = phone(app, "203.0.113.50")
    stranger.set_cookie(KNOWN_DEVICE_COOKIE, "forged.value", path="/login")
    assert stranger.post("/login", data={**mine, "password": "x"}).status_code == 422
    assert_email_429(stranger.post("/login", data={**mine, "password": "x"}))


# --- manager links ------------------------------------------------------------------


@limited(RATELIMIT_MANAGER_LINK="2/minute")
def test_manager_links_are_limited_per_address(app, make, course_id):
    with app.app_context():
        token = create_manager_link(db.session.get(Course, course_id)).token
    manager = phone(app, "198.51.100.20")
    assert manager.get(f"/m/{token}").status_code == 200
    assert manager.get(f"/m/unknown-{token}").status_code == 404
    refused = manager.get(f"/m/{token}")
    assert_danish_429(refused)
    assert refused.headers["Referrer-Policy"] == "no-referrer"
    assert_danish_429(manager.get(f"/m/{token}/action-plan.pdf"))  # one budget for both
    # A meeting's calendar file too (issue 18): the token is guessed the same way.
    assert_danish_429(manager.get(f"/m/{token}/meetings/1/calendar.ics"))
    assert phone(app, "198.51.100.21").get(f"/m/{token}").status_code == 200


# --- behind a proxy -----------------------------------------------------------------


def test_behind_a_trusted_proxy_each_phone_has_its_own_budget(monkeypatch, app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    proxied = create_app(config(url, RATELIMIT_CODE_GUESSES="2/minute"))
    proxy = "10.0.0.1"

    def guess(phone_address, wrong_code):
        return phone(proxied, proxy).post(
            "/", data={"code": wrong_code}, headers={"X-Forwarded-For": phone_address}
        )

    try:
        assert guess("192.0.2.1", "QQQ999").status_code == 422
        assert guess("192.0.2.1", "QQQ998").status_code == 422
        assert guess("192.0.2.1", "QQQ997").status_code == 429
        assert guess("192.0.2.2", "QQQ996").status_code == 422
    finally:
        with proxied.app_context():
            db.engine.dispose()


# --- the storage --------------------------------------------------------------------


def test_two_workers_sharing_the_database_count_together(app):
    """Two app instances on one database stand in for two gunicorn workers."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    workers = [
        create_app(config(url, RATELIMIT_JOIN="4/minute")),
        create_app(config(url, RATELIMIT_JOIN="4/minute")),
    ]
    try:
        with workers[0].app_context():
            code = Factories(workers[0]).course(step=2).join_code
        statuses = [join(phone(workers[n % 2]), code).status_code for n in range(6)]
        assert statuses == [302, 302, 302, 302, 429, 429]
        with workers[1].app_context():
            hits = db.session.scalars(db.select(rate_limit_counter.c.hits)).all()
        assert hits == [6]
    finally:
        for worker in workers:
            with worker.app_context():
                db.session.remove()
                db.engine.dispose()


@limited()
def test_the_storage_counts_expires_and_clears(app):
    storage = limiter_of(app).storage
    with app.app_context():
        assert storage.get("k") == 0
        assert storage.incr("k", 60) == 1
        assert storage.incr("k", 60, amount=2) == 3
        assert storage.get("k") == 3
        assert time.time() + 55 < storage.get_expiry("k") <= time.time() + 60
        # The window ends: the count starts over with a new window.
        with db.engine.begin() as connection:
            connection.execute(rate_limit_counter.update().values(expires_at=time.time() - 1))
        assert storage.get("k") == 0
        assert storage.incr("k", 60) == 1
        storage.clear("k")
        assert storage.get("k") == 0
        storage.incr("a", 60)
        storage.incr("b", 60)
        assert storage.reset() == 2
        assert storage.check() is True


@limited()
def test_the_storage_loses_no_hit_under_concurrent_increments(app):
    storage = limiter_of(app).storage
    errors = []

    def hammer():
        try:
            with app.app_context():
                for _ in range(25):
                    storage.incr("shared", 60)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert storage.get("shared") == 200


@limited()
def test_a_limit_string_behaves_as_flask_limiter_says(app):
    strategy = limiter_of(app).limiter
    item = parse("2/minute")
    with app.app_context():
        assert strategy.hit(item, "x") and strategy.hit(item, "x")
        assert not strategy.hit(item, "x")
        assert not strategy.test(item, "x")
        assert strategy.test(item, "y")


@limited(RATELIMIT_JOIN="1/hour")
def test_a_longer_wait_is_said_in_minutes(app, code):
    join(phone(app), code)
    refused = phone(app).post(
        f"/j/{code}", data={"role": "leder"}, headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 429
    assert 3500 < int(refused.headers["Retry-After"]) <= 3600
    assert "Try again in 60 minutes." in refused.get_data(as_text=True)


def test_limits_come_from_the_environment(monkeypatch, app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    monkeypatch.setenv("RATELIMIT_JOIN", "1/minute")
    configured = create_app(config(url))
    try:
        assert configured.config["RATELIMIT_JOIN"] == "1/minute"
        with configured.app_context():
            code = Factories(configured).course(step=2).join_code
        assert join(phone(configured), code).status_code == 302
        assert join(phone(configured), code).status_code == 429
    finally:
        with configured.app_context():
            db.engine.dispose()
