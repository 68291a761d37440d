"""Cards from people who are not in the room (issue 18): the card box and paper cards.

The facilitator opens a course's *card box* before or between meetings: a link of its own
(never the join code; renewing it stops the old one) where colleagues, without an account,
give their role (and department, in a course across departments, as joining asks them) and
add step 2's cards within a window the facilitator sets. The facilitator also types in
paper cards on someone's behalf. Both are ordinary cards on the wall, marked by their
`Card.source` ("box": sent in advance, "paper": typed in from paper), and follow a phone
card's rules: the CPR warning, the length, a form's one-time token against double taps,
tidying (merge, hide, edit, redact).

Neither has a participant: the author's role and department are kept on the card. So
nobody joins (the count of who is here stays true), no one can vote with the author's
dots, and the results split by role or department (by the voters, workshop.splits) are
untouched. The box takes cards only while its window is open, whatever step the course is
in (the cards wait on the wall for step 2), except while the room votes on the cards: the
ballot stays the same from the first dot to the last.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from flask_babel import gettext as _
from sqlalchemy import select

from workshop.cards import check_category
from workshop.core.clock import as_utc, format_moment
from workshop.core.db import lock_row
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, CardBox, Course, new_token, utcnow
from workshop.core.text import clean_text
from workshop.core.vocabulary import CARD_MAX_LENGTH, StepNumber
from workshop.courses import note_activity, touch
from workshop.participants import role_and_department

# A box left open for months collects cards nobody reads; a window is a campaign.
MAX_WINDOW_DAYS = 120
TOKEN_MAX_LENGTH = 64

BoxState = Literal["waiting", "open", "closed"]


def card_box_of(course: Course) -> CardBox | None:
    return db.session.scalar(select(CardBox).where(CardBox.course_id == course.id))


def box_by_token(token: str | None) -> CardBox | None:
    """The box a link names; None for anything else (a renewed link's old token too)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return db.session.scalar(select(CardBox).where(CardBox.token == token))


def box_state(box: CardBox, now: datetime | None = None) -> BoxState:
    """Before its window ("waiting"), in it ("open") or after it ("closed")."""
    now = now or utcnow()
    if now < as_utc(box.opens_at):
        return "waiting"
    if now < as_utc(box.closes_at):
        return "open"
    return "closed"


def set_card_box_window(
    course: Course, opens_at: datetime, closes_at: datetime, *, now: datetime | None = None
) -> CardBox:
    """Open the course's box for a window (made the first time), or move its window. The
    link stays the same: what was posted on the intranet keeps working."""
    now = now or utcnow()
    opens_at, closes_at = as_utc(opens_at), as_utc(closes_at)
    if closes_at <= opens_at:
        raise WorkshopError(_("The box must close after it opens."), code="closes")
    if closes_at <= now:
        raise WorkshopError(
            _("That closing time has passed. Choose a time in the future."), code="closes"
        )
    if closes_at - opens_at > timedelta(days=MAX_WINDOW_DAYS):
        raise WorkshopError(
            _("The box can be open for at most %(days)s days.", days=MAX_WINDOW_DAYS),
            code="closes",
        )
    box = card_box_of(course)
    if box is None:
        box = CardBox(course_id=course.id, opens_at=opens_at, closes_at=closes_at)
        db.session.add(box)
    else:
        box.opens_at, box.closes_at = opens_at, closes_at
    db.session.commit()
    return box


def close_card_box(course: Course, *, now: datetime | None = None) -> CardBox:
    """Close the box now (before its window ends, or before it even opened)."""
    box = _box_or_refuse(course)
    now = now or utcnow()
    if box_state(box, now) != "closed":
        box.closes_at = now
        if as_utc(box.opens_at) > now:
            box.opens_at = now
        db.session.commit()
    return box


def renew_card_box_link(course: Course) -> CardBox:
    """A new link for the box: the old one (posted too widely, say) stops working."""
    box = _box_or_refuse(course)
    box.token = new_token()
    db.session.commit()
    return box


def _box_or_refuse(course: Course) -> CardBox:
    box = card_box_of(course)
    if box is None:
        raise WorkshopError(_("This course has no card box yet."), code="box")
    return box


def submit_box_card(
    box: CardBox,
    text: str,
    category: str = "",
    *,
    role: str | None,
    department: str | None = None,
    client_token: str,
    allow_cpr_like: bool = False,
    now: datetime | None = None,
) -> Card:
    """A colleague's card through the box, while its window is open; the same form sent
    twice (its token) gives the card it made the first time."""
    course = lock_row(box.course)
    existing = _already_added(course, "box", client_token)
    if existing is not None:
        return existing
    state = box_state(box, now)
    if state == "waiting":
        raise WorkshopError(
            _("The card box is not open yet. It opens %(when)s.", when=_when(box.opens_at)),
            code="waiting",
        )
    if state == "closed":
        raise WorkshopError(
            _(
                "The card box closed %(when)s, so your card was not sent. Your text is "
                "still here: copy it if you want to give it to the facilitator.",
                when=_when(box.closes_at),
            ),
            code="closed",
        )
    return _add_card(course, "box", text, category, role, department, client_token, allow_cpr_like)


def add_paper_card(
    course: Course,
    text: str,
    category: str = "",
    *,
    role: str | None,
    department: str | None = None,
    client_token: str,
    allow_cpr_like: bool = False,
) -> Card:
    """The facilitator types in a card someone wrote on paper, with its author's role (and
    department, in a course across departments)."""
    course = lock_row(course)
    existing = _already_added(course, "paper", client_token)
    if existing is not None:
        return existing
    return _add_card(
        course, "paper", text, category, role, department, client_token, allow_cpr_like
    )


# While dots are being placed (and before the reveal), the cards on the ballot stay put.
VOTE_RUNNING = ("voting", "closed")


def _already_added(course: Course, source: str, client_token: str) -> Card | None:
    # Card's unique (participant, token) constraint does not hold without a participant
    # (NULLs differ), so the same form is found here instead: under the course's row lock
    # (lock_row, taken first), two copies of one form cannot both miss each other.
    return db.session.scalar(
        select(Card).where(
            Card.course_id == course.id,
            Card.participant_id.is_(None),
            Card.source == source,
            Card.client_token == client_token,
        )
    )


def _add_card(
    course: Course,
    source: str,
    text: str,
    category: str,
    role: str | None,
    department: str | None,
    client_token: str,
    allow_cpr_like: bool,
) -> Card:
    if course.current_step == StepNumber.CHALLENGES and course.voting_state in VOTE_RUNNING:
        # The ballot stays the same from the first dot to the last, as for phone cards.
        raise WorkshopError(
            _(
                "The group is voting on the cards right now, so new cards wait. Your text is "
                "still here: send it again when the vote is over."
            )
            if source == "box"
            else _(
                "The group is voting on the cards right now: type in the paper card when "
                "the vote is over."
            ),
            code="voting",
        )
    role, picked = role_and_department(course, role, department)
    text = clean_text(text, max_length=CARD_MAX_LENGTH, allow_cpr_like=allow_cpr_like)
    category = check_category(category)
    # Compared in Python, as a phone's cards are: SQLite's lower() folds only ASCII.
    same_source = db.session.scalars(
        select(Card.text).where(Card.course_id == course.id, Card.source == source)
    )
    if any(written.casefold() == text.casefold() for written in same_source):
        message = (
            _("That card is in the box already.")
            if source == "box"
            else _("That card has been typed in already.")
        )
        raise WorkshopError(message, code="duplicate")
    card = Card(
        course=course,
        participant_id=None,
        source=source,
        author_role=role,
        author_department=picked,
        text=text,
        original_text=text,
        category=category,
        client_token=client_token,
    )
    db.session.add(card)
    if course.current_step == StepNumber.CHALLENGES and course.voting_state != "collect":
        touch(course)  # the phones show every card while they vote: they must redraw
    else:
        note_activity(course)  # the projector and the control panel count it
    db.session.commit()
    return card


def _when(moment: datetime) -> str:
    """A box's time as people read it, in Danish time and the reader's language."""
    return format_moment(moment, "short")
