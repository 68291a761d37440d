"""Who a cookie names: a phone's place in a course and a facilitator's login (issue 17).

A phone's cookie names its participant by an unguessable token, never by an id a later
row may get (SQLite gives a deleted course's ids to the next rows). A login's cookies name
the facilitator with their session token, and logging out, a new password or deactivation
change it: every cookie issued before names nobody, on every device.
"""

from __future__ import annotations

from flask_login.utils import encode_cookie
from flask_migrate import downgrade, upgrade

from workshop.core.extensions import db
from workshop.core.models import Card, Course, Facilitator, Participant
from workshop.courses import delete_course
from workshop.facilitators import find_facilitator
from workshop.organisations import set_active
from workshop.web.common import SESSION_KEY

HX = {"HX-Request": "true"}
EMAIL = "facilitator@example.dk"
PASSWORD = "correct horse"  # noqa: S105 - the factories' test password


def join(client, code, name=""):
    return client.post(f"/j/{code}", data={"role": "medarbejder", "unit": "Team", "name": name})


def only_participant(code) -> Participant:
    course = db.session.scalar(db.select(Course).where(Course.join_code == code))
    return db.session.scalars(db.select(Participant).where(Participant.course == course)).one()


def card_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Card))


# --- Finding 2: a phone's place is a token, never a reused id -------------------------------


def test_a_phone_of_a_deleted_course_is_nobody_in_the_course_that_gets_its_ids(app, make):
    with app.app_context():
        old_code = make.course(step=2, title="Det slettede kursus").join_code
    old_phone = app.test_client()
    assert join(old_phone, old_code, name="Gammel Deltager").status_code == 302
    with app.app_context():
        old = only_participant(old_code)
        old_ids = (old.course_id, old.id)
        delete_course(old.course)
        new_code = make.course(step=2, title="Det nye kursus").join_code
    new_phone = app.test_client()
    assert join(new_phone, new_code, name="Ny Person").status_code == 302
    with app.app_context():
        new = only_participant(new_code)
        if db.engine.dialect.name == "sqlite":
            assert (new.course_id, new.id) == old_ids  # SQLite handed the ids out again

    # The old phone is not in the new course: not listed, not shown, not writing.
    assert "Det nye kursus" not in old_phone.get("/").text
    with old_phone.session_transaction() as session:
        assert session[SESSION_KEY] == {}  # the front page let go of the deleted course
    page = old_phone.get(f"/c/{new_code}")
    assert page.status_code == 302 and page.headers["Location"] == f"/j/{new_code}"
    assert "Ny Person" not in old_phone.get(f"/j/{new_code}").text
    live = old_phone.get(f"/c/{new_code}/live?stage=2", headers=HX)
    assert live.headers["HX-Redirect"] == f"/j/{new_code}"
    refused = old_phone.post(f"/c/{new_code}/cards", data={"text": "Snyd", "client_token": "x"})
    assert refused.status_code == 403
    with app.app_context():
        assert card_count() == 0
    # The new person's own phone is all theirs.
    assert "Det nye kursus" in new_phone.get("/").text
    sent = new_phone.post(f"/c/{new_code}/cards", data={"text": "Mit kort", "client_token": "y"})
    assert sent.status_code in (200, 302)
    with app.app_context():
        assert card_count() == 1


def test_the_phones_cookie_holds_the_participants_token_not_their_id(app, make, client):
    with app.app_context():
        code = make.course(step=2).join_code
    join(client, code)
    with app.app_context():
        participant = only_participant(code)
        expected = {str(participant.course_id): participant.token}
        other = make.participant(participant.course)
        assert len(participant.token) >= 40 and participant.token != other.token
    with client.session_transaction() as session:
        assert session[SESSION_KEY] == expected


def test_a_phones_poll_draws_only_the_region_of_the_participant_its_cookie_names_there(app, make):
    """The poll that draws a phone's region finds participant and course in one query:
    a token from another course (under either course's key), or of someone who deleted
    their data, is nobody here; the token under this course's key is its participant."""
    from workshop.privacy import forget_participant

    with app.app_context():
        here, there = make.course(step=2), make.course(step=2)
        mine = make.participant(here, name="Her")
        elsewhere = make.participant(there, name="Derovre")
        gone = make.participant(here, name="Slettet")
        forget_participant(gone)
        db.session.commit()
        code, ids = here.join_code, (str(here.id), str(there.id))
        tokens = {"mine": mine.token, "elsewhere": elsewhere.token, "gone": gone.token}
    cookies = {
        "another course's token under this course": {ids[0]: tokens["elsewhere"]},
        "another course's token under its own": {ids[1]: tokens["elsewhere"]},
        "this course's token under another": {ids[1]: tokens["mine"]},
        "someone who deleted their data": {ids[0]: tokens["gone"]},
    }
    for case, entries in cookies.items():
        phone = app.test_client()
        with phone.session_transaction() as session:
            session[SESSION_KEY] = entries
        live = phone.get(f"/c/{code}/live?stage=2-collect", headers=HX)
        assert live.headers.get("HX-Redirect") == f"/j/{code}", case
        assert live.text == "", case
    phone = app.test_client()
    with phone.session_transaction() as session:
        session[SESSION_KEY] = {ids[0]: tokens["mine"], ids[1]: tokens["elsewhere"]}
    live = phone.get(f"/c/{code}/live?stage=2-collect", headers=HX)
    assert live.status_code == 200 and "HX-Redirect" not in live.headers
    assert 'id="live"' in live.text
    assert phone.get("/c/NOSUCH/live?stage=2-collect", headers=HX).status_code == 404


def test_a_cookie_from_before_tokens_keeps_its_place_and_is_rewritten_with_the_token(app, make):
    with app.app_context():
        course = make.course(step=2)
        code = course.join_code
        participant = make.participant(course, name="Fra før opgraderingen")
        participant.legacy_cookie = True  # as the migration marks everyone who had joined
        db.session.commit()
        entry, token = (str(course.id), participant.id), participant.token
    phone = app.test_client()
    with phone.session_transaction() as session:
        session[SESSION_KEY] = dict([entry])
    assert phone.get(f"/c/{code}").status_code == 200
    with phone.session_transaction() as session:
        assert session[SESSION_KEY] == {entry[0]: token}
    assert phone.post(f"/c/{code}/cards", data={"text": "Stadig mig", "client_token": "z"})
    with app.app_context():
        assert db.session.scalars(db.select(Card.participant_id)).all() == [entry[1]]


def test_a_cookie_from_before_tokens_never_reaches_someone_who_joined_after_the_upgrade(app, make):
    """The old phone named participant N of course C by number; C was deleted and SQLite
    gave both numbers to a course and a person who came after the upgrade."""
    with app.app_context():
        course = make.course(step=2)
        code = course.join_code
        newcomer = make.participant(course, name="Kom efter opgraderingen")
        entry = (str(course.id), newcomer.id)
    old_phone = app.test_client()
    with old_phone.session_transaction() as session:
        session[SESSION_KEY] = dict([entry])
    assert old_phone.get(f"/c/{code}").headers["Location"] == f"/j/{code}"
    assert "Kom efter" not in old_phone.get("/").text
    refused = old_phone.post(f"/c/{code}/cards", data={"text": "Snyd", "client_token": "x"})
    assert refused.status_code == 403
    with app.app_context():
        assert card_count() == 0


def test_the_control_panels_etag_differs_for_a_new_course_with_a_deleted_ones_id(app, make, client):
    """A browser keeps the panel's last fragment by URL; the new course at the same id and
    revision must not be answered 304 with the deleted course's panel."""
    with app.app_context():
        course_id = make.course(title="Det slettede kursus").id
    client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    first = client.get(f"/f/courses/{course_id}/live", headers=HX)
    with app.app_context():
        delete_course(db.session.get(Course, course_id))
        new_id = make.course(title="Det nye kursus").id
    if new_id != course_id:
        return  # this database never reuses ids (PostgreSQL): nothing to mix up
    again = client.get(
        f"/f/courses/{course_id}/live", headers={**HX, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 200
    assert "Det nye kursus" in again.text or again.headers["ETag"] != first.headers["ETag"]


def test_the_migration_gives_everyone_a_token_and_marks_who_had_joined(app, make):
    with app.app_context():
        course = make.course()
        for _ in range(3):
            make.participant(course)
        downgrade(revision="f6a5b4c3d2e1")
        upgrade(revision="heads")
        db.session.remove()
        participants = db.session.scalars(db.select(Participant)).all()
        tokens = {participant.token for participant in participants}
        assert len(tokens) == 3 and all(len(token) >= 40 for token in tokens)
        assert all(participant.legacy_cookie for participant in participants)
        facilitator = find_facilitator(EMAIL)
        assert len(facilitator.session_token) >= 40
        # Who joins from now on is never reached through an id.
        course = db.session.scalars(db.select(Course)).one()
        assert make.participant(course).legacy_cookie is False


# --- Finding 5: logging out, a new password and deactivation end every login --------------


def logged_in(app):
    client = app.test_client()
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/f/").status_code == 200
    return client


def copies_of(app, client):
    """Two other browsers: one with a copy of the session cookie (another tab, a stolen
    cookie), one with only the remember cookie (a browser reopened days later)."""
    session_copy, remember_copy = app.test_client(), app.test_client()
    session_copy.set_cookie("session", client.get_cookie("session").value)
    remember_copy.set_cookie("remember_token", client.get_cookie("remember_token").value)
    for copy in (session_copy, remember_copy):
        assert copy.get("/f/").status_code == 200  # the copies work, until...
    return session_copy, remember_copy


def assert_logged_out(*clients):
    for client in clients:
        response = client.get("/f/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_logging_out_ends_the_login_in_every_browser_and_says_so(app, make):
    with app.app_context():
        make.facilitator()
    laptop = logged_in(app)
    session_copy, remember_copy = copies_of(app, laptop)
    out = laptop.post("/logout", follow_redirects=True)
    assert "Du er logget ud på alle dine enheder." in out.text
    assert_logged_out(laptop, session_copy, remember_copy)
    assert logged_in(app).get("/f/").status_code == 200  # logging in again works


def test_a_new_password_ends_every_login_made_before(app, make, runner):
    with app.app_context():
        make.facilitator()
    laptop = logged_in(app)
    copies = copies_of(app, laptop)
    result = runner.invoke(args=["facilitator", "password", EMAIL, "--password", "nyt kodeord"])
    assert result.exit_code == 0, result.output
    assert_logged_out(laptop, *copies)
    refused = app.test_client().post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert refused.status_code == 422
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": EMAIL, "password": "nyt kodeord"}).status_code == 302


def test_a_new_password_on_the_cli_is_checked_like_any_other(app, make, runner):
    with app.app_context():
        make.facilitator()
    short = runner.invoke(args=["facilitator", "password", EMAIL, "--password", "kort"])
    assert short.exit_code != 0 and "8" in short.output
    unknown = runner.invoke(args=["facilitator", "password", "nobody@x.dk", "--password", "x" * 9])
    assert unknown.exit_code != 0


def test_deactivating_ends_every_login_for_good_even_once_reactivated(app, make):
    with app.app_context():
        organisation = make.organisation()
        make.facilitator("admin@example.dk", organisation=organisation)
        make.facilitator(organisation=organisation)
    laptop = logged_in(app)
    copies = copies_of(app, laptop)
    with app.app_context():
        facilitator = find_facilitator(EMAIL)
        set_active(facilitator, False)
        assert_logged_out(laptop, *copies)
        set_active(facilitator, True)
    assert_logged_out(laptop, *copies)
    assert logged_in(app).get("/f/").status_code == 200


def test_an_admin_deactivating_a_colleague_ends_the_colleagues_logins(app, make):
    with app.app_context():
        organisation = make.organisation()
        make.facilitator("admin@example.dk", organisation=organisation)
        colleague_id = make.facilitator(organisation=organisation).id
    laptop = logged_in(app)
    admin = app.test_client()
    admin.post("/login", data={"email": "admin@example.dk", "password": PASSWORD})
    url = f"/f/organisation/facilitators/{colleague_id}/active"
    assert admin.post(url, data={"value": "0"}).status_code == 302
    assert admin.post(url, data={"value": "1"}).status_code == 302
    assert_logged_out(laptop)
    assert admin.get("/f/").status_code == 200  # the admin's own login stands


def test_a_login_cookie_naming_only_the_id_names_nobody(app, make):
    """Cookies from before session tokens, or forged from a known id: refused."""
    with app.app_context():
        facilitator_id = make.facilitator().id
        token = db.session.get(Facilitator, facilitator_id).session_token
    old_session = app.test_client()
    with old_session.session_transaction() as session:
        session["_user_id"] = str(facilitator_id)
        session["_fresh"] = True
    with app.test_request_context():
        old_remember = encode_cookie(str(facilitator_id))
        wrong_token = encode_cookie(f"{facilitator_id}:{token[:-1]}x")
    remembered, guessed = app.test_client(), app.test_client()
    remembered.set_cookie("remember_token", old_remember)
    guessed.set_cookie("remember_token", wrong_token)
    assert_logged_out(old_session, remembered, guessed)


def test_logging_out_one_facilitator_leaves_a_colleague_logged_in(app, make):
    with app.app_context():
        organisation = make.organisation()
        make.facilitator(organisation=organisation)
        make.facilitator("kollega@example.dk", organisation=organisation)
    mine = logged_in(app)
    theirs = app.test_client()
    theirs.post("/login", data={"email": "kollega@example.dk", "password": PASSWORD})
    mine.post("/logout")
    assert_logged_out(mine)
    assert theirs.get("/f/").status_code == 200
