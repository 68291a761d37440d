"""Results by role or by department (issue 14, point 2): one split at a time, never crossed,
and no group under the course's minimum that could be shown or worked out by subtraction."""

from __future__ import annotations

import csv
import io
import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course
from workshop.core.vocabulary import CITIZEN_ROLE
from workshop.examination import prioritise
from workshop.reports import pdf as report
from workshop.reports.overview import build_overview
from workshop.splits import (
    CITIZENS,
    NO_DEPARTMENT,
    POOLED,
    crossing_is_safe,
    effective_split,
    hold_back,
    set_result_split,
)
from workshop.votes import cast_vote, results, role_groups_below_minimum, set_voting_state

EN = {"Accept-Language": "en"}


def _vote(course, people, card, dots=1):
    set_voting_state(course, "voting")
    for person in people:
        cast_vote(person, card, dots)
    set_voting_state(course, "revealed")


def _room(make, sizes: dict[str, int], *, minimum=3, split="department", citizens=0):
    """A course in step 2 with one card; `sizes` voters per department ("" for none), each
    putting one dot on the card, and the vote revealed."""
    course = make.course(step=2, min_group_size=minimum, invites_citizens=bool(citizens))
    people = []
    departments = {}
    groups = {name: [make.participant(course) for _ in range(size)] for name, size in sizes.items()}
    people += [make.participant(course, role=CITIZEN_ROLE) for _ in range(citizens)]
    for name, joined in groups.items():  # joined first: a course across asks for a department
        if name:
            departments[name] = make.department_in(course, name, joins=joined)
        people += joined
    course.across_departments = True
    set_result_split(course, split)
    card = make.card(people[0], "Tre planer for den samme borger")
    _vote(course, people, card)
    return course, card, departments


def _key(department) -> str:
    return f"department:{department.id}"


# --- The rule, in the domain --------------------------------------------------------------


def test_a_department_of_one_is_never_shown_on_its_own(make, ctx):
    course, _card, departments = _room(make, {"Beskæftigelse": 4, "Sundhed": 3, "Social": 1})
    ranked = results(course)
    row = ranked.rows[0]
    assert row.total == 8
    assert _key(departments["Social"]) not in row.by_group
    # Left out, total minus the two shown would be the one person's dot: the smallest shown
    # department is counted with it instead.
    assert row.by_group == {_key(departments["Beskæftigelse"]): 4, POOLED: 4}
    assert ranked.pooled.voters == 4
    assert ranked.pooled.label == "Sundhed, Social samlet"  # in the order they were added
    assert "blandt Social har kun 1 stemt" in ranked.held_back_note


def test_two_departments_with_one_under_the_minimum_show_only_the_total(make, ctx):
    course, _card, departments = _room(make, {"Beskæftigelse": 5, "Sundhed": 2})
    ranked = results(course)
    assert ranked.rows[0].total == 7
    assert ranked.rows[0].by_group == {}
    assert ranked.columns == []
    assert {g.key: g.shown for g in ranked.groups} == {
        _key(departments["Beskæftigelse"]): False,
        _key(departments["Sundhed"]): False,
    }
    assert ranked.held_back_note.startswith("Opdelingen på afdelinger vises ikke")


def test_departments_big_enough_are_all_shown(make, ctx):
    course, _card, departments = _room(make, {"Beskæftigelse": 3, "Sundhed": 3})
    row = results(course).rows[0]
    assert row.by_group == {_key(departments["Beskæftigelse"]): 3, _key(departments["Sundhed"]): 3}


def test_participants_without_a_department_are_a_group_held_back_like_any(make, ctx):
    course, _card, departments = _room(make, {"Beskæftigelse": 3, "": 3})
    ranked = results(course)
    assert ranked.rows[0].by_group == {_key(departments["Beskæftigelse"]): 3, NO_DEPARTMENT: 3}
    assert [g.label for g in ranked.columns] == ["Beskæftigelse", "Ingen afdeling"]
    course, _card, _departments = _room(make, {"Sundhed": 3, "": 1})
    assert results(course).rows[0].by_group == {}


def test_citizens_are_their_own_group_never_staff(make, ctx):
    course, _card, _departments = _room(
        make, {"Beskæftigelse": 3}, split="role", citizens=3, minimum=3
    )
    row = results(course).rows[0]
    assert row.by_group == {"staff": 3, CITIZENS: 3}
    set_result_split(course, "department")
    assert CITIZENS in results(course).rows[0].by_group


def test_a_lone_citizen_holds_back_their_group_too(make, ctx):
    course, _card, _departments = _room(make, {"Beskæftigelse": 3}, split="role", citizens=1)
    assert results(course).rows[0].by_group == {}


def test_a_split_is_by_role_or_by_department_never_both(make, ctx):
    course, _card, departments = _room(make, {"Beskæftigelse": 3, "Sundhed": 3})
    managers = {"staff", "managers"}
    assert not managers & set(results(course).rows[0].by_group)
    set_result_split(course, "role")
    assert set(results(course).rows[0].by_group) == {"staff"}
    set_result_split(course, "none")
    ranked = results(course)
    assert ranked.rows[0].by_group == {} and ranked.groups == [] and ranked.held_back_note == ""


def test_department_is_not_offered_in_a_course_of_one_department(make, ctx):
    course = make.course(step=2)
    with pytest.raises(WorkshopError) as refused:
        set_result_split(course, "department")
    assert refused.value.code == "split"
    course.result_split = "department"  # a course no longer across departments
    assert effective_split(course) == "role"


def test_the_warning_before_the_vote_names_a_small_department(make, ctx):
    course = make.course(step=2)
    people = [make.participant(course) for _ in range(4)]
    make.department_in(course, "Beskæftigelse", joins=people[:3])
    make.department_in(course, "Sundhed", joins=people[3:])
    set_result_split(course, "department")
    assert [(g.label, g.voters) for g in role_groups_below_minimum(course)] == [("Sundhed", 1)]


# --- The rule as a property: nothing under the minimum can be worked out ------------------


def _isolatable(voters: dict[str, int], minimum: int) -> list[int]:
    """Every set of voters that some sum or difference of the figures shown (the total and
    each column) singles out: its size. Checked by trying every combination."""
    shown, pooled = hold_back(voters, minimum)
    present = [key for key, n in voters.items() if n]
    figures = [set(present)] + [{key} for key in shown] + ([set(pooled)] if pooled else [])
    sizes = []
    for weights in itertools.product((-1, 0, 1), repeat=len(figures)):
        per_group = {
            key: sum(w for w, f in zip(weights, figures, strict=True) if key in f)
            for key in present
        }
        if all(v in (0, 1) for v in per_group.values()):
            size = sum(voters[key] for key, v in per_group.items() if v)
            if size:
                sizes.append(size)
    return sizes


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    voters=st.dictionaries(
        st.sampled_from("ABCDE"), st.integers(min_value=0, max_value=9), max_size=5
    ),
    minimum=st.integers(min_value=1, max_value=5),
)
def test_no_figure_shown_can_be_subtracted_down_to_fewer_than_the_minimum(voters, minimum):
    everyone = sum(voters.values())  # the total is shown whatever the split
    assert all(size >= minimum or size == everyone for size in _isolatable(voters, minimum))
    shown, pooled = hold_back(voters, minimum)
    assert all(voters[key] >= minimum for key in shown)
    assert not pooled or sum(voters[key] for key in pooled) >= minimum


@settings(max_examples=200)
@given(
    voters=st.dictionaries(
        st.sampled_from("ABCDEF"), st.integers(min_value=0, max_value=9), max_size=6
    ),
    minimum=st.integers(min_value=1, max_value=5),
)
def test_every_group_big_enough_is_shown_on_its_own_unless_it_must_cover_a_small_one(
    voters, minimum
):
    shown, pooled = hold_back(voters, minimum)
    small = {key for key, n in voters.items() if 0 < n < minimum}
    if not small and any(voters.values()):
        assert set(shown) == {key for key, n in voters.items() if n}
    big_in_pool = [key for key in pooled if voters[key] >= minimum]
    assert len(big_in_pool) <= 1 or not shown


# --- The pages ----------------------------------------------------------------------------


def _revealed_across(app, make, split="department"):
    with app.app_context():
        course, card, _departments = _room(make, {"Beskæftigelse": 3, "Sundhed": 3})
        prioritise(card, "prioritised")
        set_result_split(course, split)
        return course.id


def test_the_facilitator_chooses_the_split_on_the_control_panel(app, client, auth, make):
    course_id = _revealed_across(app, make, split="role")
    auth.login()
    page = client.get(f"/f/courses/{course_id}", headers=EN).text
    assert "Split the result by" in page
    assert re.search(r'name="split" value="department"', page)
    client.post(f"/f/courses/{course_id}/split", data={"split": "department"})
    with app.app_context():
        assert db.session.get(Course, course_id).result_split == "department"
    projector = client.get(f"/f/courses/{course_id}/projector", headers=EN).text
    assert "Beskæftigelse: 3 voted." in projector and "Sundhed: 3 voted." in projector
    assert "Staff: " not in projector


def test_a_course_of_one_department_offers_no_department_split(app, client, auth, make):
    with app.app_context():
        course_id = make.course(step=2).id
    auth.login()
    page = client.get(f"/f/courses/{course_id}", headers=EN).text
    assert 'name="split" value="role"' in page
    assert 'name="split" value="department"' not in page
    client.post(f"/f/courses/{course_id}/split", data={"split": "department"})
    with app.app_context():
        assert db.session.get(Course, course_id).result_split == "role"


def test_the_origin_overview_shows_the_departments_dots(app, client, auth, make):
    course_id = _revealed_across(app, make)
    auth.login()
    page = client.get(f"/f/courses/{course_id}/projector", headers=EN).text
    origins = page[page.index("Where do the rules come from?") :]
    assert '<th scope="col">Beskæftigelse</th>' in origins
    assert '<th scope="col">Sundhed</th>' in origins


def test_the_pdf_shows_the_department_groups(app, make):
    course_id = _revealed_across(app, make)
    with app.test_request_context("/?lang=en"):
        pdf = report.action_plan_pdf(db.session.get(Course, course_id))
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages
    )
    assert "Beskæftigelse: 3 voted." in text and "Sundhed: 3 voted." in text
    assert "6 dots: Beskæftigelse 3, Sundhed 3" in text
    assert "Staff: " not in text


def test_the_cards_csv_has_a_column_per_department(app, client, auth, make):
    course_id = _revealed_across(app, make)
    auth.login()
    body = client.get(f"/f/courses/{course_id}/export/cards.csv", headers=EN).data
    header, first, *_rest = csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";")
    row = dict(zip(header, first, strict=True))
    assert (row["Dots"], row["Dots: Beskæftigelse"], row["Dots: Sundhed"]) == ("6", "3", "3")
    assert "Dots: Staff" not in header


def test_the_cards_csv_holds_a_small_department_back(app, client, auth, make):
    with app.app_context():
        course_id = _room(make, {"Beskæftigelse": 4, "Sundhed": 1})[0].id
    auth.login()
    body = client.get(f"/f/courses/{course_id}/export/cards.csv", headers=EN).data
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert not any(name.startswith("Dots:") for name in header)


def test_the_overview_across_courses_splits_by_department_on_request(app, client, auth, make):
    course_id = _revealed_across(app, make)
    auth.login()
    page = client.get("/f/overview?split=department", headers=EN).text
    assert "Dots from Beskæftigelse" in page and "Dots from Sundhed" in page
    assert "Dots from staff" not in page
    assert "Dots from staff" in client.get("/f/overview", headers=EN).text
    body = client.get("/f/overview.csv?split=department", headers=EN).data
    header, first = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))[:2]
    row = dict(zip(header, first, strict=True))
    assert (row["Dots from Beskæftigelse"], row["Dots from Sundhed"]) == ("3", "3")
    with app.app_context():
        course = db.session.get(Course, course_id)
        overview = build_overview(course.organisation, split="department")
        assert overview.split_courses == 1 and overview.held_back_courses == 0


# --- Across the two splits: one after the other, nobody singled out ------------------------


def test_a_department_nearly_the_same_as_a_role_group_holds_both_splits_back(make, ctx):
    """Three managers and one staff member from one department: the department's dots minus
    the managers' would be that one person's, once the room has seen both splits."""
    course = make.course(step=2, min_group_size=3)
    managers = [make.participant(course, role="leder") for _ in range(3)]
    lone, *staff = [make.participant(course) for _ in range(4)]
    make.department_in(course, "Beskæftigelse", joins=[*managers, lone])
    make.department_in(course, "Sundhed", joins=staff)
    card = make.card(lone, "Samtykke tre gange")
    _vote(course, [*managers, lone, *staff], card)
    for split in ("role", "department"):
        set_result_split(course, split)
        ranked = results(course)
        assert ranked.rows[0].total == 7
        assert ranked.rows[0].by_group == {}
        assert ranked.crossed
        assert ranked.held_back_note.startswith("Opdelingen vises ikke")


def test_splits_that_do_not_nearly_coincide_are_both_shown(make, ctx):
    course = make.course(step=2, min_group_size=3)
    managers = [make.participant(course, role="leder") for _ in range(4)]
    staff = [make.participant(course) for _ in range(4)]
    make.department_in(course, "Beskæftigelse", joins=[*managers[:2], *staff[:2]])
    make.department_in(course, "Sundhed", joins=[*managers[2:], *staff[2:]])
    card = make.card(staff[0])
    _vote(course, [*managers, *staff], card)
    assert results(course).rows[0].by_group == {"staff": 4, "managers": 4}
    set_result_split(course, "department")
    assert sorted(results(course).rows[0].by_group.values()) == [4, 4]


def _crossing_singles_out(voters: dict[int, tuple[str, str]], minimum: int) -> bool:
    """Every sum and difference (weights -2..2) of the total and both splits' figures as
    shown: does one pick out fewer than the minimum (other than everyone)?"""
    figures = [set(voters)]
    for side in (0, 1):
        counts = {}
        for pair in voters.values():
            counts[pair[side]] = counts.get(pair[side], 0) + 1
        shown, pooled = hold_back(counts, minimum, pool=side == 1)  # by role: no pooling
        if not shown:
            continue
        figures += [{p for p, pair in voters.items() if pair[side] == key} for key in shown]
        if pooled:
            figures.append({p for p, pair in voters.items() if pair[side] in pooled})
    for weights in itertools.product((-2, -1, 0, 1, 2), repeat=len(figures)):
        per_voter = [
            sum(w for w, f in zip(weights, figures, strict=True) if p in f) for p in voters
        ]
        if all(v in (0, 1) for v in per_voter) and 0 < sum(per_voter) < min(minimum, len(voters)):
            return True
    return False


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(
        st.tuples(st.sampled_from(["staff", "managers"]), st.sampled_from("AB")),
        min_size=1,
        max_size=10,
    ),
    minimum=st.integers(min_value=2, max_value=3),
)
def test_the_crossing_check_agrees_with_trying_every_combination(people, minimum):
    voters = dict(enumerate(people))
    assert crossing_is_safe(voters, minimum) == (not _crossing_singles_out(voters, minimum))


def test_by_role_a_small_group_holds_the_whole_split_back_as_before():
    assert hold_back({"staff": 5, "managers": 3, "citizens": 1}, 3, pool=False) == ([], [])
    assert hold_back({"staff": 5, "managers": 3}, 3, pool=False) == (["staff", "managers"], [])


def test_a_course_no_longer_across_departments_is_split_by_role_only_everywhere(make, ctx):
    """Three managers and a lone staff member in one department, three staff in another:
    unticking "across departments" must not let the role split (now shown) and the
    overview's department split together give away the lone staff member's dots."""
    from workshop.reports.overview import overview_csv

    course = make.course(step=2, min_group_size=3)
    managers = [make.participant(course, role="leder") for _ in range(3)]
    lone, *staff = [make.participant(course) for _ in range(4)]
    make.department_in(course, "Beskæftigelse", joins=[*managers, lone])
    make.department_in(course, "Sundhed og psykiatri", joins=staff)
    card = make.card(lone, "Samtykke tre gange")
    set_voting_state(course, "voting")
    for person in managers + staff:
        cast_vote(person, card, 1)
    cast_vote(lone, card, 4)
    set_voting_state(course, "revealed")
    assert results(course).crossed  # across departments: both splits held back
    course.across_departments = False
    db.session.commit()
    by_department = overview_csv([course], split="department").decode("utf-8-sig")
    assert "Beskæftigelse" not in by_department and "Sundhed" not in by_department
    row = by_department.split("\n", 1)[1].replace("\r", "").split(";")
    figures = [field for field in row if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", field)]
    assert not any("7" in field for field in figures)  # staff's sum: none (a date may hold 7)


def test_a_refused_split_returns_to_the_panel_with_the_reason(app, client, auth, make):
    with app.app_context():
        course_id = make.course(step=2).id
    auth.login()
    response = client.post(
        f"/f/courses/{course_id}/split", data={"split": "department"}, headers=EN
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/f/courses/{course_id}")
    panel = client.get(f"/f/courses/{course_id}", headers=EN).text
    assert "That split is not offered in this course." in panel
