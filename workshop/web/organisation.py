"""The organisation: its admin page (facilitators, admins, deactivation) and the overview
across its courses (bars and a CSV).

Every facilitator sees their organisation's page and overview; only its admins change
anything (a facilitator who is not admin gets 403 with a message). A facilitator of
another organisation is never found (404).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired

from workshop.audit import record
from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.text import tidy
from workshop.core.vocabulary import RESULT_SPLITS, SECTORS
from workshop.departments import (
    add_department,
    department_in_organisation,
    departments_of,
    move_department,
    rename_department,
    set_retired,
)
from workshop.facilitators import create_facilitator
from workshop.organisations import (
    ORGANISATION_KINDS,
    admins,
    facilitator_in_organisation,
    set_active,
    set_admin,
)
from workshop.privacy import set_controller
from workshop.reports.overview import Filters, build_overview, organisation_courses, overview_csv
from workshop.sso import (
    changes_for_audit,
    configure_sign_on,
    secret_source,
    secret_variable,
    settings_of,
)
from workshop.web.common import date_range_from_args
from workshop.web.errors import error_response
from workshop.web.exports import CSV_TYPE, file_download
from workshop.web.refusals import admins_only, form_refusal, refusal_reply

bp = Blueprint("organisation", __name__, url_prefix="/f")

MANAGE_REFUSED = _l("Only an admin of your organisation can manage its facilitators.")


# --- Forms --------------------------------------------------------------------------------


class AddFacilitatorForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter an email address."))])
    name = StringField(_l("Name (optional)"))
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(_l("Give an initial password of at least 8 characters."))],
    )
    is_admin = BooleanField(_l("Organisation admin"))


class SignOnForm(FlaskForm):
    """The organisation's single sign-on (workshop/sso.py checks the values)."""

    label = StringField(_l("Name on the login button"))
    issuer = StringField(_l("Issuer"))
    client_id = StringField(_l("Client id"))
    client_secret = PasswordField(_l("Client secret"))
    slug = StringField(_l("Short name in the sign-in address"))
    allowed_domains = TextAreaField(_l("Email domains that may sign in"))
    allowed_groups = TextAreaField(_l("Groups that may sign in"))
    groups_claim = StringField(_l("Claim holding the groups"), default="groups")
    password_login = BooleanField(_l("Password login stays on"), default=True)
    enabled = BooleanField(_l("Single sign-on is on"), default=True)


def _sign_on_form(organisation) -> SignOnForm:
    sign_on = organisation.sign_on
    form = SignOnForm(formdata=None, obj=sign_on)
    form.client_secret.data = ""  # never sent back to the browser
    if sign_on is None:
        form.slug.data = ""
    return form


class ControllerForm(FlaskForm):
    """The privacy notice's data controller and contact (issue 19)."""

    controller_name = StringField(_l("Data controller"))
    privacy_contact = StringField(_l("Contact for questions about data (e.g. the DPO)"))


class DepartmentForm(FlaskForm):
    """Add or rename a department (workshop/departments.py checks the values)."""

    name = StringField(_l("Name of the department"))
    sector = SelectField(
        _l("Sector"), choices=[SelectChoice(key, label) for key, label in SECTORS.items()]
    )


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])


class FlagForm(FlaskForm):
    """A button that turns something on ("1") or off ("0")."""

    value = HiddenField(validators=[AnyOf(["1", "0"])])


# --- The organisation's page --------------------------------------------------------------


@bp.before_request
@login_required
def require_login():
    """Every page here needs a login."""


def _page(
    refusal: WorkshopError | None = None,
    refused_at: str = "",
    *,
    form: AddFacilitatorForm | None = None,
    sign_on_form: SignOnForm | None = None,
    controller_form: ControllerForm | None = None,
    department_form: DepartmentForm | None = None,
    rename_form: DepartmentForm | None = None,
    renaming: int | None = None,
):
    """The organisation's page; a refusal is said (422) in the section `refused_at`
    ("add-facilitator", "sign-on", "privacy"), beside the form as it was sent."""
    organisation = current_user.organisation
    sign_on = organisation.sign_on
    context = {
        "organisation": organisation,
        "kinds": ORGANISATION_KINDS,
        "facilitators": organisation.facilitators,
        "admin_count": len(admins(organisation)),
        "form": form or AddFacilitatorForm(formdata=None),
        "sign_on": sign_on,
        "sign_on_form": sign_on_form or _sign_on_form(organisation),
        "secret_source": secret_source(sign_on),
        "secret_variable": secret_variable(sign_on.slug) if sign_on else None,
        "controller_form": controller_form or _controller_form(organisation),
        "departments": departments_of(organisation),
        "department_form": department_form or DepartmentForm(formdata=None, prefix="department"),
        "rename_form": rename_form,
        "renaming": renaming,
        "sectors": SECTORS,
    }
    if refusal is not None:
        return refusal_reply(
            refusal, page="organisation/page.html", refused_at=refused_at, **context
        )
    return render_template("organisation/page.html", **context)


def _controller_form(organisation) -> ControllerForm:
    return ControllerForm(
        formdata=None,
        controller_name=organisation.controller_name,
        privacy_contact=organisation.privacy_contact,
    )


@bp.route("/organisation")
def page():
    """Who facilitates in the organisation; for admins, the forms to manage them."""
    return _page()


@bp.post("/organisation/facilitators")
@admins_only(MANAGE_REFUSED)
def add_facilitator():
    form = AddFacilitatorForm()
    if not form.validate_on_submit():
        return _page(form_refusal(form), "add-facilitator", form=form)
    try:
        added = create_facilitator(
            form.email.data,
            form.password.data,
            form.name.data or "",
            current_user.organisation,
            is_admin=bool(form.is_admin.data),
        )
    except WorkshopError as refused:
        return _page(refused, "add-facilitator", form=form)
    detail = {"admin": bool(added.is_admin)}
    record("facilitator_added", target_kind="facilitator", target_id=added.id, detail=detail)
    flash(
        _(
            "%(email)s can now log in. Give them the initial password in person.",
            email=added.email,
        )
    )
    return redirect(url_for(".page"))


@bp.post("/organisation/sign-on")
@admins_only(MANAGE_REFUSED)
def sign_on():
    """Set the organisation's identity provider (admins only)."""
    form = SignOnForm()
    if not form.validate_on_submit():
        return _page(form_refusal(form), "sign-on", sign_on_form=form)
    before = settings_of(current_user.organisation.sign_on)
    try:
        saved = configure_sign_on(
            current_user.organisation, **_sign_on_settings(form), by=current_user
        )
    except WorkshopError as refused:
        form.client_secret.data = ""
        return _page(refused, "sign-on", sign_on_form=form)
    detail = changes_for_audit(before, saved)
    record("sign_on_changed", target_kind="sign_on", target_id=saved.id, detail=detail)
    flash(_("Single sign-on is saved."))
    return redirect(url_for(".page", _anchor="sign-on"))


def _sign_on_settings(form: SignOnForm) -> dict:
    """The form's values as configure_sign_on takes them."""
    texts = ("label", "issuer", "client_id", "client_secret", "allowed_domains")
    texts += ("allowed_groups", "groups_claim", "slug")
    settings: dict = {name: getattr(form, name).data or "" for name in texts}
    settings["password_login"] = bool(form.password_login.data)
    settings["enabled"] = bool(form.enabled.data)
    return settings


@bp.post("/organisation/privacy")
@admins_only(_l("Only an admin of your organisation can change its privacy notice."))
def privacy():
    """The data controller and contact that participants' privacy notice names."""
    form = ControllerForm()
    if not form.validate_on_submit():
        return _page(form_refusal(form), "privacy", controller_form=form)
    organisation = current_user.organisation
    try:
        set_controller(organisation, form.controller_name.data, form.privacy_contact.data)
    except WorkshopError as refused:
        return _page(refused, "privacy", controller_form=form)
    record("privacy_notice_changed", target_kind="organisation", target_id=organisation.id)
    flash(_("The privacy notice is saved."))
    return redirect(url_for(".page", _anchor="privacy"))


# --- The organisation's departments (issue 14) ---------------------------------------------

DEPARTMENTS_REFUSED = _l("Only an admin of your organisation can change its departments.")


@bp.post("/organisation/departments")
@admins_only(DEPARTMENTS_REFUSED)
def add_department_view():
    """A department added at the end of the list."""
    form = DepartmentForm(prefix="department")
    if not form.validate_on_submit():
        return _page(form_refusal(form), "departments", department_form=form)
    try:
        added = add_department(current_user.organisation, form.name.data, form.sector.data)
    except WorkshopError as refused:
        return _page(refused, "departments", department_form=form)
    record("department_added", target_kind="department", target_id=added.id)
    flash(_("%(name)s is added.", name=added.name))
    return redirect(url_for(".page", _anchor="departments"))


@bp.post("/organisation/departments/<int:department_id>/rename")
@admins_only(DEPARTMENTS_REFUSED)
def rename_department_view(department_id: int):
    """A new name and sector; the form stays open with the typed name when refused."""
    department = _department(department_id)
    form = DepartmentForm()
    if not form.validate_on_submit():
        return _page(form_refusal(form), "departments", rename_form=form, renaming=department.id)
    try:
        rename_department(department, form.name.data, form.sector.data)
    except WorkshopError as refused:
        return _page(refused, "departments", rename_form=form, renaming=department.id)
    record("department_renamed", target_kind="department", target_id=department.id)
    flash(_("The department is now called %(name)s.", name=department.name))
    return redirect(url_for(".page", _anchor=f"department-{department.id}"))


@bp.post("/organisation/departments/<int:department_id>/retired")
@admins_only(DEPARTMENTS_REFUSED)
def retire_department_view(department_id: int):
    """Retire ("1": no longer offered when joining) or bring back ("0") a department."""
    department = _department(department_id)
    back = url_for(".page", _anchor=f"department-{department.id}")
    form = FlagForm()
    if not form.validate_on_submit():
        return refusal_reply(WorkshopError(_("Check the form and try again.")), redirect_to=back)
    retire, before = form.value.data == "1", department.retired_at is not None
    try:
        set_retired(department, retire)
    except WorkshopError as refused:
        return refusal_reply(refused, redirect_to=back)
    if before != retire:
        code = "department_retired" if retire else "department_reactivated"
        record(code, target_kind="department", target_id=department.id)
    done = _("%(name)s is retired.") if retire else _("%(name)s is offered again.")
    flash(done % {"name": department.name})
    return redirect(back)


@bp.post("/organisation/departments/<int:department_id>/move")
@admins_only(DEPARTMENTS_REFUSED)
def move_department_view(department_id: int):
    """One place up or down in the order the join page offers."""
    department = _department(department_id)
    back = url_for(".page", _anchor=f"department-{department.id}")
    form = MoveForm()
    if not form.validate_on_submit():
        return refusal_reply(WorkshopError(_("Check the form and try again.")), redirect_to=back)
    move_department(department, form.direction.data)
    detail = {"direction": form.direction.data}
    record("department_moved", target_kind="department", target_id=department.id, detail=detail)
    return redirect(back)


def _department(department_id: int):
    try:
        return department_in_organisation(current_user.organisation, department_id)
    except WorkshopError:
        abort(404)


def _member(facilitator_id: int):
    try:
        return facilitator_in_organisation(current_user.organisation, facilitator_id)
    except WorkshopError:
        abort(404)


@bp.post("/organisation/facilitators/<int:facilitator_id>/admin")
@admins_only(MANAGE_REFUSED)
def admin(facilitator_id: int):
    """Make a facilitator an admin, or not (the last admin stays)."""
    return _flag(
        facilitator_id,
        "is_admin",
        set_admin,
        ("admin_granted", "admin_revoked"),
        _("%(email)s is now an admin."),
        _("%(email)s is no longer an admin."),
    )


@bp.post("/organisation/facilitators/<int:facilitator_id>/active")
@admins_only(MANAGE_REFUSED)
def active(facilitator_id: int):
    """Deactivate a login (the courses stay with the organisation), or reactivate it."""
    return _flag(
        facilitator_id,
        "active",
        lambda member, on: set_active(member, on, by=current_user),
        ("facilitator_activated", "facilitator_deactivated"),
        _("%(email)s can log in again."),
        _("%(email)s can no longer log in. Their courses stay with the organisation."),
    )


def _flag(facilitator_id: int, attribute: str, change, codes, done_on: str, done_off: str):
    """Turn a facilitator's flag on ("1") or off ("0"); the audit trail gets a line (its
    code from `codes`: on, off) only when the flag changed."""
    member = _member(facilitator_id)
    back = url_for(".page", _anchor=f"facilitator-{member.id}")
    form = FlagForm()
    if not form.validate_on_submit():
        refusal = WorkshopError(_("Check the form and try again."))
        return refusal_reply(refusal, redirect_to=url_for(".page"))
    on = form.value.data == "1"
    before = getattr(member, attribute)
    try:
        change(member, on)
    except WorkshopError as refused:
        return refusal_reply(refused, redirect_to=back)
    if before != on:  # pressing the button for what already holds changes nothing
        record(codes[0] if on else codes[1], target_kind="facilitator", target_id=member.id)
    flash((done_on if on else done_off) % {"email": member.email})
    return redirect(back)


# --- The overview across courses ----------------------------------------------------------


def _filters() -> tuple[Filters, list[str]]:
    """The filters from the query string; a bad date is ignored with a message."""
    since, until, problems = date_range_from_args()
    # Tidied: PostgreSQL refuses a NUL even in a query's parameter.
    municipality = " ".join(tidy(request.args.get("municipality")).split())[:120]
    return Filters(municipality, since, until), problems


@bp.route("/overview")
def overview():
    """Across the organisation's courses: origins, requirements, solution types, actions."""
    filters, problems = _filters()
    data = build_overview(current_user.organisation, filters, _split())
    return render_template(
        "organisation/overview.html",
        organisation=current_user.organisation,
        overview=data,
        filters=filters,
        problems=problems,
        splits=RESULT_SPLITS,
    ), (422 if problems else 200)


def _split() -> str:
    """The overview's split (the facilitator's own view, so a parameter): role by default."""
    split = request.args.get("split", "role")
    return split if split in RESULT_SPLITS else "role"


@bp.route("/overview.csv")
def overview_download():
    filters, problems = _filters()
    if problems:
        return error_response(422, problems[0])
    courses = organisation_courses(current_user.organisation, filters)
    body = overview_csv(courses, _split())
    record("exported", detail={"file": "overview_csv"})
    # Only ASCII in the header's filename ("oversigt" in Danish).
    name = "".join(c for c in _("overview") if c.isascii() and c.isalnum()) or "overview"
    return file_download(body, f"{name}-{local_today().isoformat()}.csv", CSV_TYPE)
