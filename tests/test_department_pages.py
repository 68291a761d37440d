"""Departments on the pages (issue 14): the admin's section, the course form's options,
joining a course across departments from a phone, and the projector's counts."""

import re

from sqlalchemy import select

from workshop.core.extensions import db
from workshop.core.models import AuditEvent, Course, Department, Participant
from workshop.core.vocabulary import CITIZEN_ROLE
from workshop.departments import CITIZEN_CHOICE, departments_of
from workshop.organisations import find_organisation

EN = {"Accept-Language": "en"}


def _org(app, make):
    """An admin and a facilitator of Jobcenter Fjordby; returns the admin's course's id."""
    with app.app_context():
        organisation = make.organisation("Jobcenter Fjordby")
        admin = make.facilitator(email="admin@fjordby.dk", organisation=organisation)
        make.facilitator(email="kollega@fjordby.dk", organisation=organisation)
        return make.course(admin, across_departments=True, invites_citizens=True).id


def _department(app, name, organisation="Jobcenter Fjordby"):
    with app.app_context():
        return next(d.id for d in departments_of(find_organisation(organisation)) if d.name == name)


def _course(app, course_id):
    with app.app_context():
        course = db.session.get(Course, course_id)
        return course.join_code


def test_the_admin_sees_the_departments_with_their_buttons(app, make, client, auth):
    _org(app, make)
    auth.login("admin@fjordby.dk")
    page = client.get("/f/organisation")
    assert page.status_code == 200
    assert "Unge og uddannelse (UU)" in page.text and "Regionens sundhedskoordinator" in page.text
    assert "/f/organisation/departments" in page.text and "Tilføj afdeling" in page.text


def test_a_facilitator_who_is_not_admin_sees_the_list_but_cannot_change_it(app, make, client, auth):
    _org(app, make)
    department = _department(app, "Politikere")
    auth.login("kollega@fjordby.dk")
    page = client.get("/f/organisation")
    assert "Politikere" in page.text and "/f/organisation/departments" not in page.text
    for path, data in (
        (
            "/f/organisation/departments",
            {"department-name": "Misbrug", "department-sector": "health"},
        ),
        (f"/f/organisation/departments/{department}/retired", {"value": "1"}),
        (f"/f/organisation/departments/{department}/rename", {"name": "X", "sector": "other"}),
        (f"/f/organisation/departments/{department}/move", {"direction": "up"}),
    ):
        assert client.post(path, data=data).status_code == 403
    with app.app_context():
        assert db.session.get(Department, department).retired_at is None
        assert db.session.scalar(select(Department).where(Department.name == "Misbrug")) is None


def test_the_admin_adds_a_department_and_the_audit_trail_says_so_in_codes(app, make, client, auth):
    _org(app, make)
    auth.login("admin@fjordby.dk")
    response = client.post(
        "/f/organisation/departments",
        data={"department-name": " Misbrug ", "department-sector": "health"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#departments")
    with app.app_context():
        added = db.session.scalar(select(Department).where(Department.name == "Misbrug"))
        assert added.sector == "health"
        line = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "department_added"))
        assert line.target_id == added.id and "Misbrug" not in str(line.detail)


def test_a_refused_department_keeps_what_was_typed_with_a_danish_reason(app, make, client, auth):
    _org(app, make)
    auth.login("admin@fjordby.dk")
    response = client.post(
        "/f/organisation/departments",
        data={"department-name": "beskæftigelse", "department-sector": "employment"},
    )
    assert response.status_code == 422
    assert "har allerede en afdeling" in response.text
    assert 'value="beskæftigelse"' in response.text


def test_a_refused_rename_keeps_the_typed_name_open_in_its_row(app, make, client, auth):
    _org(app, make)
    department = _department(app, "Leverandør")
    auth.login("admin@fjordby.dk")
    response = client.post(
        f"/f/organisation/departments/{department}/rename",
        data={"name": "Politikere", "sector": "vendor"},
    )
    assert response.status_code == 422
    assert 'value="Politikere" maxlength="120" required aria-invalid="true"' in response.text
    with app.app_context():
        assert db.session.get(Department, department).name == "Leverandør"


def test_the_admin_renames_retires_brings_back_and_moves_a_department(app, make, client, auth):
    _org(app, make)
    department = _department(app, "Leverandør")
    base = f"/f/organisation/departments/{department}"
    auth.login("admin@fjordby.dk")
    client.post(f"{base}/rename", data={"name": "Leverandør (Fjordby)", "sector": "vendor"})
    client.post(f"{base}/retired", data={"value": "1"})
    page = client.get("/f/organisation")
    assert re.search(
        r"Leverandør \(Fjordby\)</span>\s*<span[^>]*>[^<]*</span>\s*<span class=\"tag", page.text
    )
    client.post(f"{base}/retired", data={"value": "0"})
    client.post(f"{base}/move", data={"direction": "up"})
    with app.app_context():
        moved = db.session.get(Department, department)
        assert moved.retired_at is None
        assert [d.name for d in departments_of(moved.organisation)][5] == "Leverandør (Fjordby)"
        codes = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_kind == "department")
        ).all()
        assert codes == [
            "department_renamed",
            "department_retired",
            "department_reactivated",
            "department_moved",
        ]


def test_the_course_form_offers_both_options_with_a_line_each(app, make, client, auth):
    _org(app, make)
    auth.login("admin@fjordby.dk")
    page = client.get("/f/courses/new")
    assert 'name="across_departments"' in page.text and 'name="invites_citizens"' in page.text
    assert 'aria-describedby="across-departments-hint"' in page.text
    response = client.post(
        "/f/courses/new",
        data={
            "title": "På tværs",
            "municipality": "Fjordby Kommune",
            "dot_budget": "5",
            "min_group_size": "3",
            "across_departments": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        made = db.session.scalar(select(Course).where(Course.title == "På tværs"))
        assert made.across_departments and not made.invites_citizens


def test_the_join_page_offers_the_active_departments_and_the_citizens(app, make, client):
    code = _course(app, _org(app, make))
    page = client.get(f"/j/{code}")
    assert page.status_code == 200
    assert 'name="department"' in page.text
    assert "Sundhed og psykiatri" in page.text and "Borger eller pårørende" in page.text
    # Citizens come through the department question, not as a role.
    assert f'name="role" type="radio" value="{CITIZEN_ROLE}"' not in page.text


def test_joining_without_a_department_is_refused_with_the_name_and_unit_kept(app, make, client):
    code = _course(app, _org(app, make))
    response = client.post(
        f"/j/{code}", data={"role": "medarbejder", "unit": "Team Nord", "name": "Søren"}
    )
    assert response.status_code == 422
    assert "Vælg den afdeling, du kommer fra" in response.text
    assert 'value="Team Nord"' in response.text and 'value="Søren"' in response.text
    with app.app_context():
        assert db.session.scalar(select(Participant)) is None


def test_a_phone_joins_with_its_department_and_the_next_course_preselects_it(app, make, client):
    course_id = _org(app, make)
    department = _department(app, "Sundhed og psykiatri")
    code = _course(app, course_id)
    data = {"role": "medarbejder", "department": str(department)}
    assert client.post(f"/j/{code}", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Participant)).department_id == department
        admin = make.facilitator(email="admin@fjordby.dk")
        second = make.course(admin, across_departments=True).join_code
    page = client.get(f"/j/{second}")
    assert _checked(page.text) == str(department)


def _checked(html: str) -> str | None:
    """The department radio button the page has checked, if any."""
    found = re.search(
        r'<input checked id="department-\d+" name="department" type="radio" value="(\w+)"', html
    )
    return found.group(1) if found else None


def test_a_phone_from_another_organisation_gets_no_preselection(app, make, client):
    course_id = _org(app, make)
    department = _department(app, "Sundhed og psykiatri")
    client.post(
        f"/j/{_course(app, course_id)}", data={"role": "medarbejder", "department": str(department)}
    )
    with app.app_context():
        elsewhere = make.course(make.facilitator(email="b@mosevang.dk"), across_departments=True)
        code = elsewhere.join_code
    page = client.get(f"/j/{code}")
    assert 'name="department"' in page.text and _checked(page.text) is None


def test_a_citizen_joins_without_a_role_and_counts_as_neither_staff_nor_manager(app, make, client):
    code = _course(app, _org(app, make))
    response = client.post(f"/j/{code}", data={"department": CITIZEN_CHOICE, "unit": ""})
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(Participant))
        assert person.role == CITIZEN_ROLE and person.department is None


def test_the_projector_and_the_panel_count_the_room_by_department(app, make, client, auth):
    course_id = _org(app, make)
    with app.app_context():
        course = db.session.get(Course, course_id)
        for name in ("Beskæftigelse", "Beskæftigelse", "Social og handicap"):
            make.department_participant(course, name)
        make.department_participant(course, CITIZEN_CHOICE)
    auth.login("admin@fjordby.dk")
    for path in (f"/f/courses/{course_id}/projector", f"/f/courses/{course_id}"):
        page = client.get(path)
        assert "Afdelinger i rummet: Beskæftigelse: 2 · Social og handicap: 1" in page.text
        assert "Sundhed og psykiatri: " not in page.text  # nobody from there


def test_a_course_not_across_departments_shows_no_department_counts(app, make, client, auth):
    _org(app, make)
    with app.app_context():
        admin = make.facilitator(email="admin@fjordby.dk")
        course = make.course(admin)
        make.participant(course)
        course_id = course.id
    auth.login("admin@fjordby.dk")
    assert "Afdelinger i rummet" not in client.get(f"/f/courses/{course_id}/projector").text


def test_retiring_the_last_department_returns_to_the_list_with_the_reason(app, make, client, auth):
    _org(app, make)
    with app.app_context():
        organisation = find_organisation("Jobcenter Fjordby")
        *others, last = [d.id for d in departments_of(organisation)]
    auth.login("admin@fjordby.dk")
    for department in others:
        client.post(f"/f/organisation/departments/{department}/retired", data={"value": "1"})
    response = client.post(
        f"/f/organisation/departments/{last}/retired", data={"value": "1"}, headers=EN
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/f/organisation#department-{last}")
    page = client.get("/f/organisation", headers=EN).text
    assert "Keep at least one department." in page
    with app.app_context():
        assert db.session.get(Department, last).retired_at is None
