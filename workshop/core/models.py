"""Typed SQLAlchemy models, one class a table:

- who facilitates: Organisation, Department (one of its departments), SignOn (its single
  sign-on), Facilitator;
- a course and who joined it: Course, Participant, DialogueAnswer (steps 1 and 6);
- the steps' work: Card, Vote (the dots of steps 2 and 3), Solution, Action, ActionUpdate,
  Measure, MeasureEntry, Lesson;
- the requirement catalogue: Requirement (a law entry or a local rule), RequirementVersion,
  CardRequirement (a card's link to one), RequirementCorrection (an organisation's own
  correction of a law entry);
- CardDepartment: a department a card involves (one may be named by its origin);
- CardBox: a course's card box, for cards from people who are not in the room;
- what goes beyond the room: ManagerLink (read-only, for managers), StateFeedback (a card
  whose rule only the state can change), CardFeedback (one whose rule an IT system or a
  municipal decision sets: to the vendor, to the politicians);
- the experience bank: Share, SharedChallenge, SharedRequirement, SharedSolution;
- kept for a while: RenderedPdf, ClearedVotes (a restarted vote, for its minute of undo);
- reminders by email: SentReminder (what went out, so nothing goes out twice);
- the audit trail: AuditEvent;
- the citizen's path (step 2): Touchpoint;
- the course's dated workshops: Meeting.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.core.extensions import db
from workshop.core.vocabulary import NOT_LAW_STATUSES, ROLES


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_token() -> str:
    """256 random bits, URL-safe: what a cookie holds instead of a row's id."""
    return secrets.token_urlsafe(32)


class Organisation(db.Model):
    """Who facilitates: a municipality, or a consultancy or partnership working for several.

    Its facilitators see and run each other's courses; its admins manage its facilitators.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="municipality")
    # The privacy notice participants read before they join: who is the data controller
    # ("" means the organisation itself, by its name) and where to write about one's data.
    controller_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    privacy_contact: Mapped[str] = mapped_column(String(254), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    facilitators: Mapped[list[Facilitator]] = relationship(
        back_populates="organisation", order_by="Facilitator.email"
    )
    courses: Mapped[list[Course]] = relationship(
        back_populates="organisation", order_by="Course.created_at.desc()"
    )
    sign_on: Mapped[SignOn | None] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    departments: Mapped[list[Department]] = relationship(
        back_populates="organisation",
        order_by="(Department.position, Department.id)",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint(
            "kind IN ('municipality', 'consultancy', 'partnership')", name="kind_known"
        ),
    )

    @property
    def controller(self) -> str:
        """The data controller the privacy notice names: set by its admin, else itself."""
        return self.controller_name or self.name


class Department(db.Model):
    """A department of an organisation that people in a course come from (Beskæftigelse,
    Social og handicap, …): its admin keeps the list; a retired one is offered no more but
    stays on the participants and cards that name it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    sector: Mapped[str] = mapped_column(String(32), default="other")  # vocabulary.SECTORS
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="departments")

    __table_args__ = (UniqueConstraint("organisation_id", "name", name="department_name_once"),)


class SignOn(db.Model):
    """An organisation's single sign-on: its identity provider over OpenID Connect.

    The client secret may instead come from the environment (SAMSKABT_OIDC_<SLUG>_SECRET,
    sso.client_secret); one typed on the admin page is stored here and never shown again.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), unique=True
    )
    # In the organisation's sign-in address, /login/sso/<slug>.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    # What the login button names: "Log ind med <label>".
    label: Mapped[str] = mapped_column(String(120), default="")
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret: Mapped[str] = mapped_column(String(500), default="")
    # One lower-case domain or group per line; empty means no rule of that kind.
    allowed_domains: Mapped[str] = mapped_column(Text, default="")
    allowed_groups: Mapped[str] = mapped_column(Text, default="")
    groups_claim: Mapped[str] = mapped_column(String(64), default="groups")
    # Off: the organisation's facilitators can only sign in through the provider.
    password_login: Mapped[bool] = mapped_column(default=True, server_default=true())
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())

    organisation: Mapped[Organisation] = relationship(back_populates="sign_on")


class Facilitator(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # An organisation admin adds facilitators, makes admins and deactivates logins.
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A deactivated facilitator cannot log in; their courses stay with the organisation.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Part of every session and remember cookie (get_id); a new one, given at logout, a
    # password change and deactivation, makes every cookie issued before name nobody.
    session_token: Mapped[str] = mapped_column(String(64), default=new_token)
    # The identity provider's account, linked at the first sign-on: later sign-ons match
    # on (issuer, subject) first, so a changed email at the provider still finds them.
    sso_issuer: Mapped[str | None] = mapped_column(String(500))
    sso_subject: Mapped[str | None] = mapped_column(String(255))

    organisation: Mapped[Organisation] = relationship(back_populates="facilitators")
    courses: Mapped[list[Course]] = relationship(
        back_populates="facilitator", order_by="Course.created_at.desc()"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: an inactive user cannot log in
        return bool(self.active)

    __table_args__ = (UniqueConstraint("sso_issuer", "sso_subject"),)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: "<id>:<token>"
        (its "alternative tokens"), checked by facilitators.facilitator_for_login."""
        return f"{self.id}:{self.session_token}"


class Course(db.Model):
    """A Samskabt Styring course (forløb): several workshops and the work between them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id", ondelete="CASCADE"))
    # The organisation whose facilitators may see and run the course (co-facilitation).
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(120), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    core_task: Mapped[str] = mapped_column(Text, default="")
    frame_can_change: Mapped[str] = mapped_column(Text, default="")
    frame_cannot_change: Mapped[str] = mapped_column(Text, default="")
    # One question per line; kept as text so the facilitator edits them in one field.
    dialogue_questions: Mapped[str] = mapped_column(Text, default="")
    dot_budget: Mapped[int] = mapped_column(Integer, default=5)
    multiple_dots_per_card: Mapped[bool] = mapped_column(default=True)
    # Results split by role are held back for a role with fewer voters than this.
    min_group_size: Mapped[int] = mapped_column(Integer, default=3)
    # A course across departments asks each phone which department it comes from; one that
    # invites citizens and relatives (borgere/pårørende) offers them as a group of their own.
    across_departments: Mapped[bool] = mapped_column(default=False, server_default=false())
    invites_citizens: Mapped[bool] = mapped_column(default=False, server_default=false())
    # How revealed results are split (issue 14, `workshop.splits`): "none", "role" (staff and
    # managers, as before) or "department" (a course across departments only). One split at
    # a time, so the projector, phones, PDF and CSV never cross the two.
    result_split: Mapped[str] = mapped_column(String(16), default="role", server_default="role")
    # Imported from a course file, whose votes are revealed results only: the copy's dots
    # were rebuilt to agree with the file's split by role (workshop.exchange.load), so a
    # split by department would show invented figures and is not offered.
    votes_rebuilt: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Step 2's citizen's path: while on, phones add touchpoints instead of cards and the
    # projector draws the path (workshop.touchpoints).
    path_open: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Which page of a long path the projector shows (the facilitator turns them on the panel).
    path_page: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    joining_open: Mapped[bool] = mapped_column(default=True)
    # The projector's big join screen: "auto" (step 1 until the first answer), or what the
    # facilitator chose for the current step: "big" (latecomers) or "small" (show the
    # frame now). Back to "auto" at every change of step.
    projector_join: Mapped[str] = mapped_column(String(8), default="auto", server_default="auto")
    current_step: Mapped[int] = mapped_column(Integer, default=1)
    # Step 2's voting round: collect -> voting -> closed -> revealed (and back).
    voting_state: Mapped[str] = mapped_column(String(16), default="collect")
    # Step 3's vote on solutions runs through the same phases with the same dot rules.
    solution_voting_state: Mapped[str] = mapped_column(
        String(16), default="collect", server_default="collect"
    )
    # Step 6's reflection questions, one per line, answered like step 1's dialogue questions.
    reflection_questions: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A countdown the facilitator starts for any activity; shown on the projector and phones.
    timer_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    timer_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    timer_label: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Bumped in the same transaction as every change a phone may see; live views poll
    # against it.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped by what only the projector and the control panel show: someone joined or wrote
    # a card. Phones don't re-render for it (they show their own cards, and the reply to
    # their own request brings those). Dots change no course row (votes.cast_vote).
    activity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    facilitator: Mapped[Facilitator] = relationship(back_populates="courses")
    organisation: Mapped[Organisation] = relationship(back_populates="courses")
    participants: Mapped[list[Participant]] = relationship(
        back_populates="course", cascade="all, delete-orphan", passive_deletes=True
    )
    cards: Mapped[list[Card]] = relationship(
        back_populates="course",
        cascade="all, delete-orphan",
        passive_deletes=True,
        foreign_keys="Card.course_id",
    )

    __table_args__ = (
        CheckConstraint("dot_budget BETWEEN 1 AND 50", name="dot_budget_range"),
        CheckConstraint("current_step BETWEEN 1 AND 6", name="current_step_range"),
    )

    @property
    def questions(self) -> list[str]:
        return [q.strip() for q in self.dialogue_questions.splitlines() if q.strip()]

    @property
    def reflections(self) -> list[str]:
        return [q.strip() for q in self.reflection_questions.splitlines() if q.strip()]


class Participant(db.Model):
    """Someone who joined from a phone: no account, a role, a unit, maybe a name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(120), default="")
    name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Bumped by what only this participant's phone shows of their own doing (their dots,
    # their cards): in their poll's ETag, so the next poll after a tap draws them afresh
    # (a reply lost on the way, a second tab), while others' taps leave it at 304.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # What the phone's cookie names (workshop.web.common): never reused, unlike the id, which
    # SQLite hands to the next row after the newest course was deleted.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    # Joined before tokens existed: a phone's cookie may still name this row by its id, and
    # may keep doing so (the id cannot have been handed to anyone since the upgrade).
    legacy_cookie: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The participant deleted their own name and texts (workshop.privacy): the row stays so
    # their dots still count, anonymously, but no phone's cookie names them any more.
    forgotten_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The department they come from (picked when joining; none in a course of one
    # department). Staff/manager (`role`) is another dimension: results split by one or the
    # other, never both.
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL"), index=True
    )
    # A work email the participant left on their phone for reminders about their own
    # actions and measures (workshop.reminders), "" when none; never shown to others, never
    # exported, shared or printed. Emptied when they remove it or delete their data.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # They followed the unsubscribe link of a reminder: no more reminders, email or not.
    reminders_stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    course: Mapped[Course] = relationship(back_populates="participants")
    department: Mapped[Department | None] = relationship()

    @property
    def plain_label(self) -> str:
        """A name if they gave one; otherwise role and unit ("Leder, Team Ledige"), or the
        role alone said to be nameless ("Medarbejder (uden navn)")."""
        if self.name:
            return self.name
        role = str(ROLES.get(self.role, self.role))
        if self.unit:
            return f"{role}, {self.unit}"
        return gettext("%(role)s (no name)", role=role)

    @property
    def label(self) -> str:
        """`plain_label`, numbered where several in the course read the same ("Medarbejder,
        Team Ledige (2)"), so an owner can be picked and told apart without a name. The
        number is only the order they joined in: it says nothing about who they are."""
        mine = self.plain_label
        twins = sorted(
            (p for p in self.course.participants if p.plain_label == mine), key=lambda p: p.id
        )
        if len(twins) < 2:
            return mine
        number = next(i for i, p in enumerate(twins, start=1) if p.id == self.id)
        return f"{mine} ({number})"


class DialogueAnswer(db.Model):
    """A participant's answer to a question: step 1's dialogue or step 6's reflection."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    # The question's own words: the facilitator may edit or reorder the questions later.
    question: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    client_token: Mapped[str] = mapped_column(String(40))
    hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    participant: Mapped[Participant] = relationship()

    __table_args__ = (UniqueConstraint("participant_id", "client_token"),)


class Card(db.Model):
    """A "det der bøvler" card: something cumbersome that gets in the way of the core task."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    # What the author wrote, kept when the facilitator edits the wording.
    original_text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32), default="")
    hidden: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("card.id", ondelete="SET NULL"), index=True
    )
    # A per-form nonce: a double-tapped submit finds the card it already made.
    client_token: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # Examining the card (step 2): where the rule comes from, the real problem, who else.
    origin: Mapped[str] = mapped_column(String(32), default="unknown", server_default="unknown")
    problem: Mapped[str] = mapped_column(Text, default="", server_default="")
    stakeholders: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Prioritising: every card keeps a visible status, so no contribution silently vanishes.
    priority: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    later_when: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # "Later" with a date (issue 18): the day it comes back on the control panel, in step 6
    # and in the facilitator's digest. `later_when` stays the note ("at the March workshop").
    later_due: Mapped[date | None] = mapped_column(Date)
    out_of_scope_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Issue 18: "phone", "box" (the card box, sent in advance) or "paper" (typed in by the
    # facilitator). A box or paper card has no participant: its author's role and department
    # are kept on the card instead, so no row inflates who joined and nobody casts its dots.
    source: Mapped[str] = mapped_column(String(8), default="phone", server_default="phone")
    author_role: Mapped[str] = mapped_column(String(32), default="", server_default="")
    author_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL"), index=True
    )

    course: Mapped[Course] = relationship(back_populates="cards", foreign_keys=[course_id])
    links: Mapped[list[CardRequirement]] = relationship(
        back_populates="card", cascade="all, delete-orphan", order_by="CardRequirement.id"
    )
    # The departments the card involves (a course across departments), one of them named
    # by the origin "another department's rule or practice" (CardDepartment.names_origin).
    department_links: Mapped[list[CardDepartment]] = relationship(
        back_populates="card", cascade="all, delete-orphan", order_by="CardDepartment.department_id"
    )
    participant: Mapped[Participant | None] = relationship()
    author_department: Mapped[Department | None] = relationship()
    merged_into: Mapped[Card | None] = relationship(
        remote_side="Card.id", back_populates="merged_cards"
    )
    merged_cards: Mapped[list[Card]] = relationship(
        back_populates="merged_into", order_by="Card.id"
    )

    __table_args__ = (
        UniqueConstraint("participant_id", "client_token"),
        Index("ix_card_course_visible", "course_id", "hidden", "merged_into_id"),
    )


class CardBox(db.Model):
    """A course's card box (issue 18): a link, not the join code, where colleagues who are
    not in the room add step 2's cards within the window the facilitator set."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), unique=True, index=True
    )
    # The link's secret; renewing the link gives a new one and the old link stops working.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    course: Mapped[Course] = relationship()


class Vote(db.Model):
    """The dots one participant has put on one item: a card (step 2) or a solution (step 3)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    card_id: Mapped[int | None] = mapped_column(
        ForeignKey("card.id", ondelete="CASCADE"), index=True
    )
    solution_id: Mapped[int | None] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), index=True
    )
    dots: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("participant_id", "card_id"),
        UniqueConstraint("participant_id", "solution_id"),
        CheckConstraint("dots > 0", name="dots_positive"),
        CheckConstraint(
            "(card_id IS NULL AND solution_id IS NOT NULL)"
            " OR (card_id IS NOT NULL AND solution_id IS NULL)",
            name="one_item",
        ),
    )


class Solution(db.Model):
    """Step 3: a proposed solution to a prioritised challenge, and how the group assessed it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    # None when the facilitator wrote down a proposal made aloud in the room.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    original_text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # remove / change / embed / keep
    # The method's questions. Effects on a five-point scale, -2 (much worse) .. +2 (much
    # better); None until someone has assessed it.
    effect_citizens: Mapped[int | None] = mapped_column(Integer)
    effect_efficiency: Mapped[int | None] = mapped_column(Integer)
    effect_work_environment: Mapped[int | None] = mapped_column(Integer)
    likelihood: Mapped[str] = mapped_column(String(16), default="")  # will it have the effect?
    evidence: Mapped[str] = mapped_column(Text, default="")  # how will we see it?
    effort: Mapped[str] = mapped_column(String(16), default="")
    hidden: Mapped[bool] = mapped_column(default=False)
    chosen: Mapped[bool] = mapped_column(default=False)
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    chosen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    client_token: Mapped[str] = mapped_column(String(40))
    # Copied from the experience bank: where it came from, in words ("… (Bakkedal, 2026)").
    source: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The solution in another course it was copied from (through a share), so that
    # redacting that solution reaches this copy too (workshop.redaction). None for solutions
    # written here, copies of the demo bank, and once the source course is deleted.
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("solution.id", ondelete="SET NULL"), index=True
    )
    # The source's facilitator redacted it, so this copy's words were removed too: the
    # solution's page says so, as nobody here asked for it.
    source_redacted: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    card: Mapped[Card] = relationship()
    participant: Mapped[Participant | None] = relationship()
    action: Mapped[Action | None] = relationship(back_populates="solution", uselist=False)

    __table_args__ = (UniqueConstraint("participant_id", "client_token"),)


class Action(db.Model):
    """Step 4: a chosen solution as an action: who does what differently, from when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    solution_id: Mapped[int | None] = mapped_column(
        ForeignKey("solution.id", ondelete="SET NULL"), unique=True
    )
    title: Mapped[str] = mapped_column(Text)  # what changes
    # The owner may be a participant (then they update the status from their phone) or
    # someone who never joined, known by name only.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    owner_name: Mapped[str] = mapped_column(String(120), default="")
    who_does_what: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    first_step: Mapped[str] = mapped_column(Text, default="")
    pilot_unit: Mapped[str] = mapped_column(String(200), default="")
    pilot_from: Mapped[date | None] = mapped_column(Date)
    pilot_to: Mapped[date | None] = mapped_column(Date)
    # {"cultural": {"checked": true, "note": "..."}, "legal": ..., "technical": ..., ...}
    barriers: Mapped[dict] = mapped_column(JSON, default=dict)
    communication: Mapped[str] = mapped_column(Text, default="")
    success_signs: Mapped[str] = mapped_column(Text, default="")
    watched_by: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    dropped_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    solution: Mapped[Solution | None] = relationship(back_populates="action")
    owner: Mapped[Participant | None] = relationship()
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ActionUpdate.id",
    )
    measures: Mapped[list[Measure]] = relationship(
        back_populates="action",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Measure.id",
    )

    @property
    def owner_label(self) -> str:
        """Who owns it, in words: a name, else a nameless participant's role and unit."""
        if self.owner is not None:
            return self.owner.label
        return self.owner_name

    @property
    def is_planned(self) -> bool:
        """Has anyone filled in the plan? Then undoing the choice would lose their work."""
        return bool(
            self.owner_id
            or self.owner_name
            or self.who_does_what
            or self.start_date
            or self.first_step
            or self.pilot_unit
            or self.pilot_from
            or self.pilot_to
            or self.barriers
            or self.communication
            or self.success_signs
            or self.watched_by
            or (self.solution is not None and self.title != self.solution.text)
        )

    @property
    def is_draft(self) -> bool:
        """Allowed, but flagged: an action nobody owns, or without a date, tends to stall."""
        # A participant owner without a name is still an owner (role and unit say who).
        no_owner = self.owner_id is None and not self.owner_name
        return no_owner or self.start_date is None


class ActionUpdate(db.Model):
    """One status change of an action: the log step 6 reads to find what is stuck."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    # Who changed it: the owner from a phone, or the facilitator (participant None).
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    action: Mapped[Action] = relationship(back_populates="updates")
    participant: Mapped[Participant | None] = relationship()


class Measure(db.Model):
    """Step 5: what is measured for an action, before (baseline) and after (follow-up)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(60))
    # Whether a rise is good news (interviews held) or bad (minutes of documentation).
    higher_is_better: Mapped[bool] = mapped_column(default=False)
    baseline_from: Mapped[date] = mapped_column(Date)
    baseline_to: Mapped[date] = mapped_column(Date)
    followup_from: Mapped[date] = mapped_column(Date)
    followup_to: Mapped[date] = mapped_column(Date)
    # A closed period takes no more entries: its figures have been discussed.
    baseline_closed: Mapped[bool] = mapped_column(default=False)
    followup_closed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    action: Mapped[Action] = relationship(back_populates="measures")
    entries: Mapped[list[MeasureEntry]] = relationship(
        back_populates="measure",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(MeasureEntry.entry_date, MeasureEntry.id)",
    )

    def period_of(self, day: date) -> str | None:
        if self.baseline_from <= day <= self.baseline_to:
            return "baseline"
        if self.followup_from <= day <= self.followup_to:
            return "followup"
        return None


class MeasureEntry(db.Model):
    """One line in the logbook: a date, a value, a note."""

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measure.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )
    entry_date: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    client_token: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    measure: Mapped[Measure] = relationship(back_populates="entries")
    participant: Mapped[Participant | None] = relationship()

    __table_args__ = (UniqueConstraint("participant_id", "client_token"),)


class Lesson(db.Model):
    """Step 6: a lesson, a product or process result, or a decision on the next steps."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # see vocabulary.LESSON_KINDS
    text: Mapped[str] = mapped_column(Text)
    # Decisions only: how the method is kept alive (vocabulary.NEXT_STEP_KINDS), who, when,
    # and for "take up a challenge" which card.
    next_step_kind: Mapped[str] = mapped_column(String(32), default="")
    responsible: Mapped[str] = mapped_column(String(200), default="")
    due: Mapped[date | None] = mapped_column(Date)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("card.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    card: Mapped[Card | None] = relationship()


def citation(act: str, paragraph: str) -> str:
    """Act and paragraph as one reference. Some paragraphs name their acts themselves
    ("LAB § 20 …; LAF § 62", "LOB § 1, stk. 2; LAB § 59"): those are not prefixed again."""
    act, paragraph = (act or "").strip(), (paragraph or "").strip()
    if act and paragraph.startswith(act):
        return paragraph
    return f"{act} {paragraph}".strip()


class Requirement(db.Model):
    """A catalogue entry: a requirement from the law, or one of the organisation's own rules."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)  # "R05"; local rules "L12"
    kind: Mapped[str] = mapped_column(String(8), default="law")  # "law" or "local"
    act: Mapped[str] = mapped_column(String(20), default="")
    paragraph: Mapped[str] = mapped_column(String(200), default="")
    # Space-separated plain numbers ("31 30a"), so "§ 31" finds the entry exactly.
    sections: Mapped[str] = mapped_column(String(400), default="")
    target_groups: Mapped[str] = mapped_column(String(100), default="")
    name_da: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    law_version: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default="in_force")
    changes: Mapped[list] = mapped_column(JSON, default=list)
    confidence: Mapped[str] = mapped_column(String(16), default="unsure")
    sources: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    # Where the facts differ within one entry (the paragraph verified, a date only likely):
    # [{"fact": "Datoen 1.2.2026", "confidence": "likely"}, …]; `confidence` is the weakest.
    confidence_notes: Mapped[list] = mapped_column(JSON, default=list)
    # The department sectors whose law it is (vocabulary.SECTORS keys), for filtering.
    sectors: Mapped[list] = mapped_column(JSON, default=list)
    # Local rules only: what kind, who decided it and when, and whose catalogue it is in.
    local_kind: Mapped[str] = mapped_column(String(32), default="")
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    # Local rules only (issue 18): a retired rule is offered for no new link but stays on
    # the cards that link it; one a course's implemented "remove" action abolished is
    # marked repealed on that day by that course (its title kept in words, so the mark
    # outlives the course and travels in the course file).
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    repealed_on: Mapped[date | None] = mapped_column(Date)
    repealed_by_course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="SET NULL"), index=True
    )
    repealed_course_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Bumped when a reload changes the entry; links remember the version they were made on.
    version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    versions: Mapped[list[RequirementVersion]] = relationship(
        back_populates="requirement",
        cascade="all, delete-orphan",
        order_by="RequirementVersion.version",
    )

    @property
    def is_local(self) -> bool:
        return self.kind == "local"

    @property
    def citation(self) -> str:
        """Where a law requirement stands: 'LAB § 31, stk. 1'; '' for a local rule."""
        return "" if self.is_local else citation(self.act, self.paragraph)

    @property
    def is_law(self) -> bool:
        """False for a bill, a draft or a law never adopted: shown, never a legal basis."""
        return self.status not in NOT_LAW_STATUSES

    @property
    def binds_running_cases(self) -> bool:
        """Closed to new cases, but the cases that run under it still follow it."""
        return self.status == "closed_to_new"

    @property
    def may_be_habit(self) -> bool:
        """Repealed or loosened since 2020: what still follows it may be habit, not law.

        Never for an entry that still binds running cases (following it there is the law)
        nor for one that is not law at all (nothing to have loosened)."""
        if self.binds_running_cases or not self.is_law:
            return False
        return self.status == "repealed" or any(
            change.get("effect") in ("loosened", "repealed") for change in self.changes or []
        )

    @property
    def group_numbers(self) -> list[str]:
        return self.target_groups.split()

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def is_repealed_locally(self) -> bool:
        """A local rule a course of the organisation abolished (`repealed_on`)."""
        return self.is_local and self.repealed_on is not None


class RequirementCorrection(db.Model):
    """An organisation's own correction of, or note on, a shipped law entry (issue 18).

    The shipped entry stays the reference and is shown beside it; only the organisation's
    own users see it. It remembers the version and fingerprint of the entry it was made
    against, so a reload that changes the entry flags it as possibly outdated until its
    admin confirms or edits it. It never changes the law checks (`Requirement.is_law`,
    `may_be_habit`): it is the organisation's claim, with its source and confidence.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    paragraph: Mapped[str] = mapped_column(String(200), default="")  # "" = as shipped
    status: Mapped[str] = mapped_column(String(16), default="")  # "" = as shipped
    source: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[str] = mapped_column(String(16), default="unsure")
    made_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL")
    )
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The shipped entry it was made (or last confirmed) against.
    against_version: Mapped[int] = mapped_column(Integer)
    against_hash: Mapped[str] = mapped_column(String(64), default="")

    requirement: Mapped[Requirement] = relationship()
    made_by: Mapped[Facilitator | None] = relationship()

    # One correction per entry and organisation: the admin edits it, never a second one.
    __table_args__ = (UniqueConstraint("organisation_id", "requirement_id"),)

    @property
    def may_be_outdated(self) -> bool:
        """The shipped entry changed since the correction was made or last confirmed."""
        entry = self.requirement
        return entry.version != self.against_version or entry.content_hash != self.against_hash


class RequirementVersion(db.Model):
    """What an entry said in one version, so a card's link keeps its meaning after reloads."""

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    requirement: Mapped[Requirement] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("requirement_id", "version"),)


class CardRequirement(db.Model):
    """A card linked to the requirement it stems from, as that requirement read then."""

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    law_version: Mapped[str] = mapped_column(String(300), default="")
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    card: Mapped[Card] = relationship(back_populates="links")
    requirement: Mapped[Requirement] = relationship()

    __table_args__ = (UniqueConstraint("card_id", "requirement_id"),)

    @property
    def is_outdated(self) -> bool:
        return self.requirement.version > self.version

    @property
    def as_linked(self) -> dict:
        """What the entry said when the card was linked (its snapshot of that version)."""
        for version in self.requirement.versions:
            if version.version == self.version:
                return version.snapshot
        return {}


# --- Issue 14, point 3: the departments a card involves ---------------------------------


class CardDepartment(db.Model):
    """A department a card involves; `names_origin` marks the one whose rule or practice the
    card's origin ("another department's rule or practice") names, so the department named
    is always one of the involved (workshop.examination keeps at most one marked, and none
    when the origin is anything else). A retired department stays on its cards."""

    card_id: Mapped[int] = mapped_column(
        ForeignKey("card.id", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    names_origin: Mapped[bool] = mapped_column(default=False, server_default=false())

    card: Mapped[Card] = relationship(back_populates="department_links")
    department: Mapped[Department] = relationship()


class ManagerLink(db.Model):
    """A read-only link for managers who did not attend: the course's status and its PDF.

    The token is the only key (no login); it is kept so the facilitator can copy the link
    again, and a revoked link stops working at once.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")  # who it was made for
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    course: Mapped[Course] = relationship()


class StateFeedback(db.Model):
    """A card whose rule only the state can change, flagged for the feedback document to the
    management, KL or the ministry: what it costs, what we propose, and whether a local
    trial could be allowed. One per card; it goes with the card and the course."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), unique=True)
    # What the rule costs in practice, in words, and optionally a measure of the course
    # whose figures show it.
    cost: Mapped[str] = mapped_column(Text, default="", server_default="")
    measure_id: Mapped[int | None] = mapped_column(
        ForeignKey("measure.id", ondelete="SET NULL"), index=True
    )
    proposal: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Could a local trial be allowed? See workshop.state_feedback.TRIAL_OPTIONS.
    trial: Mapped[str] = mapped_column(String(20), default="unknown", server_default="unknown")
    trial_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    card: Mapped[Card] = relationship()
    measure: Mapped[Measure | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "trial IN ('trial_provision', 'exemption', 'no', 'unknown')", name="trial_known"
        ),
    )


class CardFeedback(db.Model):
    """A card whose rule the municipality itself made, flagged for a feedback document
    beyond the state (issue 18): to the IT vendor (route "it_vendor", the card's origin an
    IT system) or to the political committee or top management ("politics", a municipal
    decision). What it is about (the system; the decision, by whom and when), what it costs
    (in words, an estimate the group made, and optionally a measure of the course), and what
    we ask them to change. One per card and route; it goes with the card and the course.
    The state's feedback keeps its own table (StateFeedback): its trial question and law
    versions are the state's alone, and course files carry it under its own name."""

    __tablename__ = "card_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    route: Mapped[str] = mapped_column(String(16))  # workshop.local_feedback.ROUTES
    # The IT system ("the same system" groups cards in the vendor's document), or the
    # decision; for a decision also the body that made it and when, where known.
    subject: Mapped[str] = mapped_column(String(200), default="", server_default="")
    decided_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    cost: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The group's estimate, never a measurement: minutes per case or per week.
    estimate_minutes: Mapped[int | None] = mapped_column(Integer)
    estimate_per: Mapped[str] = mapped_column(String(8), default="", server_default="")
    measure_id: Mapped[int | None] = mapped_column(
        ForeignKey("measure.id", ondelete="SET NULL"), index=True
    )
    ask: Mapped[str] = mapped_column(String(8), default="", server_default="")  # remove/change
    proposal: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    card: Mapped[Card] = relationship()
    measure: Mapped[Measure | None] = relationship()

    __table_args__ = (
        UniqueConstraint("card_id", "route"),
        CheckConstraint("route IN ('it_vendor', 'politics')", name="route_known"),
        CheckConstraint("estimate_per IN ('', 'case', 'week')", name="estimate_per_known"),
        CheckConstraint("ask IN ('', 'remove', 'change')", name="ask_known"),
        CheckConstraint(
            "estimate_minutes IS NULL OR estimate_minutes > 0", name="estimate_positive"
        ),
    )


# --- The experience bank (issue 9): what a course shared with other courses ---------------


class Share(db.Model):
    """A course's results shared with the experience bank: an anonymised snapshot.

    A snapshot, not a view of the course: later edits do not leak into it, and withdrawing
    it removes its content at once. One active share per course; sharing again replaces it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    # None once the course is deleted (the anonymised snapshot stays) or for demo data.
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="SET NULL"), index=True
    )
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL")
    )
    municipality: Mapped[str] = mapped_column(String(120))
    unit_kind: Mapped[str] = mapped_column(String(120), default="")
    course_revision: Mapped[int] = mapped_column(Integer, default=0)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    challenges: Mapped[list[SharedChallenge]] = relationship(
        back_populates="share",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SharedChallenge.id",
    )

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class SharedChallenge(db.Model):
    """A prioritised challenge as shared: its requirements, origin, dots; words if reviewed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("share.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")  # "" unless the facilitator included it
    # The card it was made from: redacting the card empties `text` here too. None once the
    # card is gone (or for demo data and shares made before this was recorded).
    card_id: Mapped[int | None] = mapped_column(
        ForeignKey("card.id", ondelete="SET NULL"), index=True
    )
    origin: Mapped[str] = mapped_column(String(32), default="unknown")
    dots: Mapped[int | None] = mapped_column(Integer)
    # Held back (None) when a role group had fewer voters than the course's minimum.
    dots_staff: Mapped[int | None] = mapped_column(Integer)
    dots_managers: Mapped[int | None] = mapped_column(Integer)

    share: Mapped[Share] = relationship(back_populates="challenges")
    requirements: Mapped[list[SharedRequirement]] = relationship(
        back_populates="challenge",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SharedRequirement.id",
    )
    solutions: Mapped[list[SharedSolution]] = relationship(
        back_populates="challenge",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SharedSolution.id",
    )


class SharedRequirement(db.Model):
    """A shared challenge's link to a law entry, with the entry and law version it was on."""

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("shared_challenge.id", ondelete="CASCADE"), index=True
    )
    requirement_key: Mapped[str] = mapped_column(String(20), index=True)
    requirement_version: Mapped[int] = mapped_column(Integer)
    law_version: Mapped[str] = mapped_column(String(300), default="")
    name: Mapped[str] = mapped_column(String(300), default="")

    challenge: Mapped[SharedChallenge] = relationship(back_populates="requirements")


class SharedSolution(db.Model):
    """A shared solution: its kind, assessment, the action's status and the measured effect."""

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("shared_challenge.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")  # "" unless the facilitator included it
    # The solution it was made from: redacting it empties `text` here too (as SharedChallenge).
    solution_id: Mapped[int | None] = mapped_column(
        ForeignKey("solution.id", ondelete="SET NULL"), index=True
    )
    effect_citizens: Mapped[int | None] = mapped_column(Integer)
    effect_efficiency: Mapped[int | None] = mapped_column(Integer)
    effect_work_environment: Mapped[int | None] = mapped_column(Integer)
    likelihood: Mapped[str] = mapped_column(String(16), default="")
    effort: Mapped[str] = mapped_column(String(16), default="")
    chosen: Mapped[bool] = mapped_column(default=False)
    action_status: Mapped[str] = mapped_column(String(16), default="")  # "" without an action
    # The measured effect (step 5), or nothing: never a figure nobody measured.
    measure_what: Mapped[str] = mapped_column(String(300), default="")
    measure_unit: Mapped[str] = mapped_column(String(60), default="")
    higher_is_better: Mapped[bool | None] = mapped_column()
    baseline_mean: Mapped[float | None] = mapped_column(Float)
    followup_mean: Mapped[float | None] = mapped_column(Float)
    change: Mapped[float | None] = mapped_column(Float)
    entries: Mapped[int] = mapped_column(Integer, default=0)

    challenge: Mapped[SharedChallenge] = relationship(back_populates="solutions")

    @property
    def is_measured(self) -> bool:
        return self.change is not None

    @property
    def improved(self) -> bool | None:
        if self.change is None or self.change == 0 or self.higher_is_better is None:
            return None
        return (self.change > 0) == self.higher_is_better


# --- Rendered documents ------------------------------------------------------------------


class RenderedPdf(db.Model):
    """A rendered PDF of a course (the action plan, the feedback to the state), kept so a
    second download of an unchanged document takes no rendering (seconds of WeasyPrint).

    In the database, not in a worker's memory, so every worker and machine agrees on what
    is kept: a redaction or a deletion removes the course's rows in its own transaction
    (workshop.core.caches.forget_rendered), and no worker keeps the old words after it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    # A hash of everything the document depends on beyond the course's revision (which
    # document, the language, the day, the HTML for the feedback document).
    key: Mapped[str] = mapped_column(String(64))
    # The course's revision and activity it was rendered at ("12.40"): older ones go.
    revision: Mapped[str] = mapped_column(String(40))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("course_id", "key"),)


class ClearedVotes(db.Model):
    """The dots of a vote the facilitator started over, kept for a minute so the restart
    can be taken back (workshop.votes.restore_votes); one row per course and ballot, replaced
    by the next restart and removed when restored or found too old."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    ballot: Mapped[str] = mapped_column(String(16))  # "cards" or "solutions"
    cleared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    votes: Mapped[str] = mapped_column(Text)  # JSON: [[participant id, item id, dots], …]


class SentReminder(db.Model):
    """A reminder mail claimed or sent (workshop.reminders): the unique key (kind, subject,
    recipient, period) is what keeps `reminders send` from mailing anyone the same reminder
    twice, also when two runs overlap. A row is written before the mail goes out and
    removed again if the mail server refuses it, so the next run tries again.

    `recipient` says who by their row ("p12": participant 12, "f3": facilitator 3), never
    by their address: an address lives only on its owner's row, and leaves with it."""

    __tablename__ = "sent_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # reminders.KINDS
    subject_id: Mapped[int] = mapped_column(Integer)  # the action, measure or facilitator
    recipient: Mapped[str] = mapped_column(String(24))
    period: Mapped[str] = mapped_column(String(24))  # the day it is about, or the ISO week
    # None for a facilitator's weekly digest, which covers all their courses.
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("kind", "subject_id", "recipient", "period"),)


class AuditEvent(db.Model):
    """One line of the audit trail (workshop.audit): who did what, when, to which course.

    Append-only from the app's side: workshop.audit.record adds rows, and only the
    retention purge (workshop.audit.purge) deletes them; a trigger refuses UPDATE (and on
    PostgreSQL any DELETE but the purge's). No foreign keys: a row outlives the course,
    facilitator or organisation it names, so it keeps copies of the email and the title.
    Never holds what participants wrote: `detail` takes only short codes and numbers.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    organisation_id: Mapped[int | None] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(40))
    course_id: Mapped[int | None] = mapped_column(Integer)
    course_title: Mapped[str] = mapped_column(String(200), default="")
    target_kind: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    client_address: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_audit_event_organisation_at", "organisation_id", "at"),
        Index("ix_audit_event_at", "at"),
    )


class Touchpoint(db.Model):
    """One step of the citizen's path (borgerforløb) mapped in step 2: a meeting, plan,
    form, consent, referral or waiting time, in a department, with what it costs the
    citizen and the staff and the rule behind it. The path is one composite, anonymised
    citizen: the texts say what happens, never who it happened to."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    # None when the facilitator added it, or its author's row is gone.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # vocabulary.TOUCHPOINT_KINDS
    text: Mapped[str] = mapped_column(Text)
    # Its lane: a department of the organisation, or, in a course without departments, a
    # free "where" ("Jobcentret", "Egen læge"); neither puts it in the lane "elsewhere".
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL"), index=True
    )
    place: Mapped[str] = mapped_column(String(120), default="", server_default="")
    citizen_minutes: Mapped[int | None] = mapped_column(Integer)
    staff_minutes: Mapped[int | None] = mapped_column(Integer)
    # The rule behind it: a law entry or a local rule of the catalogue.
    requirement_id: Mapped[int | None] = mapped_column(
        ForeignKey("requirement.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    client_token: Mapped[str] = mapped_column(String(40))
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoint.id", ondelete="SET NULL"), index=True
    )
    # The card it became (one tap on the control panel); it stays on the path.
    card_id: Mapped[int | None] = mapped_column(
        ForeignKey("card.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    participant: Mapped[Participant | None] = relationship()
    department: Mapped[Department | None] = relationship()
    requirement: Mapped[Requirement | None] = relationship()
    card: Mapped[Card | None] = relationship()
    merged_into: Mapped[Touchpoint | None] = relationship(
        remote_side="Touchpoint.id", back_populates="merged_touchpoints"
    )
    merged_touchpoints: Mapped[list[Touchpoint]] = relationship(
        back_populates="merged_into", order_by="Touchpoint.id"
    )

    __table_args__ = (
        UniqueConstraint("participant_id", "client_token"),
        CheckConstraint(
            "citizen_minutes IS NULL OR citizen_minutes BETWEEN 0 AND 525600",
            name="citizen_minutes_range",
        ),
        CheckConstraint(
            "staff_minutes IS NULL OR staff_minutes BETWEEN 0 AND 525600",
            name="staff_minutes_range",
        ),
    )


class Meeting(db.Model):
    """One of the course's workshops (issue 18): when and where, and which of the method's
    steps it covers. Planned in Danish time, stored in UTC; `uid` names it in calendars,
    so a downloaded .ics updates the same event when it is downloaded again (`sequence`
    counts the edits, as iCalendar wants)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The step numbers it covers (vocabulary.StepNumber), in order: [2, 3].
    steps: Mapped[list[int]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    course: Mapped[Course] = relationship()

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="meeting_ends_after_start"),
        Index("ix_meeting_course_starts", "course_id", "starts_at"),
    )
