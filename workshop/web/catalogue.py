"""The requirement catalogue: search on the laptop, the projector and phones; local rules."""

from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from workshop.audit import record
from workshop.catalogue import (
    add_local_rule,
    catalogue_acts,
    local_rules,
    search_requirements,
)
from workshop.core.errors import WorkshopError
from workshop.core.extensions import htmx
from workshop.core.models import Requirement
from workshop.core.vocabulary import CONFIDENCE, LOCAL_RULE_KINDS, REQUIREMENT_STATUSES, SECTORS
from workshop.corrections import (
    confirm_correction,
    correction_of,
    corrections_for,
    edit_local_rule,
    law_entry,
    local_rule,
    outdated_corrections,
    remove_correction,
    restore_local_rule,
    retire_local_rule,
    save_correction,
    undo_repeal,
)
from workshop.experience import experience_for_keys
from workshop.web.common import (
    course_by_code,
    current_participant,
    facilitator_course,
    safe_local_path,
)
from workshop.web.forms import SaneYears, vocabulary_choices
from workshop.web.refusals import admins_only, refusal_reply
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


class CorrectionForm(FlaskForm):
    """An organisation admin's correction of a law entry: every field optional but one."""

    note = TextAreaField(_l("Local note"))
    paragraph = StringField(_l("Corrected paragraph"))
    status = SelectField(_l("Corrected status"), validate_choice=False)
    source = TextAreaField(_l("Source"))
    confidence = SelectField(
        _l("How sure are you?"),
        choices=lambda: vocabulary_choices(CONFIDENCE),
        validate_choice=False,
    )

    def set_status_choices(self, requirement: Requirement) -> None:
        self.status.choices = [
            SelectChoice("", _("As shipped: %(status)s", status=_status(requirement.status))),
            *vocabulary_choices(REQUIREMENT_STATUSES),
        ]


def _status(status: str) -> str:
    return str(REQUIREMENT_STATUSES.get(status, status))


class RetireForm(FlaskForm):
    value = HiddenField()  # "1": retire; "0": offer it again


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
    # The organisation's own corrections beside the shipped entries, for its users only.
    context.setdefault("corrections", corrections_for(context.pop("organisation_id", None)))
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
        organisation_id=current_user.organisation_id,
        can_correct=current_user.is_admin,
        outdated=outdated_corrections(current_user.organisation_id)
        if current_user.is_admin
        else [],
        retire_form=RetireForm(),
    )


@bp.route("/f/courses/<int:course_id>/projector/catalogue")
def projector_search(course_id: int):
    """The catalogue in large type, for searching together on the big screen."""
    course = facilitator_course(course_id)
    return _search(
        course.facilitator_id,
        "catalogue/_results.html",
        "catalogue/projector.html",
        organisation_id=course.organisation_id,
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
        organisation_id=course.organisation_id,
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
        return render_template(page, form=form, back=back, rule=None), (422 if form.errors else 200)
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
        return refusal_reply(refused, page=page, form=form, back=back, rule=None)
    flash(_("The local rule “%(name)s” has been added to the catalogue.", name=rule.name_da))
    return redirect(back or url_for(".search"))


# --- Local rules: edit, retire (issue 18) ---------------------------------------------------


def _own_rule(key: str) -> Requirement:
    rule = local_rule(current_user, key)
    if rule is None:
        abort(404)  # another organisation's rule is not in this catalogue
    return rule


@bp.route("/f/catalogue/local/<key>/edit", methods=["GET", "POST"])
@login_required
def edit_rule(key: str):
    """Change one of the organisation's local rules; the cards linked to it keep the wording
    they were linked to and say it changed."""
    rule = _own_rule(key)
    form = LocalRuleForm(obj=None if request.method == "POST" else _rule_fields(rule))
    page, context = "catalogue/local_rule_form.html", {"rule": rule, "retire_form": RetireForm()}
    if not form.validate_on_submit():
        return render_template(page, form=form, **context), (422 if form.errors else 200)
    try:
        edit_local_rule(
            current_user,
            rule,
            name=form.name.data,
            kind=form.kind.data,
            description=form.description.data,
            decided_by=form.decided_by.data,
            decided_on=form.decided_on.data,
        )
    except WorkshopError as refused:
        return refusal_reply(refused, page=page, form=form, **context)
    flash(_("The local rule “%(name)s” has been saved.", name=rule.name_da))
    return redirect(url_for(".search", _anchor="local-rules"))


def _rule_fields(rule: Requirement):
    """The form's fields as the rule reads now (its kind is `local_kind` in the model)."""

    return SimpleNamespace(
        name=rule.name_da,
        kind=rule.local_kind,
        description=rule.description,
        decided_by=rule.decided_by,
        decided_on=rule.decided_on,
    )


@bp.post("/f/catalogue/local/<key>/retired")
@login_required
def retire_rule(key: str):
    """Retire ("1": offered for no new link, still on the cards that link it) or offer a
    local rule again ("0")."""
    rule = _own_rule(key)
    form = RetireForm()
    if form.validate_on_submit():
        if form.value.data == "1":
            if retire_local_rule(rule):
                _record_rule("local_rule_retired", rule)
            flash(_("“%(name)s” is retired: no longer offered for new links.", name=rule.name_da))
        else:
            if restore_local_rule(rule):
                _record_rule("local_rule_offered_again", rule)
            flash(_("“%(name)s” is offered again.", name=rule.name_da))
    return redirect(url_for(".search", _anchor="local-rules"))


def _record_rule(action: str, rule: Requirement) -> None:
    record(action, target_kind="requirement", target_id=rule.id, detail={"rule": rule.key})


@bp.post("/f/catalogue/local/<key>/repeal/undo")
@login_required
def undo_repeal_view(key: str):
    """Take back the mark "ophævet <dato>, forløb <titel>" on every card of the organisation
    that links the rule (a wrong rule, or an action set back from implemented)."""
    rule = _own_rule(key)
    back = url_for(".edit_rule", key=rule.key)
    if RetireForm().validate_on_submit():
        try:
            undo_repeal(rule)
        except WorkshopError as refused:
            return refusal_reply(refused, redirect_to=back)
        _record_rule("local_rule_repeal_undone", rule)
        flash(
            _(
                "“%(name)s” is no longer marked as repealed: the cards that link it show it "
                "as before.",
                name=rule.name_da,
            )
        )
    return redirect(back)


# --- An organisation's corrections of the law entries (issue 18) -------------------------

CORRECTIONS_REFUSED = _l("Only an admin of your organisation can correct the catalogue.")


def _law_entry_or_404(key: str) -> Requirement:
    requirement = law_entry(key)
    if requirement is None:
        abort(404)
    return requirement


def _correction_page(requirement: Requirement, form: CorrectionForm, status: int = 200, **extra):
    context = {
        "r": requirement,
        "form": form,
        "correction": correction_of(current_user.organisation_id, requirement),
        "button_form": RetireForm(),  # a CSRF token for the confirm and remove buttons
        **extra,
    }
    return render_template("catalogue/correction.html", **context), status


def _record_correction(action: str, requirement: Requirement) -> None:
    record(
        action,
        target_kind="requirement",
        target_id=requirement.id,
        detail={"entry": requirement.key},
    )


@bp.route("/f/catalogue/<key>/correction", methods=["GET", "POST"])
@login_required
@admins_only(CORRECTIONS_REFUSED)
def correction(key: str):
    """The admin's correction of a law entry, for their organisation, beside the entry."""
    requirement = _law_entry_or_404(key)
    existing = correction_of(current_user.organisation_id, requirement)
    form = CorrectionForm(obj=existing if request.method == "GET" else None)
    form.set_status_choices(requirement)
    if not form.validate_on_submit():
        return _correction_page(requirement, form, 422 if form.errors else 200)
    try:
        save_correction(
            current_user,
            requirement,
            note=form.note.data,
            paragraph=form.paragraph.data,
            status=form.status.data,
            source=form.source.data,
            confidence=form.confidence.data,
        )
    except WorkshopError as refused:
        return _correction_page(requirement, form, 422, refusal=refused)
    _record_correction("correction_saved", requirement)
    flash(_("Your organisation's correction of %(key)s has been saved.", key=requirement.key))
    return redirect(url_for(".correction", key=requirement.key))


@bp.post("/f/catalogue/<key>/correction/confirm")
@login_required
@admins_only(CORRECTIONS_REFUSED)
def confirm_correction_view(key: str):
    """The shipped entry changed; the admin read it and the correction still holds."""
    requirement = _law_entry_or_404(key)
    back = url_for(".correction", key=requirement.key)
    if RetireForm().validate_on_submit():
        try:
            confirm_correction(current_user, requirement)
        except WorkshopError as refused:
            return refusal_reply(refused, redirect_to=back)
        _record_correction("correction_confirmed", requirement)
        flash(_("The correction is confirmed against the shipped entry as it reads now."))
    return redirect(back)


@bp.post("/f/catalogue/<key>/correction/remove")
@login_required
@admins_only(CORRECTIONS_REFUSED)
def remove_correction_view(key: str):
    """Withdraw the organisation's correction: the shipped entry alone again."""
    requirement = _law_entry_or_404(key)
    if RetireForm().validate_on_submit():
        if remove_correction(current_user, requirement):
            _record_correction("correction_removed", requirement)
        flash(_("The correction has been removed; the shipped entry stands alone."))
    return redirect(url_for(".correction", key=requirement.key))
