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
    review_share,
    review_texts,
    share_course,
    shares_of,
    withdraw_share,
)
from workshop.web.common import facilitator_course
from workshop.web.forms import ActionForm
from workshop.web.refusals import back_to_panel, panel_url, refusal_reply

bp = Blueprint("bank", __name__)


def _reviewed_from_form(plan) -> dict[str, str]:
    """The ticked items and their (perhaps edited) words; unticked words are never kept."""
    ticked = set(request.form.getlist("include"))
    return {key: request.form.get(f"text-{key}", "") for key in plan.texts if key in ticked}


def _page(course, *, mode="edit", texts=None, unit_kind="", refusal=None, **extra):
    """The share page: what would be shared (mode "edit"), or the words as reviewed, to
    confirm (mode "confirm"); with a refusal, 422 and the reason above."""
    texts = texts if texts is not None else {}
    context = {
        "course": course,
        "plan": plan_share(course),
        "mode": mode,
        "texts": texts,
        "cpr_keys": set(cpr_like_keys(texts)),
        "unit_kind": unit_kind,
        "unit_kind_max": UNIT_KIND_MAX,
        "active": active_share(course),
        "history": shares_of(course),
        "action_form": ActionForm(),
        **extra,
    }
    if refusal is not None:
        return refusal_reply(refusal, page="experience/share.html", **context)
    return render_template("experience/share.html", **context)


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
    texts = _reviewed_from_form(plan)
    step = request.form.get("step", "review")
    try:
        if step == "edit":  # back from the confirmation to change the words
            return _page(course, texts=review_texts(plan, texts), unit_kind=unit_kind)
        if step != "confirm":
            texts = review_share(plan, texts)
            return _page(course, mode="confirm", texts=texts, unit_kind=unit_kind)
        texts = review_texts(plan, texts)
        _share(course, texts, unit_kind)
    except WorkshopError as refused:
        mode = "confirm" if refused.code == "cpr" else "edit"
        return _page(course, mode=mode, texts=texts, unit_kind=unit_kind, refusal=refused)
    return redirect(url_for(".share", course_id=course.id))


def _share(course, texts: dict[str, str], unit_kind: str) -> None:
    """Share what was reviewed and confirmed (the review's token, the CPR answer)."""
    made, replaced = share_course(
        course,
        current_user,
        texts=texts,
        unit_kind=unit_kind,
        revision=request.form.get("revision", "")[:40],
        allow_cpr_like=bool(request.form.get("not_cpr")),
    )
    detail = {"replaced": bool(replaced)}
    record("share_made", course=course, target_kind="share", target_id=made.id, detail=detail)
    if replaced:
        flash(
            _(
                "The course was already shared. The new results have replaced the earlier "
                "ones in the experience bank."
            )
        )
    else:
        flash(_("The course's results are shared with the experience bank."))


@bp.post("/f/courses/<int:course_id>/share/withdraw")
def withdraw(course_id: int):
    """Take the course's results out of the experience bank."""
    course = facilitator_course(course_id)
    back = url_for(".share", course_id=course.id)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    try:
        withdrawn = withdraw_share(course)
    except WorkshopError as refused:
        return refusal_reply(refused, redirect_to=back)
    record("share_withdrawn", course=course, target_kind="share", target_id=withdrawn.id)
    flash(
        _(
            "The results are withdrawn from the experience bank. Solutions other "
            "courses already copied stay with them, as their own."
        )
    )
    return redirect(back)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/bank/<int:shared_id>/copy")
def copy(course_id: int, card_id: int, shared_id: int):
    """Copy another course's shared solution to this challenge, as a starting proposal."""
    course = facilitator_course(course_id)
    card = card_in_course(course, card_id)
    if card is None:
        return back_to_panel(course)
    back = (
        url_for("challenges.card", course_id=course.id, card_id=card.id)
        if request.form.get("back") == "card"
        else panel_url(course)
    )
    if not ActionForm().validate_on_submit():
        return redirect(back)
    try:
        copy_shared_solution(course, card, shared_id)
    except WorkshopError as refused:
        return refusal_reply(refused, redirect_to=back)
    flash(_("The solution is copied to the challenge as a starting proposal."))
    return redirect(back)
