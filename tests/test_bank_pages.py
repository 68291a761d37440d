"""The experience bank through the test client: the share page (review, confirm, withdraw),
the card page, step 3's panel and the catalogue showing other courses' solutions, and
copying one as a starting proposal."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from workshop.catalogue import load_catalogue
from workshop.core.extensions import db
from workshop.core.models import Card, Course, Share, Solution
from workshop.courses import go_to_step
from workshop.experience import active_share, share_course
from workshop.votes import SOLUTIONS, set_voting_state

from .bank_support import shareable_course

EN = "?lang=en"


@pytest.fixture
def two(app, make):
    """Bakkedal's course (measured, to be shared) and Strandvig's (the facilitator who looks)."""
    with app.app_context():
        load_catalogue()
        a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
        c = shareable_course(make, "c@strandvig.dk", "Strandvig Kommune", label="C")
    return a, c


def login(auth, email):
    response = auth.login(email=email)
    assert response.status_code == 302


def review(client, course_id, **form):
    return client.post(f"/f/courses/{course_id}/share{EN}", data={"step": "review", **form})


def test_the_share_page_shows_what_is_shared_and_confirm_shares_exactly_that(
    app, client, auth, two
):
    a, _c = two
    login(auth, "a@bakkedal.dk")
    page = client.get(f"/f/courses/{a.course}/share{EN}")
    assert page.status_code == 200
    assert "R05" in page.text and 'id="bank-not-shared"' in page.text
    assert f'name="include" value="card-{a.card}"' in page.text
    assert "checked" not in page.text  # no words are shared unless ticked
    card_key, solution_key = f"card-{a.card}", f"solution-{a.solution}"
    confirm = review(
        client,
        a.course,
        include=[solution_key],
        **{f"text-{solution_key}": "Skabelonen er fjernet", f"text-{card_key}": "Utikket"},
        unit_kind="Jobcenter",
    )
    assert confirm.status_code == 200 and 'id="bank-confirm"' in confirm.text
    assert "Skabelonen er fjernet" in confirm.text and "Utikket" not in confirm.text
    assert "(the wording was not shared)" in confirm.text
    assert "Medarbejder A0" not in confirm.text
    revision = re.search(r'name="revision" value="([\d.]+)"', confirm.text).group(1)
    done = client.post(
        f"/f/courses/{a.course}/share{EN}",
        data={
            "step": "confirm",
            "revision": revision,
            "include": [solution_key],
            f"text-{solution_key}": "Skabelonen er fjernet",
            "unit_kind": "Jobcenter",
        },
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/share")
    after = client.get(f"/f/courses/{a.course}/share{EN}")
    assert "shared with the experience bank" in after.text and 'id="bank-shared"' in after.text
    with app.app_context():
        share = active_share(db.session.get(Course, a.course))
        assert share.unit_kind == "Jobcenter"
        assert share.challenges[0].text == ""
        assert share.challenges[0].solutions[0].text == "Skabelonen er fjernet"


def test_sharing_again_says_it_replaced_the_earlier_share(app, client, auth, two):
    a, _c = two
    login(auth, "a@bakkedal.dk")
    for _time in range(2):
        confirm = review(client, a.course)
        revision = re.search(r'name="revision" value="([\d.]+)"', confirm.text).group(1)
        done = client.post(
            f"/f/courses/{a.course}/share{EN}", data={"step": "confirm", "revision": revision}
        )
        assert done.status_code == 302
    page = client.get(f"/f/courses/{a.course}/share{EN}")
    assert "replaced the earlier ones" in page.text
    assert "Earlier shares" in page.text
    with app.app_context():
        assert len(db.session.scalars(select(Share)).all()) == 2


def test_a_changed_course_or_a_cpr_number_refuses_the_share_and_keeps_the_words(
    app, client, auth, two
):
    a, _c = two
    login(auth, "a@bakkedal.dk")
    key = f"card-{a.card}"
    stale = client.post(
        f"/f/courses/{a.course}/share{EN}",
        data={"step": "confirm", "revision": "1.0", "include": [key], f"text-{key}": "Min tekst"},
    )
    assert stale.status_code == 422 and "has changed since you reviewed" in stale.text
    assert "Min tekst" in stale.text
    cpr = review(client, a.course, include=[key], **{f"text-{key}": "Borger 010190-1234"})
    assert cpr.status_code == 200 and "looks like it holds a CPR number" in cpr.text
    revision = re.search(r'name="revision" value="([\d.]+)"', cpr.text).group(1)
    form = {"step": "confirm", "revision": revision, "include": [key]}
    form[f"text-{key}"] = "Borger 010190-1234"
    refused = client.post(f"/f/courses/{a.course}/share{EN}", data=form)
    assert refused.status_code == 422 and 'id="bank-not-cpr"' in refused.text
    with app.app_context():
        assert db.session.scalar(select(Share.id)) is None
    done = client.post(f"/f/courses/{a.course}/share{EN}", data={**form, "not_cpr": "y"})
    assert done.status_code == 302
    too_long = review(client, a.course, include=[key], **{f"text-{key}": "x" * 600})
    assert too_long.status_code == 422 and "at most 500 characters" in too_long.text


def test_withdrawing_removes_it_and_withdrawing_twice_says_so(app, client, auth, two):
    a, _c = two
    with app.app_context():
        course = db.session.get(Course, a.course)
        share_course(course, course.facilitator)
    login(auth, "a@bakkedal.dk")
    done = client.post(f"/f/courses/{a.course}/share/withdraw{EN}")
    assert done.status_code == 302
    page = client.get(f"/f/courses/{a.course}/share{EN}")
    assert "withdrawn from the experience bank" in page.text
    assert 'id="bank-not-shared"' in page.text
    client.post(f"/f/courses/{a.course}/share/withdraw{EN}")
    assert "are not shared" in client.get(f"/f/courses/{a.course}/share{EN}").text


def test_a_course_without_prioritised_challenges_gets_a_clear_message(app, client, auth, make):
    with app.app_context():
        course = make.course(step=2)
        course_id = course.id
    auth.login()
    page = client.get(f"/f/courses/{course_id}/share{EN}")
    assert page.status_code == 200 and "nothing to share yet" in page.text
    assert review(client, course_id).status_code == 422


def _share_a(app, a):
    with app.app_context():
        course = db.session.get(Course, a.course)
        share, _ = share_course(
            course, course.facilitator, texts={f"solution-{a.solution}": "Skabelonen er fjernet"}
        )
        return share.challenges[0].solutions[0].id


def test_the_card_page_shows_what_other_courses_did_and_copies_it(app, client, auth, two):
    a, c = two
    shared_id = _share_a(app, a)
    login(auth, "c@strandvig.dk")
    page = client.get(f"/f/courses/{c.course}/cards/{c.card}{EN}")
    assert "1 other course worked on this" in page.text
    assert "Skabelonen er fjernet" in page.text and "Bakkedal Kommune" in page.text
    assert "Measured effect" in page.text and "better" in page.text
    copy_url = f"/f/courses/{c.course}/cards/{c.card}/bank/{shared_id}/copy"
    assert copy_url in page.text
    done = client.post(copy_url + EN, data={"back": "card"})
    assert done.status_code == 302
    assert done.headers["Location"].startswith(f"/f/courses/{c.course}/cards/{c.card}")
    again = client.post(copy_url + EN, data={"back": "card"})
    assert again.status_code == 302
    assert "already been copied" in client.get(f"/f/courses/{c.course}/cards/{c.card}{EN}").text
    with app.app_context():
        copies = db.session.scalars(
            select(Solution).where(Solution.source != "", Solution.course_id == c.course)
        ).all()
        assert [s.text for s in copies] == ["Skabelonen er fjernet"]
        assert copies[0].card_id == c.card and copies[0].participant_id is None
    # Bakkedal's own card page does not show its own share.
    login(auth, "a@bakkedal.dk")
    own = client.get(f"/f/courses/{a.course}/cards/{a.card}{EN}")
    assert "other course" not in own.text


def test_a_card_not_prioritised_shows_the_experience_without_a_copy_button(app, client, auth, two):
    a, c = two
    shared_id = _share_a(app, a)
    with app.app_context():
        from workshop.examination import prioritise

        prioritise(db.session.get(Card, c.card), "later", later_when="Til foråret")
    login(auth, "c@strandvig.dk")
    page = client.get(f"/f/courses/{c.course}/cards/{c.card}{EN}")
    assert "1 other course worked on this" in page.text
    assert f"/bank/{shared_id}/copy" not in page.text
    assert "Prioritise the challenge to copy" in page.text
    refused = client.post(f"/f/courses/{c.course}/cards/{c.card}/bank/{shared_id}/copy{EN}")
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Solution.id).where(Solution.source != "")) is None


def test_step_3_panel_and_the_catalogue_show_the_bank_too(app, client, auth, two):
    a, c = two
    shared_id = _share_a(app, a)
    with app.app_context():
        course = db.session.get(Course, c.course)
        go_to_step(course, 3)
        set_voting_state(course, "collect", SOLUTIONS)
    login(auth, "c@strandvig.dk")
    panel = client.get(f"/f/courses/{c.course}{EN}")
    assert 'id="bank-panel"' in panel.text and "Skabelonen er fjernet" in panel.text
    copy_url = f"/f/courses/{c.course}/cards/{c.card}/bank/{shared_id}/copy"
    assert copy_url in panel.text
    done = client.post(copy_url + EN, data={"back": "panel"})
    assert done.headers["Location"] == f"/f/courses/{c.course}"
    live = client.get(f"/f/courses/{c.course}/live{EN}")
    # The note is written once, in the language of whoever copied it.
    assert re.search(r'class="tag tag-source">[^<]*\(Bakkedal Kommune', live.text)
    catalogue = client.get("/f/catalogue?q=R05&lang=en")
    assert "2 other courses worked on this" not in catalogue.text
    assert "1 other course worked on this" in catalogue.text
    fragment = client.get(
        "/f/catalogue?q=R05&lang=en", headers={"HX-Request": "true", "HX-Trigger-Name": "q"}
    )
    assert "1 other course worked on this" in fragment.text and "<html" not in fragment.text


def test_a_withdrawn_solution_cannot_be_copied_but_an_earlier_copy_stays(app, client, auth, two):
    a, c = two
    shared_id = _share_a(app, a)
    login(auth, "c@strandvig.dk")
    copy_url = f"/f/courses/{c.course}/cards/{c.card}/bank/{shared_id}/copy{EN}"
    client.post(copy_url, data={"back": "card"})
    with app.app_context():
        from workshop.experience import withdraw_share

        withdraw_share(db.session.get(Course, a.course))
    page = client.get(f"/f/courses/{c.course}/cards/{c.card}{EN}")
    assert "other course worked on this" not in page.text
    client.post(copy_url, data={"back": "card"})
    page = client.get(f"/f/courses/{c.course}/cards/{c.card}{EN}")
    assert "no longer in the experience bank" in page.text
    with app.app_context():
        kept = db.session.scalars(select(Solution).where(Solution.source != "")).all()
        assert len(kept) == 1 and kept[0].text == "Skabelonen er fjernet"
