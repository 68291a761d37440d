"""The citizen's path (issue 14, point 5), through the domain: phones add touchpoints, the
facilitator orders, merges, hides and turns them into linked cards; redaction and a
participant's own deletion reach them; duplicated plans, meetings and consents are found."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workshop.catalogue import load_catalogue
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, Department, Touchpoint
from workshop.courses import go_to_step
from workshop.privacy import forget_participant
from workshop.touchpoints import (
    add_touchpoint,
    duplicates,
    edit_touchpoint,
    merge_touchpoints,
    move_touchpoint,
    open_path,
    path_duplicates,
    path_of,
    redact_touchpoint,
    set_touchpoint_hidden,
    step_touchpoint,
    touchpoint_to_card,
    typed_department_id,
    typed_minutes,
    typed_position,
)

_numbers = iter(range(1, 10_000))


def department(course, name, sector="other"):
    found = db.session.scalar(
        select(Department).where(
            Department.organisation_id == course.organisation_id, Department.name == name
        )
    )
    if found is None:
        found = Department(organisation_id=course.organisation_id, name=name, sector=sector)
        db.session.add(found)
        db.session.commit()
    return found


def add(participant, kind="meeting", text=None, **fields):
    number = next(_numbers)
    return add_touchpoint(
        participant, kind, text or f"Berøring {number}", client_token=f"tp-{number}", **fields
    )


@pytest.fixture
def path_course(ctx, make):
    course = make.course(step=2)
    open_path(course, True)
    return course


@pytest.fixture
def phone(path_course, make):
    return make.participant(path_course)


def test_a_phone_adds_a_touchpoint_at_the_end_of_the_path_with_its_department(path_course, phone):
    job = department(path_course, "Beskæftigelse", "employment")
    first = add(phone, "plan", "Jobplan", department_id=job.id, citizen_minutes=60)
    second = add(phone, "meeting", "Samtale", staff_minutes=45, place="Egen læge")
    assert [t.id for t in path_of(path_course)] == [first.id, second.id]
    assert first.department == job and first.citizen_minutes == 60
    assert second.place == "Egen læge" and second.department is None


def test_a_double_tapped_touchpoint_is_saved_once(path_course, phone):
    once = add_touchpoint(phone, "form", "Skema", client_token="same")
    again = add_touchpoint(phone, "form", "Skema", client_token="same")
    assert once.id == again.id
    assert len(path_of(path_course)) == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "party"}, "kind"),
        ({"text": "   "}, "empty"),
        ({"text": "x" * 201}, "too_long"),
        ({"text": "Borger 010190-1234 venter"}, "cpr"),
        ({"citizen_minutes": -1}, "citizen_minutes"),
        ({"staff_minutes": 600_000}, "staff_minutes"),
        ({"department_id": 999_999}, "department"),
    ],
)
def test_a_touchpoint_that_cannot_be_saved_is_refused_with_the_field_named(
    path_course, phone, fields, code
):
    values = {"kind": "meeting", "text": "Samtale", **fields}
    with pytest.raises(WorkshopError) as refused:
        add_touchpoint(phone, values.pop("kind"), values.pop("text"), client_token="t", **values)
    assert refused.value.code == code


def test_a_department_of_another_organisation_is_refused(path_course, phone, make):
    other = make.course(make.facilitator("b@bakkedal.dk"))
    foreign = department(other, "Sundhed")
    with pytest.raises(WorkshopError) as refused:
        add(phone, department_id=foreign.id)
    assert refused.value.code == "department"


def test_a_cpr_like_number_is_saved_when_the_phone_confirms_it_is_none(path_course, phone):
    saved = add(phone, text="Sagsnummer 010190-1234", allow_cpr_like=True)
    assert "010190-1234" in saved.text


def test_phones_add_touchpoints_only_while_the_path_is_open(path_course, phone):
    open_path(path_course, False)
    with pytest.raises(WorkshopError) as refused:
        add(phone)
    assert refused.value.code == "closed"


def test_the_facilitator_moves_a_touchpoint_up_down_and_to_a_position(path_course, phone):
    a, b, c = add(phone), add(phone), add(phone)
    step_touchpoint(c, "up")
    assert [t.id for t in path_of(path_course)] == [a.id, c.id, b.id]
    move_touchpoint(a, 3)
    assert [t.id for t in path_of(path_course)] == [c.id, b.id, a.id]
    step_touchpoint(c, "up")  # already first: stays first
    assert path_of(path_course)[0].id == c.id


def test_merging_keeps_the_earlier_touchpoint_and_fills_in_its_missing_minutes(path_course, phone):
    early = add(phone, "meeting", "Samtale i jobcentret", citizen_minutes=60)
    late = add(phone, "meeting", "Jobsamtale", citizen_minutes=90, staff_minutes=30)
    kept = merge_touchpoints(late, early)
    assert kept.id == early.id
    # One meeting seen twice: its own 60 minutes stay, not 150; the staff's 30 come along.
    assert (kept.citizen_minutes, kept.staff_minutes) == (60, 30)
    assert [t.id for t in path_of(path_course)] == [early.id]
    assert [t.id for t in kept.merged_touchpoints] == [late.id]


def test_merging_with_no_touchpoint_chosen_is_refused_with_the_target_named(path_course, phone):
    with pytest.raises(WorkshopError) as refused:
        merge_touchpoints(add(phone, "meeting", "Samtale"), None)
    assert refused.value.code == "target"


@pytest.mark.parametrize(
    ("raw", "unit", "minutes"),
    [("", "days", None), ("1,5", "hours", 90), ("2", "days", 2880), ("7", "fortnights", 7)],
)
def test_a_typed_time_is_read_in_its_unit_as_whole_minutes(ctx, raw, unit, minutes):
    assert typed_minutes(raw, "citizen_time", unit) == minutes


@pytest.mark.parametrize("raw", ["mange", "nan", "inf", "-5", "400", "1e309"])
def test_a_typed_time_that_is_no_number_or_over_a_year_is_refused_with_its_field(ctx, raw):
    with pytest.raises(WorkshopError) as refused:
        typed_minutes(raw, "citizen_time", "days")
    assert refused.value.code == "citizen_time"


@pytest.mark.parametrize("raw", ["²", "٣", "-1", "x", "9" * 5000])
def test_a_typed_department_or_place_must_be_plain_digits(ctx, raw):
    with pytest.raises(WorkshopError) as department:
        typed_department_id(raw)
    with pytest.raises(WorkshopError) as place:
        typed_position(raw)
    assert (department.value.code, place.value.code) == ("department", "position")


def test_a_hidden_touchpoint_leaves_the_path_but_not_the_control_panel(path_course, phone):
    shown, hidden = add(phone), add(phone)
    set_touchpoint_hidden(hidden, True)
    assert [t.id for t in path_of(path_course)] == [shown.id]
    assert len(path_of(path_course, include_hidden=True)) == 2


def test_a_touchpoint_becomes_a_card_with_the_rule_behind_it_linked(path_course, phone):
    load_catalogue()
    touchpoint = add(phone, "plan", "Endnu en plan i jobcentret")
    edit_touchpoint(
        touchpoint,
        kind="plan",
        text=touchpoint.text,
        department_id=None,
        place="Jobcentret",
        citizen_minutes=None,
        staff_minutes=None,
        requirement_key="r08",
    )
    card = touchpoint_to_card(touchpoint)
    assert card.text == "Endnu en plan i jobcentret" and touchpoint.card_id == card.id
    assert [link.requirement.key for link in card.links] == ["R08"]
    assert card.links[0].version == touchpoint.requirement.version


def test_a_touchpoint_turned_into_a_card_twice_is_refused_kindly(path_course, phone):
    touchpoint = add(phone)
    touchpoint_to_card(touchpoint)
    with pytest.raises(WorkshopError) as refused:
        touchpoint_to_card(touchpoint)
    assert refused.value.code == "card"
    assert db.session.scalar(select(db.func.count()).select_from(Card)) == 1


def test_an_unknown_rule_behind_a_touchpoint_is_refused(path_course, phone):
    touchpoint = add(phone)
    with pytest.raises(WorkshopError) as refused:
        edit_touchpoint(
            touchpoint,
            kind="meeting",
            text="x",
            department_id=None,
            place="",
            citizen_minutes=None,
            staff_minutes=None,
            requirement_key="Q99",
        )
    assert refused.value.code == "requirement"


def test_redacting_a_touchpoint_reaches_the_merged_one_and_the_card_it_became(path_course, phone):
    kept = add(phone, text="Jens Hansen til samtale")
    other = add(phone, text="Samtale med Jens Hansen")
    merge_touchpoints(kept, other)
    card = touchpoint_to_card(kept)
    redact_touchpoint(kept)
    words = [kept.text, other.text, card.text, card.original_text]
    assert not any("Jens" in text for text in words)


def test_redacting_the_card_reaches_the_touchpoint_it_came_from(path_course, phone):
    from workshop.cards import redact_card

    touchpoint = add(phone, text="Jens Hansen venter")
    redact_card(touchpoint_to_card(touchpoint))
    assert "Jens" not in db.session.get(Touchpoint, touchpoint.id).text


def test_deleting_my_data_reaches_my_touchpoints_and_not_others(path_course, phone, make):
    other = make.participant(path_course, unit="Team Sundhed")
    mine = add(phone, text="Min berøring")
    theirs = add(other, text="Deres berøring")
    forget_participant(phone)
    assert db.session.get(Touchpoint, mine.id).text != "Min berøring"
    assert db.session.get(Touchpoint, theirs.id).text == "Deres berøring"


def test_two_plans_in_two_departments_are_flagged_as_duplicated():
    flagged = duplicates([(1, "plan", "d1"), (2, "plan", "d2"), (3, "waiting", "d1")])
    assert set(flagged) == {1, 2}
    assert flagged[1].across_departments and flagged[1].count == 2


def test_the_same_meeting_repeated_in_one_department_is_flagged_too():
    flagged = duplicates([(1, "meeting", "d1"), (2, "meeting", "d1"), (3, "consent", "d1")])
    assert set(flagged) == {1, 2}
    assert not flagged[1].across_departments


def test_one_of_each_kind_and_repeated_waiting_times_are_not_duplicates():
    items = [(1, "plan", "d1"), (2, "meeting", "d2"), (3, "waiting", "d1"), (4, "waiting", "d2")]
    assert duplicates(items) == {}


def test_a_hidden_touchpoint_does_not_make_a_duplicate(path_course, phone):
    first, second = add(phone, "consent"), add(phone, "consent")
    assert set(path_duplicates(path_of(path_course))) == {first.id, second.id}
    set_touchpoint_hidden(second, True)
    assert path_duplicates(path_of(path_course, include_hidden=True)) == {}


def test_touchpoints_become_cards_only_while_cards_are_collected(path_course, phone, make):
    touchpoint = add(phone)
    make.card(phone)
    go_to_step(path_course, 2)
    from workshop.votes import set_voting_state

    set_voting_state(path_course, "voting")
    with pytest.raises(WorkshopError) as refused:
        touchpoint_to_card(touchpoint)
    assert refused.value.code == "voting"


# --- After the review: redaction across a merge, typed places, rules that are not law ------


def _named_and_merged(make):
    """Two touchpoints of one meeting; the later names a citizen, became a card, and is
    merged under the earlier one."""
    from workshop.touchpoints import add_touchpoint, merge_touchpoints, open_path

    course = make.course(step=2)
    open_path(course, True)
    first = add_touchpoint(
        make.participant(course), "meeting", "Samtale på jobcentret", client_token="m-1"
    )
    named = add_touchpoint(
        make.participant(course),
        "meeting",
        "Samtale med Jens Hansen",
        client_token="m-2",
        place="Hos Jens Hansen",
    )
    card = touchpoint_to_card(named)
    merge_touchpoints(first, named)
    return first, named, card


def test_redacting_a_merged_touchpoint_reaches_the_card_it_became(make, ctx):
    from workshop.touchpoints import redact_touchpoint, unmerge_touchpoint

    _first, named, card = _named_and_merged(make)
    unmerge_touchpoint(named)
    redact_touchpoint(named)
    assert "Jens" not in db.session.get(Card, card.id).text


def test_redacting_the_card_reaches_the_touchpoint_that_wrote_it_after_a_merge(make, ctx):
    from workshop.cards import redact_card

    first, named, card = _named_and_merged(make)
    redact_card(card)
    db.session.commit()
    assert "Jens" not in db.session.get(Touchpoint, named.id).text
    assert db.session.get(Touchpoint, first.id).text == "Samtale på jobcentret"


def test_a_merged_group_becomes_a_card_only_once(make, ctx):
    first, _named, _card = _named_and_merged(make)
    with pytest.raises(WorkshopError) as refused:
        touchpoint_to_card(first)
    assert refused.value.code == "card"


def test_deleting_ones_data_reaches_the_typed_place_too(make, ctx):
    _first, named, _card = _named_and_merged(make)
    forget_participant(named.participant)
    assert "Jens" not in db.session.get(Touchpoint, named.id).place


def test_a_rule_that_is_not_law_is_refused_behind_a_touchpoint(make, ctx):
    from workshop.touchpoints import edit_touchpoint

    load_catalogue()
    first, _named, _card = _named_and_merged(make)
    with pytest.raises(WorkshopError) as refused:
        edit_touchpoint(
            first,
            kind="meeting",
            text=first.text,
            department_id=None,
            place="",
            citizen_minutes=None,
            staff_minutes=None,
            requirement_key="X19",
        )
    assert refused.value.code == "requirement"
    assert db.session.get(Touchpoint, first.id).requirement_id is None


def test_my_data_counts_the_touchpoints_one_wrote(make, ctx):
    from workshop.privacy import own_data

    first, named, _card = _named_and_merged(make)
    assert own_data(named.participant).touchpoints == 1
    assert own_data(first.participant).touchpoints == 1
