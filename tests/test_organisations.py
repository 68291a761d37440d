"""Organisations (issue 9 part 1): the migration into a default organisation, admins and
their page, co-facilitation within an organisation, deactivation, and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course, Facilitator, Organisation
from workshop.facilitators import authenticate, find_facilitator
from workshop.organisations import (
    DEFAULT_ORGANISATION,
    create_organisation,
    default_organisation,
    set_active,
    set_admin,
)

EN = {"Accept-Language": "en"}


# --- The migration -------------------------------------------------------------------------


@pytest.fixture
def empty_database(db_kind, databases, tmp_path):
    """A database with no tables at all (not the migrated template)."""
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    name = f"empty_{datetime.now(UTC).strftime('%H%M%S%f')}"
    url = databases.cluster.create_database(name)
    yield url
    databases.drop(url)


def _app(url):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
        }
    )


def _old_course(facilitator_id: int, code: str) -> dict:
    now = datetime.now(UTC)
    return {
        "facilitator_id": facilitator_id,
        "title": f"Forløb {code}",
        "municipality": "Fjordby Kommune",
        "unit": "",
        "purpose": "",
        "core_task": "",
        "frame_can_change": "",
        "frame_cannot_change": "",
        "dialogue_questions": "",
        "dot_budget": 5,
        "multiple_dots_per_card": True,
        "min_group_size": 3,
        "join_code": code,
        "joining_open": True,
        "current_step": 1,
        "voting_state": "collect",
        "solution_voting_state": "collect",
        "reflection_questions": "",
        "timer_label": "",
        "revision": 1,
        "created_at": now,
    }


def test_the_migration_moves_existing_facilitators_and_courses_into_a_default_organisation(
    empty_database,
):
    """Migrate a database with data at 3f2a9c1d7b64 to the heads: one default organisation
    holds every facilitator (the first is its admin) and every course; none is NULL."""
    app = _app(empty_database)
    with app.app_context():
        upgrade(revision="3f2a9c1d7b64")
        meta = sa.MetaData()
        facilitator = sa.Table("facilitator", meta, autoload_with=db.engine)
        course = sa.Table("course", meta, autoload_with=db.engine)
        now = datetime.now(UTC)
        with db.engine.begin() as connection:
            for number, email in enumerate(["first@example.dk", "second@example.dk"], 1):
                connection.execute(
                    facilitator.insert().values(
                        id=number, email=email, password_hash="x", name="", created_at=now
                    )
                )
            connection.execute(course.insert().values(**_old_course(1, "AAAAAA")))
            connection.execute(course.insert().values(**_old_course(2, "CCCCCC")))
        db.session.remove()
        upgrade(revision="heads")
        db.session.remove()
        organisations = db.session.scalars(select(Organisation)).all()
        assert [o.name for o in organisations] == [DEFAULT_ORGANISATION]
        default = organisations[0]
        people = db.session.scalars(select(Facilitator).order_by(Facilitator.id)).all()
        assert [(p.organisation_id, p.is_admin, p.active) for p in people] == [
            (default.id, True, True),
            (default.id, False, True),
        ]
        courses = db.session.scalars(select(Course)).all()
        assert {c.organisation_id for c in courses} == {default.id}
        db.session.remove()
        # Not nullable any more.
        inspector = sa.inspect(db.engine)
        for table in ("course", "facilitator"):
            columns = {c["name"]: c for c in inspector.get_columns(table)}
            assert columns["organisation_id"]["nullable"] is False
        db.session.remove()
        db.engine.dispose()


def test_a_fresh_database_has_the_default_organisation_for_facilitators_without_one(ctx):
    from workshop.facilitators import create_facilitator

    first = create_facilitator("x@example.dk", "correct horse")
    second = create_facilitator("y@example.dk", "correct horse")
    assert first.organisation.name == DEFAULT_ORGANISATION == second.organisation.name
    assert first.is_admin and not second.is_admin  # the first of an organisation is admin
    assert default_organisation().id == first.organisation_id


# --- Admins ----------------------------------------------------------------------------------


def test_the_last_admin_can_be_neither_unmade_nor_deactivated(ctx, make):
    organisation = make.organisation("Jobcenter Syd")
    admin = make.facilitator("admin@example.dk", organisation=organisation)
    other = make.facilitator("other@example.dk", organisation=organisation)
    assert admin.is_admin and not other.is_admin
    for change in (set_admin, set_active):
        with pytest.raises(WorkshopError) as refused:
            change(admin, False)
        assert refused.value.code == "last_admin"
    assert admin.is_admin and admin.active
    set_admin(other, True)
    set_admin(admin, False)
    assert not admin.is_admin
    with pytest.raises(WorkshopError):
        set_active(other, False)  # now the only admin
    # A deactivated facilitator cannot be made admin; reactivated, they can.
    set_active(admin, False)
    with pytest.raises(WorkshopError):
        set_admin(admin, True)
    set_active(admin, True)
    set_admin(admin, True)
    assert admin.is_admin


def test_nobody_deactivates_their_own_login_though_another_admin_may(ctx, make):
    organisation = make.organisation("Jobcenter Syd")
    admin = make.facilitator("admin@example.dk", organisation=organisation)
    other = make.facilitator("other@example.dk", organisation=organisation)
    set_admin(other, True)  # not the last admin: only the own-login rule can refuse
    with pytest.raises(WorkshopError) as refused:
        set_active(admin, False, by=admin)
    assert refused.value.code == "own_login"
    assert admin.active
    set_active(admin, False, by=other)
    assert not admin.active


def test_organisation_names_are_unique_and_kinds_known(ctx):
    create_organisation("Konsulenthuset", "consultancy")
    for name, kind in (("konsulenthuset", "consultancy"), ("", "municipality"),
                       ("Ny", "ministry"), ("x" * 201, "partnership")):  # fmt: skip
        with pytest.raises(WorkshopError):
            create_organisation(name, kind)


def _world(app, make):
    with app.app_context():
        organisation = make.organisation("Jobcenter Nord")
        admin = make.facilitator("admin@example.dk", organisation=organisation)
        colleague = make.facilitator("colleague@example.dk", organisation=organisation)
        course = make.course(colleague, title="Kollegaens forløb")
        stranger = make.facilitator("stranger@example.dk")  # another organisation, its admin
        theirs = make.course(stranger, title="Fremmed forløb")
        return admin.id, colleague.id, course.id, stranger.id, theirs.id


def test_facilitators_of_one_organisation_see_and_run_each_others_courses(app, make, client, auth):
    admin, colleague, course, stranger, theirs = _world(app, make)
    auth.login("admin@example.dk")
    listing = client.get("/f/")
    assert "Kollegaens forløb" in listing.text and "Fremmed forløb" not in listing.text
    assert client.get(f"/f/courses/{course}").status_code == 200
    assert client.post(f"/f/courses/{course}/step", data={"step": "2"}).status_code == 302
    with app.app_context():
        assert db.session.get(Course, course).current_step == 2
    # Another organisation's course, even to an admin: nothing.
    assert client.get(f"/f/courses/{theirs}").status_code == 404
    assert client.get(f"/f/courses/{theirs}/export/cards.csv").status_code == 404


def test_the_admin_adds_a_facilitator_who_can_then_log_in(app, make, client, auth):
    _world(app, make)
    auth.login("admin@example.dk")
    page = client.get("/f/organisation", headers=EN)
    assert page.status_code == 200 and "colleague@example.dk" in page.text
    assert "stranger@example.dk" not in page.text
    response = client.post(
        "/f/organisation/facilitators",
        data={"email": " Ny@Example.dk ", "password": "correct horse", "name": "Ny"},
    )
    assert response.status_code == 302
    with app.app_context():
        added = find_facilitator("ny@example.dk")
        assert added.organisation.name == "Jobcenter Nord" and not added.is_admin
        assert authenticate("ny@example.dk", "correct horse") is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "kort@example.dk", "password": "kort"}, "at least 8"),
        ({"email": "colleague@example.dk", "password": "correct horse"}, "already exists"),
        ({"email": "ikke en adresse", "password": "correct horse"}, "not an email"),
        ({"email": "", "password": "correct horse"}, "Enter an email"),
        ({"email": "x@example.dk\x00", "password": ""}, "initial password"),
    ],
)
def test_a_refused_new_facilitator_keeps_what_was_typed(app, make, client, auth, data, message):
    _world(app, make)
    auth.login("admin@example.dk")
    with app.app_context():
        before = db.session.scalar(select(sa.func.count()).select_from(Facilitator))
    response = client.post("/f/organisation/facilitators?lang=en", data=data, headers=EN)
    assert response.status_code == 422
    assert message in response.text
    if data["email"] and "\x00" not in data["email"]:
        assert f'value="{data["email"]}"' in response.text
    with app.app_context():
        assert db.session.scalar(select(sa.func.count()).select_from(Facilitator)) == before


def test_a_facilitator_who_is_not_admin_sees_the_page_but_changes_nothing(app, make, client, auth):
    admin, colleague, *_ = _world(app, make)
    auth.login("colleague@example.dk")
    page = client.get("/f/organisation", headers=EN)
    assert page.status_code == 200 and "Add a facilitator" not in page.text
    refused = client.post(
        f"/f/organisation/facilitators/{admin}/admin", data={"value": "0"}, headers=EN
    )
    assert refused.status_code == 403 and "admin" in refused.text
    refused = client.post(
        "/f/organisation/facilitators", data={"email": "n@example.dk", "password": "x" * 9}
    )
    assert refused.status_code == 403
    with app.app_context():
        assert find_facilitator("n@example.dk") is None


def test_another_organisations_facilitator_is_not_found(app, make, client, auth):
    admin, colleague, course, stranger, theirs = _world(app, make)
    auth.login("admin@example.dk")
    for path in ("admin", "active"):
        response = client.post(
            f"/f/organisation/facilitators/{stranger}/{path}", data={"value": "0"}
        )
        assert response.status_code == 404
        too_big = client.post(f"/f/organisation/facilitators/{2**70}/{path}", data={"value": "0"})
        assert too_big.status_code == 404
    with app.app_context():
        assert db.session.get(Facilitator, stranger).active


def test_the_last_admin_is_kept_on_the_page_with_a_message(app, make, client, auth):
    admin, colleague, *_ = _world(app, make)
    auth.login("admin@example.dk")
    response = client.post(
        f"/f/organisation/facilitators/{admin}/admin", data={"value": "0"}, headers=EN
    )
    assert response.status_code == 302
    page = client.get("/f/organisation", headers=EN)
    assert "must keep at least one admin" in page.text
    bad = client.post(f"/f/organisation/facilitators/{colleague}/admin", data={"value": "maybe"})
    assert bad.status_code == 302
    with app.app_context():
        assert db.session.get(Facilitator, admin).is_admin
        assert not db.session.get(Facilitator, colleague).is_admin


def test_a_deactivated_facilitator_is_logged_out_and_cannot_log_in(app, make, auth):
    admin, colleague, course, *_ = _world(app, make)
    theirs = app.test_client()
    theirs.post("/login", data={"email": "colleague@example.dk", "password": "correct horse"})
    assert theirs.get(f"/f/courses/{course}").status_code == 200
    admin_client = app.test_client()
    admin_client.post("/login", data={"email": "admin@example.dk", "password": "correct horse"})
    response = admin_client.post(
        f"/f/organisation/facilitators/{colleague}/active", data={"value": "0"}
    )
    assert response.status_code == 302
    assert theirs.get(f"/f/courses/{course}").headers["Location"].startswith("/login")
    again = app.test_client().post(
        "/login", data={"email": "colleague@example.dk", "password": "correct horse"}
    )
    assert again.status_code == 422
    # The course stays with the organisation: the admin still runs it.
    assert admin_client.get(f"/f/courses/{course}").status_code == 200
    admin_client.post(f"/f/organisation/facilitators/{colleague}/active", data={"value": "1"})
    assert (
        app.test_client()
        .post("/login", data={"email": "colleague@example.dk", "password": "correct horse"})
        .status_code
        == 302
    )


# --- The CLI ---------------------------------------------------------------------------------


def test_the_cli_creates_organisations_and_their_facilitators(app, runner):
    result = runner.invoke(args=["organisation", "create", "Fremfærd Rådgivning", "--kind",
                                 "consultancy"])  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "facilitator",
            "create",
            "k@example.dk",
            "--organisation",
            "fremfærd rådgivning",
            "--password",
            "correct horse",
        ]  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    assert "admin of Fremfærd Rådgivning" in result.output  # the first one
    result = runner.invoke(
        args=[
            "facilitator",
            "create",
            "l@example.dk",
            "--organisation",
            "Fremfærd Rådgivning",
            "--password",
            "correct horse",
            "--admin",
        ]  # fmt: skip
    )
    assert "admin of" in result.output
    # Without --organisation: the default organisation, as before.
    result = runner.invoke(args=["facilitator", "create", "m@example.dk", "--password",
                                 "correct horse"])  # fmt: skip
    assert result.exit_code == 0 and DEFAULT_ORGANISATION in result.output
    bad = runner.invoke(args=["facilitator", "create", "n@example.dk", "--organisation",
                              "Findes ikke", "--password", "correct horse"])  # fmt: skip
    assert bad.exit_code != 0 and "There is no organisation" in bad.output
    twice = runner.invoke(args=["organisation", "create", "Fremfærd Rådgivning"])
    assert twice.exit_code != 0 and twice.output.startswith("Error: ")  # a message, no trace
    listing = runner.invoke(args=["organisation", "list"])
    assert "Fremfærd Rådgivning\tconsultancy\t2\tk@example.dk, l@example.dk\t0" in listing.output
    with app.app_context():
        assert find_facilitator("m@example.dk").organisation.name == DEFAULT_ORGANISATION


def test_local_rules_belong_to_the_organisation(app, make):
    """A colleague's rule is in my catalogue and links on my course; another
    organisation's is not, and a name is taken once per organisation."""
    from workshop.catalogue import add_local_rule, local_rules, search_requirements
    from workshop.courses import go_to_step
    from workshop.examination import link_requirement

    with app.app_context():
        organisation = make.organisation("Jobcenter Vest")
        me = make.facilitator("me@example.dk", organisation=organisation)
        colleague = make.facilitator("colleague@example.dk", organisation=organisation)
        stranger = make.facilitator("stranger@example.dk")
        ours = add_local_rule(colleague, name="Samtaleskabelon", kind="local_practice")
        theirs = add_local_rule(stranger, name="Fremmed regel", kind="local_practice")
        assert [r.key for r in local_rules(me.id)] == [ours.key]
        assert ours.key in {r.key for r in search_requirements("", me.id)}
        assert theirs.key not in {r.key for r in search_requirements("", me.id)}
        with pytest.raises(WorkshopError):
            add_local_rule(me, name="samtaleskabelon", kind="local_practice")
        add_local_rule(stranger, name="Samtaleskabelon", kind="local_practice")  # theirs
        course = make.course(me)
        go_to_step(course, 2)
        card = make.card(make.participant(course))
        assert link_requirement(card, ours.key).requirement.id == ours.id
        with pytest.raises(WorkshopError):
            link_requirement(card, theirs.key)


def test_an_imported_course_links_to_the_organisations_rule_of_the_same_name(app, make):
    from workshop.catalogue import add_local_rule, local_rules
    from workshop.courses import go_to_step
    from workshop.examination import link_requirement
    from workshop.exchange import export_course_json, import_course

    with app.app_context():
        organisation = make.organisation("Jobcenter Øst")
        me = make.facilitator("me@example.dk", organisation=organisation)
        colleague = make.facilitator("colleague@example.dk", organisation=organisation)
        rule = add_local_rule(colleague, name="Ugeskema", kind="local_practice")
        course = make.course(colleague)
        go_to_step(course, 2)
        link_requirement(make.card(make.participant(course)), rule.key)
        imported = import_course(export_course_json(course), me).course
        assert imported.organisation_id == organisation.id
        assert [r.key for r in local_rules(me.id)] == [rule.key]  # no second "Ugeskema"
        card = imported.cards[0]
        assert [link.requirement_id for link in card.links] == [rule.id]


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_the_pages_buttons_work_as_a_browser_sends_them(app, make, client):
    """Each button's form, sent with exactly the fields the page renders (CSRF on)."""
    import re

    admin, colleague, *_ = _world(app, make)
    login = client.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login.text).group(1)
    client.post(
        "/login",
        data={"email": "admin@example.dk", "password": "correct horse", "csrf_token": token},
    )
    page = client.get("/f/organisation").text
    forms = re.findall(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page, re.S)
    sent = 0
    for action, body in forms:
        if f"/facilitators/{colleague}/admin" not in action:
            continue
        fields = [
            (
                re.search(r'name="([^"]*)"', tag).group(1),
                re.search(r'value="([^"]*)"', tag).group(1),
            )
            for tag in re.findall(r"<input[^>]*>", body)
        ]
        assert [name for name, _ in fields].count("value") == 1
        response = client.post(action, data=dict(fields))
        assert response.status_code == 302
        sent += 1
    assert sent == 1
    with app.app_context():
        assert db.session.get(Facilitator, colleague).is_admin


def test_an_admin_cannot_deactivate_their_own_login(app, make, client, auth):
    admin, colleague, *_ = _world(app, make)
    with app.app_context():
        set_admin(db.session.get(Facilitator, colleague), True)  # not the last admin
    auth.login("admin@example.dk")
    response = client.post(
        f"/f/organisation/facilitators/{admin}/active", data={"value": "0"}, headers=EN
    )
    assert response.status_code == 302
    assert "own login" in client.get("/f/organisation", headers=EN).text
    with app.app_context():
        assert db.session.get(Facilitator, admin).active
