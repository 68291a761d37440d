"""The session cookie, signed again at most once a day instead of on every request.

Flask signs and sends a permanent session's cookie on every request, so that its 180
days count from the last visit. A phone polls every 2 s: signing, encoding and sending
the same cookie 1,800 times an hour is a good part of what a `304` costs. Here the cookie
is sent again when the session changed, or when it was signed more than a day ago, so
its lifetime still counts from the last visit, give or take a day.

For the same reason a worker remembers the cookies it has checked (the exact signed
text, a few thousand of them): the same phone sends the same cookie all day, and checking
its signature and decoding it again is most of what opening the session costs. A cookie
past its lifetime is refused as it would be when checked anew.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

REFRESH_AFTER = timedelta(days=1)
CHECKED_KEPT = 4096


class SignedSession(SecureCookieSession):
    """The session, knowing when its cookie was signed (None: not signed yet)."""

    signed_at: datetime | None = None


class DailySignedSessions(SecureCookieSessionInterface):
    session_class = SignedSession

    def __init__(self):
        self._checked: OrderedDict[str, tuple[dict, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def open_session(self, app, request) -> SignedSession | None:
        if not app.secret_key:
            return None  # as Flask's own: no secret, no session (an error page says so)
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        lifetime = app.permanent_session_lifetime
        checked = self._remembered(cookie)
        if checked is None:
            # Built only here: building the serializer costs more than finding the cookie.
            serializer = self.get_signing_serializer(app)
            try:
                checked = serializer.loads(
                    cookie, max_age=int(lifetime.total_seconds()), return_timestamp=True
                )
            except BadSignature:
                return self.session_class()
            self._remember(cookie, checked)
        data, signed_at = checked
        if datetime.now(UTC) - signed_at > lifetime:
            return self.session_class()
        session = self.session_class(copy.deepcopy(data))  # each request changes its own
        session.signed_at = signed_at
        return session

    def _remembered(self, cookie: str) -> tuple[dict, datetime] | None:
        with self._lock:
            checked = self._checked.get(cookie)
            if checked is not None:
                self._checked.move_to_end(cookie)
            return checked

    def _remember(self, cookie: str, checked: tuple[dict, datetime]) -> None:
        with self._lock:
            self._checked[cookie] = checked
            while len(self._checked) > CHECKED_KEPT:
                self._checked.popitem(last=False)

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not session.permanent or not app.config["SESSION_REFRESH_EACH_REQUEST"]:
            return False
        signed_at = getattr(session, "signed_at", None)
        # A lifetime under two days (a setting) is renewed at half of it instead.
        refresh_after = min(REFRESH_AFTER, app.permanent_session_lifetime / 2)
        return signed_at is None or datetime.now(UTC) - signed_at > refresh_after
