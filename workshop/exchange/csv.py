"""CSV for Danish Excel: the cards, the action plan, the logged values, the feedback to the
state, to the IT vendor and to the political committee, and the audit trail.

Every file is made for Danish Excel: UTF-8 with a BOM (so Excel reads æ, ø and å as
UTF-8), semicolons between fields (Danish Excel's list separator, because the comma is the
decimal mark), CRLF line ends, decimal commas, ISO dates (yyyy-mm-dd, which Excel reads as
dates and which sort as text). Text from participants that Excel could take for a formula
gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from workshop.audit import ACTIONS, AuditFilters, all_events, describe_detail
from workshop.catalogue import requirement_label
from workshop.core.clock import danish_time, local_today
from workshop.core.extensions import db
from workshop.core.models import Action, Card, Course, Measure, MeasureEntry
from workshop.core.text import slugify
from workshop.core.vocabulary import (
    ACTION_STATUSES,
    BARRIERS,
    CARD_CATEGORIES,
    CARD_SOURCES,
    CONFIDENCE,
    ORIGINS,
    PERIODS,
    PRIORITY_STATUSES,
    ROLES,
    SOLUTION_KIND_SHORT,
)
from workshop.examination import origin_label
from workshop.local_feedback import ASKS, ESTIMATE_PER, LocalRow, Route, local_document
from workshop.state_feedback import TRIAL_OPTIONS, FeedbackRow, feedback_document
from workshop.votes import CARDS, results

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Number:
    """A figure we formatted ourselves: never text from a person, so never guarded."""

    def __init__(self, text: str) -> None:
        self.text = text


def danish_number(value: float | int | None) -> str:
    """12.5 -> '12,5', 3.0 -> '3', no thousands separators, never '1e-05'."""
    if value is None:
        return ""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f").replace(".", ",")


def safe_cell(text: str) -> str:
    """Text that Excel could run as a formula gets a leading apostrophe (OWASP's advice)."""
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _Number):
        return value.text
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        return danish_number(value)
    if isinstance(value, datetime):
        return _local_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(str(value))


def _local_time(moment: datetime) -> str:
    """A timestamp in Danish time, as Excel reads it: 2026-11-23 15:38."""
    return danish_time(moment).strftime("%Y-%m-%d %H:%M")


def csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a BOM, semicolons, CRLF: a file Danish Excel opens with æøå intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(str(name)) for name in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _course_cards(course: Course) -> list[Card]:
    query = select(Card).where(Card.course_id == course.id).order_by(Card.id)
    return list(db.session.scalars(query))


def cards_csv(course: Course) -> bytes:
    """Every card, hidden and merged ones too: nobody's input disappears from the export.

    Dots appear only once the vote is revealed, and the split (by role or by department, as
    the course chose) only as the result shows it (`votes.results` holds back a group with
    too few voters, or counts it with others).
    """
    revealed = results(course, CARDS)
    rows_by_card = {row.item.id: row for row in revealed.rows} if revealed else {}
    # The groups of the course's split (by role or by department), as the screen shows them.
    shown_groups = revealed.columns if revealed else []
    cards = _course_cards(course)
    number = {card.id: n for n, card in enumerate(cards, 1)}
    header = [
        _("No."),
        _("Card"),
        _("Original text"),
        _("Author's role"),
        _("Author's unit"),
        _("Author's name"),
        _("Author's department"),
        _("Source"),
        _("Category"),
        _("Where the rule comes from"),
        _("The real problem"),
        _("Who else has a stake"),
        _("Status"),
        _("Later: when"),
        _("Outside the frame: why"),
        _("Dots"),
        *(_("Dots: %(group)s", group=group.label) for group in shown_groups),
        _("Linked requirements"),
        _("Merged into no."),
        _("Hidden"),
        _("Written"),
    ]

    def row(card: Card) -> list:
        author = card.participant
        # A card from the card box or on paper has no participant, only its author's role
        # and department (issue 18); never a name.
        role = author.role if author else card.author_role
        result = rows_by_card.get(card.id)
        return [
            number[card.id],
            card.text,
            card.original_text,
            str(ROLES.get(role, role)) if role else "",
            author.unit if author else "",
            author.name if author else "",
            _department_name(author.department if author else card.author_department),
            str(CARD_SOURCES.get(card.source, card.source)),
            str(CARD_CATEGORIES.get(card.category, card.category)),
            origin_label(card),  # naming the department whose rule it is, where it names one
            card.problem,
            card.stakeholders,
            str(PRIORITY_STATUSES.get(card.priority, card.priority)),
            card.later_when,
            card.out_of_scope_reason,
            result.total if result else None,
            *((result.by_group.get(group.key, 0) if result else None) for group in shown_groups),
            "; ".join(requirement_label(link.requirement) for link in card.links),
            number.get(card.merged_into_id),
            card.hidden,
            card.created_at,
        ]

    return csv_bytes(header, (row(card) for card in cards))


def _department_name(department) -> str:
    return department.name if department is not None else ""


def _barrier_text(barriers: dict) -> str:
    parts = []
    for kind, label in BARRIERS.items():
        entry = (barriers or {}).get(kind)
        if entry:
            note = entry.get("note") or ""
            parts.append(f"{label}: {note}" if note else str(label))
    return "; ".join(parts)


def actions_csv(course: Course) -> bytes:
    """The action plan, one row per action, as a manager would filter it in Excel."""
    actions = db.session.scalars(
        select(Action).where(Action.course_id == course.id).order_by(Action.id)
    ).all()
    header = [
        _("No."),
        _("Action"),
        _("Solution"),
        _("Challenge"),
        _("Owner"),
        _("Who does what"),
        _("Start date"),
        _("First step"),
        _("Test unit"),
        _("Test from"),
        _("Test to"),
        _("Barriers"),
        _("Communication"),
        _("Signs of success"),
        _("Watched by"),
        _("Status"),
        _("Why dropped"),
        _("Last update"),
    ]
    rows = (
        [
            n,
            action.title,
            action.solution.text if action.solution else "",
            action.solution.card.text if action.solution else "",
            action.owner_label,
            action.who_does_what,
            action.start_date,
            action.first_step,
            action.pilot_unit,
            action.pilot_from,
            action.pilot_to,
            _barrier_text(action.barriers),
            action.communication,
            action.success_signs,
            action.watched_by,
            str(ACTION_STATUSES.get(action.status, action.status)),
            action.dropped_reason,
            action.updated_at,
        ]
        for n, action in enumerate(actions, 1)
    )
    return csv_bytes(header, rows)


def entries_csv(course: Course) -> bytes:
    """Every logged value of every measure: the raw figures behind before and after."""
    entries = db.session.execute(
        select(MeasureEntry, Measure, Action)
        .join(Measure, MeasureEntry.measure_id == Measure.id)
        .join(Action, Measure.action_id == Action.id)
        .where(Action.course_id == course.id)
        .order_by(Action.id, Measure.id, MeasureEntry.entry_date, MeasureEntry.id)
    ).all()
    header = [
        _("Action"),
        _("Measure"),
        _("Unit"),
        _("Period"),
        _("Date"),
        _("Value"),
        _("Note"),
        _("Logged by"),
    ]

    def period(measure: Measure, entry: MeasureEntry) -> str:
        key = measure.period_of(entry.entry_date)
        return str(PERIODS[key]) if key else _("Outside both periods")

    rows = (
        [
            action.title,
            measure.what,
            measure.unit,
            period(measure, entry),
            entry.entry_date,
            _Number(danish_number(entry.value)),
            entry.note,
            entry.participant.label if entry.participant else "",
        ]
        for entry, measure, action in entries
    )
    return csv_bytes(header, rows)


def ascii_filename(course: Course, what: str, extension: str) -> str:
    """'mindre-boevl-i-jobcentret-kort-2026-11-23.csv': safe in any Content-Disposition."""
    slug = slugify(course.title, 50) or "course"
    return f"{slug}-{slugify(what) or 'export'}-{local_today().isoformat()}.{extension}"


def _figure(value: float | None):
    """A figure we computed: a decimal comma, and never taken for a formula (a minus)."""
    return None if value is None else _Number(danish_number(round(value, 2)))


def feedback_csv(course: Course) -> bytes:
    """One row per flagged card, for Excel; the same rows and the same hiding as the PDF."""
    document = feedback_document(course)
    header = [
        _("No."),
        _("Card"),
        _("Merged cards"),
        _("Where the rule comes from"),
        _("Requirement"),
        _("Law version when the card was linked"),
        _("Law version now"),
        _("Changed since the card was linked"),
        _("Dots"),
        _("What it costs in practice"),
        _("Measure"),
        _("Unit"),
        _("Before: average"),
        _("After: average"),
        _("Change"),
        _("What we propose"),
        _("Local trial possible?"),
        _("Note on a local trial"),
        _("Trial provisions and exemption schemes (confidence)"),
        _("Updated"),
    ]
    hidden = _("The text is hidden.")

    def row(line: FeedbackRow) -> list:
        feedback, stats, measure = line.feedback, line.stats, line.measure
        merged = list(line.merged_texts) + [hidden] * line.merged_hidden
        return [
            line.number,
            hidden if line.text_hidden else line.card.text,
            " | ".join(merged),
            str(ORIGINS.get(line.card.origin, line.card.origin)),
            "; ".join(r.label for r in line.requirements),
            "; ".join(f"{r.key}: {r.linked_law_version}" for r in line.requirements),
            "; ".join(f"{r.key}: {r.law_version}" for r in line.requirements),
            any(r.changed for r in line.requirements),
            line.dots,
            feedback.cost,
            measure.what if measure else "",
            measure.unit if measure else "",
            _figure(stats.baseline.mean) if stats else None,
            _figure(stats.followup.mean) if stats else None,
            _figure(stats.change) if stats else None,
            feedback.proposal,
            str(TRIAL_OPTIONS.get(feedback.trial, feedback.trial)),
            feedback.trial_note,
            "; ".join(
                f"{fact.provision} ({CONFIDENCE[fact.confidence]})" for fact in line.trial_facts
            ),
            feedback.updated_at,
        ]

    return csv_bytes(header, (row(line) for line in document.rows))


def local_feedback_csv(course: Course, route: Route) -> bytes:
    """One row per card sent to the IT vendor or to the political committee: the same rows,
    groups and hiding as the PDF. The estimate has its own columns, named as an estimate."""
    document = local_document(course, route)
    hidden = _("The text is hidden.")
    decision = route.asks_decision
    header = [
        _("No."),
        _("Which decision") if decision else _("IT system"),
        *([_("Made by"), _("Decided on")] if decision else []),
        _("Card"),
        _("Merged cards"),
        _("Dots"),
        _("What it costs in practice"),
        _("Estimate (minutes)"),
        _("Estimate per"),
        _("Measure"),
        _("Unit"),
        _("Before: average"),
        _("After: average"),
        _("Change"),
        *([_("Remove or change")] if decision else []),
        _("What we ask them to change"),
        *([_("The group's solutions"), _("Action plan status")] if route.shows_solutions else []),
        _("Updated"),
    ]

    def solutions(line: LocalRow) -> list:
        if not route.shows_solutions:
            return []
        texts = [
            f"{solution.text or hidden} ({SOLUTION_KIND_SHORT.get(solution.kind, solution.kind)})"
            for solution in line.solutions
        ]
        statuses = [
            str(ACTION_STATUSES.get(solution.action_status, solution.action_status))
            for solution in line.solutions
            if solution.action_status
        ]
        return [" | ".join(texts), "; ".join(statuses)]

    def row(line: LocalRow) -> list:
        feedback, stats, measure = line.feedback, line.stats, line.measure
        merged = list(line.merged_texts) + [hidden] * line.merged_hidden
        return [
            line.number,
            feedback.subject,
            *([feedback.decided_by, feedback.decided_on] if decision else []),
            hidden if line.text_hidden else line.card.text,
            " | ".join(merged),
            line.dots,
            feedback.cost,
            feedback.estimate_minutes,
            str(ESTIMATE_PER.get(feedback.estimate_per, "")),
            measure.what if measure else "",
            measure.unit if measure else "",
            _figure(stats.baseline.mean) if stats else None,
            _figure(stats.followup.mean) if stats else None,
            _figure(stats.change) if stats else None,
            *([str(ASKS.get(feedback.ask, ""))] if decision else []),
            feedback.proposal,
            *solutions(line),
            feedback.updated_at,
        ]

    return csv_bytes(header, (row(line) for line in document.rows))


def audit_csv(organisation_id: int, filters: AuditFilters) -> bytes:
    """Every matching line of the audit trail, oldest first."""
    header = [
        _("Time (UTC)"),
        _("Facilitator"),
        _("Facilitator id"),
        _("Action"),
        _("Action code"),
        _("Course"),
        _("Course id"),
        _("Target"),
        _("Target id"),
        _("Client address"),
        _("Detail"),
    ]
    rows = (
        [
            event.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            if event.at.tzinfo
            else event.at.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_email,
            str(event.actor_id or ""),
            str(ACTIONS.get(event.action, event.action)),
            event.action,
            event.course_title,
            str(event.course_id or ""),
            event.target_kind,
            str(event.target_id or ""),
            event.client_address,
            describe_detail(event),
        ]
        for event in all_events(organisation_id, filters)
    )
    return csv_bytes(header, rows)
