"""A real OpenID Connect provider for the single sign-on tests (tests/oidc/provider.mjs,
the `oidc-provider` package from package.json), and a browser-less walk through it.

`start_provider` runs it under Node on a free port of 127.0.0.1 with the clients and
accounts given; `walk_to_callback` follows the provider's redirects (its login step signs
in the account named by login_hint) until it sends the browser back to the app.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"

CLIENT_ID = "samskabt"
CLIENT_SECRET = "test-client-secret-" + "x" * 24
OTHER_CLIENT_ID = "another-app"
OTHER_CLIENT_SECRET = "another-secret-" + "y" * 24

ACCOUNTS = {
    "sub-fie": {"email": "Fie@Kommune.dk", "name": "Fie Facilitator", "groups": ["samskabt"]},
    "sub-ukendt": {"email": "ukendt@kommune.dk", "name": "Ukendt", "groups": ["samskabt"]},
    "sub-ude": {"email": "ole@andet.dk", "name": "Ole", "groups": ["samskabt"]},
    "sub-nogroup": {"email": "nils@kommune.dk", "name": "Nils", "groups": ["andre"]},
    "sub-anden": {"email": "anne@anden.dk", "name": "Anne", "groups": []},
    # The browser tests' facilitator (tests/browser_support.EMAIL), in capitals here.
    "sub-e2e": {"email": "Facilitator@Example.dk", "name": "Fie", "groups": []},
}


def client_settings(client_id: str, secret: str, app_urls: list[str]) -> dict:
    return {
        "client_id": client_id,
        "client_secret": secret,
        "redirect_uris": [f"{url}/login/sso/callback" for url in app_urls],
        "post_logout_redirect_uris": [f"{url}/login" for url in app_urls],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
    }


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen


@contextmanager
def start_provider(tmp_dir: Path, app_urls: list[str]):
    """The provider with two clients (ours and another app's) and ACCOUNTS."""
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("node_modules/oidc-provider is missing: run `npm ci` (make test does)")
    config = tmp_dir / "oidc-provider.json"
    config.write_text(
        json.dumps(
            {
                "clients": [
                    client_settings(CLIENT_ID, CLIENT_SECRET, app_urls),
                    client_settings(OTHER_CLIENT_ID, OTHER_CLIENT_SECRET, app_urls),
                ],
                "accounts": ACCOUNTS,
            }
        )
    )
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node is missing: the OpenID provider of the tests runs on it")
    process = subprocess.Popen(  # noqa: S603 - a fixed program and our own file names
        [node, str(PROVIDER_SCRIPT), str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line.startswith("listening "):
            raise RuntimeError(f"the OpenID provider did not start: {line}{process.stderr.read()}")
        yield RunningProvider(line.split()[1], process)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def walk_to_callback(authorize_url: str, browser: requests.Session | None = None) -> str:
    """Follow the provider's redirects from the authorisation request until they leave
    the provider; return that address (the app's callback, with code and state)."""
    browser = browser or requests.Session()
    url = authorize_url
    origin = urlsplit(authorize_url).netloc
    for _hop in range(10):
        if urlsplit(url).netloc != origin:
            return url
        response = browser.get(url, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        url = urljoin(url, response.headers["Location"])
    raise AssertionError("the provider never sent the browser back")
