"""Examining and prioritising through the Flask test client: catalogue pages, card page, screens."""

import pytest

from workshop.catalogue import load_catalogue
from workshop.core.extensions import db
from workshop.core.models import Card, Course, Requirement
from workshop.examination import link_requirement, prioritise
from workshop.votes import set_voting_state

HX = {"HX-Request": "true"}
SEARCH = {**HX, "HX-Trigger-Name": "q", "HX-Trigger": "catalogue-q"}


def reveal(course):
    set_voting_state(course, "voting")
    set_voting_state(course, "revealed")


@pytest.fixture
def setup(app, make):
    """A facilitator's course in step 2 with one card, the catalogue loaded."""
    with app.app_context():
        load_catalogue()
        course = make.course(step=2)
        card = make.card(make.participant(course), "Samtaler hver 3. måned")
        return course.id, card.id, course.join_code


def test_the_catalogue_page_searches_live_as_you_type(client, auth, setup):
    auth.login()
    page = client.get("/f/catalogue")
    assert page.status_code == 200
    assert 'hx-trigger="input changed delay:300ms, search"' in page.text
    fragment = client.get("/f/catalogue?q=§ 31", headers=SEARCH)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "R05" in fragment.text
    assert "R12" not in fragment.text


def test_a_search_with_odd_characters_is_answered_not_crashed(client, auth, setup):
    auth.login()
    for query in ("%", "'\"", "§", "<script>alert(1)</script>", "x" * 3000):
        response = client.get("/f/catalogue", query_string={"q": query}, headers=SEARCH)
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.text


def test_entries_show_their_status_and_changes_in_plain_danish(client, auth, setup):
    auth.login()
    page = client.get("/f/catalogue?q=§ 31")
    assert "Ændret" in page.text or "Lempet" in page.text
    assert "1.1.2020" in page.text
    assert "LAB" in page.text


def test_participants_search_the_catalogue_from_their_phones(client, setup):
    _course_id, _card_id, code = setup
    assert client.get(f"/c/{code}/catalogue").status_code == 302  # join first
    client.post(f"/j/{code}", data={"role": "medarbejder"})
    page = client.get(f"/c/{code}/catalogue?q=selvbooking")
    assert page.status_code == 200
    assert "R10" in page.text
    assert "Tilknyt" not in page.text  # read-only


def test_the_projector_has_a_catalogue_in_large_type(client, auth, setup):
    course_id, _card_id, _code = setup
    auth.login()
    page = client.get(f"/f/courses/{course_id}/projector/catalogue?q=min plan")
    assert page.status_code == 200
    assert "projector" in page.text
    assert "R12" in page.text


def test_a_facilitator_adds_a_local_rule_and_finds_it_marked_as_local(app, client, auth, setup):
    auth.login()
    response = client.post(
        "/f/catalogue/local/new",
        data={
            "name": "Ugentlig opgørelse til ledelsen",
            "kind": "management_decision",
            "decided_by": "Jobcenterledelsen",
            "decided_on": "2021-03-01",
        },
    )
    assert response.status_code == 302
    page = client.get("/f/catalogue?q=ugentlig opgørelse")
    assert "Lokal regel" in page.text
    assert "Jobcenterledelsen" in page.text
    assert "1.3.2021" in page.text


def test_a_local_rule_without_a_name_is_refused_with_the_fields_kept(client, auth, setup):
    auth.login()
    response = client.post(
        "/f/catalogue/local/new",
        data={"name": "", "kind": "template", "decided_by": "Fagligt forum"},
    )
    assert response.status_code == 422
    assert 'value="Fagligt forum"' in response.text
    assert "navn" in response.text


def test_the_card_page_links_a_card_to_paragraph_31(app, client, auth, setup):
    course_id, card_id, _code = setup
    auth.login()
    results = client.get(f"/f/courses/{course_id}/cards/{card_id}?q=§ 31", headers=SEARCH)
    assert "Tilknyt kortet" in results.text
    response = client.post(f"/f/courses/{course_id}/cards/{card_id}/links", data={"key": "R06"})
    assert response.status_code == 302
    page = client.get(f"/f/courses/{course_id}/cards/{card_id}")
    assert "§ 31" in page.text
    assert "version 1" in page.text
    with app.app_context():
        card = db.session.get(Card, card_id)
        assert [link.requirement.key for link in card.links] == ["R06"]


def test_linking_an_unknown_or_duplicate_requirement_says_so(app, client, auth, setup):
    course_id, card_id, _code = setup
    auth.login()
    unknown = client.post(f"/f/courses/{course_id}/cards/{card_id}/links", data={"key": "R999"})
    assert unknown.status_code == 422
    assert "R999" in unknown.text
    client.post(f"/f/courses/{course_id}/cards/{card_id}/links", data={"key": "R06"})
    duplicate = client.post(f"/f/courses/{course_id}/cards/{card_id}/links", data={"key": "R06"})
    assert duplicate.status_code == 422
    with app.app_context():
        assert len(db.session.get(Card, card_id).links) == 1


def test_examining_and_prioritising_from_the_card_page(app, client, auth, setup):
    course_id, card_id, _code = setup
    auth.login()
    client.post(
        f"/f/courses/{course_id}/cards/{card_id}/examine",
        data={"origin": "local_practice", "problem": "Gammel skabelon", "stakeholders": "Ledelsen"},
    )
    refused = client.post(
        f"/f/courses/{course_id}/cards/{card_id}/priority", data={"priority": "later"}
    )
    assert refused.status_code == 422
    assert "hvornår" in refused.text
    client.post(
        f"/f/courses/{course_id}/cards/{card_id}/priority",
        data={"priority": "later", "later_when": "På workshoppen i marts"},
    )
    with app.app_context():
        card = db.session.get(Card, card_id)
        assert (card.origin, card.priority, card.later_when) == (
            "local_practice",
            "later",
            "På workshoppen i marts",
        )


def test_every_card_keeps_its_status_on_phones_and_the_projector(app, client, auth, make, setup):
    course_id, card_id, code = setup
    client.post(f"/j/{code}", data={"role": "leder"})
    with app.app_context():
        course = db.session.get(Course, course_id)
        card = db.session.get(Card, card_id)
        reveal(course)
        prioritise(card, "out_of_scope", reason="Det er et lovkrav")
    phone = client.get(f"/c/{code}/live?stage=2-revealed", headers=HX)
    assert "Uden for rammen" in phone.text
    assert "Det er et lovkrav" in phone.text
    auth.login()
    projector = client.get(f"/f/courses/{course_id}/projector/live", headers=HX)
    assert "Uden for rammen" in projector.text


def test_the_projector_shows_the_origin_chart_and_the_prioritised_paragraphs(
    app, client, auth, setup
):
    course_id, card_id, _code = setup
    with app.app_context():
        course = db.session.get(Course, course_id)
        card = db.session.get(Card, card_id)
        link_requirement(card, "R06")
        prioritise(card, "prioritised")
        reveal(course)
    auth.login()
    projector = client.get(f"/f/courses/{course_id}/projector/live", headers=HX)
    assert 'class="origin-table"' in projector.text
    assert "<svg" in projector.text
    assert "LAB § 31" in projector.text
    assert "Prioriterede udfordringer" in projector.text


def test_the_origin_chart_follows_the_examination_within_a_poll(app, client, auth, setup):
    course_id, card_id, _code = setup
    with app.app_context():
        reveal(db.session.get(Course, course_id))
    auth.login()
    url = f"/f/courses/{course_id}/projector/live"
    before = client.get(url, headers=HX)
    client.post(
        f"/f/courses/{course_id}/cards/{card_id}/examine", data={"origin": "local_practice"}
    )
    after = client.get(url, headers={**HX, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "1 af 1 kort hviler på vores egne beslutninger" in after.text


def test_another_facilitator_cannot_examine_or_link_my_cards(app, client, make, setup):
    course_id, card_id, _code = setup
    with app.app_context():
        make.facilitator(email="other@example.dk")
    client.post("/login", data={"email": "other@example.dk", "password": "correct horse"})
    for path, data in (
        ("examine", {"origin": "unknown"}),
        ("links", {"key": "R06"}),
        ("priority", {"priority": "prioritised"}),
    ):
        assert (
            client.post(f"/f/courses/{course_id}/cards/{card_id}/{path}", data=data).status_code
            == 404
        )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Requirement)) > 0
        assert db.session.get(Card, card_id).links == []


def test_phones_in_later_steps_keep_their_cards_and_statuses(app, client, setup):
    course_id, card_id, code = setup
    client.post(f"/j/{code}", data={"role": "medarbejder"})
    client.post(f"/c/{code}/cards", data={"text": "Mit eget kort", "client_token": "t"})
    with app.app_context():
        from workshop.courses import go_to_step

        course = db.session.get(Course, course_id)
        mine = db.session.scalar(db.select(Card).where(Card.text == "Mit eget kort"))
        prioritise(mine, "later", later_when="Til efteråret")
        go_to_step(course, 4)
    page = client.get(f"/c/{code}")
    assert "Mit eget kort" in page.text
    assert "Senere" in page.text and "Til efteråret" in page.text


def test_a_paragraph_that_names_its_act_is_not_prefixed_with_the_act_again(app, setup):
    with app.app_context():
        r02 = db.session.scalar(db.select(Requirement).filter_by(key="R02"))
        r28 = db.session.scalar(db.select(Requirement).filter_by(key="R28"))
        assert r02.citation.startswith("LAB § 20") and "LAB LAB" not in r02.citation
        assert r28.citation.startswith("LOB § 1") and "LOB LOB" not in r28.citation


def test_no_page_or_export_doubles_an_act_name_in_a_requirement_label(
    app, client, auth, make, setup
):
    course_id, card_id, code = setup
    auth.login()
    with app.app_context():
        card = db.session.get(Card, card_id)
        link_requirement(card, "R02")
        link_requirement(card, "R28")
        prioritise(card, "prioritised")
    pages = [
        f"/f/courses/{course_id}/cards/{card_id}",
        f"/f/courses/{course_id}",
        f"/f/courses/{course_id}/projector",
        "/f/catalogue?q=LAB § 20",
        "/f/catalogue?q=LOB § 1",
        f"/f/courses/{course_id}/export/cards.csv",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert "LAB LAB" not in text and "LOB LOB" not in text, url


def test_linking_a_card_names_the_requirement_not_its_internal_key(app, client, auth, setup):
    course_id, card_id, _code = setup
    auth.login()
    client.post(f"/f/courses/{course_id}/cards/{card_id}/links", data={"key": "R06"})
    page = client.get(f"/f/courses/{course_id}/cards/{card_id}")
    with app.app_context():
        r06 = db.session.scalar(db.select(Requirement).filter_by(key="R06"))
        expected = f"Kortet er koblet til {r06.citation}: {r06.name_da}."
    assert expected in page.text
    assert "koblet til R06" not in page.text
    again = client.post(f"/f/courses/{course_id}/cards/{card_id}/links", data={"key": "R06"})
    assert "allerede koblet til LAB" in again.text


def test_a_local_rule_added_from_a_card_page_leads_back_to_the_card(app, client, auth, setup):
    course_id, card_id, _code = setup
    auth.login()
    card_url = f"/f/courses/{course_id}/cards/{card_id}"
    page = client.get(card_url)
    form_url = f"/f/catalogue/local/new?next={card_url}"
    assert form_url in page.text
    assert "Tilbage til kortet" in client.get(form_url).text
    response = client.post(
        form_url, data={"name": "Ugentlig opgørelse", "kind": "management_decision"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == card_url
    landed = client.get(card_url)
    assert "Den lokale regel “Ugentlig opgørelse” er tilføjet kataloget." in landed.text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "f/courses",
    ],
)
def test_the_local_rule_form_never_returns_to_another_site(client, auth, setup, target):
    auth.login()
    response = client.post(
        "/f/catalogue/local/new",
        query_string={"next": target},
        data={"name": "Regel fra en fremmed side", "kind": "template"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/f/catalogue"


def test_a_refused_local_rule_still_leads_back_to_the_card(app, client, auth, setup):
    course_id, card_id, _code = setup
    auth.login()
    card_url = f"/f/courses/{course_id}/cards/{card_id}"
    response = client.post(
        f"/f/catalogue/local/new?next={card_url}",
        data={"name": "", "kind": "template", "decided_by": "Fagligt forum"},
    )
    assert response.status_code == 422
    assert "Tilbage til kortet" in response.text
    assert f'href="{card_url}"' in response.text


# --- The catalogue beyond LAB (issue 14, point 4) -------------------------------------------


def entry_html(page_text: str, key: str) -> str:
    """One entry's article in a results page (its id is req-<key>)."""
    start = page_text.index(f'aria-labelledby="req-{key}"')
    end = page_text.find("</article>", start)
    return page_text[start:end]


def test_the_catalogue_page_filters_by_act(client, auth, setup):
    auth.login()
    page = client.get("/f/catalogue?act=SEL")
    assert page.status_code == 200
    assert 'name="act"' in page.text and '<option value="SEL" selected>' in page.text
    for key in ("X02", "X03", "X04", "X18"):
        assert f'id="req-{key}"' in page.text
    assert 'id="req-R05"' not in page.text
    fragment = client.get(
        "/f/catalogue?act=RSL&q=samtykke", headers={**HX, "HX-Trigger-Name": "act"}
    )
    assert "<html" not in fragment.text
    assert 'id="req-X14"' in fragment.text and 'id="req-X02"' not in fragment.text


def test_the_catalogue_page_filters_by_department(client, auth, setup):
    auth.login()
    fragment = client.get("/f/catalogue?sector=youth", headers={**HX, "HX-Trigger-Name": "sector"})
    assert "<html" not in fragment.text
    assert 'id="req-X05"' in fragment.text and 'id="req-X17"' in fragment.text
    assert 'id="req-R01"' not in fragment.text
    assert "Forvaltninger: Social og handicap, Unge og uddannelse (UU)." in fragment.text


def test_an_unknown_act_or_department_in_the_address_shows_the_whole_catalogue(client, auth, setup):
    auth.login()
    page = client.get("/f/catalogue?act=NOPE&sector=<b>")
    assert page.status_code == 200
    assert 'id="req-R01"' in page.text and 'id="req-X20"' in page.text
    assert "<b>" not in page.text.split("<main", 1)[1].split("</form>", 1)[0]


def test_the_phone_and_the_projector_filter_by_department_too(client, auth, setup):
    course_id, _card_id, code = setup
    auth.login()
    wall = client.get(f"/f/courses/{course_id}/projector/catalogue?sector=social&q=handleplan")
    assert 'id="req-X02"' in wall.text and 'id="req-R12"' not in wall.text
    client.post(f"/j/{code}", data={"role": "medarbejder"})
    phone = client.get(f"/c/{code}/catalogue?act=BL")
    assert phone.status_code == 200
    assert 'id="req-X05"' in phone.text and 'id="req-X02"' not in phone.text


def test_a_rule_closed_to_new_cases_says_it_still_binds_running_cases_not_habit(
    client, auth, setup
):
    auth.login()
    page = client.get("/f/catalogue?q=ressourceforløb")
    r25 = entry_html(page.text, "R25")
    assert "Lukket for nye sager" in r25
    assert "gælder stadig for de forløb" in r25
    assert "kan være vane" not in r25 and "habit-hint" not in r25


def test_an_entry_shows_its_confidence_per_fact(client, auth, setup):
    auth.login()
    x10 = entry_html(client.get("/f/catalogue?act=LOB&q=rehabiliteringsteam").text, "X10")
    assert "Sikkerhed pr. oplysning" in x10
    assert "Datoen for ophævelsen (1.2. eller 1.7.2026): Ikke kontrolleret" in x10
    assert "ophævelsen ved LOV 1750/2025: Kontrolleret i kilden" in x10


def test_the_card_page_shows_planned_law_marked_and_without_a_link_button(app, client, auth, setup):
    course_id, card_id, _code = setup
    auth.login()
    results = client.get(f"/f/courses/{course_id}/cards/{card_id}?act=HOI", headers=SEARCH)
    x19 = entry_html(results.text, "X19")
    assert "Planlagt, aldrig vedtaget – ikke lov" in x19
    assert "Planlagt, ikke lov" in x19
    assert 'value="X19"' not in x19  # no form to link it
    refused = client.post(f"/f/courses/{course_id}/cards/{card_id}/links", data={"key": "X19"})
    assert refused.status_code == 422
    assert "ikke lov" in refused.text
    with app.app_context():
        assert db.session.get(Card, card_id).links == []


def test_the_card_page_searches_by_department_alone_and_keeps_the_filter_after_linking(
    client, auth, setup
):
    course_id, card_id, _code = setup
    auth.login()
    url = f"/f/courses/{course_id}/cards/{card_id}"
    results = client.get(f"{url}?sector=social", headers={**HX, "HX-Trigger-Name": "sector"})
    assert 'id="req-X02"' in results.text and 'id="req-R06"' not in results.text
    assert '<input type="hidden" name="sector" value="social">' in results.text
    linked = client.post(f"{url}/links", data={"key": "X02", "q": "", "sector": "social"})
    assert linked.status_code == 302
    assert "sector=social" in linked.headers["Location"]
    page = client.get(linked.headers["Location"])
    assert "SEL § 141, stk. 2" in page.text


def test_a_card_linked_to_a_rule_closed_to_new_cases_is_not_told_it_may_be_habit(
    app, client, auth, setup
):
    course_id, card_id, _code = setup
    with app.app_context():
        link_requirement(db.session.get(Card, card_id), "R25")
    auth.login()
    page = client.get(f"/f/courses/{course_id}/cards/{card_id}")
    links = page.text.split('id="links"', 1)[1].split("</ul>", 1)[0]
    assert "Lukket for nye sager" in links and "gælder stadig for de forløb" in links
    assert "habit-hint" not in links
    assert "Sikkerhed pr. oplysning" in links and "Datoen 1.2.2026: Sandsynlig" in links
