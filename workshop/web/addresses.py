"""Where phones reach the app: the address in join links, QR codes and manager links.

On a laptop serving the room (`make serve-lan`) the facilitator's own browser uses
127.0.0.1, which no phone can reach; behind a reverse proxy the app sees the proxy's
address. SAMSKABT_PUBLIC_URL (app.config["PUBLIC_URL"]) and TRUSTED_PROXIES fix both.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix


class Samskabt(Flask):
    """Flask, with links for other devices built on the address they reach the app at.

    With PUBLIC_URL set (SAMSKABT_PUBLIC_URL), every external URL — the join link and QR
    code, manager links — starts with it instead of the address the facilitator's own
    browser used."""

    def url_for(self, /, endpoint: str, *, _external: bool | None = None, **values) -> str:
        public = self.config.get("PUBLIC_URL")
        if not (public and _external and has_request_context() and not values.get("_scheme")):
            return super().url_for(endpoint, _external=_external, **values)
        return public + super().url_for(endpoint, _external=False, **values)


def public_host() -> str:
    """The address people type to join: the public URL's host, else the one in use."""
    public = current_app.config.get("PUBLIC_URL")
    return urlsplit(public).netloc if public else request.host


def trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies (TRUSTED_PROXIES): trust their X-Forwarded-* headers, so
    join links and the QR code carry the public address (and rate limits count the
    phone's, not the proxy's)."""
    trusted = app.config["TRUSTED_PROXIES"]
    if trusted:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted)
