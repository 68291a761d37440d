"""The citizen's path beyond the room: the swimlanes' geometry, the demo's path, the course
file's round trip and the PDF (issue 14, point 5)."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from tests.factories import departments_exactly
from workshop.catalogue import load_catalogue
from workshop.commands.demo_path import DEMO_PATH, seed_demo_path
from workshop.core.extensions import db
from workshop.core.models import Touchpoint
from workshop.exchange import export_course
from workshop.exchange.load import import_course
from workshop.reports.path_chart import (
    PER_PAGE,
    PathItem,
    format_minutes,
    path_chart,
    wrap,
)
from workshop.touchpoints import merge_touchpoints, path_duplicates, path_of


def item(number, lane="d1", kind="meeting", text="Samtale", duplicate=None):
    return PathItem(
        id=number,
        number=number,
        kind=kind,
        kind_label=kind.title(),
        text=text,
        lane=lane,
        lane_label={"d1": "Beskæftigelse", "d2": "Sundhed", "": "Andre steder"}[lane],
        citizen_minutes=60,
        staff_minutes=30,
        rule="",
        duplicate=duplicate,
        card_id=None,
    )


def departments_of(course):
    return departments_exactly(
        course.organisation_id,
        [
            ("Beskæftigelse", "employment"),
            ("Social og handicap", "social"),
            ("Sundhed og psykiatri", "health"),
        ],
    )


# --- Geometry ----------------------------------------------------------------------------


def test_one_lane_per_department_in_the_departments_order_and_elsewhere_last():
    chart = path_chart([item(1, ""), item(2, "d2"), item(3, "d1")], lane_order=["d1", "d2"])
    assert [lane.label for lane in chart.lanes] == ["Beskæftigelse", "Sundhed", "Andre steder"]
    boxes = {box.item.id: box for box in chart.boxes}
    assert boxes[3].y < boxes[2].y < boxes[1].y  # each box in its lane
    assert boxes[1].x < boxes[2].x < boxes[3].x  # in the path's order, left to right


def test_every_box_stays_inside_the_chart_and_its_lane():
    items = [item(n, "d1" if n % 2 else "d2", text="Et langt ord " * 20) for n in range(1, 15)]
    chart = path_chart(items)
    lanes = {lane.key: lane for lane in chart.lanes}
    for box in chart.boxes:
        lane = lanes[box.item.lane]
        assert box.x >= 0 and box.x + box.width <= chart.width
        assert lane.y <= box.y and box.y + box.height <= lane.y + lane.height
        # The wrapped text and the minutes fit under the heading.
        used = box.font_size * (2.55 + 1.2 * len(box.lines))
        assert used <= box.height


def test_a_box_reaches_into_free_room_but_never_over_the_next_box_of_its_lane():
    items = [item(1, "d1"), item(2, "d2"), item(3, "d2"), item(4, "d1"), item(5, "d1")]
    chart = path_chart(items)
    boxes = {box.item.id: box for box in chart.boxes}
    assert boxes[1].width > boxes[2].width  # over the room where d2's boxes lie
    assert boxes[1].x + boxes[1].width < boxes[4].x
    assert boxes[4].x + boxes[4].width < boxes[5].x
    xs = [box.centre_x for box in chart.boxes]
    assert xs == sorted(xs)  # the citizen's line runs left to right


def test_long_text_wraps_and_ends_in_an_ellipsis():
    lines = wrap("Samtale om bostøtte hvor borgeren fortæller sin historie igen og igen", 16, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(len(line) <= 16 for line in lines)


def test_a_long_danish_compound_is_cut_not_left_to_run_out_of_the_box():
    lines = wrap("Beskæftigelsesindsatsopfølgningsplan", 10, 5)
    assert all(len(line) <= 10 for line in lines)


def test_many_touchpoints_go_on_pages_and_keep_every_lane():
    items = [item(n, "d1" if n <= 3 else "d2") for n in range(1, PER_PAGE + 5)]
    second = path_chart(items, page=2)
    assert (second.page, second.pages) == (2, 2)
    assert [box.item.number for box in second.boxes] == list(range(PER_PAGE + 1, PER_PAGE + 5))
    assert len(second.lanes) == 2  # Beskæftigelse's lane though page 2 has none of it


def test_narrow_columns_keep_the_number_and_drop_the_words():
    chart = path_chart([item(n) for n in range(1, PER_PAGE + 1)], width=1000)
    for box in chart.boxes:
        assert box.heading == str(box.item.number)
        assert box.lines == () or box.lines[0].startswith("M")  # its kind, or nothing


def test_minutes_read_as_minutes_hours_or_days(app):
    with app.test_request_context("/?lang=en"):
        assert format_minutes(45) == "45 min"
        assert format_minutes(150) == "2.5 h".replace(".", ",")
        assert format_minutes(70 * 1440) == "70 days"


def test_an_empty_path_draws_no_boxes():
    chart = path_chart([])
    assert chart.empty and chart.pages == 1


# --- The demo's path ---------------------------------------------------------------------


def test_the_demo_path_crosses_three_departments_with_duplicated_plans_meetings_consents(ctx, make):
    load_catalogue()
    course = make.course(step=2)
    seed_demo_path(course, departments_of(course))
    path = path_of(course)
    assert len(path) == len(DEMO_PATH)
    assert {t.department.name for t in path} == {
        "Beskæftigelse",
        "Social og handicap",
        "Sundhed og psykiatri",
    }
    flagged = path_duplicates(path)
    kinds = {path_item.kind for path_item in path if path_item.id in flagged}
    assert kinds == {"plan", "meeting", "consent"}
    assert all(reason.across_departments for reason in flagged.values())
    assert any(t.requirement is not None for t in path)


def test_the_demo_path_in_a_course_without_departments_names_where(ctx, make):
    course = make.course(step=2)
    seed_demo_path(course, [])
    assert {t.place for t in path_of(course)} == {"Jobcentret", "Socialafdelingen", "Psykiatrien"}


# --- The course file ---------------------------------------------------------------------


def test_the_path_survives_the_course_files_round_trip(ctx, make):
    load_catalogue()
    course = make.course(step=2)
    seed_demo_path(course, departments_of(course))
    first, second = path_of(course)[:2]
    merge_touchpoints(first, second)
    data = export_course(course)
    assert len(data["touchpoints"]) == len(DEMO_PATH)
    assert any(t["requirement"] == "R27" for t in data["touchpoints"])
    copy = import_course(json.dumps(data), course.facilitator).course
    again = export_course(copy)
    assert again["touchpoints"] == data["touchpoints"]
    merged = db.session.scalars(
        select(Touchpoint).where(
            Touchpoint.course_id == copy.id, Touchpoint.merged_into_id.is_not(None)
        )
    ).all()
    assert len(merged) == 1


def test_an_imported_path_keeps_a_department_this_organisation_lacks_as_where(ctx, make):
    load_catalogue()
    course = make.course(step=2)
    seed_demo_path(course, departments_of(course))
    data = export_course(course)
    for touchpoint in data["touchpoints"]:  # names no organisation has by default
        touchpoint["department"] = f"{touchpoint['department']} Nord"
    elsewhere = make.facilitator("ny@strandvig.dk")
    copy = import_course(json.dumps(data), elsewhere).course
    places = {t.place for t in path_of(copy)}
    assert places == {"Beskæftigelse Nord", "Social og handicap Nord", "Sundhed og psykiatri Nord"}
    assert all(t.department_id is None for t in path_of(copy))


def test_a_file_whose_touchpoint_names_a_rule_it_does_not_carry_is_refused(ctx, make):
    from workshop.exchange.schema import ImportRefused

    load_catalogue()
    course = make.course(step=2)
    seed_demo_path(course, departments_of(course))
    data = export_course(course)
    data["touchpoints"][0]["requirement"] = "R99"
    with pytest.raises(ImportRefused):
        import_course(json.dumps(data), course.facilitator)


# --- The PDF -----------------------------------------------------------------------------


def test_the_action_plan_pdf_draws_the_path_and_lists_its_touchpoints(ctx, make):
    pypdf = pytest.importorskip("pypdf")
    from workshop.reports.pdf import action_plan_pdf

    load_catalogue()
    course = make.course(step=2)
    seed_demo_path(course, departments_of(course))
    pages = pypdf.PdfReader(io.BytesIO(action_plan_pdf(course))).pages
    text = "\n".join(page.extract_text() for page in pages)
    assert "Borgerforløbet" in text
    assert "Opfølgningsplan for sygedagpenge" in text
    assert "Sundhed og" in text  # the lane's name in the table (wrapped in its column)
    assert "Dobbelt (4×)" in text  # the four plans
    assert "Borgerens" in text and "Reglen bag" in text
