"""Feedback beyond the state (issue 18 part 6): to the IT vendor and to the political
committee or top management. Each route is a blueprint of the same shape as the state's
(web/state_feedback.py): flag a card on its page, list the flagged cards, download the
document (PDF, CSV); managers get both through their read-only link, because they are the
ones who send them on.

`_routes(route)` builds one blueprint per route, so every endpoint has its own name
("vendor_feedback.pdf", "political_feedback.pdf") and its own line in docs/urls.md.
The panel's form is drawn by the card page (web/steps/challenges.py); a refusal shows that
card page again, with the reason in the route's panel."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workshop.audit import record
from workshop.cards import card_in_course
from workshop.core.errors import WorkshopError
from workshop.core.models import Card, Course
from workshop.core.text import slugify
from workshop.exchange import ascii_filename, local_feedback_csv
from workshop.local_feedback import (
    ASKS,
    ESTIMATE_PER,
    ROUTES,
    Route,
    flag_for,
    has_local_feedback,
    local_document,
    unflag_for,
)
from workshop.manager_links import course_for_token
from workshop.reports.pdf import cached_pdf_of_html, css_string, long_date
from workshop.web.common import facilitator_course
from workshop.web.forms import ActionForm
from workshop.web.refusals import back_to_panel, form_refusal
from workshop.web.steps.challenges import (
    LocalFeedbackForm,
    local_feedback_panels,
    refused_card_page,
)


@dataclass(frozen=True)
class Page:
    """A route as the web shows it: its blueprint, URL part, titles and file name."""

    route: Route
    blueprint: str
    slug: str  # in the URL: /f/courses/<id>/<slug>.pdf
    title: object  # lazy strings
    recipient: object
    filename: object


PAGES = {
    "it_vendor": Page(
        ROUTES["it_vendor"],
        "vendor_feedback",
        "vendor-feedback",
        _l("Feedback to the IT vendor"),
        _l("The IT vendor"),
        _l("feedback-to-the-it-vendor"),
    ),
    "politics": Page(
        ROUTES["politics"],
        "political_feedback",
        "political-feedback",
        _l("Feedback to the committee / top management"),
        _l("The political committee / the top management"),
        _l("feedback-to-the-committee"),
    ),
}


def _filename(course: Course, page: Page, extension: str) -> str:
    return ascii_filename(course, slugify(str(page.filename)) or "feedback", extension)


def _manager_course(token: str) -> Course:
    course = course_for_token(token)
    if course is None:
        abort(404)  # unknown and revoked look the same
    return course


def _manager_headers(response):
    # As on every manager page: the token never leaves in a Referer, no search engine.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _pdf(course: Course, page: Page):
    steps = current_app.extensions["samskabt_steps"]
    html = render_template(
        "report/local_feedback.html",
        document=local_document(course, page.route),
        page=page,
        course=course,
        step_title=steps[course.current_step - 1].title,
        ESTIMATE_PER=ESTIMATE_PER,
        ASKS=ASKS,
        long_date=long_date,
        css_string=css_string,
    )
    response = current_app.response_class(
        cached_pdf_of_html(course, html), mimetype="application/pdf"
    )
    response.headers.set(
        "Content-Disposition", "attachment", filename=_filename(course, page, "pdf")
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _csv(course: Course, page: Page):
    # content_type, not mimetype: Werkzeug adds "; charset=utf-8" to a text mimetype itself.
    response = current_app.response_class(
        local_feedback_csv(course, page.route), content_type="text/csv; charset=utf-8"
    )
    response.headers.set(
        "Content-Disposition", "attachment", filename=_filename(course, page, "csv")
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _file(page: Page, kind: str) -> str:
    return f"{page.blueprint}_{kind}"


def _routes(page: Page) -> Blueprint:
    """The blueprint of one route beyond the state."""
    bp = Blueprint(page.blueprint, __name__)
    anchor = f"{page.slug}"

    def back_to_card(course: Course, card: Card):
        return redirect(
            url_for("challenges.card", course_id=course.id, card_id=card.id, _anchor=anchor)
        )

    @bp.post(f"/f/courses/<int:course_id>/cards/<int:card_id>/{page.slug}")
    def save(course_id: int, card_id: int):
        """Put the card in the route's document, or update what it says."""
        course = facilitator_course(course_id)
        card = card_in_course(course, card_id)
        if card is None:
            return back_to_panel(course)
        form = LocalFeedbackForm(prefix=page.route.key)
        try:
            if not form.validate_on_submit():
                raise form_refusal(form)
            flag_for(
                page.route,
                card,
                subject=form.subject.data,
                decided_by=form.decided_by.data,
                decided_on=form.decided_on.data,
                cost=form.cost.data,
                estimate_minutes=form.estimate_minutes.data,
                estimate_per=form.estimate_per.data,
                measure_id=form.measure.data or None,
                ask=form.ask.data,
                proposal=form.proposal.data,
            )
        except WorkshopError as refused:
            panels = local_feedback_panels(course, card, {page.route.key: form})
            return refused_card_page(course, card, refused, error_at=page.slug, **panels)
        flash(_("The card is in the document: %(title)s.", title=page.title))
        return back_to_card(course, card)

    @bp.post(f"/f/courses/<int:course_id>/cards/<int:card_id>/{page.slug}/delete")
    def remove(course_id: int, card_id: int):
        """Take the card out of the route's document."""
        course = facilitator_course(course_id)
        card = card_in_course(course, card_id)
        if card is None:
            return back_to_panel(course)
        if ActionForm().validate_on_submit() and unflag_for(page.route, card):
            flash(_("The card has been taken out of the document: %(title)s.", title=page.title))
        return back_to_card(course, card)

    @bp.get(f"/f/courses/<int:course_id>/{page.slug}")
    def overview(course_id: int):
        """The flagged cards, grouped, with links to their pages and to the document."""
        course = facilitator_course(course_id)
        return render_template(
            "local_feedback/overview.html",
            course=course,
            page=page,
            document=local_document(course, page.route),
            ESTIMATE_PER=ESTIMATE_PER,
            ASKS=ASKS,
        )

    @bp.get(f"/f/courses/<int:course_id>/{page.slug}.pdf")
    def pdf(course_id: int):
        course = facilitator_course(course_id)
        response = _pdf(course, page)
        record("exported", course=course, detail={"file": _file(page, "pdf")})
        return response

    @bp.get(f"/f/courses/<int:course_id>/{page.slug}.csv")
    def csv(course_id: int):
        course = facilitator_course(course_id)
        response = _csv(course, page)
        record("exported", course=course, detail={"file": _file(page, "csv")})
        return response

    @bp.get(f"/m/<token>/{page.slug}.pdf")
    def manager_pdf(token: str):
        """The same PDF through a manager's read-only link (they send it on)."""
        course = _manager_course(token)
        response = _pdf(course, page)
        detail = {"file": _file(page, "pdf"), "via": "manager_link"}
        record("exported", actor=None, course=course, detail=detail)
        return _manager_headers(response)

    @bp.get(f"/m/<token>/{page.slug}.csv")
    def manager_csv(token: str):
        """The same CSV through a manager's read-only link."""
        course = _manager_course(token)
        response = _csv(course, page)
        detail = {"file": _file(page, "csv"), "via": "manager_link"}
        record("exported", actor=None, course=course, detail=detail)
        return _manager_headers(response)

    return bp


def local_feedback_offers(course: Course) -> list[Page]:
    """The routes beyond the state whose document has a card (the manager page offers those)."""
    return [page for page in PAGES.values() if has_local_feedback(course, page.route)]


blueprints = [_routes(page) for page in PAGES.values()]
# The control panel links to every route's page; the manager page offers the non-empty ones.
blueprints[0].add_app_template_global(local_feedback_offers)
blueprints[0].add_app_template_global(PAGES, "LOCAL_FEEDBACK_PAGES")
