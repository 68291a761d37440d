"""The audit trail: who did what, when, to which course.

One function adds a line, `record`; nothing in the app changes or deletes one, except the
retention purge (`purge`, run by `flask audit purge` or `flask course purge`). A trigger in
the database refuses UPDATE on both databases, and on PostgreSQL also any DELETE outside
the purge's own transaction (migration c9e0f1a2b3d4).

A line holds the time (UTC), the organisation, the facilitator who acted and a copy of
their email then, an action code, the course and a copy of its title then, what was acted
on (a kind and an id), the client's address and a small detail of codes and numbers.
Never what participants wrote: `detail` refuses anything that is not a short code, so a
card's words cannot end up here by mistake. The email someone typed at a failed login is
kept only as a keyed hash (HMAC with the app's secret key) when it names nobody: the
operator can see that one address was tried many times, nobody can read it back.

The organisation's admins read their organisation's lines (workshop/web/audit.py); a
failed login with an unknown email belongs to no organisation and is left to the operator.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app, g, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, user_logged_in, user_logged_out
from sqlalchemy import func, select, text

from workshop.core.db import READ_ONLY_METHODS, writing
from workshop.core.extensions import db
from workshop.core.models import AuditEvent, Course, Facilitator, utcnow
from workshop.facilitators import find_facilitator

# The action codes and what the admin's page calls them.
ACTIONS = {
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "logout": _l("Logged out"),
    "password_changed": _l("Password changed"),
    "facilitator_added": _l("Facilitator added"),
    "admin_granted": _l("Made admin"),
    "admin_revoked": _l("No longer admin"),
    "facilitator_activated": _l("Login reactivated"),
    "facilitator_deactivated": _l("Login deactivated"),
    "course_created": _l("Course created"),
    "course_deleted": _l("Course deleted"),
    "course_purged": _l("Course purged (retention)"),
    "redacted": _l("Text redacted"),
    "exported": _l("Downloaded"),
    "imported": _l("Course imported"),
    "manager_link_created": _l("Manager link made"),
    "manager_link_revoked": _l("Manager link revoked"),
    "share_made": _l("Shared with the experience bank"),
    "share_withdrawn": _l("Share withdrawn"),
    "sign_on_changed": _l("Single sign-on changed"),
    "privacy_notice_changed": _l("Privacy notice changed"),
    "participant_forgot": _l("A participant deleted their data"),
    # Issue 14: the organisation's departments.
    "department_added": _l("Department added"),
    "department_renamed": _l("Department renamed"),
    "department_retired": _l("Department retired"),
    "department_reactivated": _l("Department brought back"),
    "department_moved": _l("Department moved"),
    # Issue 18: the card box is a public link, like a manager link.
    "card_box_opened": _l("Card box opened"),
    "card_box_closed": _l("Card box closed"),
    "card_box_renewed": _l("Card box link renewed"),
    # Issue 18: the organisation's catalogue, shown on every card of every course.
    "local_rule_repealed": _l("Local rule marked as repealed"),
    "local_rule_repeal_undone": _l("Repeal of a local rule undone"),
    "local_rule_retired": _l("Local rule retired"),
    "local_rule_offered_again": _l("Local rule offered again"),
    "correction_saved": _l("Catalogue correction saved"),
    "correction_confirmed": _l("Catalogue correction confirmed"),
    "correction_removed": _l("Catalogue correction removed"),
}

PAGE_SIZE = 50

# What `detail` may hold: short codes (no spaces, so no sentence from anybody), numbers,
# yes/no. A participant's words cannot pass this by accident.
_CODE = re.compile(r"[A-Za-z0-9_.:-]{0,64}\Z")
_DETAIL_KEYS = 8


def keep_days() -> int:
    """How long lines are kept: SAMSKABT_AUDIT_DAYS (workshop.core.config, default 730)."""
    return current_app.config["AUDIT_DAYS"]


def _checked_detail(detail: dict | None) -> dict:
    detail = dict(detail or {})
    if len(detail) > _DETAIL_KEYS:
        raise ValueError("An audit detail has at most a few entries.")
    for key, value in detail.items():
        if not (isinstance(key, str) and _CODE.match(key)):
            raise ValueError(f"Not a code: {key!r}")
        if value is None or isinstance(value, bool | int):
            continue
        if not (isinstance(value, str) and _CODE.match(value)):
            raise ValueError(f"An audit detail holds codes and numbers only, not {value!r}")
    return detail


def _client_address() -> str:
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:64]


def _current_facilitator() -> Facilitator | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


_CURRENT = object()


def record(
    action: str,
    *,
    actor: Facilitator | None | object = _CURRENT,
    course: Course | None = None,
    target_kind: str = "",
    target_id: int | None = None,
    detail: dict | None = None,
    organisation_id: int | None = None,
) -> AuditEvent:
    """Add one line to the trail and commit it.

    `actor` defaults to the facilitator logged in for this request (None on the command
    line). The organisation is the actor's, else the course's, else `organisation_id`.
    Call it after the action succeeded; in a GET request (a download) it takes SQLite's
    write lock for its own short transaction (db.writing)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}")
    if actor is _CURRENT:
        actor = _current_facilitator()
    if organisation_id is None:
        if actor is not None:
            organisation_id = actor.organisation_id
        elif course is not None:
            organisation_id = course.organisation_id
    event = AuditEvent(
        at=utcnow(),
        organisation_id=organisation_id,
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else "",
        action=action,
        course_id=course.id if course is not None else None,
        course_title=(course.title or "")[:200] if course is not None else "",
        target_kind=target_kind[:40],
        target_id=target_id,
        client_address=_client_address(),
        detail=_checked_detail(detail),
    )
    if (
        has_request_context()
        and request.method in READ_ONLY_METHODS
        and not g.get("samskabt_writes")
    ):
        # A download: the request's read transaction ends, and the line is written in one
        # that holds SQLite's write lock from its start (no "database is locked").
        with writing():
            db.session.add(event)
            db.session.commit()
    else:
        db.session.add(event)
        db.session.commit()
    return event


def email_key(email: str) -> str:
    """A keyed hash of a typed email: the same address gives the same key, and without
    the app's secret key nobody can tell which address it was."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    normalised = (email or "").strip().lower().encode()
    return hmac.new(secret, b"audit-email:" + normalised, hashlib.sha256).hexdigest()[:32]


def record_failed_login(email: str) -> AuditEvent:
    """A login refused. For a facilitator's email, a line in their organisation naming
    them as the target (an admin sees someone trying a colleague's login); otherwise only
    the keyed hash of what was typed. Never the password."""
    facilitator = find_facilitator(email or "")
    if facilitator is None:
        return record(
            "login_failed",
            actor=None,
            detail={"reason": "unknown_email", "email_key": email_key(email)},
        )
    return record(
        "login_failed",
        actor=None,
        target_kind="facilitator",
        target_id=facilitator.id,
        organisation_id=facilitator.organisation_id,
        detail={"reason": "password" if facilitator.active else "deactivated"},
    )


def record_password_login_off(organisation_id: int) -> AuditEvent:
    """A password tried for an organisation that signs in only through its provider
    (whether the password was right is not checked, nor recorded)."""
    return record(
        "login_failed",
        actor=None,
        organisation_id=organisation_id,
        detail={"reason": "password_login_off"},
    )


def record_failed_sign_on(reason: str, organisation_id: int | None) -> AuditEvent:
    """A sign-in through the organisation's identity provider that gave no login, with the
    refusal's code (sso.SignOnRefused.reason, made a code: the provider's error may be
    anything)."""
    code = re.sub(r"[^A-Za-z0-9_.:-]", "_", reason or "unknown")[:64]
    return record(
        "login_failed",
        actor=None,
        organisation_id=organisation_id,
        detail={"reason": code, "via": "oidc"},
    )


# --- Flask-Login's signals: every login_user (password or single sign-on) is recorded ---


def _logged_in(_app, user=None, **_extra):
    if isinstance(user, Facilitator):
        # sso.remember_sign_in marks the session before login_user for a provider's sign-in.
        via = "oidc" if has_request_context() and session.get("sso_sign_on") else "password"
        record("login", actor=user, detail={"via": via})


def _logged_out(_app, user=None, **_extra):
    if isinstance(user, Facilitator) and getattr(user, "id", None) is not None:
        record("logout", actor=user)


def init_audit(app) -> None:
    """Record logins and logouts through Flask-Login's signals (whoever calls login_user)."""
    user_logged_in.connect(_logged_in, weak=False)
    user_logged_out.connect(_logged_out, weak=False)


# --- Reading: the admin page, and the lines its CSV holds (workshop.exchange.csv) ----------


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor_id: int | None = None
    course_id: int | None = None
    since: date | None = None
    until: date | None = None


def _filtered(organisation_id: int, filters: AuditFilters):
    query = select(AuditEvent).where(AuditEvent.organisation_id == organisation_id)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.course_id is not None:
        query = query.where(AuditEvent.course_id == filters.course_id)
    # Dates are whole days in UTC, as the times on the page are shown.
    if filters.since is not None:
        query = query.where(AuditEvent.at >= datetime.combine(filters.since, time(), UTC))
    if filters.until is not None:
        end = datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        query = query.where(AuditEvent.at < end)
    return query


def events(organisation_id: int, filters: AuditFilters, page: int = 1) -> tuple[list, int]:
    """One page of the organisation's lines, newest first, and how many match in all."""
    query = _filtered(organisation_id, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((max(page, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return list(rows), total


def choices(organisation_id: int) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The facilitators and courses the filters offer: those named in the organisation's
    lines (a deleted course stays choosable by the title it had)."""
    actors = db.session.execute(
        select(AuditEvent.actor_id, func.max(AuditEvent.actor_email))
        .where(AuditEvent.organisation_id == organisation_id, AuditEvent.actor_id.is_not(None))
        .group_by(AuditEvent.actor_id)
        .order_by(func.max(AuditEvent.actor_email))
    ).all()
    courses = db.session.execute(
        select(AuditEvent.course_id, func.max(AuditEvent.course_title))
        .where(AuditEvent.organisation_id == organisation_id, AuditEvent.course_id.is_not(None))
        .group_by(AuditEvent.course_id)
        .order_by(AuditEvent.course_id.desc())
    ).all()
    return [(row[0], row[1]) for row in actors], [(row[0], row[1]) for row in courses]


def describe_detail(event: AuditEvent) -> str:
    """The detail as "key: value" pairs (codes only, so nothing to translate or escape)."""
    return ", ".join(f"{key}: {value}" for key, value in sorted((event.detail or {}).items()))


def all_events(organisation_id: int, filters: AuditFilters) -> list[AuditEvent]:
    """Every matching line, oldest first (the CSV download, workshop.exchange.csv)."""
    query = _filtered(organisation_id, filters).order_by(AuditEvent.at, AuditEvent.id)
    return list(db.session.scalars(query))


# --- Retention ----------------------------------------------------------------------------


def purge(days: int | None = None) -> int:
    """Delete the lines older than `days` (default: keep_days()); the only deletion path.

    On PostgreSQL the trigger lets a DELETE through only in a transaction that says it is
    the purge (SET LOCAL: it ends with the transaction)."""
    days = keep_days() if days is None else days
    cutoff = utcnow() - timedelta(days=days)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT set_config('samskabt.audit_purge', 'on', true)"))
    result = db.session.execute(AuditEvent.__table__.delete().where(AuditEvent.at < cutoff))
    db.session.commit()
    return result.rowcount or 0
