"""Cards: submitting from a phone, moderating, merging; and step 1's dialogue answers."""

import pytest

from workshop.cards import (
    edit_card,
    merge_card_into,
    merge_cards,
    set_card_hidden,
    submit_card,
    unmerge_card,
    wall_cards,
)
from workshop.core.errors import WorkshopError
from workshop.core.text import looks_like_cpr
from workshop.dialogue import answer_question, answers_by_question, set_answer_hidden
from workshop.votes import cast_vote, set_voting_state

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def person(make):
    return make.participant(make.course(step=2))


def test_a_card_is_saved_with_its_category_and_the_authors_own_words(person):
    card = submit_card(person, "  For mange skabeloner  ", "dokumentation", client_token="a")
    assert (card.text, card.original_text, card.category) == (
        "For mange skabeloner",
        "For mange skabeloner",
        "dokumentation",
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "empty"), ("   \n ", "empty"), ("x" * 501, "too_long"), ("Borger 010190-1234", "cpr")],
)
def test_bad_card_text_is_refused_with_a_reason(person, text, code):
    with pytest.raises(WorkshopError) as refused:
        submit_card(person, text, client_token="a")
    assert refused.value.code == code
    assert wall_cards(person.course) == []


def test_a_card_of_exactly_500_characters_fits(person):
    assert len(submit_card(person, "x" * 500, client_token="a").text) == 500


def test_a_cpr_like_number_can_be_saved_when_the_person_confirms_it_is_not_one(person):
    card = submit_card(person, "Sagsnummer 010190-1234", client_token="a", allow_cpr_like=True)
    assert card.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0101901234", True),
        ("010190-1234", True),
        ("31129 9-1234", False),
        ("320190-1234", False),  # no 32nd day
        ("tlf 12345678", False),
        ("ordre 12345678901", False),
    ],
)
def test_cpr_detection_wants_a_real_date(text, expected):
    assert looks_like_cpr(text) is expected


def test_a_double_tapped_submit_makes_one_card(person):
    first = submit_card(person, "Dobbelt", client_token="same")
    second = submit_card(person, "Dobbelt", client_token="same")
    assert first.id == second.id
    assert len(wall_cards(person.course)) == 1


def test_the_same_person_cannot_write_the_same_card_twice(person):
    submit_card(person, "Min Plan hver gang", client_token="a")
    with pytest.raises(WorkshopError) as refused:
        submit_card(person, "min plan hver gang", client_token="b")
    assert refused.value.code == "duplicate"


def test_two_people_may_write_the_same_card(make, person):
    other = make.participant(person.course)
    submit_card(person, "Min Plan hver gang", client_token="a")
    submit_card(other, "Min Plan hver gang", client_token="a")
    assert len(wall_cards(person.course)) == 2


def test_cards_are_only_collected_in_step_two_before_voting(make):
    course = make.course(step=1)
    person = make.participant(course)
    with pytest.raises(WorkshopError) as refused:
        submit_card(person, "For tidligt", client_token="a")
    assert refused.value.code == "closed"


def test_editing_keeps_the_authors_words_and_hiding_takes_it_off_the_wall(make, person):
    card = make.card(person, "Journalnotater tager tid")
    edit_card(card, "Journalnotater efter skabelon tager for lang tid", "dokumentation")
    assert card.original_text == "Journalnotater tager tid"
    set_card_hidden(card, True)
    assert wall_cards(person.course) == []
    assert wall_cards(person.course, include_hidden=True) == [card]


def test_merged_cards_keep_their_texts_and_authors(make, person):
    other = make.participant(person.course, role="leder")
    target = make.card(person, "Vi taster det samme flere steder")
    duplicate = make.card(other, "Dobbeltregistrering i to systemer")
    merge_cards(target, [duplicate])
    assert wall_cards(person.course) == [target]
    assert target.merged_cards == [duplicate]
    assert duplicate.text == "Dobbeltregistrering i to systemer"
    assert duplicate.participant == other
    unmerge_card(duplicate)
    assert len(wall_cards(person.course)) == 2


def test_merging_into_a_merged_card_lands_on_its_target(make, person):
    a, b, c = (make.card(person) for _ in range(3))
    merge_cards(a, [b])
    merge_cards(b, [c])
    assert {card.id for card in a.merged_cards} == {b.id, c.id}


@pytest.mark.parametrize("target", ["none", "itself"])
def test_merging_a_card_needs_another_card_chosen_to_merge_into(make, person, target):
    card = make.card(person)
    with pytest.raises(WorkshopError, match="Vælg det kort") as refused:
        merge_card_into(card, None if target == "none" else card)
    assert refused.value.code == "target"
    assert card.merged_into is None


def test_a_card_merged_into_a_chosen_card_lies_under_it(make, person):
    card, chosen = make.card(person), make.card(person)
    assert merge_card_into(card, chosen) == chosen
    assert wall_cards(person.course) == [chosen]


def test_cards_cannot_be_merged_while_voting_or_when_they_have_dots(make, person):
    a, b = make.card(person), make.card(person)
    set_voting_state(person.course, "voting")
    with pytest.raises(WorkshopError):
        merge_cards(a, [b])
    cast_vote(person, b, 1)
    set_voting_state(person.course, "collect")
    with pytest.raises(WorkshopError) as refused:
        merge_cards(a, [b])
    assert refused.value.code == "votes"


def test_dialogue_answers_are_grouped_by_question_and_can_be_hidden(make):
    course = make.course()
    person = make.participant(course)
    helps, hinders, _third = course.questions
    first = answer_question(person, helps, "Når tjeklister sikrer ens hjælp", client_token="a")
    answer_question(person, hinders, "Når dokumentation fylder mere end samtalen", client_token="b")
    assert answer_question(person, helps, "ignored", client_token="a") == first  # double tap
    assert [len(items) for _question, items in answers_by_question(course)] == [1, 1, 0]
    set_answer_hidden(first, True)
    assert [len(items) for _q, items in answers_by_question(course)] == [0, 1, 0]
    with pytest.raises(WorkshopError):
        answer_question(person, "Et spørgsmål, der ikke findes", "Svar", client_token="c")
    with pytest.raises(WorkshopError):
        answer_question(person, helps, "", client_token="d")


def test_answers_keep_their_question_when_the_questions_are_edited(make):
    from workshop.courses import update_course

    course = make.course()
    person = make.participant(course)
    hinders = course.questions[1]
    answer_question(person, hinders, "Dobbeltregistrering", client_token="a")
    update_course(
        course, dialogue_questions="Et nyt første spørgsmål\n" + course.dialogue_questions
    )
    grouped = dict(answers_by_question(course))
    assert [a.text for a in grouped[hinders]] == ["Dobbeltregistrering"]
    update_course(course, dialogue_questions="Kun ét spørgsmål nu")
    grouped = answers_by_question(course)
    assert grouped[0] == ("Kun ét spørgsmål nu", [])
    assert (grouped[-1][0], [a.text for a in grouped[-1][1]]) == (hinders, ["Dobbeltregistrering"])


def test_answers_are_only_taken_in_step_one(make):
    from workshop.courses import go_to_step

    course = make.course()
    person = make.participant(course)
    go_to_step(course, 2)
    with pytest.raises(WorkshopError) as refused:
        answer_question(person, course.questions[0], "For sent", client_token="a")
    assert refused.value.code == "closed"
