"""The citizen's path through the pages (issue 14, point 5): the phone's form and its
refusals, the control panel's list and buttons, the touchpoint page, and the projector's
swimlanes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import departments_exactly
from workshop.core.extensions import db
from workshop.core.models import Card, Course, Department, Touchpoint

HX = {"HX-Request": "true"}


@pytest.fixture
def course(app, make, auth):
    with app.app_context():
        course = make.course(step=2)
        departments_exactly(
            course.organisation_id,
            [("Beskæftigelse", "employment"), ("Sundhed og psykiatri", "health")],
        )
        auth.login()
        return course.id, course.join_code


def departments(app):
    with app.app_context():
        return {d.name: d.id for d in db.session.scalars(select(Department))}


def open_path(client, course_id):
    return client.post(f"/f/courses/{course_id}/path/open")


def join(app, code):
    phone = app.test_client()
    phone.post(f"/j/{code}", data={"role": "medarbejder", "unit": "Team Ledige"})
    return phone


def touchpoints(app):
    with app.app_context():
        return list(db.session.scalars(select(Touchpoint).order_by(Touchpoint.position)))


def add(phone, code, **data):
    values = {"kind": "meeting", "text": "Samtale", "client_token": data.pop("token", "t1")}
    return phone.post(f"/c/{code}/touchpoints", data={**values, **data}, headers=HX)


def test_the_phone_shows_the_touchpoint_form_once_the_facilitator_opens_the_path(
    app, client, course
):
    course_id, code = course
    phone = join(app, code)
    assert 'id="touchpoint-form"' not in phone.get(f"/c/{code}").text
    open_path(client, course_id)
    page = phone.get(f"/c/{code}").text
    assert 'id="touchpoint-form"' in page
    assert "Beskæftigelse" in page and "Sundhed og psykiatri" in page
    assert "Ventetid" in page  # the kinds, in Danish


def test_a_phone_adds_a_touchpoint_with_department_and_time_in_days(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    phone = join(app, code)
    health = departments(app)["Sundhed og psykiatri"]
    reply = add(
        phone,
        code,
        kind="waiting",
        text="Venter på udredning",
        department=str(health),
        citizen_time="42",
        citizen_unit="days",
        staff_minutes="",
    )
    assert reply.status_code == 200
    [saved] = touchpoints(app)
    assert (saved.kind, saved.department_id, saved.citizen_minutes) == (
        "waiting",
        health,
        42 * 1440,
    )
    assert saved.staff_minutes is None


def test_a_refused_touchpoint_keeps_the_typed_text_and_says_why(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    phone = join(app, code)
    reply = add(phone, code, text="Møde med borger 010190-1234", staff_minutes="90")
    assert reply.status_code == 422
    assert "010190-1234" in reply.text and 'value="90"' in reply.text
    assert "CPR" in reply.text
    reply = add(phone, code, text="Samtale", staff_minutes="mange", token="t2")
    assert reply.status_code == 422 and "mange" in reply.text
    assert touchpoints(app) == []


def test_a_touchpoint_without_htmx_sends_the_phone_back_to_its_page(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    phone = join(app, code)
    reply = phone.post(
        f"/c/{code}/touchpoints", data={"kind": "plan", "text": "Jobplan", "client_token": "x"}
    )
    assert reply.status_code == 302
    assert len(touchpoints(app)) == 1


def test_the_control_panel_lists_the_path_and_orders_it(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    phone = join(app, code)
    add(phone, code, text="Første", token="a")
    add(phone, code, text="Anden", token="b")
    panel = client.get(f"/f/courses/{course_id}").text
    assert 'id="citizens-path"' in panel and "Første" in panel
    second = touchpoints(app)[1]
    client.post(f"/f/courses/{course_id}/touchpoints/{second.id}/move", data={"direction": "up"})
    assert [t.text for t in touchpoints(app)] == ["Anden", "Første"]
    client.post(f"/f/courses/{course_id}/touchpoints/{second.id}/move", data={"position": "2"})
    assert [t.text for t in touchpoints(app)] == ["Første", "Anden"]


def test_one_tap_makes_a_card_and_a_second_tap_is_refused_kindly(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    add(join(app, code), code, kind="plan", text="En plan mere")
    [touchpoint] = touchpoints(app)
    url = f"/f/courses/{course_id}/touchpoints/{touchpoint.id}/card"
    assert client.post(url).status_code == 302
    again = client.post(url, follow_redirects=True)
    assert "allerede et kort" in again.text
    with app.app_context():
        assert [c.text for c in db.session.scalars(select(Card))] == ["En plan mere"]


def test_the_touchpoint_page_saves_the_rule_behind_it_and_refuses_an_unknown_key(
    app, client, course
):
    from workshop.catalogue import load_catalogue

    with app.app_context():
        load_catalogue()
    course_id, code = course
    open_path(client, course_id)
    add(join(app, code), code)
    [touchpoint] = touchpoints(app)
    url = f"/f/courses/{course_id}/touchpoints/{touchpoint.id}"
    assert client.get(url).status_code == 200
    form = {"kind": "meeting", "text": "Samtale om job", "department": "", "place": "Jobcentret"}
    refused = client.post(url, data={**form, "requirement": "Q99", "staff_minutes": "30"})
    assert refused.status_code == 422 and "Q99" in refused.text and 'value="30"' in refused.text
    assert client.post(url, data={**form, "requirement": "R08"}).status_code == 302
    [saved] = touchpoints(app)
    with app.app_context():
        assert db.session.get(Touchpoint, saved.id).requirement.key == "R08"


def test_merging_from_the_touchpoint_page_keeps_the_earlier_one(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    phone = join(app, code)
    add(phone, code, text="Møde A", token="a")
    add(phone, code, text="Møde B", token="b")
    first, second = touchpoints(app)
    reply = client.post(
        f"/f/courses/{course_id}/touchpoints/{second.id}/merge", data={"target": str(first.id)}
    )
    assert reply.status_code == 302
    with app.app_context():
        assert db.session.get(Touchpoint, second.id).merged_into_id == first.id


def test_hiding_and_redacting_a_touchpoint(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    add(join(app, code), code, text="Jens Hansen til møde")
    [touchpoint] = touchpoints(app)
    base = f"/f/courses/{course_id}/touchpoints/{touchpoint.id}"
    client.post(f"{base}/hidden")
    assert touchpoints(app)[0].hidden
    assert client.post(f"{base}/redact", data={}).status_code == 422  # not confirmed
    client.post(f"{base}/redact", data={"confirm": "y"})
    assert "Jens" not in touchpoints(app)[0].text


def test_the_projector_draws_the_path_in_swimlanes_with_duplicates_marked(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    phone = join(app, code)
    ids = departments(app)
    add(phone, code, kind="plan", text="Jobplan", department=str(ids["Beskæftigelse"]), token="a")
    add(
        phone,
        code,
        kind="plan",
        text="Behandlingsplan",
        department=str(ids["Sundhed og psykiatri"]),
        token="b",
    )
    page = client.get(f"/f/courses/{course_id}/projector/live").text
    assert '<svg class="path-chart"' in page
    assert page.count('class="path-box is-duplicate"') == 2
    assert "Beskæftigelse" in page and "Sundhed og psykiatri" in page
    assert re.search(r"<desc[^>]*>.*Jobplan.*</desc>", page, re.S)
    assert "2×" in page


def test_closing_the_path_brings_the_cards_back_on_the_phone(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    open_path(client, course_id)
    with app.app_context():
        assert not db.session.get(Course, course_id).path_open
    assert 'id="card-form"' in join(app, code).get(f"/c/{code}").text


def test_the_touchpoint_page_moves_it_to_a_typed_place(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    phone = join(app, code)
    for token in "abc":
        add(phone, code, text=f"Berøring {token}", token=token)
    last = touchpoints(app)[-1]
    page = client.get(f"/f/courses/{course_id}/touchpoints/{last.id}").text
    assert 'name="position"' in page
    client.post(f"/f/courses/{course_id}/touchpoints/{last.id}/move", data={"position": "1"})
    assert [t.text for t in touchpoints(app)] == ["Berøring c", "Berøring a", "Berøring b"]
    refused = client.post(
        f"/f/courses/{course_id}/touchpoints/{last.id}/move",
        data={"position": "først"},
        follow_redirects=True,
    )
    assert "Angiv pladsen som et tal" in refused.text


def test_an_endless_time_from_a_phone_is_refused_beside_the_form(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    reply = add(join(app, code), code, citizen_time="inf", citizen_unit="days")
    assert reply.status_code == 422 and "Angiv tiden som et tal" in reply.text
    assert touchpoints(app) == []


def test_a_department_that_only_looks_like_a_number_is_refused_beside_the_form(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    reply = add(join(app, code), code, department="²")
    assert reply.status_code == 422 and "Vælg en af de viste afdelinger" in reply.text
    assert touchpoints(app) == []


def test_a_merge_target_that_only_looks_like_a_number_is_refused_on_the_page(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    add(join(app, code), code, text="Møde A")
    [touchpoint] = touchpoints(app)
    url = f"/f/courses/{course_id}/touchpoints/{touchpoint.id}/merge"
    reply = client.post(url, data={"target": "²"})
    assert reply.status_code == 422
    assert "Vælg et andet berøringspunkt at lægge sammen med" in reply.text


def test_a_place_of_a_thousand_digits_is_refused_on_the_panel(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    add(join(app, code), code, text="Møde A")
    [touchpoint] = touchpoints(app)
    url = f"/f/courses/{course_id}/touchpoints/{touchpoint.id}/move"
    reply = client.post(url, data={"position": "9" * 5000}, follow_redirects=True)
    assert reply.status_code == 200 and "Angiv pladsen som et tal" in reply.text


def test_the_facilitator_turns_a_long_path_to_its_next_page_on_the_projector(app, client, course):
    course_id, code = course
    open_path(client, course_id)
    phone = join(app, code)
    for number in range(1, 19):  # 18 touchpoints: two pages of 16
        add(phone, code, kind="form", text=f"Skema nummer {number}", token=f"t{number}")
    panel = client.get(f"/f/courses/{course_id}", headers={"Accept-Language": "en"}).text
    assert "The projector shows page 1 of 2 of the path." in panel
    projector = client.get(f"/f/courses/{course_id}/projector/live").text
    assert "Skema nummer 1." in projector and "Skema nummer 17" not in projector

    turned = client.post(f"/f/courses/{course_id}/path/page", data={"page": "2"})
    assert turned.headers["Location"].endswith("#path-pages")
    projector = client.get(f"/f/courses/{course_id}/projector/live").text
    assert "Skema nummer 17" in projector and "Skema nummer 1." not in projector

    client.post(f"/f/courses/{course_id}/path/page", data={"page": "99"})
    client.post(f"/f/courses/{course_id}/path/page", data={"page": "x" * 1000})
    with app.app_context():
        assert db.session.get(Course, course_id).path_page == 1


def test_the_facilitator_writes_down_a_touchpoint_said_aloud(app, client, course):
    course_id, _code = course
    ids = departments(app)
    page = client.get(f"/f/courses/{course_id}/touchpoints/new", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Add a touchpoint" in page.text
    data = {
        "kind": "consent",
        "text": "Samtykke til at dele oplysninger med psykiatrien",
        "department": str(ids["Sundhed og psykiatri"]),
        "citizen_minutes": "10",
        "staff_minutes": "",
        "requirement": "",
    }
    response = client.post(f"/f/courses/{course_id}/touchpoints/new", data=data)
    assert response.headers["Location"].endswith("#citizens-path")
    (added,) = touchpoints(app)
    assert (added.kind, added.department_id, added.citizen_minutes, added.participant_id) == (
        "consent",
        ids["Sundhed og psykiatri"],
        10,
        None,
    )


def test_a_touchpoint_said_aloud_that_is_refused_keeps_what_was_typed(app, client, course):
    course_id, _code = course
    data = {"kind": "meeting", "text": "Møde med Hans, 010203-1234", "department": ""}
    response = client.post(f"/f/courses/{course_id}/touchpoints/new", data=data)
    assert response.status_code == 422
    assert "Møde med Hans, 010203-1234</textarea>" in response.text
    assert 'role="alert"' in response.text
    assert touchpoints(app) == []
