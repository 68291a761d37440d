"""The requirement catalogue: search on the laptop, the projector and phones; local rules."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from workshop.catalogue import (
    add_local_rule,
    catalogue_acts,
    local_rules,
    search_requirements,
)
from workshop.core.errors import WorkshopError
from workshop.core.extensions import htmx
from workshop.core.vocabulary import LOCAL_RULE_KINDS, SECTORS
from workshop.experience import experience_for_keys
from workshop.web.common import (
    course_by_code,
    current_participant,
    facilitator_course,
    safe_local_path,
)
from workshop.web.forms import SaneYears, vocabulary_choices
from workshop.web.refusals import refusal_reply
from workshop.web.screens import projector_context

bp = Blueprint("catalogue", __name__)


# --- Forms --------------------------------------------------------------------------------


class LocalRuleForm(FlaskForm):
    name = StringField(_l("Name of the rule"))
    kind = SelectField(
        _l("Kind of rule"),
        choices=lambda: vocabulary_choices(LOCAL_RULE_KINDS),
        validate_choice=False,
    )
    description = TextAreaField(_l("What does it require?"))
    decided_by = StringField(_l("Who decided it?"))
    decided_on = DateField(
        _l("When was it decided?"),
        validators=[Optional(), SaneYears()],
        render_kw={"placeholder": "YYYY-MM-DD"},
    )


# --- The search's filters ----------------------------------------------------------------

# The fields whose change asks the search for its results fragment (htmx's trigger name).
SEARCH_FIELDS = ("q", "act", "sector")


def catalogue_filters() -> dict:
    """The act and the sector asked for (unknown values are ignored: a link typed by hand
    shows the whole catalogue, not an error) and the choices the search box offers."""
    acts = catalogue_acts()
    act = request.args.get("act", "")
    sector = request.args.get("sector", "")
    return {
        "act": act if act in acts else "",
        "sector": sector if sector in SECTORS else "",
        "act_choices": acts,
        "sector_choices": SECTORS,
    }


def filtered_search(owner_id: int | None) -> dict:
    """The query, the filters and what they find (search_requirements)."""
    context = {"query": request.args.get("q", ""), **catalogue_filters()}
    context["results"] = search_requirements(
        context["query"], owner_id, act=context["act"], sector=context["sector"]
    )
    return context


def asks_for_results() -> bool:
    """The search box's active search asks for the results fragment only."""
    return bool(htmx) and htmx.trigger_name in SEARCH_FIELDS


# --- Views --------------------------------------------------------------------------------


def _search(
    owner_id: int, results_template: str, page_template: str, *, bank: bool = False, **context
):
    """Active search: the results fragment when the search field asks, else the whole page.
    With `bank`, each law entry says what other courses did about it (experience bank)."""
    context.update(filtered_search(owner_id))
    if bank:
        context["bank"] = experience_for_keys([r.key for r in context["results"] if not r.is_local])
    if asks_for_results():
        return render_template(results_template, **context)
    return render_template(page_template, **context)


@bp.route("/f/catalogue")
@login_required
def search():
    """The facilitator's catalogue: the law and the organisation's own rules."""
    return _search(
        current_user.id,
        "catalogue/_results.html",
        "catalogue/search.html",
        bank=True,
        local=local_rules(current_user.id),
    )


@bp.route("/f/courses/<int:course_id>/projector/catalogue")
def projector_search(course_id: int):
    """The catalogue in large type, for searching together on the big screen."""
    course = facilitator_course(course_id)
    return _search(
        course.facilitator_id,
        "catalogue/_results.html",
        "catalogue/projector.html",
        **projector_context(course),
    )


@bp.route("/c/<code>/catalogue")
def phone_search(code: str):
    """Participants search the same catalogue from their phones, read-only."""
    course = course_by_code(code)
    participant = current_participant(course)
    if participant is None:
        return redirect(url_for("participant.join_course", code=course.join_code))
    return _search(
        course.facilitator_id,
        "catalogue/_results.html",
        "catalogue/phone.html",
        course=course,
        participant=participant,
    )


@bp.route("/f/catalogue/local/new", methods=["GET", "POST"])
@login_required
def new_local_rule():
    """Add a municipal decision, a local instruction, a template or an IT requirement.

    From a card page, `next` brings the facilitator back to the card afterwards (only a
    path on this site: never a redirect elsewhere)."""
    back = safe_local_path(request.args.get("next"))
    form = LocalRuleForm()
    page = "catalogue/local_rule_form.html"
    if not form.validate_on_submit():
        return render_template(page, form=form, back=back), (422 if form.errors else 200)
    try:
        rule = add_local_rule(
            current_user,
            name=form.name.data,
            kind=form.kind.data,
            description=form.description.data,
            decided_by=form.decided_by.data,
            decided_on=form.decided_on.data,
        )
    except WorkshopError as refused:
        return refusal_reply(refused, page=page, form=form, back=back)
    flash(_("The local rule “%(name)s” has been added to the catalogue.", name=rule.name_da))
    return redirect(back or url_for(".search"))
