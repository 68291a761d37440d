""" "Later" comes back (issue 18 point 4): a card put off "later" gets a day; from that day
it shows on the control panel and in step 6 (and, through `due_later_cards`, in the
facilitator's digest)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workshop.cards import merge_card_into, set_card_hidden
from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, Course
from workshop.courses import go_to_step
from workshop.examination import due_later_cards, prioritise

TODAY = date(2027, 3, 1)


@pytest.fixture
def course_with_cards(ctx, make):
    course = make.course(step=2)
    writer = make.participant(course)
    return course, [make.card(writer, f"Kort {n}") for n in range(4)]


def test_a_card_put_off_later_keeps_its_day_and_its_note(course_with_cards):
    _course, (card, *_rest) = course_with_cards
    prioritise(
        card, "later", later_when="Efter sommerferien", later_due=date(2027, 8, 15), today=TODAY
    )
    assert (card.later_when, card.later_due) == ("Efter sommerferien", date(2027, 8, 15))


def test_a_day_alone_is_enough_to_say_when(course_with_cards):
    _course, (card, *_rest) = course_with_cards
    prioritise(card, "later", later_due=date(2027, 4, 1), today=TODAY)
    assert card.priority == "later" and card.later_when == ""


def test_later_without_a_note_or_a_day_is_still_refused(course_with_cards):
    _course, (card, *_rest) = course_with_cards
    with pytest.raises(WorkshopError) as refused:
        prioritise(card, "later", today=TODAY)
    assert refused.value.code == "later_when"


def test_a_new_day_that_has_passed_is_refused(course_with_cards):
    _course, (card, *_rest) = course_with_cards
    with pytest.raises(WorkshopError) as refused:
        prioritise(card, "later", later_due=TODAY - timedelta(days=1), today=TODAY)
    assert refused.value.code == "later_due"


def test_a_day_set_earlier_stays_when_the_card_is_saved_again_after_it(course_with_cards):
    _course, (card, *_rest) = course_with_cards
    prioritise(card, "later", later_due=date(2027, 4, 1), today=TODAY)
    prioritise(card, "later", later_due=date(2027, 4, 1), today=date(2027, 5, 1))
    assert card.later_due == date(2027, 4, 1)


def test_another_status_forgets_the_day(course_with_cards):
    _course, (card, *_rest) = course_with_cards
    prioritise(card, "later", later_due=date(2027, 4, 1), today=TODAY)
    prioritise(card, "prioritised", later_due=date(2027, 4, 1), today=TODAY)
    assert card.later_due is None


def test_due_later_cards_are_those_whose_day_has_come_the_earliest_first(course_with_cards):
    course, (soon, today, future, undated) = course_with_cards
    prioritise(today, "later", later_due=TODAY, today=TODAY)
    prioritise(future, "later", later_due=TODAY + timedelta(days=1), today=TODAY)
    prioritise(soon, "later", later_due=TODAY - timedelta(days=0), today=TODAY)
    soon.later_due = TODAY - timedelta(days=10)  # set back then, when it was to come
    db.session.commit()
    prioritise(undated, "later", later_when="En dag", today=TODAY)
    assert due_later_cards(course, TODAY) == [soon, today]


def test_a_hidden_merged_or_decided_card_is_not_due(course_with_cards, make):
    course, (hidden, merged, decided, kept) = course_with_cards
    for card in (hidden, merged, decided, kept):
        prioritise(card, "later", later_due=TODAY, today=TODAY)
    set_card_hidden(hidden, True)
    merge_card_into(merged, kept)
    prioritise(decided, "prioritised", today=TODAY)
    assert due_later_cards(course, TODAY) == [kept]


def test_due_later_cards_are_the_courses_own(course_with_cards, make):
    course, (card, *_rest) = course_with_cards
    other = make.course(title="Andet forløb", step=2)
    prioritise(make.card(make.participant(other)), "later", later_due=TODAY, today=TODAY)
    assert due_later_cards(course, TODAY) == []


# --- The pages ------------------------------------------------------------------------------


@pytest.fixture
def due(app, make):
    """A course in step 2 with one card put off until today and one until next month."""
    with app.app_context():
        course = make.course(step=2)
        writer = make.participant(course)
        card = prioritise(make.card(writer, "Tre systemer for én borger"), "later",
                          later_when="Til foråret", later_due=local_today())  # fmt: skip
        future = make.card(writer, "Skabelonen er for lang")
        prioritise(future, "later", later_due=local_today() + timedelta(days=30))
        return {"course": course.id, "card": card.id, "future": future.id}


def test_the_card_page_sets_the_day_where_later_is_chosen(app, client, auth, due):
    auth.login()
    day = local_today() + timedelta(days=60)
    response = client.post(
        f"/f/courses/{due['course']}/cards/{due['future']}/priority",
        data={"priority": "later", "later_when": "", "later_due": day.strftime("%d.%m.%Y")},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Card, due["future"]).later_due == day
    page = client.get(f"/f/courses/{due['course']}/cards/{due['future']}").text
    assert f'value="{day.isoformat()}"' in page


def test_the_card_pages_one_save_refuses_a_day_that_is_no_day_and_keeps_the_text(
    app, client, auth, due
):
    auth.login()
    response = client.post(
        f"/f/courses/{due['course']}/cards/{due['future']}",
        data={"text": "Skabelonen er for lang", "priority": "later",
              "later_when": "Til efteråret", "later_due": "snart"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Skriv en dato, fx 31.12.2026." in response.text
    assert 'value="Til efteråret"' in response.text


def test_the_control_panel_lists_what_is_due_in_one_line(app, client, auth, due):
    auth.login()
    panel = client.get(f"/f/courses/{due['course']}").text
    line = panel[panel.index('id="due-later"') :][:800]
    assert "1 udfordring udskudt til nu:" in line and "Tre systemer for én borger" in line
    assert f"/f/courses/{due['course']}/cards/{due['card']}" in line
    assert "Skabelonen er for lang" not in line


def test_nothing_due_shows_no_line_on_the_control_panel(app, client, auth, make):
    with app.app_context():
        course_id = make.course().id
    auth.login()
    assert 'id="due-later"' not in client.get(f"/f/courses/{course_id}").text


def test_step_six_lists_what_is_due_with_its_day_and_note(app, client, auth, due):
    with app.app_context():
        go_to_step(db.session.get(Course, due["course"]), 6)
    auth.login()
    panel = client.get(f"/f/courses/{due['course']}").text
    section = panel[panel.index('id="due-later-cards"') :][:1500]
    assert "Udskudt til nu" in section and "Tre systemer for én borger" in section
    assert "Til foråret" in section and "Tilbage siden" in section
    assert "Skabelonen er for lang" not in section
