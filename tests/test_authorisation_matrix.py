"""Who may use which route: anonymous, a participant of course A, a participant of course B,
a manager link of A, the facilitator of A, a colleague in A's organisation, the admin of A's
organisation and the facilitator of B (admin of another organisation), against every route
in the app's URL map.

Facilitators of one organisation co-facilitate: each may see and run every course of the
organisation (facilitator A, the colleague and the admin alike); another organisation's
facilitator, admin or not, gets 404.

ACCESS says who may use each endpoint; a new route without an entry fails
`test_every_route_has_a_rule`. Course A and B are complete (answers, cards, links, votes,
solutions, actions, updates, measures, entries, lessons, manager links), so every URL can be
filled with A's ids, and with B's ids under A's course. A refused request must change
nothing in the database (every row of every table, checksummed).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask import url_for

from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Course, Participant
from workshop.courses import go_to_step, set_joining_open
from workshop.exchange import export_course_json
from workshop.reminders import open_token, stop_token
from workshop.votes import SOLUTIONS, set_voting_state
from workshop.web.common import SESSION_KEY

from .worlds import Ids, build_world, checksum

# --- Who may use what ----------------------------------------------------------------------

PUBLIC = "public"  # everyone: the home page, joining, login, health, static files
FACILITATOR = "facilitator"  # any logged-in facilitator (their own lists and forms)
COURSE_FACILITATOR = "course facilitator"  # the facilitators of the course's organisation
ORG_ADMIN = "organisation admin"  # an admin, for their own organisation
ORG_ADMIN_RECORD = "organisation admin, their facilitator"  # ... on one of its facilitators
PARTICIPANT = "participant"  # only a participant of the course (by the phone's cookie)
MANAGER = "manager link"  # whoever holds an open manager link (the token is the key)
# The facilitators of the organisation a record belongs to (a local rule): another
# organisation's facilitator gets 404, as for a course.
ORG_FACILITATOR = "the record's organisation's facilitators"

COURSE_FACILITATOR_ENDPOINTS = (
    "facilitator.course",
    "facilitator.edit_course",
    "facilitator.delete",
    "facilitator.control_live",
    "facilitator.change_step",
    "facilitator.toggle_joining",
    "facilitator.projector_join",
    "facilitator.result_split",
    "facilitator.timer",
    "facilitator.stop_timer_view",
    "facilitator.copy",
    "facilitator.projector",
    "facilitator.projector_live",
    "facilitator.qr_code",
    "catalogue.projector_search",
    "reports.action_plan",
    "exports.cards",
    "exports.actions",
    "exports.entries",
    "exports.course_json",
    "intro.toggle_answer",
    "intro.redact",
    "challenges.voting",
    "challenges.restart_vote",
    "challenges.restore_vote",
    "challenges.card",
    "challenges.examine",
    "challenges.priority",
    "challenges.link",
    "challenges.unlink",
    "challenges.toggle_hidden",
    "challenges.merge",
    "challenges.unmerge",
    "challenges.redact",
    "solutions.voting",
    "solutions.restart_vote",
    "solutions.restore_vote",
    "solutions.add",
    "solutions.solution_page",
    "solutions.toggle_hidden",
    "solutions.choose",
    "solutions.unchoose",
    "solutions.redact",
    "implement.action_page",
    "implement.action_status",
    "evaluate.add",
    "evaluate.measure_page",
    "evaluate.period",
    "evaluate.delete",
    "learn.add",
    "learn.delete",
    "manager.create",
    "manager.revoke",
    # Issue 18 item 2: the card box and paper cards.
    "card_box.settings",
    "card_box.close",
    "card_box.renew",
    "card_box.qr_code",
    "card_box.paper",
)

ACCESS = {
    "static": PUBLIC,
    "health.healthz": PUBLIC,
    "health.favicon": PUBLIC,
    "participant.home": PUBLIC,
    "participant.join_course": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.sso_start": PUBLIC,
    "auth.sso_callback": PUBLIC,
    "facilitator.courses": FACILITATOR,
    "facilitator.new_course": FACILITATOR,
    "catalogue.search": FACILITATOR,
    "catalogue.new_local_rule": FACILITATOR,
    "exports.import_page": FACILITATOR,
    # Issue 9 parts 2 and 3 (experience bank): sharing a course, withdrawing it and copying
    # another course's shared solution belong to the course's facilitators.
    "bank.share": COURSE_FACILITATOR,
    "bank.withdraw": COURSE_FACILITATOR,
    "bank.copy": COURSE_FACILITATOR,
    "participant.course_page": PARTICIPANT,
    "participant.live": PARTICIPANT,
    "catalogue.phone_search": PARTICIPANT,
    "intro.answer": PARTICIPANT,
    "challenges.submit": PARTICIPANT,
    "challenges.vote": PARTICIPANT,
    "solutions.propose": PARTICIPANT,
    "solutions.vote": PARTICIPANT,
    "implement.my_actions": PARTICIPANT,
    "implement.my_action_status": PARTICIPANT,
    "evaluate.log": PARTICIPANT,
    "evaluate.logbook": PARTICIPANT,
    "manager.status": MANAGER,
    "manager.action_plan_pdf": MANAGER,
    # Issue 18 item 2: the card box is for anyone with its link (the token is the key).
    "card_box.box": PUBLIC,
    # Issue 9 part 5 (feedback to the state): the course's facilitators flag cards and
    # download the document; a manager link gives the PDF too, because managers forward it.
    "state_feedback.save": COURSE_FACILITATOR,
    "state_feedback.remove": COURSE_FACILITATOR,
    "state_feedback.overview": COURSE_FACILITATOR,
    "state_feedback.pdf": COURSE_FACILITATOR,
    "state_feedback.csv": COURSE_FACILITATOR,
    "state_feedback.manager_pdf": MANAGER,
    # Issue 18 part 6 (feedback beyond the state): the same shape for the IT vendor and for
    # the political committee; a manager link gives both the PDF and the CSV.
    **{
        f"{route}.{endpoint}": COURSE_FACILITATOR
        for route in ("vendor_feedback", "political_feedback")
        for endpoint in ("save", "remove", "overview", "pdf", "csv")
    },
    **{
        f"{route}.{endpoint}": MANAGER
        for route in ("vendor_feedback", "political_feedback")
        for endpoint in ("manager_pdf", "manager_csv")
    },
    # Everything else under /f/courses/<course_id>/ belongs to the course's organisation.
    **dict.fromkeys(COURSE_FACILITATOR_ENDPOINTS, COURSE_FACILITATOR),
    # Issue 9 part 1 and 4 (organisations): every facilitator sees their own organisation's
    # page and overview; only its admins add facilitators and change admins and logins.
    "organisation.page": FACILITATOR,
    "organisation.overview": FACILITATOR,
    "organisation.overview_download": FACILITATOR,
    "organisation.add_facilitator": ORG_ADMIN,
    "organisation.sign_on": ORG_ADMIN,
    "organisation.admin": ORG_ADMIN_RECORD,
    "organisation.active": ORG_ADMIN_RECORD,
    # Issue 19 part 3: the audit trail, for an admin and only their own organisation's lines.
    "audit.page": ORG_ADMIN,
    "audit.download": ORG_ADMIN,
    # Issue 19 part 4 (privacy): the notice is for anyone with the code, before joining;
    # "my data" and deleting it are the participant's own; the controller is the admin's.
    "participant.privacy": PUBLIC,
    "participant.my_data": PARTICIPANT,
    "participant.forget": PARTICIPANT,
    "organisation.privacy": ORG_ADMIN,
    # Issue 14 point 5 (the citizen's path): phones add touchpoints; the course's
    # facilitators run the path.
    "path.add": PARTICIPANT,
    "path.toggle": COURSE_FACILITATOR,
    "path.page": COURSE_FACILITATOR,
    "path.move": COURSE_FACILITATOR,
    "path.toggle_hidden": COURSE_FACILITATOR,
    "path.to_card": COURSE_FACILITATOR,
    "path.touchpoint": COURSE_FACILITATOR,
    "path.new_touchpoint": COURSE_FACILITATOR,
    "path.merge": COURSE_FACILITATOR,
    "path.unmerge": COURSE_FACILITATOR,
    "path.redact": COURSE_FACILITATOR,
    # Issue 14: the organisation's departments; every facilitator sees the list on the
    # organisation's page, only its admins change it.
    "organisation.add_department_view": ORG_ADMIN,
    "organisation.rename_department_view": ORG_ADMIN_RECORD,
    "organisation.retire_department_view": ORG_ADMIN_RECORD,
    "organisation.move_department_view": ORG_ADMIN_RECORD,
    # Issue 18 point 1: the course's facilitators plan its meetings; a phone of the course
    # and the course's manager link download its own meetings' calendar files.
    "meetings.plan": COURSE_FACILITATOR,
    "meetings.edit": COURSE_FACILITATOR,
    "meetings.delete": COURSE_FACILITATOR,
    "meetings.calendar": COURSE_FACILITATOR,
    "meetings.phone_calendar": PARTICIPANT,
    "manager.meeting_calendar": MANAGER,
    # Issue 18 item 3 (reminders by email): a participant's own work email; a reminder's
    # signed links (to open the course on a phone, to stop reminders) need no login or
    # cookie: the signed token in the address is the key.
    "reminders.email_page": PARTICIPANT,
    "reminders.remove": PARTICIPANT,
    "reminders.open_link": PUBLIC,
    "reminders.stop": PUBLIC,
    # Issue 18 point 5 (the catalogue people can correct): an admin corrects a law entry for
    # their own organisation (each admin in their own); the organisation's facilitators edit
    # and retire its local rules and undo a repeal; the course's facilitators mark a rule
    # repealed.
    "catalogue.correction": ORG_ADMIN,
    "catalogue.confirm_correction_view": ORG_ADMIN,
    "catalogue.remove_correction_view": ORG_ADMIN,
    "catalogue.edit_rule": ORG_FACILITATOR,
    "catalogue.retire_rule": ORG_FACILITATOR,
    "catalogue.undo_repeal_view": ORG_FACILITATOR,
    "implement.mark_repealed": COURSE_FACILITATOR,
}

PRINCIPALS = ("anonymous", "participant A", "participant B", "manager A", "facilitator A",
              "colleague A", "org admin A", "facilitator B",
              "participant A by id", "facilitator A logged out")  # fmt: skip
# The last two are cookies that name nobody (issue 17): a phone's cookie naming A's
# participant by id (the old format, for someone who joined after tokens came: an id a
# deleted course's phone may hold), and facilitator A's login from before a logout (its
# session token has changed since). Both are refused like anonymous.
# Logged-in facilitators: A made course A; the colleague and the admin are in A's
# organisation (only the admin is its admin); B is the admin of another organisation.
FACILITATORS = ("facilitator A", "colleague A", "org admin A", "facilitator B")

# Where a refused participant route sends someone who is not in the course.
TO_JOIN = "join"  # 302 to /j/<code>
HX_TO_JOIN = "hx-join"  # the polled region: an empty reply whose HX-Redirect is /j/<code>
PARTICIPANT_REFUSAL = {
    "participant.course_page": TO_JOIN,
    "implement.my_actions": TO_JOIN,
    "evaluate.logbook": TO_JOIN,
    "catalogue.phone_search": TO_JOIN,
    "participant.live": HX_TO_JOIN,
    "participant.my_data": TO_JOIN,
    "meetings.phone_calendar": TO_JOIN,
    "reminders.email_page": TO_JOIN,
}  # every other participant route (all POSTs) answers 403

# The facilitator of A, with one of B's records under A's course: not found (404), or
# back to A's control panel with nothing done ("panel").
FOREIGN_RECORD = {
    "challenges.card": "panel",
    "challenges.examine": "panel",
    "challenges.priority": "panel",
    "challenges.link": "panel",
    "challenges.unlink": "panel",
    "challenges.toggle_hidden": "panel",
    "challenges.merge": "panel",
    "challenges.unmerge": "panel",
    "challenges.redact": "panel",
    "intro.toggle_answer": "panel",
    "intro.redact": 404,
    "solutions.solution_page": "panel",
    "solutions.toggle_hidden": "panel",
    "solutions.choose": "panel",
    "solutions.unchoose": "panel",
    "solutions.redact": "panel",
    "bank.copy": "panel",  # B's card under A's course
    "implement.action_page": 404,
    "implement.action_status": 404,
    "evaluate.measure_page": 404,
    "evaluate.period": 404,
    "evaluate.delete": 404,
    "learn.delete": "panel",
    "manager.revoke": 404,
    # A participant of A with B's record under A's code.
    "challenges.vote": "phone",  # back to the phone's page, with a message
    "solutions.vote": 404,
    "implement.my_action_status": 404,
    # Issue 9 part 5: B's card under A's course goes back to A's panel.
    "state_feedback.save": "panel",
    "state_feedback.remove": "panel",
    # Issue 18 part 6: the same for the routes beyond the state.
    "vendor_feedback.save": "panel",
    "vendor_feedback.remove": "panel",
    "political_feedback.save": "panel",
    "political_feedback.remove": "panel",
    # A's admin with B's facilitator.
    "organisation.admin": 404,
    "organisation.active": 404,
    # Issue 14 point 5: B's touchpoint under A's course goes back to A's panel.
    "path.move": "panel",
    "path.toggle_hidden": "panel",
    "path.to_card": "panel",
    "path.touchpoint": "panel",
    "path.merge": "panel",
    "path.unmerge": "panel",
    "path.redact": "panel",
    # A's admin with B's department.
    "organisation.rename_department_view": 404,
    "organisation.retire_department_view": 404,
    "organisation.move_department_view": 404,
    # Issue 18: B's meeting under A's course (the facilitator's and the phone's routes).
    "meetings.edit": 404,
    "meetings.delete": 404,
    "meetings.calendar": 404,
    "meetings.phone_calendar": 404,
    # Issue 18: B's action (and B's rule) under A's course.
    "implement.mark_repealed": 404,
}


# --- How to call each route ------------------------------------------------------------------


@dataclass
class Call:
    """One request to one endpoint: its URL arguments, form data and the state it needs."""

    endpoint: str
    method: str
    args: dict
    data: dict = field(default_factory=dict)
    setup: object = None  # callable(course) run in an app context before the request
    ok: tuple = ()  # statuses that mean "allowed" (default: GET 200, POST 302)
    last: bool = False  # runs after every other allowed call (it deletes or logs out)


def _step(number, voting=None, solution_voting=None):
    def setup(course):
        go_to_step(course, number)
        if voting and course.voting_state != voting:
            set_voting_state(course, voting)
        if solution_voting and course.solution_voting_state != solution_voting:
            set_voting_state(course, solution_voting, SOLUTIONS)

    return setup


def _args(rule_arguments, ids: Ids, endpoint: str) -> dict:
    """A's ids for each URL argument (the right kind of record for each endpoint)."""
    by_name = {
        "course_id": ids.course,
        "code": ids.code,
        "card_id": ids.card3,
        "answer_id": ids.answer,
        "solution_id": ids.solution2,
        "action_id": ids.action,
        "measure_id": ids.measure,
        "shared_id": 10**9,  # no such shared solution: copying says so and changes nothing
        "entry_id": ids.entry,
        "lesson_id": ids.lesson,
        "token": ids.token,
        "facilitator_id": ids.colleague,
        "department_id": ids.department,
        "period": "baseline",
        "filename": "app.css",
        "slug": "no-such-organisation",  # an unknown sign-in address: to the login page
        # Revoking the old link keeps the open one for the manager's routes.
        "link_id": ids.revoked_link if endpoint == "manager.revoke" else ids.link,
        "touchpoint_id": ids.touchpoint,
        "meeting_id": ids.meeting,
        "box_token": ids.box_token,
        # A local rule of the course's organisation; a shipped law entry to correct.
        "key": "R05"
        if endpoint.startswith("catalogue.") and "correction" in endpoint
        else ids.local_rule,
    }
    if endpoint in ("challenges.unlink", "challenges.vote"):
        by_name["card_id"] = ids.card2  # the card with the link; a card open for dots
    return {name: by_name[name] for name in rule_arguments}


def _data(endpoint: str, method: str, ids: Ids, app) -> dict:
    if method != "POST":
        return {}
    today = local_today()
    periods = {
        "baseline_from": (today - timedelta(days=40)).isoformat(),
        "baseline_to": (today - timedelta(days=27)).isoformat(),
        "followup_from": (today - timedelta(days=13)).isoformat(),
        "followup_to": (today + timedelta(days=7)).isoformat(),
    }
    meeting = {
        "day": (today + timedelta(days=20)).isoformat(),
        "start": "9:00",
        "end": "12:00",
        "place": "Mødelokale 1",
        "steps": "2",
    }
    course_fields = {
        "title": "Kursus A",
        "municipality": "Kommune A",
        "dot_budget": "5",
        "multiple_dots_per_card": "y",
        "min_group_size": "3",
    }
    with app.app_context():
        course = db.session.get(Course, ids.course)
        question = course.questions[0]
        if endpoint == "exports.import_page":
            return {"file": (io.BytesIO(export_course_json(course)), "kursus.json")}
    return {
        "participant.home": {"code": ids.code},
        "participant.join_course": {"role": "medarbejder"},
        "auth.login": {"email": ids.facilitator_email, "password": "correct horse"},
        "facilitator.new_course": course_fields,
        "facilitator.edit_course": course_fields,
        "facilitator.delete": {"confirm_title": "Kursus A"},
        "facilitator.change_step": {"step": "3"},
        "facilitator.result_split": {"split": "none"},
        "facilitator.timer": {"minutes": "5", "label": "Kaffe"},
        # A name is taken once per organisation: each principal adds one of its own.
        "catalogue.new_local_rule": {"name": "Ny regel {who}", "kind": "local_practice"},
        "intro.answer": {"question": question, "text": "Nyt svar", "client_token": "matrix"},
        "intro.redact": {"confirm": "y"},
        "challenges.submit": {"text": "Nyt kort", "client_token": "matrix"},
        "challenges.vote": {"dots": "1"},
        "challenges.voting": {"state": "voting"},
        "challenges.card": {"text": "Omformuleret kort", "category": ""},
        "challenges.examine": {"origin": "local_practice", "problem": "P", "stakeholders": "S"},
        "challenges.priority": {"priority": "later", "later_when": "I marts"},
        "challenges.link": {"key": ids.local_rule},
        "challenges.merge": {"target": str(ids.card2)},
        # Destructive: the first post asks (200); the confirmed one acts and sends on.
        "challenges.restart_vote": {"confirmed": "1"},
        "solutions.restart_vote": {"confirmed": "1"},
        "learn.delete": {"confirmed": "1"},
        "evaluate.delete": {"confirmed": "1"},
        "manager.revoke": {"confirmed": "1"},
        "challenges.redact": {"confirm": "y"},
        "solutions.propose": {
            "card": str(ids.card),
            "text": "Ny løsning",
            "kind": "change",
            "client_token": "matrix",
        },
        "solutions.vote": {"dots": "1"},
        "solutions.voting": {"state": "voting"},
        "solutions.add": {
            "card": str(ids.card),
            "text": "Løsning fra rummet",
            "kind": "remove",
            "client_token": "matrix-f",
        },
        "solutions.solution_page": {"text": "Omformuleret løsning", "kind": "embed"},
        "solutions.choose": {"decided_by": "Chefen"},
        "solutions.redact": {"confirm": "y"},
        "bank.share": {"step": "review"},
        "implement.action_page": {"title": "Ny titel", "owner_id": str(ids.owner)},
        "implement.action_status": {"status": "implemented"},
        "implement.my_action_status": {"status": "implemented"},
        "evaluate.log": {
            "measure": str(ids.measure),
            "entry_date": (today - timedelta(days=30)).isoformat(),
            "value": "40",
            "client_token": "matrix",
        },
        "evaluate.logbook": {
            "measure": str(ids.measure),
            "entry_date": (today - timedelta(days=30)).isoformat(),
            "value": "41",
            "client_token": "matrix-logbook",
        },
        "evaluate.add": {"action": str(ids.action), "what": "Antal", "unit": "stk", **periods},
        "evaluate.measure_page": {"what": "Minutter", "unit": "min", **periods},
        "evaluate.period": {"closed": "1"},
        "learn.add": {"kind": "lesson", "text": "Ny læring"},
        "manager.create": {"label": "Byrådet"},
        # {who}: each allowed principal adds a facilitator of its own (emails are unique).
        "organisation.add_facilitator": {
            "email": "ny-{who}@example.dk",
            "password": "correct horse",
            "name": "Ny facilitator",
        },
        "organisation.sign_on": {
            "issuer": "https://login.example.dk/{who}",
            "client_id": "samskabt",
            "slug": "org-{who}",  # a short name is one organisation's
            "enabled": "y",
            "password_login": "y",
        },
        "organisation.admin": {"value": "1"},
        "organisation.active": {"value": "1"},  # reactivating keeps the colleague's login
        "organisation.privacy": {"controller_name": "Byrådet", "privacy_contact": "dpo@a.dk"},
        "vendor_feedback.save": {"it_vendor-subject": "Sagssystemet", "it_vendor-proposal": "Ret"},
        "political_feedback.save": {
            "politics-subject": "Møde inden 5 dage",
            "politics-ask": "change",
        },
        "path.add": {"kind": "meeting", "text": "Nyt møde", "client_token": "matrix"},
        "path.move": {"direction": "down"},
        "path.touchpoint": {"kind": "meeting", "text": "Omformuleret", "place": "Jobcentret"},
        "path.new_touchpoint": {"kind": "form", "text": "Sagt højt", "place": "Borgerservice"},
        "path.merge": {"target": str(ids.touchpoint2)},
        "path.redact": {"confirm": "y"},
        "card_box.settings": {
            "opens_day": today.isoformat(),
            "opens_time": "00:00",
            "closes_day": (today + timedelta(days=7)).isoformat(),
            "closes_time": "16:00",
        },
        "card_box.paper": {"role": "leder", "text": "Papirkort {who}", "client_token": "{who}"},
        "card_box.box": {"role": "medarbejder", "text": "Kort fra kassen", "client_token": "m"},
        # {who}: each allowed principal adds one of its own (names are unique).
        "organisation.add_department_view": {
            "department-name": "Misbrug {who}",
            "department-sector": "social",
        },
        "organisation.rename_department_view": {"name": "Social og handicap", "sector": "social"},
        "organisation.retire_department_view": {"value": "0"},  # bringing back keeps it
        "organisation.move_department_view": {"direction": "down"},
        "meetings.plan": meeting,
        "meetings.edit": meeting,
        "reminders.email_page": {"email": "ejer@kommune-a.example"},
        "catalogue.correction": {
            "note": "Vi læser det som {who}",
            "source": "Jurist, mail 3.11.2026",
            "confidence": "likely",
        },
        "catalogue.edit_rule": {"name": "Omdøbt regel {who}", "kind": "local_practice"},
        "catalogue.retire_rule": {"value": "0"},  # offering it again keeps it linkable
    }.get(endpoint, {})


def _state_card(*, flagged: bool):
    """Issue 9 part 5: card3's rule comes from national law (so it may be sent to the
    state), and it is flagged already when a route takes it out again."""

    def setup(course):
        from workshop.examination import examine_card
        from workshop.state_feedback import feedback_of, flag_card

        card3 = sorted(course.cards, key=lambda card: card.id)[2]
        if card3.origin != "national_law":
            examine_card(card3, origin="national_law")
        if flagged and feedback_of(card3) is None:
            flag_card(card3, proposal="Forslag")

    return setup


def _local_card(route: str, origin: str, *, flagged: bool):
    """Issue 18 part 6: card3's rule comes from an IT system or a municipal decision (so it
    may go by the route), and it is in the route's document already when a route takes it
    out again."""

    def setup(course):
        from workshop.examination import examine_card
        from workshop.local_feedback import ROUTES, flag_for, local_feedback_of

        card3 = sorted(course.cards, key=lambda card: card.id)[2]
        if card3.origin != origin:
            examine_card(card3, origin=origin)
        if flagged and local_feedback_of(card3, ROUTES[route]) is None:
            flag_for(ROUTES[route], card3, proposal="Forslag")

    return setup


def _open_path(course):
    """Issue 14 point 5: phones add touchpoints while the path is open in step 2."""
    from workshop.touchpoints import open_path

    _step(2, voting="collect")(course)
    if not course.path_open:
        open_path(course, True)


def _law_entry(_course):
    """Issue 18: a shipped law entry (R05) for an admin to correct; loaded once."""
    from workshop.catalogue import requirement_by_key
    from workshop.core.models import Requirement

    if requirement_by_key("R05") is None:
        db.session.add(
            Requirement(
                key="R05",
                kind="law",
                act="LAB",
                paragraph="§ 31",
                name_da="Jobsamtaler første 6 mdr.",
                content_hash="matrix",
                changes=[],
                sources=[],
            )
        )
        db.session.commit()


SETUP = {
    "catalogue.correction": _law_entry,
    "catalogue.confirm_correction_view": _law_entry,
    "catalogue.remove_correction_view": _law_entry,
    "intro.answer": _step(1),
    "challenges.vote": _step(2, voting="voting"),
    "solutions.propose": _step(3, solution_voting="collect"),
    "solutions.vote": _step(3, solution_voting="voting"),
    "solutions.add": _step(3, solution_voting="collect"),
    "participant.join_course": lambda course: set_joining_open(course, True),
    "evaluate.add": _step(5),
    "learn.add": _step(6),
    "state_feedback.save": _state_card(flagged=False),
    "state_feedback.remove": _state_card(flagged=True),
    "vendor_feedback.save": _local_card("it_vendor", "it_system", flagged=False),
    "vendor_feedback.remove": _local_card("it_vendor", "it_system", flagged=True),
    "political_feedback.save": _local_card("politics", "municipal_decision", flagged=False),
    "political_feedback.remove": _local_card("politics", "municipal_decision", flagged=True),
    "path.add": _open_path,
}

OK = {
    ("learn.add", "GET"): (302,),  # a reload of a refused form goes back to the panel
    ("bank.share", "POST"): (200,),  # the review: exactly what would be shared, to confirm
    ("facilitator.delete", "POST"): (302,),
    # Unconfirmed, deleting one's own data only asks (what will happen); the matrix never
    # confirms, so participant A stays in the course for the other routes.
    ("participant.forget", "POST"): (200,),
    # Unconfirmed, deleting a meeting only asks; the world's meeting stays for the others.
    ("meetings.delete", "POST"): (200,),
}
LAST = {("facilitator.delete", "POST"), ("auth.logout", "POST")}
# Done once, it cannot be done again (a second link of the same rule is a 422, a deleted
# entry or course is gone): the colleague in A's organisation does it, as co-facilitator.
ONE_SHOT = {
    ("challenges.link", "POST"),
    ("evaluate.delete", "POST"),
    ("facilitator.delete", "POST"),
    ("path.merge", "POST"),  # merged once, the second touchpoint is merged already
}


# Issue 18 item 3: a reminder's links carry a token signed for the owner of A's action.
REMINDER_LINKS = {"reminders.open_link": open_token, "reminders.stop": stop_token}


def _reminder_token(app, ids: Ids, endpoint: str) -> str:
    with app.app_context():
        return REMINDER_LINKS[endpoint](db.session.get(Participant, ids.owner))


def calls(app, ids: Ids) -> list[Call]:
    """Every method of every route, filled with the given course's ids."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            endpoint = rule.endpoint
            ok = OK.get((endpoint, method)) or ((200,) if method == "GET" else (302,))
            args = _args(rule.arguments, ids, endpoint)
            if endpoint in REMINDER_LINKS:
                args["token"] = _reminder_token(app, ids, endpoint)
            found.append(
                Call(
                    endpoint,
                    method,
                    args,
                    _data(endpoint, method, ids, app),
                    SETUP.get(endpoint),
                    ok,
                    (endpoint, method) in LAST,
                )
            )
    return sorted(found, key=lambda call: (call.last, call.endpoint, call.method))


# --- Principals ---------------------------------------------------------------------------


def client_for(app, principal: str, a: Ids, b: Ids):
    """A test client that is the principal: a phone's cookie, or a facilitator's login."""
    client = app.test_client()
    with client.session_transaction() as session:
        if principal == "participant A":
            session[SESSION_KEY] = {str(a.course): a.owner_token}
        elif principal == "participant B":
            session[SESSION_KEY] = {str(b.course): b.owner_token}
        elif principal == "participant A by id":
            session[SESSION_KEY] = {str(a.course): a.owner}
        elif principal == "facilitator A logged out":
            with app.app_context():
                from workshop.facilitators import find_facilitator

                login_id = find_facilitator(a.facilitator_email).get_id()
            # The token before the logout: any other than the facilitator's current one.
            session["_user_id"] = login_id[:-4] + ("AAAA" if login_id[-4:] != "AAAA" else "BBBB")
            session["_fresh"] = True
        elif principal in FACILITATORS:
            email = {
                "facilitator A": a.facilitator_email,
                "colleague A": a.colleague_email,
                "org admin A": a.admin_email,
                "facilitator B": b.facilitator_email,
            }[principal]
            with app.app_context():
                from workshop.facilitators import find_facilitator

                session["_user_id"] = find_facilitator(email).get_id()
            session["_fresh"] = True
    return client


def allowed(principal: str, access: str) -> bool:
    return {
        PUBLIC: True,
        FACILITATOR: principal in FACILITATORS,
        COURSE_FACILITATOR: principal in ("facilitator A", "colleague A", "org admin A"),
        ORG_FACILITATOR: principal in ("facilitator A", "colleague A", "org admin A"),
        ORG_ADMIN: principal in ("org admin A", "facilitator B"),  # each in their own
        ORG_ADMIN_RECORD: principal == "org admin A",
        PARTICIPANT: principal == "participant A",
        MANAGER: principal == "manager A",
    }[access]


def send(app, client, call: Call, *, args=None, data=None, who="x"):
    with app.test_request_context():
        url = url_for(call.endpoint, **(args or call.args))
    payload = dict(call.data if data is None else data)
    for key, value in payload.items():
        if isinstance(value, str):
            payload[key] = value.replace("{who}", who.replace(" ", "-").lower())
    # File objects are read once: give each request a fresh copy.
    for key, value in payload.items():
        if isinstance(value, tuple) and hasattr(value[0], "getvalue"):
            payload[key] = (io.BytesIO(value[0].getvalue()), value[1])
    response = client.open(url, method=call.method, data=payload)
    response.get_data()  # read it all, then close it (static files hold a file open)
    response.close()
    return response


def refusal_problem(response, access: str, principal: str, call: Call, a: Ids) -> str | None:
    """None if the response is exactly the refusal this principal should get, else why not."""
    status, location = response.status_code, response.headers.get("Location", "")
    if access in (ORG_ADMIN, ORG_ADMIN_RECORD) and principal in FACILITATORS:
        # Not an admin: 403 with a message; another organisation's facilitator: not found.
        expected = "404" if principal == "facilitator B" else "403"
        good = status == int(expected)
    elif access in (FACILITATOR, COURSE_FACILITATOR, ORG_FACILITATOR, ORG_ADMIN, ORG_ADMIN_RECORD):
        if principal == "facilitator B":
            expected = "404"
            good = status == 404
        else:
            expected = "login redirect"
            good = status == 302 and location.startswith("/login?next=")
    elif access == PARTICIPANT:
        kind = PARTICIPANT_REFUSAL.get(call.endpoint, 403)
        join = f"/j/{a.code}"
        if kind == TO_JOIN:
            expected, good = f"302 to {join}", status == 302 and location == join
        elif kind == HX_TO_JOIN:
            expected = f"empty reply with HX-Redirect {join}"
            good = (
                status == 200 and not response.data and response.headers.get("HX-Redirect") == join
            )
        else:
            expected, good = "403", status == 403
    elif access == MANAGER:
        expected, good = "404", status == 404
    else:
        raise AssertionError(f"{access} refuses nobody")
    return None if good else f"expected {expected}, got {status} {location}"


@pytest.fixture
def world(app, make):
    return build_world(app, make)


def _setup(app, call: Call, course_id: int):
    if call.setup is not None:
        with app.app_context():
            call.setup(db.session.get(Course, course_id))


def _snapshot(app) -> str:
    with app.app_context():
        return checksum()


# --- The tests ------------------------------------------------------------------------------


def test_every_route_has_a_rule(app):
    """A new route fails here until ACCESS says who may use it."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "routes without an authorisation rule"
    assert set(ACCESS) - endpoints == set(), "rules for routes that no longer exist"
    for endpoint in FOREIGN_RECORD:
        assert endpoint in endpoints


def test_everyone_refused_gets_exactly_their_refusal_and_nothing_changes(app, world):
    """Each principal not allowed on a route gets the login page, 403 or 404 as the table
    says, for every method, and not one row in the database changes."""
    a, b = world
    clients = {p: client_for(app, p, a, b) for p in PRINCIPALS}
    manager_tokens = {"token": a.revoked_token}  # only the manager holds an open link
    problems = []
    tried = 0
    for call in calls(app, a):
        access = ACCESS[call.endpoint]
        if access == PUBLIC:
            continue
        _setup(app, call, a.course)
        before = _snapshot(app)
        for principal in PRINCIPALS:
            if allowed(principal, access):
                continue
            args = {**call.args, **manager_tokens} if access == MANAGER else call.args
            response = send(app, clients[principal], call, args=args)
            tried += 1
            problem = refusal_problem(response, access, principal, call, a)
            if problem:
                problems.append(f"{principal} {call.method} {call.endpoint}: {problem}")
            if _snapshot(app) != before:
                problems.append(f"{principal} {call.method} {call.endpoint}: changed the database")
                before = _snapshot(app)
    assert not problems, "\n".join(problems)
    assert tried > 250


def test_a_manager_link_opens_only_its_own_course(app, world):
    """Whoever holds A's open link sees A's status; a revoked link is a 404 to everyone."""
    a, b = world
    for principal in PRINCIPALS:
        client = client_for(app, principal, a, b)
        page = client.get(f"/m/{a.token}")
        assert page.status_code == 200 and "Kursus A" in page.text
        assert "Kursus B" not in page.text
        assert client.get(f"/m/{a.revoked_token}").status_code == 404


def _foreign_args(call: Call, a: Ids, b: Ids) -> dict:
    """A's course (id or code) in the URL, B's records for everything else."""
    theirs = _args(call.args.keys(), b, call.endpoint)
    return {
        name: (value if name in ("course_id", "code", "period", "filename") else theirs[name])
        for name, value in call.args.items()
    }


def test_another_courses_records_under_my_course_are_refused_and_change_nothing(app, world):
    """The facilitator (or a participant) of A, with B's card, answer, solution, action,
    measure, entry, lesson or link ids under A's URL: not found, or back to A's panel."""
    a, b = world
    problems = []
    for call in calls(app, a):
        if call.endpoint not in FOREIGN_RECORD:
            continue
        principal = {PARTICIPANT: "participant A", ORG_ADMIN_RECORD: "org admin A"}.get(
            ACCESS[call.endpoint], "facilitator A"
        )
        _setup(app, call, a.course)
        before = _snapshot(app)
        response = send(app, client_for(app, principal, a, b), call, args=_foreign_args(call, a, b))
        expected = FOREIGN_RECORD[call.endpoint]
        location = response.headers.get("Location", "").split("#")[0]
        if expected == "panel":
            good = response.status_code == 302 and location == f"/f/courses/{a.course}"
        elif expected == "phone":
            good = response.status_code == 302 and location == f"/c/{a.code}"
        else:
            good = response.status_code == expected
        if not good:
            problems.append(
                f"{call.method} {call.endpoint}: expected {expected}, "
                f"got {response.status_code} {location}"
            )
        if _snapshot(app) != before:
            problems.append(f"{call.method} {call.endpoint}: changed the database")
    assert not problems, "\n".join(problems)


def test_an_entry_or_link_of_another_record_in_my_own_course_is_refused(app, world):
    """A's measure with B's entry, A's card with B's card link: the pair must match."""
    a, b = world
    client = client_for(app, "facilitator A", a, b)
    before = _snapshot(app)
    response = client.post(f"/f/courses/{a.course}/measures/{a.measure}/entries/{b.entry}/delete")
    assert response.status_code == 404
    client.post(f"/f/courses/{a.course}/cards/{a.card2}/links/{b.link}/delete")
    assert _snapshot(app) == before


FOREIGN_FORM_VALUES = [
    # (principal, step setup, path template, form data with B's record in it)
    ("facilitator A", None, "/f/courses/{a.course}/cards/{a.card3}/merge",
     {"target": "{b.card2}"}),
    ("facilitator A", None, "/f/courses/{a.course}/cards/{a.card3}/links",
     {"key": "{b.local_rule}"}),
    ("facilitator A", 5, "/f/courses/{a.course}/measures",
     {"action": "{b.action}", "what": "Antal", "unit": "stk"}),
    ("facilitator A", 6, "/f/courses/{a.course}/lessons",
     {"kind": "decision", "text": "Videre", "next_step_kind": "experience_group",
      "card_id": "{b.card2}"}),
    ("facilitator A", None, "/f/courses/{a.course}/actions/{a.action}",
     {"title": "Ny titel", "owner_id": "{b.owner}"}),
    ("facilitator A", 3, "/f/courses/{a.course}/solutions",
     {"card": "{b.card}", "text": "Løsning", "kind": "change", "client_token": "x"}),
    ("participant A", 3, "/c/{a.code}/solutions",
     {"card": "{b.card}", "text": "Løsning", "kind": "change", "client_token": "x"}),
    ("participant A", 5, "/c/{a.code}/measure-entries",
     {"measure": "{b.measure}", "value": "12", "client_token": "x",
      "entry_date": "{yesterday}"}),
]  # fmt: skip


def test_another_courses_record_in_a_form_changes_nothing(app, world):
    """A form of A naming B's card, action, participant, measure or local rule."""
    a, b = world
    values = {"a": a, "b": b, "yesterday": (local_today() - timedelta(days=30)).isoformat()}
    problems = []
    for principal, step, path, data in FOREIGN_FORM_VALUES:
        if step:
            with app.app_context():
                go_to_step(db.session.get(Course, a.course), step)
        before = _snapshot(app)
        response = client_for(app, principal, a, b).post(
            path.format(**values),
            data={key: value.format(**values) for key, value in data.items()},
        )
        if response.status_code not in (302, 422):
            problems.append(f"{principal} {path}: {response.status_code}")
        if _snapshot(app) != before:
            problems.append(f"{principal} {path}: changed the database")
    assert not problems, "\n".join(problems)


def test_everyone_allowed_gets_the_page_or_is_sent_on(app, world):
    """The principals a route is for get 200 (pages) or 302 (forms done) — never the login
    page, a 403 or a 404 — for every method of every route."""
    a, b = world
    problems = []
    for call in calls(app, a):
        access = ACCESS[call.endpoint]
        _setup(app, call, a.course)
        for principal in PRINCIPALS:
            if not allowed(principal, access):
                continue
            if access == PUBLIC and principal != "anonymous" and call.method == "POST":
                continue  # public forms: tried once, by an anonymous visitor
            if (call.endpoint, call.method) in ONE_SHOT and principal != "colleague A":
                continue
            response = send(app, client_for(app, principal, a, b), call, who=principal)
            location = response.headers.get("Location", "")
            ok = response.status_code in call.ok and not location.startswith("/login")
            if access == PUBLIC:
                ok = response.status_code < 400
            elif response.status_code == 302:
                # Sent on to the right place: the facilitator's pages, or the phone's.
                home = f"/c/{a.code}" if access == PARTICIPANT else "/f/"
                ok = ok and location.startswith(home)
            if not ok:
                problems.append(
                    f"{principal} {call.method} {call.endpoint}: {response.status_code} {location}"
                )
    assert not problems, "\n".join(problems)


CSRF_ON = pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)


CSRF_CASES = [
    ("anonymous", "/login"),
    ("anonymous", "/j/{a.code}"),
    ("manager A", "/"),
    ("participant A", "/c/{a.code}/cards"),
    ("participant B", "/c/{a.code}/cards"),
    # The tap's form does not check the token itself (CSRFProtect has, for every post).
    ("participant A", "/c/{a.code}/cards/{a.card2}/dots"),
    ("facilitator A", "/f/courses/{a.course}/timer"),
    ("facilitator A", "/f/courses/{a.course}/delete"),
    ("facilitator A", "/f/courses/import"),
    ("facilitator B", "/f/courses/{a.course}/cards/{a.card3}/redact"),
    ("org admin A", "/f/organisation/facilitators"),
    ("org admin A", "/f/organisation/facilitators/{a.colleague}/active"),
    ("org admin A", "/f/organisation/privacy"),
    ("org admin A", "/f/organisation/departments"),
    ("org admin A", "/f/organisation/departments/{a.department}/retired"),
    ("participant A", "/c/{a.code}/my-data/delete"),
    ("participant A", "/c/{a.code}/email"),
    ("participant A", "/c/{a.code}/email/delete"),
    ("anonymous", "/k/{a.box_token}"),
    ("facilitator A", "/f/courses/{a.course}/paper-cards"),
    ("facilitator A", "/f/courses/{a.course}/card-box/renew"),
]


@CSRF_ON
def test_a_post_without_a_csrf_token_is_refused_for_everyone(app, world):
    """With CSRF on (as in production), a POST without the token is a 400 whoever sends
    it, and changes nothing."""
    a, b = world
    data = {
        "email": a.facilitator_email,
        "password": "correct horse",
        "role": "medarbejder",
        "code": a.code,
        "text": "Uden token",
        "client_token": "csrf",
        "minutes": "5",
        "confirm_title": "Kursus A",
        "confirm": "y",
        "confirmed": "1",
        "controller_name": "Uden token",
        "dots": "1",
    }
    before = _snapshot(app)
    for principal, path in CSRF_CASES:
        response = client_for(app, principal, a, b).post(path.format(a=a), data=data)
        assert response.status_code == 400, (principal, path)
    assert _snapshot(app) == before
