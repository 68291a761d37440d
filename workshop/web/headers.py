"""Security headers on every response, and the Content-Security-Policy the pages live under.

The policy allows only the app's own scripts and styles: htmx is vendored under static/,
app.js is a file, no template has an inline script, event handler or style attribute,
and htmx is told not to inject its indicator <style> nor to evaluate code
(templates/base.html, "htmx-config"). Images may also be data: URIs, which cannot run
code. The PDF is rendered on the server by WeasyPrint and is not subject to the policy.
"""

from __future__ import annotations

from flask import Flask

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

# No page needs a camera, microphone, position or payment; say so, so nothing embedded can.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

HSTS = "max-age=31536000"


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        # setdefault: a view that chose a stricter value keeps it (manager links send
        # Referrer-Policy: no-referrer, so their token never leaves in a Referer).
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if app.config.get("SECURE_COOKIES"):
            # Only behind HTTPS: a browser that saw this would refuse plain HTTP for a year.
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
