"""Cards from people who are not in the room (issue 18, workshop.card_box): the
facilitator's card box page (its window, its link and QR code, renewing the link, closing
early) with the form for paper cards, and the box itself, the public page colleagues open
from the intranet or a notice board, without an account."""

from __future__ import annotations

import io
from datetime import timedelta

import segno
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, SelectField, TextAreaField, TimeField
from wtforms.validators import InputRequired

from workshop.audit import record
from workshop.card_box import (
    add_paper_card,
    box_by_token,
    box_state,
    card_box_of,
    close_card_box,
    renew_card_box_link,
    set_card_box_window,
    submit_box_card,
)
from workshop.core.clock import danish_moment, danish_time
from workshop.core.errors import WorkshopError
from workshop.core.models import CardBox, Course, utcnow
from workshop.core.vocabulary import CARD_CATEGORIES, CITIZEN_ROLE, ROLES
from workshop.departments import join_choices
from workshop.web.common import facilitator_course, new_client_token
from workshop.web.errors import error_response
from workshop.web.forms import ActionForm, ParticipantTextForm, SaneYears, vocabulary_choices
from workshop.web.refusals import form_refusal, refusal_reply

bp = Blueprint("card_box", __name__)


# --- Forms --------------------------------------------------------------------------------


def _day(label) -> DateField:
    return DateField(
        label,
        validators=[InputRequired(_l("Give a date.")), SaneYears()],
        format=["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y"],
        invalid_value_message=_l("Give a date, e.g. 31.12.2026."),
    )


def _time(label) -> TimeField:
    return TimeField(
        label,
        validators=[InputRequired(_l("Give a time, e.g. 14:00."))],
        format=["%H:%M", "%H.%M"],
        invalid_value_message=_l("Give a time, e.g. 14:00."),
    )


class WindowForm(FlaskForm):
    """When the box opens and closes, on the clock in Denmark."""

    opens_day = _day(_l("Opens on"))
    opens_time = _time(_l("at"))
    closes_day = _day(_l("Closes on"))
    closes_time = _time(_l("at"))


class BoxCardForm(ParticipantTextForm):
    """A card in the box or from paper: the card, and its author's role and department as
    joining asks them (the domain checks both against the course)."""

    department = RadioField(_l("Department"), validate_choice=False)
    role = RadioField(_l("Role"), validate_choice=False)
    text = TextAreaField(_l("What is cumbersome?"))
    category = SelectField(_l("Category (optional)"), validate_choice=False)

    def for_course(self, course: Course) -> BoxCardForm:
        self.department.choices = [SelectChoice(v, label) for v, label in join_choices(course)]
        self.role.choices = [
            SelectChoice(key, label)
            for key, label in ROLES.items()
            if key != CITIZEN_ROLE or (course.invites_citizens and not course.across_departments)
        ]
        self.category.choices = [
            SelectChoice("", _l("No category")),
            *vocabulary_choices(CARD_CATEGORIES),
        ]
        return self

    def fresh(self, course: Course) -> BoxCardForm:
        """The next card's form: a new token, the text empty, the author's picks kept."""
        form = BoxCardForm(formdata=None).for_course(course)
        form.role.data, form.department.data = self.role.data, self.department.data
        form.client_token.data = new_client_token()
        return form


# --- The facilitator's page ---------------------------------------------------------------


@bp.route("/f/courses/<int:course_id>/card-box", methods=["GET", "POST"])
def settings(course_id: int):
    """The card box: its window (set or moved here), its link and QR code, paper cards."""
    course = facilitator_course(course_id)
    form = WindowForm()
    if request.method == "GET":
        _fill_window(form, card_box_of(course))
    elif form.validate_on_submit():
        opens = danish_moment(form.opens_day.data, form.opens_time.data)
        closes = danish_moment(form.closes_day.data, form.closes_time.data)
        try:
            box = set_card_box_window(course, opens, closes)
        except WorkshopError as refused:
            return _settings_page(course, window_form=form, window_refusal=refused)
        record("card_box_opened", course=course, target_kind="card_box", target_id=box.id)
        flash(_("The card box's window is saved."), "info")
        return redirect(url_for(".settings", course_id=course.id))
    else:
        return _settings_page(course, window_form=form, window_refusal=form_refusal(form))
    return _settings_page(course, window_form=form)


def _fill_window(form: WindowForm, box: CardBox | None) -> None:
    """The box's window, or a first suggestion: from now for two weeks, to 16:00."""
    if box is not None:
        opens, closes = danish_time(box.opens_at), danish_time(box.closes_at)
    else:
        opens = danish_time(utcnow())
        closes = (opens + timedelta(days=14)).replace(hour=16, minute=0)
    form.opens_day.data, form.opens_time.data = opens.date(), _minute(opens)
    form.closes_day.data, form.closes_time.data = closes.date(), _minute(closes)


def _minute(moment):
    return moment.time().replace(second=0, microsecond=0)


def _settings_page(course: Course, *, paper_form=None, window_form=None, **context):
    box = card_box_of(course)
    if window_form is None:
        window_form = WindowForm(formdata=None)
        _fill_window(window_form, box)
    if paper_form is None:
        paper_form = BoxCardForm(formdata=None).for_course(course)
        paper_form.role.data = request.args.get("role")
        paper_form.department.data = request.args.get("department")
        paper_form.client_token.data = new_client_token()
    refused = any(key.endswith("refusal") for key in context)
    return render_template(
        "card_box/settings.html",
        course=course,
        box=box,
        state=box_state(box) if box else None,
        paper_form=paper_form,
        window_form=window_form,
        action_form=ActionForm(),
        **context,
    ), (422 if refused else 200)


@bp.post("/f/courses/<int:course_id>/card-box/close")
def close(course_id: int):
    """Close the box now, before its window ends."""
    course = facilitator_course(course_id)
    if ActionForm().validate_on_submit():
        try:
            box = close_card_box(course)
        except WorkshopError as refused:
            return refusal_reply(refused, redirect_to=url_for(".settings", course_id=course.id))
        record("card_box_closed", course=course, target_kind="card_box", target_id=box.id)
        flash(_("The card box is closed."), "info")
    return redirect(url_for(".settings", course_id=course.id))


@bp.post("/f/courses/<int:course_id>/card-box/renew")
def renew(course_id: int):
    """A new link for the box; the old link stops working."""
    course = facilitator_course(course_id)
    if ActionForm().validate_on_submit():
        try:
            box = renew_card_box_link(course)
        except WorkshopError as refused:
            return refusal_reply(refused, redirect_to=url_for(".settings", course_id=course.id))
        record("card_box_renewed", course=course, target_kind="card_box", target_id=box.id)
        flash(_("The card box has a new link. The old link no longer works."), "info")
    return redirect(url_for(".settings", course_id=course.id, _anchor="box-link"))


@bp.route("/f/courses/<int:course_id>/card-box/qr.svg")
def qr_code(course_id: int):
    """The box's link as a QR code (SVG), for a notice board; drawn as the join QR is."""
    course = facilitator_course(course_id)
    box = card_box_of(course)
    if box is None:
        return error_response(404, _("This course has no card box yet."))
    url = url_for(".box", box_token=box.token, _external=True)
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=10, border=2, dark="#000", light="#fff", xmldecl=False
    )
    response = make_response(buffer.getvalue())
    response.headers["Content-Type"] = "image/svg+xml"
    # Not cached: renewing the link must change the picture at once.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/f/courses/<int:course_id>/paper-cards")
def paper(course_id: int):
    """The facilitator types in a paper card, with its author's role and department."""
    course = facilitator_course(course_id)
    form = BoxCardForm().for_course(course)
    if not form.validate_on_submit():
        return _settings_page(course, paper_form=form, paper_refusal=form_refusal(form))
    try:
        add_paper_card(
            course,
            form.text.data,
            form.category.data or "",
            role=form.role.data,
            department=form.department.data,
            client_token=form.client_token.data,
            allow_cpr_like=form.not_cpr.data,
        )
    except WorkshopError as refused:
        return _settings_page(course, paper_form=form, paper_refusal=refused)
    flash(_("The paper card is on the wall."), "info")
    # The next paper card is often from the same pile: its author's picks stay.
    picks = {"role": form.role.data, "department": form.department.data or None}
    return redirect(url_for(".settings", course_id=course.id, **picks, _anchor="paper-card"))


# --- The box, for colleagues ---------------------------------------------------------------


@bp.route("/k/<box_token>", methods=["GET", "POST"])
def box(box_token: str):
    """The card box: a colleague adds cards, one at a time, while the window is open."""
    box = box_by_token(box_token)
    if box is None:
        return error_response(
            404,
            _(
                "This card box link does not work. It may have been replaced by a new one: "
                "ask the facilitator of the course for the link."
            ),
        )
    form = BoxCardForm().for_course(box.course)
    if request.method == "GET":
        form = form.fresh(box.course)
        form.role.data = request.args.get("role")
        form.department.data = request.args.get("department")
        return _box_page(box, form, sent=request.args.get("sent") == "1")
    refused = None if form.validate_on_submit() else form_refusal(form)
    try:
        if refused is None:
            _send(box, form)
    except WorkshopError as refusal:
        refused = refusal
    if refused is not None:
        return refusal_reply(refused, page="card_box/box.html", **_box_context(box, form))
    # After the post, a page of its own: a reload sends nothing again.
    picks = {"role": form.role.data, "department": form.department.data or None}
    return redirect(url_for(".box", box_token=box.token, sent="1", **picks, _anchor="box-form"))


def _send(box: CardBox, form: BoxCardForm) -> None:
    submit_box_card(
        box,
        form.text.data,
        form.category.data or "",
        role=form.role.data,
        department=form.department.data,
        client_token=form.client_token.data,
        allow_cpr_like=form.not_cpr.data,
    )


def _box_context(box: CardBox, form: BoxCardForm, *, sent: bool = False) -> dict:
    return {"box": box, "course": box.course, "state": box_state(box), "form": form, "sent": sent}


def _box_page(box: CardBox, form: BoxCardForm, *, sent: bool = False):
    return render_template("card_box/box.html", **_box_context(box, form, sent=sent))


@bp.after_request
def keep_the_token_in(response):
    """The box's page names its secret in its address: like a manager link's, it never
    leaves in a Referer, and no shared cache keeps the page."""
    if request.endpoint == "card_box.box":
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response
