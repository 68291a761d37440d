"""Serving a workshop to real phones from a laptop (issue 20, point 9): the public address
setting (SAMSKABT_PUBLIC_URL) that the join link, the QR code and the projector carry, and
`make serve-lan`'s script (workshop/commands/lan.py)."""

from __future__ import annotations

import io
import re

import pytest
import segno

from app import create_app
from workshop.commands import lan
from workshop.core.config import public_base_url
from workshop.core.extensions import db
from workshop.manager_links import create_manager_link

LAN = "http://192.168.1.23:8000"
PUBLIC = pytest.mark.parametrize("app", [{"PUBLIC_URL": LAN}], indirect=True)


@pytest.fixture
def course(app, make):
    with app.app_context():
        course = make.course(step=2)
        create_manager_link(course, "Jobcenterchefen")
        return {"id": course.id, "code": course.join_code}


def qr_svg(url: str) -> bytes:
    """The QR code the app draws for `url` (the same segno settings as the view)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=10, border=2, dark="#000", light="#fff", xmldecl=False
    )
    return buffer.getvalue()


@PUBLIC
def test_the_join_link_carries_the_public_address_not_the_one_the_laptop_uses(client, auth, course):
    auth.login()
    panel = client.get(f"/f/courses/{course['id']}")
    assert f"{LAN}/j/{course['code']}" in panel.text
    assert f"http://localhost/j/{course['code']}" not in panel.text


@PUBLIC
def test_the_qr_code_carries_the_public_address(client, auth, course):
    auth.login()
    qr = client.get(f"/f/courses/{course['id']}/qr.svg")
    assert qr.data == qr_svg(f"{LAN}/j/{course['code']}")
    assert qr.data != qr_svg(f"http://localhost/j/{course['code']}")


@PUBLIC
def test_the_projector_says_where_to_join_with_the_public_address(client, auth, course):
    auth.login()
    page = client.get(f"/f/courses/{course['id']}/projector")
    assert re.search(r'class="join-(?:text|host)">192\.168\.1\.23:8000\b', page.text)


@PUBLIC
def test_manager_links_carry_the_public_address(client, auth, course):
    auth.login()
    panel = client.get(f"/f/courses/{course['id']}")
    assert f'value="{LAN}/m/' in panel.text


@PUBLIC
def test_links_inside_the_app_stay_relative_with_a_public_address(client, course):
    page = client.get(f"/j/{course['code']}")
    assert f'action="/j/{course["code"]}"' in page.text
    assert LAN not in page.text


def test_without_a_public_address_the_join_link_uses_the_address_in_use(client, auth, course):
    auth.login()
    panel = client.get(f"/f/courses/{course['id']}")
    assert f"http://localhost/j/{course['code']}" in panel.text
    qr = client.get(f"/f/courses/{course['id']}/qr.svg")
    assert qr.data == qr_svg(f"http://localhost/j/{course['code']}")


def test_the_public_address_comes_from_the_environment(monkeypatch, database_url):
    monkeypatch.setenv("SAMSKABT_PUBLIC_URL", "http://10.0.0.7:8000/")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["PUBLIC_URL"] == "http://10.0.0.7:8000"
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    "value",
    [
        "192.168.1.23:8000",
        "ftp://192.168.1.23",
        "http://",
        "http://x.dk/samskabt",
        "http://x.dk/?a=1",
    ],
)
def test_a_public_address_that_is_no_base_url_is_refused_at_start(value):
    with pytest.raises(ValueError, match="SAMSKABT_PUBLIC_URL"):
        public_base_url(value)


# --- make serve-lan (workshop/commands/lan.py) -------------------------------------------------------


def test_serve_lan_binds_every_interface_and_sets_the_public_address():
    env = lan.serve_environment(
        "http://192.168.1.23:8080",
        8080,
        {"SECURE_COOKIES": "1", "FORWARDED_ALLOW_IPS": "*", "TRUSTED_PROXIES": "2", "HOME": "/h"},
    )
    assert env["BIND"] == "0.0.0.0:8080"
    assert env["SAMSKABT_PUBLIC_URL"] == "http://192.168.1.23:8080"
    # Plain HTTP: Secure cookies would lock everyone out; no proxy's headers are trusted.
    assert env["SECURE_COOKIES"] == "0" and env["TRUSTED_PROXIES"] == "0"
    assert "FORWARDED_ALLOW_IPS" not in env
    assert env["HOME"] == "/h"


def test_serve_lan_prints_the_address_phones_use(capsys):
    assert lan.main(["--address", "192.168.1.23", "--port", "8080", "--print-url"], {}) == 0
    assert capsys.readouterr().out.strip() == "http://192.168.1.23:8080"


def test_serve_lan_takes_its_port_from_the_environment(capsys):
    assert lan.main(["--address", "192.168.1.23", "--print-url"], {"PORT": "9000"}) == 0
    assert capsys.readouterr().out.strip() == "http://192.168.1.23:9000"


@pytest.mark.parametrize("address", ["127.0.0.1", "0.0.0.0", "::1", "localhost"])  # noqa: S104
def test_serve_lan_refuses_an_address_no_phone_can_reach(address, capsys):
    assert lan.main(["--address", address, "--print-url"], {}) == 2
    assert "--address" in capsys.readouterr().err


def test_an_ipv6_address_is_put_in_brackets():
    assert lan.public_url("fe80::1", 8000) == "http://[fe80::1]:8000"


def test_the_found_lan_address_is_one_other_devices_can_reach():
    found = lan.lan_address()
    assert found is None or lan.reachable_by_others(found)
