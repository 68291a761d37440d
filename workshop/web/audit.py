"""The organisation's audit trail, for its admins: a filtered, paged list and a CSV.

Only an admin reads it (another facilitator gets 403 with a message), and only their own
organisation's lines: the filters narrow within it, so another organisation's course or
facilitator id finds nothing.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from workshop.audit import (
    ACTIONS,
    PAGE_SIZE,
    AuditFilters,
    choices,
    describe_detail,
    events,
)
from workshop.audit import record as record_event
from workshop.core.clock import local_today
from workshop.exchange import audit_csv
from workshop.web.common import date_range_from_args
from workshop.web.errors import error_response
from workshop.web.exports import CSV_TYPE, file_download
from workshop.web.refusals import admins_only

bp = Blueprint("audit", __name__, url_prefix="/f")

READ_REFUSED = _l("Only an admin of your organisation can read its audit trail.")


@bp.before_request
@login_required
def require_login():
    """Every page here needs a login."""


def _number(name: str) -> int | None:
    raw = (request.args.get(name) or "").strip()
    if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63:
        return int(raw)
    return None


def _filters() -> tuple[AuditFilters, list[str]]:
    since, until, problems = date_range_from_args()
    action = (request.args.get("action") or "").strip()
    return AuditFilters(
        action=action if action in ACTIONS else "",
        actor_id=_number("facilitator"),
        course_id=_number("course"),
        since=since,
        until=until,
    ), problems


@bp.route("/organisation/audit")
@admins_only(READ_REFUSED)
def page():
    """Who did what, when, to which course: newest first, PAGE_SIZE lines a page."""
    filters, problems = _filters()
    organisation = current_user.organisation
    number = _number("page") or 1
    rows, total = events(organisation.id, filters, number) if not problems else ([], 0)
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template(
        "organisation/audit.html",
        rows=rows,
        total=total,
        page=min(number, pages),
        pages=pages,
        query={k: v for k, v in request.args.items() if k != "page"},
        filters=filters,
        problems=problems,
        **_filter_choices(organisation),
    ), (422 if problems else 200)


def _filter_choices(organisation) -> dict:
    """What the filters offer, and how the lines name people."""
    actors, courses = choices(organisation.id)
    return {
        "organisation": organisation,
        "actions": ACTIONS,
        "actors": actors,
        "courses": courses,
        "describe": describe_detail,
        # A facilitator named as the target (a failed login, a role change) by email.
        "people": {person.id: person.email for person in organisation.facilitators},
    }


@bp.route("/organisation/audit.csv")
@admins_only(READ_REFUSED)
def download():
    """Every line the filters match, for Danish Excel."""
    filters, problems = _filters()
    if problems:
        return error_response(422, problems[0])
    body = audit_csv(current_user.organisation.id, filters)
    # Reading the trail out is itself on the trail.
    record_event("exported", detail={"file": "audit_csv"})
    name = "".join(c for c in _("audit-trail") if c.isascii() and (c.isalnum() or c == "-"))
    return file_download(body, f"{name or 'audit'}-{local_today().isoformat()}.csv", CSV_TYPE)
