"""Typed SQLAlchemy models: a course, its facilitator, participants, answers, cards and votes."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class Facilitator(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    courses: Mapped[list[Course]] = relationship(
        back_populates="facilitator", order_by="Course.created_at.desc()"
    )


class Course(db.Model):
    """A Samskabt Styring course (forløb): several workshops and the work between them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id", ondelete="CASCADE"))
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
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    joining_open: Mapped[bool] = mapped_column(default=True)
    current_step: Mapped[int] = mapped_column(Integer, default=1)
    # Step 2's voting round: collect -> voting -> closed -> revealed (and back).
    voting_state: Mapped[str] = mapped_column(String(16), default="collect")
    # Bumped in the same transaction as every change; live views poll against it.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    facilitator: Mapped[Facilitator] = relationship(back_populates="courses")
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


class Participant(db.Model):
    """Someone who joined from a phone: no account, a role, a unit, maybe a name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(120), default="")
    name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    course: Mapped[Course] = relationship(back_populates="participants")


class DialogueAnswer(db.Model):
    """A participant's answer to one of step 1's dialogue questions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    question_index: Mapped[int] = mapped_column(Integer)
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

    course: Mapped[Course] = relationship(back_populates="cards", foreign_keys=[course_id])
    participant: Mapped[Participant | None] = relationship()
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


class Vote(db.Model):
    """The dots one participant has put on one card."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    dots: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("participant_id", "card_id"),
        CheckConstraint("dots > 0", name="dots_positive"),
    )
