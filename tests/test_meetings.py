"""The course's meetings (issue 18 point 1): planned in Danish time, refused kindly when
they cannot be right, the next one on the control panel, the phone and the manager link,
and each as a calendar file that Outlook and Google import."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course, Meeting
from workshop.manager_links import create_manager_link
from workshop.meetings import (
    MEETINGS_MAX,
    delete_meeting,
    edit_meeting,
    next_meeting,
    plan_meeting,
)

DK = ZoneInfo("Europe/Copenhagen")
# A fixed "now" for the domain's tests: Monday 11 January 2027, 10:00 in Denmark.
NOW = datetime(2027, 1, 11, 10, 0, tzinfo=DK)


def _plan(course, day=date(2027, 1, 12), start=time(9), end=time(12), **fields):
    fields = {"place": "Mødelokale 2", "steps": [2, 3], "note": "", "now": NOW, **fields}
    return plan_meeting(course, day=day, start=start, end=end, **fields)


def _future_day(days=30) -> date:
    return local_today() + timedelta(days=days)


# --- The domain ---------------------------------------------------------------------------


def test_a_meeting_is_typed_in_danish_time_and_stored_in_utc(ctx, make):
    meeting = _plan(make.course())
    assert meeting.starts_at.astimezone(UTC) == datetime(2027, 1, 12, 8, 0, tzinfo=UTC)
    assert meeting.ends_at.astimezone(UTC) == datetime(2027, 1, 12, 11, 0, tzinfo=UTC)
    assert (meeting.place, meeting.steps) == ("Mødelokale 2", [2, 3])


def test_a_summer_meeting_is_at_the_hour_people_read_after_the_clocks_change(ctx, make):
    meeting = _plan(make.course(), day=date(2027, 6, 15), start=time(13), end=time(15))
    assert meeting.starts_at.astimezone(UTC).hour == 11  # Danish summer time is UTC+2


def test_a_meeting_that_ends_before_it_starts_is_refused(ctx, make):
    with pytest.raises(WorkshopError) as refused:
        _plan(make.course(), start=time(12), end=time(9))
    assert refused.value.code == "end"


def test_a_meeting_without_a_date_or_times_is_refused_with_the_field_named(ctx, make):
    course = make.course()
    for missing, code in (
        ({"day": None}, "day"),
        ({"start": None}, "start"),
        ({"end": None}, "end"),
    ):
        with pytest.raises(WorkshopError) as refused:
            _plan(course, **missing)
        assert refused.value.code == code


def test_planning_a_meeting_that_is_already_over_is_refused(ctx, make):
    with pytest.raises(WorkshopError) as refused:
        _plan(make.course(), day=date(2027, 1, 4))
    assert refused.value.code == "day"
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 0


def test_a_meeting_going_on_now_may_still_be_planned(ctx, make):
    meeting = _plan(make.course(), day=date(2027, 1, 11), start=time(9), end=time(12))
    assert meeting.id is not None


def test_the_place_may_be_empty_but_not_a_cpr_number(ctx, make):
    course = make.course()
    assert _plan(course, place="").place == ""
    with pytest.raises(WorkshopError) as refused:
        _plan(course, place="Hos 010203-1234")
    assert refused.value.code == "place"


def test_unknown_steps_are_refused_and_known_ones_kept_in_order(ctx, make):
    course = make.course()
    assert _plan(course, steps=["4", 2, 2]).steps == [2, 4]
    with pytest.raises(WorkshopError) as refused:
        _plan(course, steps=[7])
    assert refused.value.code == "steps"


def test_a_course_cannot_have_more_than_the_maximum_of_meetings(ctx, make):
    course = make.course()
    for week in range(MEETINGS_MAX):
        _plan(course, day=date(2027, 1, 12) + timedelta(weeks=week))
    with pytest.raises(WorkshopError) as refused:
        _plan(course, day=date(2028, 6, 1))
    assert refused.value.code == "too_many"


def test_the_next_meeting_is_the_one_going_on_or_the_first_to_come(ctx, make):
    course = make.course()
    later = _plan(course, day=date(2027, 2, 9))
    soon = _plan(course, day=date(2027, 1, 12))
    assert next_meeting(course, NOW) == soon
    assert next_meeting(course, datetime(2027, 1, 12, 10, 30, tzinfo=DK)) == soon  # going on
    assert next_meeting(course, datetime(2027, 1, 12, 12, 0, tzinfo=DK)) == later
    assert next_meeting(course, datetime(2027, 3, 1, tzinfo=DK)) is None


def test_the_next_meeting_is_the_courses_own(ctx, make):
    mine, other = make.course(), make.course(title="Et andet forløb")
    _plan(other)
    assert next_meeting(mine, NOW) is None


def test_editing_a_meeting_counts_the_edit_for_calendars_and_keeps_its_uid(ctx, make):
    meeting = _plan(make.course())
    uid = meeting.uid
    edit_meeting(
        meeting, day=date(2027, 1, 13), start=time(9), end=time(12), place="Kantinen", now=NOW
    )
    assert (meeting.uid, meeting.sequence, meeting.place) == (uid, 1, "Kantinen")
    assert meeting.steps == []


def test_saving_a_meeting_unchanged_is_no_edit(ctx, make):
    meeting = _plan(make.course())
    edit_meeting(
        meeting,
        day=date(2027, 1, 12),
        start=time(9),
        end=time(12),
        place="Mødelokale 2",
        steps=[2, 3],
        now=NOW,
    )
    assert meeting.sequence == 0


def test_a_coming_meeting_cannot_be_moved_into_the_past(ctx, make):
    meeting = _plan(make.course())
    with pytest.raises(WorkshopError) as refused:
        edit_meeting(meeting, day=date(2026, 1, 12), start=time(9), end=time(12), now=NOW)
    assert refused.value.code == "day"


def test_a_meeting_that_is_over_may_be_corrected(ctx, make):
    meeting = _plan(make.course())
    after = datetime(2027, 2, 1, tzinfo=DK)
    edit_meeting(meeting, day=date(2027, 1, 12), start=time(9), end=time(13), now=after)
    assert meeting.ends_at.astimezone(UTC).hour == 12


def test_deleting_a_meeting_removes_it(ctx, make):
    course = make.course()
    delete_meeting(_plan(course))
    assert next_meeting(course, NOW) is None


def test_deleting_the_course_deletes_its_meetings(ctx, make):
    from workshop.courses import delete_course

    course = make.course()
    _plan(course)
    delete_course(course)
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 0


# --- The calendar file ----------------------------------------------------------------------


def _calendar_of(response) -> Calendar:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in response.headers["Content-Disposition"]
    return Calendar.from_ical(response.data)


def _event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


@pytest.fixture
def planned(app, make):
    """A course with a meeting 30 days ahead, 9-12 Danish time, and a manager link."""
    with app.app_context():
        course = make.course(step=2, title="Mindre bøvl i jobcentret")
        meeting = plan_meeting(
            course,
            day=_future_day(),
            start=time(9),
            end=time(12),
            place="Mødelokale 2, Havnegade 4",
            steps=[2, 3],
            note="Tag jeres kort med.",
        )
        link = create_manager_link(course, "Direktionen")
        return {
            "course": course.id,
            "code": course.join_code,
            "meeting": meeting.id,
            "uid": meeting.uid,
            "token": link.token,
        }


def test_the_calendar_file_is_a_valid_vcalendar_outlook_and_google_import(
    app, client, auth, planned
):
    auth.login()
    calendar = _calendar_of(
        client.get(f"/f/courses/{planned['course']}/meetings/{planned['meeting']}/calendar.ics")
    )
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    assert "Samskabt" in str(calendar["PRODID"])
    # Times with a TZID need the VTIMEZONE that defines it.
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Copenhagen"
    event = _event(calendar)
    for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE"):
        assert required in event


def test_the_calendar_file_has_the_meetings_times_place_and_course(app, client, auth, planned):
    auth.login()
    event = _event(
        _calendar_of(
            client.get(f"/f/courses/{planned['course']}/meetings/{planned['meeting']}/calendar.ics")
        )
    )
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime.combine(_future_day(), time(9), tzinfo=DK)
    assert end - start == timedelta(hours=3)
    assert str(start.tzinfo) == "Europe/Copenhagen"
    assert str(event["LOCATION"]) == "Mødelokale 2, Havnegade 4"
    assert str(event["SUMMARY"]) == "Workshop: Mindre bøvl i jobcentret"
    description = str(event["DESCRIPTION"])
    assert "2. " in description and "3. " in description and "Tag jeres kort med." in description
    assert f"http://localhost/j/{planned['code']}" in description
    assert str(event["UID"]) == f"{planned['uid']}@samskabt"


def test_the_calendar_files_uid_stays_and_its_sequence_grows_after_an_edit(
    app, client, auth, planned
):
    auth.login()
    url = f"/f/courses/{planned['course']}/meetings/{planned['meeting']}/calendar.ics"
    before = _event(_calendar_of(client.get(url)))
    client.post(
        f"/f/courses/{planned['course']}/meetings/{planned['meeting']}",
        data={"day": _future_day().isoformat(), "start": "10:00", "end": "12:00", "place": "Sal"},
    )
    after = _event(_calendar_of(client.get(url)))
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("DTSTART").hour == 10


def test_a_participant_downloads_their_courses_meeting(app, client, planned):
    client.post(f"/j/{planned['code']}", data={"role": "medarbejder", "unit": "Team"})
    event = _event(
        _calendar_of(client.get(f"/c/{planned['code']}/meetings/{planned['meeting']}/calendar.ics"))
    )
    assert str(event["LOCATION"]) == "Mødelokale 2, Havnegade 4"


def test_a_phone_that_has_not_joined_is_sent_to_join_not_given_the_file(app, client, planned):
    response = client.get(f"/c/{planned['code']}/meetings/{planned['meeting']}/calendar.ics")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/j/{planned['code']}"


def test_another_courses_meeting_is_not_found_under_my_course(app, client, make, planned):
    with app.app_context():
        other = make.course(title="Andet forløb")
        theirs = plan_meeting(other, day=_future_day(), start=time(9), end=time(10)).id
    client.post(f"/j/{planned['code']}", data={"role": "medarbejder", "unit": "Team"})
    assert client.get(f"/c/{planned['code']}/meetings/{theirs}/calendar.ics").status_code == 404
    manager = app.test_client()
    assert manager.get(f"/m/{planned['token']}/meetings/{theirs}/calendar.ics").status_code == 404


def test_a_manager_downloads_the_meeting_without_the_courses_join_link(app, client, planned):
    response = client.get(f"/m/{planned['token']}/meetings/{planned['meeting']}/calendar.ics")
    event = _event(_calendar_of(response))
    assert str(event["LOCATION"]) == "Mødelokale 2, Havnegade 4"
    assert planned["code"] not in response.text
    assert response.headers["Referrer-Policy"] == "no-referrer"


# --- The pages ---------------------------------------------------------------------------


def test_the_facilitator_plans_a_meeting_on_the_planning_page(app, client, auth, make):
    with app.app_context():
        course_id = make.course().id
    auth.login()
    day = _future_day(20)
    response = client.post(
        f"/f/courses/{course_id}/meetings",
        data={"day": day.isoformat(), "start": "9:00", "end": "12.30", "place": "Mødelokale 2",
              "steps": ["2", "3"]},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/f/courses/{course_id}/meetings").text
    assert "Mødelokale 2" in page and "kl. 9–12.30" in page
    with app.app_context():
        meeting = db.session.scalars(db.select(Meeting)).one()
        assert meeting.steps == [2, 3]


def test_a_refused_meeting_says_why_in_danish_and_keeps_what_was_typed(app, client, auth, make):
    with app.app_context():
        course_id = make.course().id
    auth.login()
    response = client.post(
        f"/f/courses/{course_id}/meetings",
        data={"day": _future_day().isoformat(), "start": "12:00", "end": "9:00",
              "place": "Kantinen på Havnegade"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Mødet skal slutte, efter det begynder" in response.text
    assert 'value="Kantinen på Havnegade"' in response.text


def test_a_time_that_is_no_time_is_refused_kindly(app, client, auth, make):
    with app.app_context():
        course_id = make.course().id
    auth.login()
    response = client.post(
        f"/f/courses/{course_id}/meetings",
        data={"day": _future_day().isoformat(), "start": "om morgenen", "end": "12:00"},
    )
    assert response.status_code == 422
    assert "Angiv et klokkeslæt" in response.text


def test_deleting_a_meeting_asks_first_then_deletes(app, client, auth, planned):
    auth.login()
    url = f"/f/courses/{planned['course']}/meetings/{planned['meeting']}/delete"
    asked = client.post(url)
    assert asked.status_code == 200 and "Ja, slet mødet" in asked.text
    with app.app_context():
        assert db.session.get(Meeting, planned["meeting"]) is not None
    assert client.post(url, data={"confirmed": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, planned["meeting"]) is None


def test_the_control_panel_shows_the_next_meeting_in_one_line_with_the_planning_link(
    app, client, auth, planned
):
    auth.login()
    panel = client.get(f"/f/courses/{planned['course']}").text
    line = panel[panel.index('id="next-meeting"') :][:800]
    assert "Næste møde:" in line and "kl. 9–12" in line and "Mødelokale 2, Havnegade 4" in line
    assert f"/f/courses/{planned['course']}/meetings" in line


def test_the_control_panel_without_meetings_offers_to_plan_them(app, client, auth, make):
    with app.app_context():
        course_id = make.course().id
    auth.login()
    panel = client.get(f"/f/courses/{course_id}").text
    assert "Intet møde planlagt." in panel


def test_the_phone_shows_the_next_meeting_with_its_calendar_file(app, client, planned):
    client.post(f"/j/{planned['code']}", data={"role": "medarbejder", "unit": "Team"})
    page = client.get(f"/c/{planned['code']}").text
    assert "Næste møde:" in page and "Mødelokale 2, Havnegade 4" in page
    assert f"/c/{planned['code']}/meetings/{planned['meeting']}/calendar.ics" in page


def test_the_manager_link_shows_the_coming_meetings(app, client, planned):
    page = client.get(f"/m/{planned['token']}").text
    assert "Næste møde:" in page and "Tag jeres kort med." in page
    assert f"/m/{planned['token']}/meetings/{planned['meeting']}/calendar.ics" in page


def test_a_meeting_that_is_over_is_no_longer_shown_as_next(app, client, planned):
    with app.app_context():
        meeting = db.session.get(Meeting, planned["meeting"])
        meeting.starts_at = datetime.now(UTC) - timedelta(days=2, hours=3)
        meeting.ends_at = datetime.now(UTC) - timedelta(days=2)
        db.session.commit()
    page = client.get(f"/m/{planned['token']}").text
    assert "Næste møde:" not in page and "Intet møde planlagt." in page


def test_the_day_is_said_the_danish_way(app, make):
    from workshop.web.templating import meeting_when

    with app.test_request_context(headers={"Accept-Language": "da"}):
        course = make.course()
        meeting = _plan(course)
        meeting.course = db.session.get(Course, course.id)
        said = meeting_when(meeting)
    assert said.startswith("tirsdag 12. jan.") and said.endswith("kl. 9–12")


# --- The course file ------------------------------------------------------------------------


def test_the_course_file_carries_the_meetings_and_a_copy_gets_new_calendar_events(app, make):
    import json

    from workshop.exchange import export_course, import_course

    with app.app_context():
        course = make.course(title="Mindre bøvl")
        original = _plan(course, place="Kantinen", note="Kaffe fra 8.30", now=None,
                         day=_future_day())  # fmt: skip
        data = export_course(course)
        copy = import_course(json.dumps(data), make.facilitator(email="ny@example.dk")).course
        (imported,) = db.session.scalars(db.select(Meeting).where(Meeting.course_id == copy.id))
        assert (imported.place, imported.steps, imported.note) == (
            "Kantinen",
            [2, 3],
            "Kaffe fra 8.30",
        )
        assert imported.starts_at.replace(tzinfo=UTC) == original.starts_at.replace(tzinfo=UTC)
        assert imported.uid != original.uid  # a new event, not the original's in calendars


def test_a_course_file_from_before_meetings_and_later_days_still_imports(app, make):
    import json

    from workshop.examination import prioritise
    from workshop.exchange import export_course, import_course

    with app.app_context():
        course = make.course(step=2)
        prioritise(make.card(make.participant(course)), "later", later_when="Til foråret")
        data = export_course(course)
        del data["meetings"]
        for card in data["cards"]:
            del card["later_due"]
        copy = import_course(json.dumps(data), make.facilitator(email="ny@example.dk")).course
        assert [card.later_when for card in copy.cards] == ["Til foråret"]
        assert [card.later_due for card in copy.cards] == [None]


def test_the_demo_has_a_coming_meeting_and_a_later_whose_day_has_come(app):
    from workshop.commands.demo import seed_demo
    from workshop.examination import due_later_cards

    with app.app_context():
        course = seed_demo()
        coming = next_meeting(course)
        assert coming is not None and coming.starts_at.replace(tzinfo=UTC) > datetime.now(UTC)
        assert coming.place and coming.steps
        due = due_later_cards(course, local_today())
        assert len(due) == 1 and due[0].later_when
