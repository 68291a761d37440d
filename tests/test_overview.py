"""The overview across an organisation's courses (issue 9 part 4): figures from the domain
function, the page's bars and the CSV, filters, and what is held back."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from workshop.catalogue import add_local_rule, load_catalogue, search_requirements
from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Course, Organisation
from workshop.examination import examine_card, link_requirement, prioritise
from workshop.reports.overview import Filters, build_overview, organisation_courses, overview_csv
from workshop.votes import cast_vote, set_voting_state

EN = {"Accept-Language": "en"}


def _course(make, facilitator, municipality, *, staff, managers, reveal=True):
    """A course in step 2 with three cards: local practice, national law, unknown; each
    participant puts one dot on the local-practice card and one on the law card."""
    course = make.course(
        facilitator, step=2, title=f"Forløb i {municipality}", municipality=municipality
    )
    people = [make.participant(course) for _ in range(staff)] + [
        make.participant(course, role="leder") for _ in range(managers)
    ]
    habit = make.card(people[0], f"Vi holder for mange samtaler ({municipality})")
    law = make.card(people[0], f"Selvbooking udelukker borgere ({municipality})")
    make.card(people[0], f"Ukendt bøvl ({municipality})")
    examine_card(habit, origin="local_practice")
    examine_card(law, origin="national_law")
    set_voting_state(course, "voting")
    for person in people:
        cast_vote(person, habit, 1)
        cast_vote(person, law, 1)
    if reveal:
        set_voting_state(course, "revealed")
    return course, people, habit, law


@pytest.fixture
def world(app, make):
    """Organisation North: Fjordby (3 staff, 3 managers: split shown), Lyngholm (4 staff,
    1 manager: split held back), Mosevang (vote not revealed). Another organisation's course."""
    with app.app_context():
        load_catalogue()
        north = make.organisation("Konsulenthuset Nord", "consultancy")
        me = make.facilitator("me@example.dk", organisation=north)
        fjordby, people, habit, law = _course(make, me, "Fjordby", staff=3, managers=3)
        habit_entry = next(r for r in search_requirements("") if r.may_be_habit)
        link_requirement(habit, habit_entry.key)
        rule = add_local_rule(me, name="Lokal samtaleskabelon", kind="local_practice")
        link_requirement(habit, rule.key)
        prioritise(habit, "prioritised")
        solution = make.solution(people[0], habit, "Drop den lokale skabelon", kind="remove")
        make.solution(people[1], habit, "Forklar skabelonen", kind="embed")
        action = make.action(solution)
        from workshop.actions import set_action_status

        set_action_status(action, "implemented")
        kalundborg, *_ = _course(make, me, "Lyngholm", staff=4, managers=1)
        _course(make, me, "Mosevang", staff=3, managers=3, reveal=False)
        stranger = make.facilitator("stranger@example.dk")
        _course(make, stranger, "Fremmed Kommune", staff=3, managers=3)
        return {
            "organisation": north.id,
            "habit_key": habit_entry.key,
            "rule_key": rule.key,
            "fjordby": fjordby.id,
            "kalundborg": kalundborg.id,
        }


def test_the_figures_across_the_organisations_courses(app, world):
    with app.app_context():
        overview = build_overview(db.session.get(Organisation, world["organisation"]))
        assert [c.municipality for c in overview.courses] == ["Fjordby", "Lyngholm", "Mosevang"]
        assert overview.cards == 9
        origins = {row.key: row for row in overview.origins}
        assert origins["local_practice"].count == 3 and origins["national_law"].count == 3
        assert origins["unknown"].count == 3
        assert overview.not_law == 3 and overview.examined == 6
        # Dots only from the two revealed courses (6 + 5 voters, one dot each per card);
        # Mosevang's vote is still secret.
        assert origins["local_practice"].dots == 11 == origins["national_law"].dots
        assert overview.revealed_courses == 2
        # Split by role only from Fjordby: Lyngholm's single manager is held back.
        assert overview.split_courses == 1 and overview.held_back_courses == 1
        assert origins["local_practice"].by_group == {"staff": 3, "managers": 3}
        requirements = {row.key: row for row in overview.requirements}
        assert requirements[world["habit_key"]].count == 1
        assert requirements[world["habit_key"]].habit
        assert requirements[world["rule_key"]].dots == 6
        assert overview.habit_cards == 1 and overview.local_rule_cards == 1
        kinds = {row.key: row for row in overview.solution_kinds}
        assert (kinds["remove"].count, kinds["remove"].chosen) == (1, 1)
        assert (kinds["embed"].count, kinds["embed"].chosen) == (1, 0)
        assert overview.implemented == 1
        assert {row.key: row.count for row in overview.actions}["implemented"] == 1


def test_filters_by_municipality_and_period(app, world):
    with app.app_context():
        organisation = db.session.get(Organisation, world["organisation"])
        only = build_overview(organisation, Filters(municipality="Lyngholm"))
        assert [c.municipality for c in only.courses] == ["Lyngholm"]
        assert only.split_courses == 0 and only.held_back_courses == 1
        assert all(not row.by_group for row in only.origins)
        today = local_today()
        assert len(organisation_courses(organisation, Filters(since=today, until=today))) == 3
        later = Filters(since=today + timedelta(days=1))
        assert organisation_courses(organisation, later) == []
        assert organisation_courses(organisation, Filters(until=date(2000, 1, 1))) == []


def test_the_page_draws_bars_and_holds_back_the_small_group(app, world, client, auth):
    auth.login("me@example.dk")
    page = client.get("/f/overview", headers=EN)
    assert page.status_code == 200
    assert "Forløb i Fjordby" in page.text and "Fremmed Kommune" not in page.text
    assert page.text.count('class="bar bar-origin-local_practice"') == 2  # cards and dots
    assert 'id="ov-held-back"' in page.text
    assert "Lokal samtaleskabelon" in page.text
    filtered = client.get("/f/overview?municipality=Lyngholm", headers=EN)
    assert "Forløb i Fjordby" not in filtered.text and "Dots from staff" not in filtered.text
    assert client.get("/f/overview?municipality=Ingen", headers=EN).status_code == 200


@pytest.mark.parametrize(
    "query", ["since=igår", "until=2026-13-01", "since=2026-05-01&until=2026-01-01"]
)
def test_a_bad_period_is_a_clear_message_not_an_error(app, world, client, auth, query):
    auth.login("me@example.dk")
    page = client.get(f"/f/overview?{query}", headers=EN)
    assert page.status_code == 422 and 'role="alert"' in page.text
    assert client.get(f"/f/overview.csv?{query}", headers=EN).status_code == 422


def test_the_csv_is_for_danish_excel_one_row_per_course(app, world, client, auth):
    auth.login("me@example.dk")
    response = client.get("/f/overview.csv", headers=EN)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert [row[1] for row in body] == ["Fjordby", "Lyngholm", "Mosevang"]
    by_course = {row[1]: dict(zip(header, row, strict=True)) for row in body}
    assert by_course["Fjordby"]["Dots from staff"] == "6"  # 3 staff, a dot on two cards each
    assert by_course["Fjordby"]["Dots"] == "12"
    assert by_course["Lyngholm"]["Dots from managers"] == ""  # held back
    assert by_course["Lyngholm"]["Dots"] == "10"
    assert by_course["Mosevang"]["Dots"] == ""  # not revealed
    assert by_course["Fjordby"]["Chosen: Remove"] == "1"
    assert by_course["Fjordby"]["Actions: Implemented"] == "1"
    assert "Fremmed Kommune" not in response.data.decode("utf-8-sig")


def test_another_organisations_overview_shows_none_of_ours(app, world, client, auth):
    auth.login("stranger@example.dk")
    page = client.get("/f/overview", headers=EN)
    assert "Fjordby" not in page.text and "Fremmed Kommune" in page.text
    csv_text = client.get("/f/overview.csv").data.decode("utf-8-sig")
    assert "Fjordby" not in csv_text and "Fremmed Kommune" in csv_text
    with app.app_context():
        fjordby = db.session.get(Course, world["fjordby"])
        assert client.get(f"/f/courses/{fjordby.id}").status_code == 404


def test_an_organisation_without_courses_has_an_empty_overview(app, make, client, auth):
    with app.app_context():
        make.facilitator("lonely@example.dk")
    auth.login("lonely@example.dk")
    page = client.get("/f/overview", headers=EN)
    assert page.status_code == 200 and "No courses match." in page.text
    body = client.get("/f/overview.csv").data.decode("utf-8-sig")
    assert len(body.strip().splitlines()) == 1  # the header only
    with app.app_context():
        assert overview_csv([]).startswith("\ufeff".encode())
        assert db.session.scalars(select(Course)).all() == []


@pytest.mark.parametrize(
    "value",
    ["\x00", "kort\x00med NUL", "²", "١٢", "2026-02-30", "9" * 40, "<script>", "%", "'", " "],
)
def test_odd_filter_values_never_give_a_500(app, world, client, auth, value):
    auth.login("me@example.dk")
    for name in ("municipality", "since", "until"):
        for path in ("/f/overview", "/f/overview.csv"):
            response = client.get(path, query_string={name: value})
            assert response.status_code in (200, 422), (path, name, value)
            if response.status_code == 200 and path == "/f/overview":
                assert "<script>" not in response.text.split("<main", 1)[1]
