"""An organisation's departments (issue 14): the defaults, changing the list, joining a
course across departments, and citizens and relatives kept out of the staff/manager split."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.vocabulary import CITIZEN_ROLE, SECTORS, role_group
from workshop.departments import (
    CITIZEN_CHOICE,
    DEFAULT_DEPARTMENTS,
    active_departments,
    add_department,
    departments_in_room,
    departments_of,
    join_choices,
    move_department,
    previous_choice,
    rename_department,
    set_retired,
)
from workshop.participants import join
from workshop.reports.overview import build_overview
from workshop.votes import cast_vote, results, role_groups_below_minimum, set_voting_state


def _names(organisation):
    return [d.name for d in departments_of(organisation)]


def test_a_new_organisation_has_the_danish_defaults_in_order_each_with_a_known_sector(app, make):
    with app.app_context():
        organisation = make.organisation("Jobcenter Fjordby")
        departments = departments_of(organisation)
        assert [(d.name, d.sector) for d in departments] == list(DEFAULT_DEPARTMENTS)
        assert all(d.sector in SECTORS for d in departments)
        assert "Leverandør" in _names(organisation) and "Politikere" in _names(organisation)


def test_an_organisation_without_departments_gets_the_defaults_when_its_list_is_read(app, make):
    with app.app_context():
        organisation = make.organisation("Jobcenter Bakkedal")
        for department in departments_of(organisation):
            db.session.delete(department)
        db.session.commit()
        assert _names(organisation) == [name for name, _sector in DEFAULT_DEPARTMENTS]


def test_adding_a_department_tidies_its_name_and_puts_it_last(app, make):
    with app.app_context():
        organisation = make.organisation()
        added = add_department(organisation, "  Misbrugs\u200bcenter   Sølund ", "health")
        assert added.name == "Misbrugscenter Sølund"
        assert _names(organisation)[-1] == "Misbrugscenter Sølund"


@pytest.mark.parametrize(
    ("name", "sector", "code"),
    [
        ("", "social", "name"),
        ("x" * 121, "social", "name"),
        ("beskæftigelse", "employment", "name"),  # case aside, the default's name
        ("BESKÆFTIGELSE", "employment", "name"),  # Æ too (SQLite's lower() leaves it)
        ("Misbrug", "no-such-sector", "sector"),
    ],
)
def test_a_department_without_a_name_a_unique_name_or_a_sector_is_refused(
    app, make, name, sector, code
):
    with app.app_context():
        organisation = make.organisation()
        with pytest.raises(WorkshopError) as refused:
            add_department(organisation, name, sector)
        assert refused.value.code == code
        assert len(departments_of(organisation)) == len(DEFAULT_DEPARTMENTS)


def test_the_same_name_in_another_organisation_is_fine(app, make):
    with app.app_context():
        add_department(make.organisation("Jobcenter Sølund"), "Misbrug", "health")
        assert add_department(make.organisation("Jobcenter Strandvig"), "Misbrug", "health")


def test_a_retired_department_with_the_name_says_to_bring_it_back(app, make):
    with app.app_context():
        organisation = make.organisation()
        set_retired(departments_of(organisation)[-1], True)
        with pytest.raises(WorkshopError, match="Tag den i brug igen"):
            add_department(organisation, "politikere", "politics")


def test_renaming_keeps_the_participants_who_picked_it(app, make):
    with app.app_context():
        course = make.course(across_departments=True)
        person = make.department_participant(course, "Ydelse/borgerservice")
        rename_department(person.department, "Ydelse og borgerservice", "benefits")
        assert db.session.get(type(person), person.id).department.name == (
            "Ydelse og borgerservice"
        )


def test_renaming_to_another_departments_name_is_refused_and_changes_nothing(app, make):
    with app.app_context():
        organisation = make.organisation()
        department = departments_of(organisation)[0]
        with pytest.raises(WorkshopError):
            rename_department(department, "Sundhed og psykiatri", "no-such-sector")
        with pytest.raises(WorkshopError):
            rename_department(department, "Sundhed og psykiatri", "health")
        assert department.name == "Beskæftigelse" and department.sector == "employment"


def test_a_retired_department_is_no_longer_offered_and_can_be_brought_back(app, make):
    with app.app_context():
        course = make.course(across_departments=True)
        vendor = next(d for d in departments_of(course.organisation) if d.name == "Leverandør")
        set_retired(vendor, True)
        assert "Leverandør" not in dict(join_choices(course)).values()
        assert vendor in departments_of(course.organisation)
        set_retired(vendor, False)
        assert "Leverandør" in dict(join_choices(course)).values()


def test_the_last_active_department_cannot_be_retired(app, make):
    with app.app_context():
        organisation = make.organisation()
        *others, last = departments_of(organisation)
        for department in others:
            set_retired(department, True)
        with pytest.raises(WorkshopError) as refused:
            set_retired(last, True)
        assert refused.value.code == "last_department"
        assert active_departments(organisation) == [last]


def test_moving_a_department_swaps_it_with_its_neighbour_and_stops_at_the_ends(app, make):
    with app.app_context():
        organisation = make.organisation()
        first, second = departments_of(organisation)[:2]
        move_department(second, "up")
        assert _names(organisation)[:2] == [second.name, first.name]
        move_department(second, "up")  # already first
        assert _names(organisation)[0] == second.name
        last = departments_of(organisation)[-1]
        move_department(last, "down")
        assert _names(organisation)[-1] == last.name
        positions = [d.position for d in departments_of(organisation)]
        assert positions == list(range(len(positions)))


def test_a_course_across_departments_requires_a_department_when_joining(app, make):
    with app.app_context():
        course = make.course(across_departments=True)
        with pytest.raises(WorkshopError) as refused:
            join(course, "medarbejder", "Team Nord")
        assert refused.value.code == "department"
        with pytest.raises(WorkshopError):
            join(course, "medarbejder", "Team Nord", department=CITIZEN_CHOICE)  # not invited


def test_another_organisations_department_is_refused_when_joining(app, make):
    with app.app_context():
        course = make.course(across_departments=True)
        theirs = departments_of(make.organisation("Jobcenter Lyngholm"))[0]
        with pytest.raises(WorkshopError) as refused:
            join(course, "medarbejder", department=str(theirs.id))
        assert refused.value.code == "department"


def test_a_course_not_across_departments_asks_for_none(app, make):
    with app.app_context():
        course = make.course()
        person = join(course, "medarbejder", department="1")
        assert person.department is None and join_choices(course) == []
        assert departments_in_room(course) == []


def test_a_citizen_joins_with_the_citizen_role_whatever_role_was_sent(app, make):
    with app.app_context():
        course = make.course(across_departments=True, invites_citizens=True)
        person = make.department_participant(course, CITIZEN_CHOICE, role="leder")
        assert person.role == CITIZEN_ROLE and person.department is None
        assert role_group(person.role) == "citizens"


def test_the_citizen_role_is_refused_where_citizens_are_not_invited(app, make):
    with app.app_context():
        with pytest.raises(WorkshopError):
            join(make.course(), CITIZEN_ROLE)
        assert join(make.course(invites_citizens=True), CITIZEN_ROLE).role == CITIZEN_ROLE


def test_the_room_is_counted_by_department_in_the_organisations_order(app, make):
    with app.app_context():
        course = make.course(across_departments=True, invites_citizens=True)
        for name in ("Sundhed og psykiatri", "Beskæftigelse", "Beskæftigelse"):
            make.department_participant(course, name)
        make.department_participant(course, CITIZEN_CHOICE)
        counts = [(c.name, c.count) for c in departments_in_room(course)]
        assert counts == [("Beskæftigelse", 2), ("Sundhed og psykiatri", 1)]


def test_the_phones_last_pick_in_the_same_organisation_is_found_and_no_other(app, make):
    with app.app_context():
        first = make.course(across_departments=True)
        person = make.department_participant(first, "Social og handicap")
        second = make.course(across_departments=True)
        assert previous_choice(second.organisation, [person.token]) == str(person.department_id)
        elsewhere = make.course(make.facilitator(email="b@example.dk"), across_departments=True)
        assert previous_choice(elsewhere.organisation, [person.token]) is None


def test_citizens_under_the_minimum_hold_the_role_split_back(app, make):
    """Beside the total, staff's and managers' dots would give the citizens' away."""
    with app.app_context():
        course = make.course(step=2, invites_citizens=True, min_group_size=2)
        card = make.card(make.participant(course))
        voters = [make.participant(course) for _ in range(2)]
        voters += [make.participant(course, role="leder") for _ in range(2)]
        voters.append(make.participant(course, role=CITIZEN_ROLE))
        set_voting_state(course, "voting")
        for voter in voters:
            cast_vote(voter, card, 1)
        set_voting_state(course, "revealed")
        shown = results(course)
        assert [g.key for g in shown.groups] == ["staff", "managers", "citizens"]
        assert not any(g.shown for g in shown.groups)
        assert shown.rows[0].by_group == {} and shown.rows[0].total == 5
        assert [g.key for g in role_groups_below_minimum(course)] == ["citizens"]


def test_enough_citizens_are_a_group_of_their_own_beside_staff_and_managers(app, make):
    with app.app_context():
        course = make.course(step=2, invites_citizens=True, min_group_size=1)
        card = make.card(make.participant(course))
        staff, citizen = make.participant(course), make.participant(course, role=CITIZEN_ROLE)
        manager = make.participant(course, role="leder")
        set_voting_state(course, "voting")
        for voter, dots in ((staff, 1), (citizen, 2), (manager, 3)):
            cast_vote(voter, card, dots)
        set_voting_state(course, "revealed")
        row = results(course).rows[0]
        assert row.by_group == {"staff": 1, "citizens": 2, "managers": 3}


def test_a_course_without_citizens_has_the_two_role_groups_as_before(app, make):
    with app.app_context():
        course = make.course(step=2, min_group_size=1)
        card = make.card(make.participant(course))
        set_voting_state(course, "voting")
        cast_vote(make.participant(course), card, 1)
        set_voting_state(course, "revealed")
        assert [g.key for g in results(course).groups] == ["staff", "managers"]


@pytest.fixture
def empty_database(db_kind, databases, tmp_path):
    """A database with no tables at all (not the migrated template)."""
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    url = databases.cluster.create_database(f"empty_departments_{tmp_path.name[-12:]}".lower())
    yield url
    databases.drop(url)


def test_the_migration_gives_the_organisations_there_are_the_defaults(empty_database):
    """An organisation from before departments (the model's migration, da1b2c3d4e5f) has
    the defaults after the next one; one that has departments keeps its own."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": empty_database}
    )
    with app.app_context():
        upgrade(revision="da1b2c3d4e5f")
        meta = sa.MetaData()
        organisation = sa.Table("organisation", meta, autoload_with=db.engine)
        department = sa.Table("department", meta, autoload_with=db.engine)
        now = datetime.now(UTC)
        with db.engine.begin() as connection:
            for number, name in ((101, "Jobcenter Sølund"), (102, "Jobcenter Mosevang")):
                connection.execute(
                    organisation.insert().values(
                        id=number, name=name, kind="municipality", created_at=now
                    )
                )
            connection.execute(
                department.insert().values(
                    organisation_id=102, name="Egen", sector="other", position=0, created_at=now
                )
            )
        db.session.remove()
        upgrade(revision="heads")
        db.session.remove()
        # Read straight from the table: departments_of would make missing defaults itself.
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.select(department.c.organisation_id, department.c.name).order_by(
                    department.c.organisation_id, department.c.position
                )
            ).all()
        by_organisation = {number: [n for o, n in rows if o == number] for number in (101, 102)}
        assert by_organisation == {
            101: [name for name, _sector in DEFAULT_DEPARTMENTS],
            102: ["Egen"],
        }
        db.session.remove()
        db.engine.dispose()


def test_the_overview_across_courses_holds_back_a_split_a_lone_citizen_would_give_away(app, make):
    with app.app_context():
        course = make.course(step=2, invites_citizens=True, min_group_size=2)
        card = make.card(make.participant(course))
        voters = [make.participant(course) for _ in range(2)]
        voters += [make.participant(course, role="leder") for _ in range(2)]
        set_voting_state(course, "voting")
        for voter in voters:
            cast_vote(voter, card, 1)
        set_voting_state(course, "revealed")
        assert build_overview(course.organisation).split_courses == 1
        set_voting_state(course, "voting")
        cast_vote(make.participant(course, role=CITIZEN_ROLE), card, 1)
        set_voting_state(course, "revealed")
        assert build_overview(course.organisation).split_courses == 0
