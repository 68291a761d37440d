"""The session cookie, signed again at most once a day instead of on every request.

Flask signs and sends a permanent session's cookie on every request, so that its 180
days count from the last visit. A phone polls every 2 s: signing, encoding and sending
the same cookie 1,800 times an hour is a good part of what a `304` costs. Here the cookie
is sent again when the session changed, or when it was signed more than a day ago, so
its lifetime still counts from the last visit, give or take a day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

REFRESH_AFTER = timedelta(days=1)


class SignedSession(SecureCookieSession):
    """The session, knowing when its cookie was signed (None: not signed yet)."""

    signed_at: datetime | None = None


class DailySignedSessions(SecureCookieSessionInterface):
    session_class = SignedSession

    def open_session(self, app, request) -> SignedSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not session.permanent or not app.config["SESSION_REFRESH_EACH_REQUEST"]:
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or datetime.now(UTC) - signed_at > REFRESH_AFTER
