"""Read-only manager links: made and revoked by the facilitator, opened without a login,
showing this course's status and action plan and nothing else."""

import re

import pytest

from workshop.core.extensions import db
from workshop.core.models import Course, ManagerLink
from workshop.manager_links import create_manager_link


@pytest.fixture
def course(app, make):
    with app.app_context():
        course = make.course(step=2, core_task="Borgere i job")
        anne = make.participant(course, name="Anne")
        solution = make.solution(anne, make.challenge(anne, "Ugentlig opgørelse"), "Stop den")
        make.action(solution, owner_name="Henrik", first_step="Aftal nøgletal")
        return course.id


def _link_url(page_text):
    return re.search(r'value="http://localhost(/m/[^"]+)"', page_text).group(1)


def test_a_facilitator_makes_a_link_a_manager_opens_it_without_login(app, client, auth, course):
    auth.login()
    response = client.post(f"/f/courses/{course}/manager-links", data={"label": "Ledelsen"})
    assert response.status_code == 302
    panel = client.get(f"/f/courses/{course}").text
    assert "Ledelsen" in panel
    url = _link_url(panel)
    manager = app.test_client()  # another browser, nobody logged in
    page = manager.get(url)
    assert page.status_code == 200
    for shown in ("Mindre bøvl", "Borgere i job", "Stop den", "Henrik", "Aftal nøgletal"):
        assert shown in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in page.headers["X-Robots-Tag"]
    # Read-only: no form posts anything, and the facilitator's pages stay closed.
    assert "<form" not in page.text.split('id="main"')[1]
    assert manager.get(f"/f/courses/{course}").status_code == 302


def test_a_revoked_link_stops_working_at_once(app, client, auth, course):
    auth.login()
    client.post(f"/f/courses/{course}/manager-links", data={"label": "Chefgruppen"})
    url = _link_url(client.get(f"/f/courses/{course}").text)
    with app.app_context():
        link_id = db.session.scalar(db.select(ManagerLink.id))
    assert app.test_client().get(url).status_code == 200
    yes = {"confirmed": "1"}  # said yes on the confirmation
    client.post(f"/f/courses/{course}/manager-links/{link_id}/revoke", data=yes)
    client.post(f"/f/courses/{course}/manager-links/{link_id}/revoke", data=yes)  # twice
    assert app.test_client().get(url).status_code == 404
    assert url not in client.get(f"/f/courses/{course}").text


def test_a_link_opens_only_its_own_course(app, make, course):
    with app.app_context():
        other = make.course(title="Et helt andet forløb", step=2)
        make.challenge(make.participant(other), "Hemmelig udfordring")
        mine = create_manager_link(db.session.get(Course, course)).token
    page = app.test_client().get(f"/m/{mine}")
    assert "Mindre bøvl" in page.text
    assert "Et helt andet forløb" not in page.text and "Hemmelig udfordring" not in page.text


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "A" * 500, "..%2F..%2Fetc"])
def test_a_wrong_token_is_a_friendly_404(client, course, token):
    response = client.get(f"/m/{token}")
    assert response.status_code == 404


def test_only_the_courses_facilitator_makes_or_revokes_links(app, client, auth, make, course):
    with app.app_context():
        link_id = create_manager_link(db.session.get(Course, course), "Ledelsen").id
    assert client.post(f"/f/courses/{course}/manager-links").status_code == 302  # to login
    with app.app_context():
        make.facilitator("other@example.dk", "another password")
    auth.login("other@example.dk", "another password")
    assert client.post(f"/f/courses/{course}/manager-links").status_code == 404
    assert client.post(f"/f/courses/{course}/manager-links/{link_id}/revoke").status_code == 404
    with app.app_context():
        assert db.session.get(ManagerLink, link_id).revoked_at is None
        assert db.session.scalar(db.select(db.func.count()).select_from(ManagerLink)) == 1


def test_an_over_long_label_is_refused_with_a_message(app, client, auth, course):
    auth.login()
    page = client.post(
        f"/f/courses/{course}/manager-links", data={"label": "x" * 121}, follow_redirects=True
    )
    assert page.status_code == 200 and "message-error" in page.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ManagerLink)) == 0


def test_the_manager_downloads_the_action_plan_pdf_until_the_link_is_revoked(
    app, client, auth, course
):
    with app.app_context():
        link = create_manager_link(db.session.get(Course, course), "Ledelsen")
        token, link_id = link.token, link.id
    manager = app.test_client()
    page = manager.get(f"/m/{token}")
    assert f'href="/m/{token}/action-plan.pdf"' in page.text
    pdf = manager.get(f"/m/{token}/action-plan.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    auth.login()
    client.post(f"/f/courses/{course}/manager-links/{link_id}/revoke", data={"confirmed": "1"})
    assert manager.get(f"/m/{token}/action-plan.pdf").status_code == 404
