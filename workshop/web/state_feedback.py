"""Feedback to the state: flag a card on its page, list the flagged cards, and download
the document (PDF, CSV) for the management, KL or the ministry. Managers get the PDF
through their read-only link, because they are the ones who forward it.

The flag's panel and its form are drawn by the card page (web/steps/challenges.py); its
posts come here, and a refusal shows that card page again."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from workshop.audit import record
from workshop.cards import card_in_course
from workshop.core.errors import WorkshopError
from workshop.core.models import Card, Course
from workshop.core.text import slugify
from workshop.exchange import ascii_filename, feedback_csv
from workshop.manager_links import course_for_token
from workshop.reports.pdf import cached_pdf_of_html, css_string, long_date
from workshop.state_feedback import (
    TRIAL_OPTIONS,
    feedback_document,
    flag_card,
    has_feedback,
    unflag_card,
)
from workshop.web.common import facilitator_course
from workshop.web.forms import ActionForm
from workshop.web.refusals import back_to_panel, form_refusal
from workshop.web.steps.challenges import (
    StateFeedbackForm,
    refused_card_page,
    state_feedback_panel,
)

bp = Blueprint("state_feedback", __name__)


@bp.app_template_global()
def has_state_feedback(course: Course) -> bool:
    """Whether the manager page offers the feedback to the state (only once there is one)."""
    return has_feedback(course)


def _back_to_card(course: Course, card: Card):
    return redirect(
        url_for("challenges.card", course_id=course.id, card_id=card.id, _anchor="state-feedback")
    )


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/state-feedback")
def save(course_id: int, card_id: int):
    """Flag the card for the feedback to the state, or update what the flag says."""
    course = facilitator_course(course_id)
    card = card_in_course(course, card_id)
    if card is None:
        return back_to_panel(course)
    form = StateFeedbackForm()
    try:
        if not form.validate_on_submit():
            raise form_refusal(form)
        flag_card(
            card,
            cost=form.cost.data,
            measure_id=form.measure.data or None,
            proposal=form.proposal.data,
            trial=form.trial.data,
            trial_note=form.trial_note.data,
        )
    except WorkshopError as refused:
        return refused_card_page(course, card, refused, **state_feedback_panel(course, card, form))
    flash(_("The card is in the feedback to the state."))
    return _back_to_card(course, card)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/state-feedback/delete")
def remove(course_id: int, card_id: int):
    """Take the card out of the feedback to the state."""
    course = facilitator_course(course_id)
    card = card_in_course(course, card_id)
    if card is None:
        return back_to_panel(course)
    if ActionForm().validate_on_submit() and unflag_card(card):
        flash(_("The card has been taken out of the feedback to the state."))
    return _back_to_card(course, card)


@bp.get("/f/courses/<int:course_id>/state-feedback")
def overview(course_id: int):
    """The flagged cards, with links to their pages and to the document."""
    course = facilitator_course(course_id)
    return render_template(
        "state_feedback/overview.html",
        course=course,
        document=feedback_document(course),
        TRIAL_OPTIONS=TRIAL_OPTIONS,
    )


def _filename(course: Course, extension: str) -> str:
    return ascii_filename(course, slugify(_("feedback-to-the-state")) or "feedback", extension)


def _pdf(course: Course):
    document = feedback_document(course)
    steps = current_app.extensions["samskabt_steps"]
    html = render_template(
        "report/state_feedback.html",
        document=document,
        course=course,
        step_title=steps[course.current_step - 1].title,
        TRIAL_OPTIONS=TRIAL_OPTIONS,
        long_date=long_date,
        css_string=css_string,
    )
    response = current_app.response_class(
        cached_pdf_of_html(course, html), mimetype="application/pdf"
    )
    response.headers.set("Content-Disposition", "attachment", filename=_filename(course, "pdf"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/f/courses/<int:course_id>/state-feedback.pdf")
def pdf(course_id: int):
    course = facilitator_course(course_id)
    response = _pdf(course)
    record("exported", course=course, detail={"file": "state_feedback_pdf"})
    return response


@bp.get("/f/courses/<int:course_id>/state-feedback.csv")
def csv(course_id: int):
    course = facilitator_course(course_id)
    # content_type, not mimetype: Werkzeug adds "; charset=utf-8" to a text mimetype itself.
    response = current_app.response_class(
        feedback_csv(course), content_type="text/csv; charset=utf-8"
    )
    response.headers.set("Content-Disposition", "attachment", filename=_filename(course, "csv"))
    response.headers["Cache-Control"] = "no-store"
    record("exported", course=course, detail={"file": "state_feedback_csv"})
    return response


@bp.get("/m/<token>/state-feedback.pdf")
def manager_pdf(token: str):
    """The same document through a manager's read-only link (they forward it)."""
    course = course_for_token(token)
    if course is None:
        abort(404)  # unknown and revoked look the same
    response = _pdf(course)
    record(
        "exported",
        actor=None,
        course=course,
        detail={"file": "state_feedback_pdf", "via": "manager_link"},
    )
    # As on every manager page: the token never leaves in a Referer, no search engine.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
