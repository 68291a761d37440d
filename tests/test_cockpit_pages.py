"""The facilitator's cockpit and card page through the test client (issue 20, points 1, 4,
5 and 7): the panel answers its own actions in place, destructive buttons ask first and
say how much, the card page saves everything typed at once and shows the catalogue and
the wall only on request."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from workshop.catalogue import load_catalogue
from workshop.core.extensions import db
from workshop.core.models import Card, ClearedVotes, Course, ManagerLink, Vote
from workshop.manager_links import create_manager_link
from workshop.votes import cast_vote, set_voting_state

PANEL = {"HX-Request": "true", "HX-Target": "panel"}


@pytest.fixture
def voted(app, make):
    """A course in step 2 whose vote is open: two people have put 5 dots on two cards."""
    with app.app_context():
        course = make.course(step=2, dot_budget=5)
        anne, bo = make.participant(course), make.participant(course, role="leder")
        first, second = make.card(anne, "Dobbelt registrering"), make.card(bo, "Lange møder")
        set_voting_state(course, "voting")
        cast_vote(anne, first, 2)
        cast_vote(anne, second, 1)
        cast_vote(bo, second, 2)
        return course.id


@pytest.fixture
def card_page(app, make):
    """A course in step 2 with three cards and the catalogue; returns (course, card ids)."""
    with app.app_context():
        load_catalogue()
        course = make.course(step=2)
        person = make.participant(course)
        cards = [make.card(person, text) for text in ("Samtaler hver 3. måned", "Møder", "Skemaer")]
        return course.id, [card.id for card in cards]


def _votes(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Vote))


# --- one URL, two renderings ---------------------------------------------------------


def test_the_panel_asked_by_its_own_panel_is_the_panel_alone_with_its_messages(client, auth, voted):
    auth.login()
    page = client.get(f"/f/courses/{voted}")
    fragment = client.get(f"/f/courses/{voted}", headers=PANEL)
    assert "<html" in page.text and 'id="panel"' in page.text
    assert "<html" not in fragment.text
    assert fragment.text.count('id="panel"') == 1
    assert '<div id="messages" hx-swap-oob="innerHTML">' in fragment.text
    assert {"HX-Request", "HX-Target"} <= set(fragment.vary)


def test_another_htmx_request_and_a_history_restore_get_the_whole_page(client, auth, voted):
    auth.login()
    boosted = client.get(
        f"/f/courses/{voted}", headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    restore = client.get(
        f"/f/courses/{voted}", headers={**PANEL, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in boosted.text
    assert "<html" in restore.text


def test_the_step_bar_and_the_vote_s_phases_are_above_the_setup_and_the_live_wall(
    client, auth, voted
):
    auth.login()
    text = client.get(f"/f/courses/{voted}").text
    order = [
        text.index(marker)
        for marker in (
            'id="step-form"',
            'id="phase-form"',
            'id="control-live"',
            'id="setup-join"',
            'id="setup-timer"',
            'id="manager-links"',
        )
    ]
    assert order == sorted(order)
    # Setup is folded away: no section of the side column is open by default.
    assert not re.search(r'<details class="setup[^"]*" id="[^"]+" open', text)


# --- destructive buttons ask first --------------------------------------------------


def test_giving_all_dots_back_first_says_how_many_dots_from_how_many_people(
    app, client, auth, voted
):
    auth.login()
    asked = client.post(f"/f/courses/{voted}/votes/clear", headers=PANEL)
    assert asked.status_code == 200
    assert "<html" not in asked.text  # the confirmation stands in the button's place
    assert "Giver 5 prikker fra 2 deltagere tilbage." in asked.text
    assert 'name="confirmed" value="1"' in asked.text
    assert _votes(app) == 3


def test_giving_all_dots_back_once_confirmed_clears_them_and_says_how_many(
    app, client, auth, voted
):
    auth.login()
    done = client.post(
        f"/f/courses/{voted}/votes/clear", data={"confirmed": "1"}, follow_redirects=True
    )
    assert _votes(app) == 0
    assert "5 prikker fra 2 deltagere er givet tilbage." in done.text


def test_giving_back_a_vote_without_dots_needs_no_confirmation(app, client, auth, make):
    with app.app_context():
        course_id = make.course(step=2, voting_state="voting").id
    auth.login()
    response = client.post(f"/f/courses/{course_id}/votes/clear")
    assert response.status_code == 302


def test_revoking_a_manager_link_asks_first_and_the_link_works_until_confirmed(
    app, client, auth, make
):
    with app.app_context():
        course = make.course()
        link = create_manager_link(course, "jobcentrets ledelse")
        course_id, link_id, token = course.id, link.id, link.token
    auth.login()
    revoke = f"/f/courses/{course_id}/manager-links/{link_id}/revoke"
    asked = client.post(revoke)
    assert "Deaktivér linket til jobcentrets ledelse?" in asked.text
    assert client.get(f"/m/{token}").status_code == 200
    client.post(revoke, data={"confirmed": "1"})
    assert client.get(f"/m/{token}").status_code == 404
    with app.app_context():
        assert db.session.get(ManagerLink, link_id).revoked_at is not None


def test_the_confirmation_s_no_leads_back_to_the_panel_as_it_was(client, auth, voted):
    auth.login()
    asked = client.post(f"/f/courses/{voted}/votes/clear")
    no = re.search(r'id="confirm-restart-cards-no" href="([^"]+)"', asked.text)
    assert no is not None and no.group(1) == f"/f/courses/{voted}"
    assert "autofocus" in asked.text[asked.text.index('id="confirm-restart-cards-no"') :][:300]


def test_hiding_a_card_from_the_panel_says_so_with_an_undo(app, client, auth, card_page):
    course_id, (card_id, *_others) = card_page
    auth.login()
    hidden = client.post(f"/f/courses/{course_id}/cards/{card_id}/hidden", follow_redirects=True)
    assert "er skjult på telefonerne og storskærmen." in hidden.text
    undo = f'action="/f/courses/{course_id}/cards/{card_id}/hidden"'
    assert undo in hidden.text[hidden.text.index('id="messages"') :]
    client.post(f"/f/courses/{course_id}/cards/{card_id}/hidden")
    with app.app_context():
        assert db.session.get(Card, card_id).hidden is False


# --- the card page: one save, nothing typed lost --------------------------------------


def test_one_save_keeps_the_examination_the_status_and_the_wording(app, client, auth, card_page):
    course_id, (card_id, *_others) = card_page
    auth.login()
    response = client.post(
        f"/f/courses/{course_id}/cards/{card_id}",
        data={
            "origin": "local_practice",
            "problem": "Skabelonen er forældet",
            "stakeholders": "Ledelsen og IT",
            "priority": "prioritised",
            "later_when": "",
            "reason": "",
            "text": "Samtaler hver 3. måned uanset behov",
            "category": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        card = db.session.get(Card, card_id)
        assert (card.origin, card.problem, card.stakeholders, card.priority, card.text) == (
            "local_practice",
            "Skabelonen er forældet",
            "Ledelsen og IT",
            "prioritised",
            "Samtaler hver 3. måned uanset behov",
        )


def test_a_refused_save_shows_every_field_as_it_was_typed_and_says_why(
    app, client, auth, card_page
):
    course_id, (card_id, *_others) = card_page
    auth.login()
    refused = client.post(
        f"/f/courses/{course_id}/cards/{card_id}",
        data={
            "origin": "local_practice",
            "problem": "Skabelonen er forældet",
            "stakeholders": "Ledelsen og IT",
            "priority": "later",  # "later" without saying when is refused
            "later_when": "",
            "reason": "",
            "text": "Samtaler hver 3. måned",
            "category": "",
        },
    )
    assert refused.status_code == 422
    assert "hvornår" in refused.text
    assert "Skabelonen er forældet" in refused.text and "Ledelsen og IT" in refused.text
    assert re.search(r'<input checked [^>]*value="later"', refused.text)
    assert "data-refused" in refused.text  # the browser keeps the draft of a refused save


def test_the_card_page_has_one_form_for_everything_typed_with_drafts(client, auth, card_page):
    course_id, (card_id, *_others) = card_page
    auth.login()
    text = client.get(f"/f/courses/{course_id}/cards/{card_id}").text
    form = text[
        text.index('<form id="card-edit"') : text.index(
            "</form>", text.index('<form id="card-edit"')
        )
    ]
    for name in ("origin", "problem", "stakeholders", "priority", "later_when", "reason", "text"):
        assert f'name="{name}"' in form
    for key in ("origin", "problem", "stakeholders", "later", "reason", "text"):
        assert f'data-keep="card-{card_id}-{key}"' in form
    assert form.count('type="submit"') == 1


def test_the_card_page_shows_the_catalogue_only_when_searched(client, auth, card_page):
    course_id, (card_id, *_others) = card_page
    auth.login()
    page = client.get(f"/f/courses/{course_id}/cards/{card_id}").text
    assert (
        'class="requirement"' not in page
        and "article" not in page.split('id="catalogue-results"')[1][:400]
    )
    searched = client.get(f"/f/courses/{course_id}/cards/{card_id}?q=%C2%A7+31").text
    assert "R06" in searched
    live = client.get(
        f"/f/courses/{course_id}/cards/{card_id}?q=",
        headers={"HX-Request": "true", "HX-Trigger-Name": "q"},
    )
    assert "<html" not in live.text and "<article" not in live.text


def test_the_card_page_s_tasks_are_a_jump_apart(client, auth, card_page):
    course_id, (card_id, *_others) = card_page
    auth.login()
    text = client.get(f"/f/courses/{course_id}/cards/{card_id}").text
    nav = text[
        text.index('class="card-tasks"') : text.index("</nav>", text.index('class="card-tasks"'))
    ]
    for anchor in ("#examine", "#prioritise", "#links", "#merge", "#moderation"):
        assert f'href="{anchor}"' in nav
        assert f'id="{anchor[1:]}"' in text


def test_merging_offers_the_wall_s_cards_with_none_chosen(client, auth, card_page):
    course_id, (card_id, other, third) = card_page
    auth.login()
    text = client.get(f"/f/courses/{course_id}/cards/{card_id}").text
    merge = text[text.index('id="merge"') :]
    merge = merge[: merge.index("</section>")]
    assert f'name="target" value="{other}"' in merge and f'name="target" value="{third}"' in merge
    assert f'value="{card_id}"' not in merge
    assert "checked" not in merge and "<select" not in merge


def test_merging_without_a_chosen_card_is_refused_on_the_card_page(app, client, auth, card_page):
    course_id, (card_id, *_others) = card_page
    auth.login()
    refused = client.post(f"/f/courses/{course_id}/cards/{card_id}/merge", data={})
    assert refused.status_code == 422
    assert 'id="merge-error"' in refused.text
    with app.app_context():
        assert db.session.get(Card, card_id).merged_into_id is None


def test_merging_says_where_the_card_went_and_can_be_undone(app, client, auth, card_page):
    course_id, (card_id, other, _third) = card_page
    auth.login()
    merged = client.post(
        f"/f/courses/{course_id}/cards/{card_id}/merge",
        data={"target": str(other)},
        follow_redirects=True,
    )
    assert "Kortet er lagt ind under “Møder”." in merged.text
    undo = f'action="/f/courses/{course_id}/cards/{card_id}/unmerge"'
    assert undo in merged.text
    client.post(f"/f/courses/{course_id}/cards/{card_id}/unmerge")
    with app.app_context():
        assert db.session.get(Card, card_id).merged_into_id is None
        assert db.session.get(Course, course_id) is not None


# --- a restarted vote can be taken back for a minute ----------------------------------


def _vote_rows(app):
    with app.app_context():
        return sorted(
            db.session.execute(db.select(Vote.participant_id, Vote.card_id, Vote.dots)).all()
        )


def test_a_restarted_vote_comes_back_exactly_as_it_was_within_a_minute(app, client, auth, voted):
    before = _vote_rows(app)
    auth.login()
    done = client.post(
        f"/f/courses/{voted}/votes/clear", data={"confirmed": "1"}, follow_redirects=True
    )
    undo = f'action="/f/courses/{voted}/votes/restore"'
    assert undo in done.text  # the message itself carries the undo
    assert _vote_rows(app) == []
    back = client.post(f"/f/courses/{voted}/votes/restore", follow_redirects=True)
    assert "Afstemningen er tilbage, som den var: 5 prikker." in back.text
    assert _vote_rows(app) == before
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ClearedVotes)) == 0


def test_a_restarted_vote_cannot_come_back_after_a_minute(app, client, auth, voted):
    auth.login()
    client.post(f"/f/courses/{voted}/votes/clear", data={"confirmed": "1"})
    with app.app_context():
        kept = db.session.scalar(db.select(ClearedVotes))
        kept.cleared_at = datetime.now(UTC) - timedelta(seconds=61)
        db.session.commit()
    refused = client.post(f"/f/courses/{voted}/votes/restore", follow_redirects=True)
    assert "der er gået mere end et minut" in refused.text
    assert _vote_rows(app) == []
    with app.app_context():  # and who voted for what is not kept any longer
        assert db.session.scalar(db.select(db.func.count()).select_from(ClearedVotes)) == 0


def test_a_restarted_vote_cannot_come_back_once_someone_voted_again(app, client, auth, voted):
    auth.login()
    client.post(f"/f/courses/{voted}/votes/clear", data={"confirmed": "1"})
    with app.app_context():
        course = db.session.get(Course, voted)
        cast_vote(course.participants[0], course.cards[0], 1)
    refused = client.post(f"/f/courses/{voted}/votes/restore", follow_redirects=True)
    assert "Der er sat prikker efter nulstillingen" in refused.text
    assert len(_vote_rows(app)) == 1


def test_deleting_a_course_says_how_many_people_cards_and_dots_go_with_it(client, auth, voted):
    auth.login()
    page = client.get(f"/f/courses/{voted}/edit").text
    assert "Det sletter 2 deltagere, 2 kort og 5 prikker." in page


def _cleared_count():
    return db.session.scalar(db.select(db.func.count()).select_from(ClearedVotes))


@pytest.mark.parametrize(
    "change", [{"dot_budget": 1}, {"min_group_size": 1}, {"multiple_dots_per_card": False}]
)
def test_a_restarted_vote_cannot_come_back_under_looser_rules(app, voted, change):
    """Restart, loosen the budget or the smallest group shown, undo: the old dots would pass
    the new budget or show a small group's dots the old minimum held back."""
    from workshop.core.errors import WorkshopError
    from workshop.courses import update_course
    from workshop.votes import clear_votes, restore_votes

    with app.app_context():
        course = db.session.get(Course, voted)
        clear_votes(course)
        update_course(course, **change)
        assert _cleared_count() == 0
        with pytest.raises(WorkshopError):
            restore_votes(course)
        assert db.session.scalar(db.select(db.func.count()).select_from(Vote)) == 0


def test_a_restarted_vote_brings_back_dots_only_to_cards_still_on_the_wall(app, voted):
    """A card merged into another after the restart would hold dots that count nowhere and
    that their owner could not take back."""
    from workshop.cards import merge_cards
    from workshop.votes import clear_votes, dots_left, restore_votes

    with app.app_context():
        course = db.session.get(Course, voted)
        first, second = db.session.scalars(db.select(Card).order_by(Card.id)).all()
        clear_votes(course)
        set_voting_state(course, "collect")
        merge_cards(first, [second])
        set_voting_state(course, "voting")
        assert restore_votes(course) == 2  # Anne's two dots on the first card, nothing else
        assert [(v.card_id, v.dots) for v in db.session.scalars(db.select(Vote))] == [(first.id, 2)]
        bo = db.session.get(Course, voted).participants[1]
        assert dots_left(bo) == 5


def test_who_gave_which_dots_is_not_kept_past_the_minute_or_the_reveal(app, make, voted):
    from workshop.votes import clear_votes

    with app.app_context():
        course = db.session.get(Course, voted)
        clear_votes(course)
        kept = db.session.scalar(db.select(ClearedVotes))
        kept.cleared_at = datetime.now(UTC) - timedelta(seconds=61)
        db.session.commit()
        # Any vote anywhere moving on forgets the expired restart, unasked.
        other = make.course(step=2)
        set_voting_state(other, "voting")
        assert _cleared_count() == 0
        clear_votes(course)  # nothing to keep: no dots were given since
        cast_vote(course.participants[0], db.session.scalars(db.select(Card)).first(), 1)
        clear_votes(course)
        assert _cleared_count() == 1
        set_voting_state(course, "closed")
        assert _cleared_count() == 1  # a fresh restart stays for its minute
        set_voting_state(course, "revealed")
        assert _cleared_count() == 0
