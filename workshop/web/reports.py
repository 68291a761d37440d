"""The action plan as a PDF for the facilitator (the manager link serves the same PDF)."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_login import login_required

from workshop.audit import record
from workshop.core.models import Course
from workshop.reports.pdf import action_plan_filename, action_plan_pdf
from workshop.web.common import facilitator_course

bp = Blueprint("reports", __name__)


def pdf_download(course: Course) -> Response:
    """The PDF as an attachment that no shared cache keeps."""
    response = Response(action_plan_pdf(course), mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=action_plan_filename(course))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/f/courses/<int:course_id>/action-plan.pdf")
@login_required
def action_plan(course_id: int):
    """Download the action plan, in the facilitator's language (Danish by default)."""
    course = facilitator_course(course_id)
    response = pdf_download(course)
    record("exported", course=course, detail={"file": "action_plan_pdf"})
    return response
