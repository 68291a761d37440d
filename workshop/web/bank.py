"""The experience bank on the facilitator's laptop: share a course (review, confirm,
withdraw), and copy another course's solution as a starting proposal."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workshop.audit import record
from workshop.cards import card_in_course
from workshop.core.errors import WorkshopError
from workshop.experience import (
    UNIT_KIND_MAX,
    active_share,
    copy_shared_solution,
    cpr_like_keys,
    plan_share,
    review_texts,
    share_course,
    shares_of,
    withdraw_share,
)
from workshop.web.common import facilitator_course
from workshop.web.forms import ActionForm

bp = Blueprint("bank", __name__)


def _reviewed_from_form(plan) -> dict[str, str]:
    """The ticked items and their (perhaps edited) words; unticked words are never kept."""
    ticked = set(request.form.getlist("include"))
    return {key: request.form.get(f"text-{key}", "") for key in plan.texts if key in ticked}


def _page(course, *, mode="edit", texts=None, unit_kind="", error=None, status=200, **extra):
    plan = plan_share(course)
    texts = texts if texts is not None else {}
    context = {
        "course": course,
        "plan": plan,
        "mode": mode,
        "texts": texts,
        "cpr_keys": set(cpr_like_keys(texts)),
        "unit_kind": unit_kind,
        "unit_kind_max": UNIT_KIND_MAX,
        "active": active_share(course),
        "history": shares_of(course),
        "action_form": ActionForm(),
        "error": error,
        **extra,
    }
    return render_template("experience/share.html", **context), status


@bp.route("/f/courses/<int:course_id>/share", methods=["GET", "POST"])
def share(course_id: int):
    """Review exactly what will be shared, confirm it, or go back and change it."""
    course = facilitator_course(course_id)
    if request.method == "GET":
        return _page(course)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".share", course_id=course.id))
    plan = plan_share(course)
    unit_kind = request.form.get("unit_kind", "")[: UNIT_KIND_MAX * 2]
    raw = _reviewed_from_form(plan)
    step = request.form.get("step", "review")
    try:
        texts = review_texts(plan, raw)
    except WorkshopError as refused:
        return _page(course, texts=raw, unit_kind=unit_kind, error=refused.message, status=422)
    if step == "edit":
        return _page(course, texts=texts, unit_kind=unit_kind)
    if step != "confirm":
        if not plan.challenges:
            message = _("There is nothing to share yet: no challenge has been prioritised.")
            return _page(course, error=message, status=422)
        return _page(course, mode="confirm", texts=texts, unit_kind=unit_kind)
    revision = request.form.get("revision", "")[:40]
    try:
        made, replaced = share_course(
            course,
            current_user,
            texts=texts,
            unit_kind=unit_kind,
            revision=revision,
            allow_cpr_like=bool(request.form.get("not_cpr")),
        )
    except WorkshopError as refused:
        mode = "confirm" if refused.code == "cpr" else "edit"
        return _page(
            course, mode=mode, texts=texts, unit_kind=unit_kind, error=refused.message, status=422
        )
    record(
        "share_made",
        course=course,
        target_kind="share",
        target_id=made.id,
        detail={"replaced": bool(replaced)},
    )
    if replaced:
        flash(
            _(
                "The course was already shared. The new results have replaced the earlier "
                "ones in the experience bank."
            )
        )
    else:
        flash(_("The course's results are shared with the experience bank."))
    return redirect(url_for(".share", course_id=course.id))


@bp.post("/f/courses/<int:course_id>/share/withdraw")
def withdraw(course_id: int):
    """Take the course's results out of the experience bank."""
    course = facilitator_course(course_id)
    if ActionForm().validate_on_submit():
        try:
            withdrawn = withdraw_share(course)
        except WorkshopError as refused:
            flash(refused.message, "error")
        else:
            record("share_withdrawn", course=course, target_kind="share", target_id=withdrawn.id)
            flash(
                _(
                    "The results are withdrawn from the experience bank. Solutions other "
                    "courses already copied stay with them, as their own."
                )
            )
    return redirect(url_for(".share", course_id=course.id))


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/bank/<int:shared_id>/copy")
def copy(course_id: int, card_id: int, shared_id: int):
    """Copy another course's shared solution to this challenge, as a starting proposal."""
    course = facilitator_course(course_id)
    card = card_in_course(course, card_id)
    back_to_card = request.form.get("back") == "card"
    if card is None:
        return redirect(url_for("facilitator.course", course_id=course.id))
    if ActionForm().validate_on_submit():
        try:
            copy_shared_solution(course, card, shared_id)
        except WorkshopError as refused:
            flash(refused.message, "error")
        else:
            flash(_("The solution is copied to the challenge as a starting proposal."))
    if back_to_card:
        return redirect(url_for("challenges.card", course_id=course.id, card_id=card.id))
    return redirect(url_for("facilitator.course", course_id=course.id))
