"""Compressed responses for phones (workshop/web/compression.py), without breaking what relies on
ETags and downloads: polls still answer 304, the PDF and CSV files arrive as they are, and
static files linked with their hash are cached for a year."""

from __future__ import annotations

import gzip
import re

import pytest

from workshop.core.extensions import db
from workshop.core.models import Card, Course
from workshop.votes import set_voting_state

HX = {"HX-Request": "true"}
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def course_code(app, make):
    with app.app_context():
        course = make.course(step=2, dot_budget=3)
        for number in range(12):  # enough on the wall for the fragment to be compressed
            make.card(make.participant(course), text=f"Kort nummer {number} om bøvl og krav")
        return course.join_code


def _course(code):
    return db.session.scalar(db.select(Course).where(Course.join_code == code))


def test_a_phone_page_is_compressed_for_a_browser_and_plain_for_others(client, course_code):
    client.post(f"/j/{course_code}", data={"role": "medarbejder", "unit": "Team Ledige"})
    plain = client.get(f"/c/{course_code}")
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers
    packed = client.get(f"/c/{course_code}", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data).decode().count("<html") == 1
    assert len(packed.data) < len(plain.data) / 2


def test_a_compressed_poll_is_revalidated_by_its_etag_and_answers_304(
    app, client, auth, course_code
):
    with app.app_context():
        course_id = _course(course_code).id
    auth.login()
    url = f"/f/courses/{course_id}/projector/live"  # the wall: twelve cards
    first = client.get(url, headers={**HX, **GZIP})
    assert first.status_code == 200
    assert first.headers["Content-Encoding"] == "gzip"
    assert "Kort nummer 11" in gzip.decompress(first.data).decode()
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and ":gzip" not in etag  # the poll code's own tag, weak
    again = client.get(url, headers={**HX, **GZIP, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    # The poll code answers 304 itself, before rendering; a changed course gives 200.
    with app.app_context():
        set_voting_state(_course(course_code), "voting")
    changed = client.get(url, headers={**HX, **GZIP, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_static_files_linked_with_their_hash_are_cached_for_a_year(client):
    page = client.get("/")
    assert "/static/htmx-2.0.11.min.js?v=" in page.text
    start = page.text.index("/static/htmx-2.0.11.min.js?v=")
    url = page.text[start : page.text.index('"', start)]
    reply = client.get(url, headers=BROWSER)
    assert reply.status_code == 200
    assert reply.headers["Content-Encoding"] in ("zstd", "br", "gzip")
    assert int(reply.headers["Content-Length"]) == len(reply.data) < 25_000
    assert "immutable" in reply.headers["Cache-Control"]
    assert "max-age=31536000" in reply.headers["Cache-Control"]
    reply.close()
    # Without the hash (or with an old one) the file is revalidated as before.
    for stale in ("/static/htmx-2.0.11.min.js", "/static/htmx-2.0.11.min.js?v=0ld"):
        reply = client.get(stale)
        assert "max-age=31536000" not in reply.headers.get("Cache-Control", "")
        reply.close()
    again = client.get(url, headers={**BROWSER, "If-None-Match": reply.headers["ETag"]})
    assert again.status_code == 304
    again.close()


def test_the_pdf_and_the_csv_downloads_are_not_touched(app, client, auth, make):
    with app.app_context():
        course = make.course(step=2)
        make.card(make.participant(course), text="Et kort til eksporten")
        course_id = course.id
    auth.login()
    pdf = client.get(f"/f/courses/{course_id}/action-plan.pdf", headers=BROWSER)
    assert pdf.status_code == 200
    assert "Content-Encoding" not in pdf.headers
    assert pdf.data.startswith(b"%PDF")
    csv = client.get(f"/f/courses/{course_id}/export/cards.csv", headers=BROWSER)
    assert csv.status_code == 200
    assert "Content-Encoding" not in csv.headers
    assert "Et kort til eksporten" in csv.data.decode("utf-8-sig")


def test_phones_fetching_the_same_large_list_share_one_compression(app, make):
    """When the vote opens every phone fetches the same voting list: it is compressed
    once (kept by a hash of the body), and each phone still gets exactly its body."""
    from workshop.web.compression import SHARED_BODY_MIN_SIZE, compress

    with app.app_context():
        course = make.course(step=2, dot_budget=3)
        author = make.participant(course)
        for number in range(200):
            make.card(author, text=f"Kort {number}: skemaet kræver tolv overskrifter hver gang")
        set_voting_state(course, "voting")
        code = course.join_code
    phones = [app.test_client() for _ in range(3)]
    bodies, sent = [], []
    for phone in phones:
        phone.post(f"/j/{code}", data={"role": "medarbejder", "unit": ""})
        reply = phone.get(f"/c/{code}/live?stage=2-voting", headers={**HX, **GZIP})
        assert reply.headers["Content-Encoding"] == "gzip"
        sent.append(reply.data)
        bodies.append(gzip.decompress(reply.data))
    assert len(bodies[0]) >= SHARED_BODY_MIN_SIZE
    assert bodies[0] == bodies[1] == bodies[2] and sent[0] == sent[1] == sent[2]
    kept = compress.cache._entries
    assert [key for key in kept if key.startswith("gzip;")], kept.keys()

    # A phone with a dot on the list gets its own list, compressed for it alone.
    with app.app_context():
        first_card = db.session.scalar(db.select(db.func.min(Card.id)))
    phones[0].post(f"/c/{code}/cards/{first_card}/dots", data={"dots": 1}, headers=HX)
    own = phones[0].get(f"/c/{code}/live?stage=2-voting", headers={**HX, **GZIP})
    assert gzip.decompress(own.data) != bodies[0]
    assert b'<span class="my-dots" aria-hidden="true">1</span>' in gzip.decompress(own.data)

    # Another phone's dot on another card: each list shows its own phone's dot alone,
    # though both are spliced from the same kept list (workshop.web.fragments).
    with app.app_context():
        second_card = db.session.scalar(db.select(db.func.max(Card.id)))
    phones[1].post(f"/c/{code}/cards/{second_card}/dots", data={"dots": 1}, headers=HX)
    theirs = gzip.decompress(
        phones[1].get(f"/c/{code}/live?stage=2-voting", headers={**HX, **GZIP}).data
    )
    mine = gzip.decompress(
        phones[0].get(f"/c/{code}/live?stage=2-voting", headers={**HX, **GZIP}).data
    )
    assert mine == gzip.decompress(own.data) and theirs not in (mine, bodies[0])
    for body, card_id in ((mine, first_card), (theirs, second_card)):
        assert body.count(b'<span class="my-dots" aria-hidden="true">1</span>') == 1
        assert f'id="take-card-{card_id}" aria-label'.encode() in body  # its − is enabled
    plain = phones[1].get(f"/c/{code}/live?stage=2-voting", headers=HX).data
    assert plain == theirs and b"<!--shared" not in plain


def test_a_phones_dots_on_several_cards_are_spliced_into_the_shared_list_in_place(app, make):
    """The polled list is the kept drawing with this phone's own cards drawn anew: tapped
    in any order, it is item for item the list the full page draws whole."""
    with app.app_context():
        course = make.course(step=2, dot_budget=5)
        author = make.participant(course)
        for number in range(40):
            make.card(author, text=f"Kort {number}: journalen skal skrives to steder")
        set_voting_state(course, "voting")
        code = course.join_code
        card_ids = sorted(db.session.scalars(db.select(Card.id).where(Card.course_id == course.id)))
    phone = app.test_client()
    phone.post(f"/j/{code}", data={"role": "medarbejder", "unit": ""})
    phone.get(f"/c/{code}/live?stage=2-voting", headers=HX)  # the list is kept now
    for card_id, dots in ((card_ids[30], 2), (card_ids[3], 1), (card_ids[17], 1)):
        reply = phone.post(f"/c/{code}/cards/{card_id}/dots", data={"dots": dots}, headers=HX)
        assert reply.status_code == 200

    def vote_list(html: str) -> str:
        items = html[
            html.index('<ul class="vote-list"') : html.index("</ul>", html.index("vote-list"))
        ]
        return re.sub(r'<input type="hidden" name="csrf_token" value="[^"]*">', "", items)

    polled = vote_list(phone.get(f"/c/{code}/live?stage=2-voting", headers=HX).text)
    assert polled == vote_list(phone.get(f"/c/{code}").text)
    shown = re.findall(
        r'id="card-(\d+)".*?<span class="my-dots" aria-hidden="true">(\d+)', polled, re.S
    )
    assert sorted(int(card) for card, _dots in shown) == card_ids  # each card once
    assert {int(card): int(dots) for card, dots in shown if dots != "0"} == {
        card_ids[3]: 1,
        card_ids[17]: 1,
        card_ids[30]: 2,
    }


def test_a_spliced_bodys_hash_tells_apart_every_different_body():
    """The compressed-body cache keys a spliced body by a hash of its pieces (the kept
    list by its own hash and the slice): equal bodies, equal keys; different, different."""
    from workshop.web.fragments import SharedText, resolve

    shared = SharedText.of(b"<li>a</li><li>b</li><li>c</li>")
    body = b"<ul><!--m--></ul>"

    def spliced(*pieces):
        return resolve(body, {b"<!--m-->": list(pieces)})

    whole = spliced((shared, 0, 30))
    assert whole[0] == b"<ul><li>a</li><li>b</li><li>c</li></ul>"
    assert spliced((shared, 0, 30)) == whole
    own_b = spliced((shared, 0, 10), "<li>B</li>", (shared, 20, 30))
    own_c = spliced((shared, 0, 20), "<li>C</li>")
    assert own_b[0] == b"<ul><li>a</li><li>B</li><li>c</li></ul>"
    assert len({whole[1], own_b[1], own_c[1]}) == 3
    # The same bytes cut differently are the same body, but hash apart: never a wrong hit.
    assert spliced((shared, 0, 10), (shared, 10, 30))[0] == whole[0]
    assert resolve(b"<ul></ul>", {b"<!--gone-->": [(shared, 0, 30)]})[0] == b"<ul></ul>"


def test_the_lists_button_labels_follow_each_phones_language(app, make):
    """The − and + labels are translated once per language and kept: a Danish phone and
    an English one, taking turns, each get their own language on the list and the tap."""
    with app.app_context():
        course = make.course(step=2, dot_budget=3)
        make.card(make.participant(course), text="Samtykkeerklæringen skal underskrives igen")
        set_voting_state(course, "voting")
        code = course.join_code
        card_id = db.session.scalar(db.select(Card.id).where(Card.course_id == course.id))
    danish, english = app.test_client(), app.test_client()
    for phone in (danish, english):
        phone.post(f"/j/{code}", data={"role": "medarbejder", "unit": ""})
    english.get(f"/c/{code}?lang=en")
    for _round in range(2):
        for phone, give in ((danish, "Giv kortet en prik"), (english, "Give this card a dot")):
            listed = phone.get(f"/c/{code}/live?stage=2-voting", headers=HX).text
            tapped = phone.post(f"/c/{code}/cards/{card_id}/dots", data={"dots": 1}, headers=HX)
            assert f'aria-label="{give}"' in listed and f'aria-label="{give}"' in tapped.text
