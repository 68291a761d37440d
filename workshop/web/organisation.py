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
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired

from workshop.audit import record
from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.text import tidy
from workshop.core.vocabulary import ROLE_GROUPS
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
from workshop.web.exports import CSV_TYPE, _download
from workshop.web.refusals import first_form_error

bp = Blueprint("organisation", __name__, url_prefix="/f")


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


class FlagForm(FlaskForm):
    """A button that turns something on ("1") or off ("0")."""

    value = HiddenField(validators=[AnyOf(["1", "0"])])


@bp.before_request
@login_required
def require_login():
    """Every page here needs a login."""


def _page(
    form: AddFacilitatorForm | None = None,
    status: int = 200,
    error: str | None = None,
    sign_on_form: SignOnForm | None = None,
    sign_on_error: str | None = None,
    controller_form: ControllerForm | None = None,
    controller_error: str | None = None,
):
    organisation = current_user.organisation
    sign_on = organisation.sign_on
    return render_template(
        "organisation/page.html",
        organisation=organisation,
        kinds=ORGANISATION_KINDS,
        facilitators=organisation.facilitators,
        admin_count=len(admins(organisation)),
        form=form or AddFacilitatorForm(formdata=None),
        error=error,
        sign_on=sign_on,
        sign_on_form=sign_on_form or _sign_on_form(organisation),
        sign_on_error=sign_on_error,
        secret_source=secret_source(sign_on),
        secret_variable=secret_variable(sign_on.slug) if sign_on else None,
        controller_form=controller_form
        or ControllerForm(
            formdata=None,
            controller_name=organisation.controller_name,
            privacy_contact=organisation.privacy_contact,
        ),
        controller_error=controller_error,
    ), status


@bp.route("/organisation")
def page():
    """Who facilitates in the organisation; for admins, the forms to manage them."""
    return _page()


@bp.post("/organisation/facilitators")
def add_facilitator():
    if not current_user.is_admin:
        return _refusal()
    form = AddFacilitatorForm()
    if not form.validate_on_submit():
        return _page(form, 422, first_form_error(form) or _("Check the form and try again."))
    try:
        added = create_facilitator(
            form.email.data,
            form.password.data,
            tidy(form.name.data),
            current_user.organisation,
            is_admin=bool(form.is_admin.data),
        )
    except WorkshopError as refused:
        return _page(form, 422, refused.message)
    record(
        "facilitator_added",
        target_kind="facilitator",
        target_id=added.id,
        detail={"admin": bool(added.is_admin)},
    )
    flash(
        _(
            "%(email)s can now log in. Give them the initial password in person.",
            email=added.email,
        )
    )
    return redirect(url_for(".page"))


@bp.post("/organisation/sign-on")
def sign_on():
    """Set the organisation's identity provider (admins only)."""
    if not current_user.is_admin:
        return _refusal()
    form = SignOnForm()
    if not form.validate_on_submit():
        return _page(
            sign_on_form=form, status=422, sign_on_error=_("Check the form and try again.")
        )
    before = settings_of(current_user.organisation.sign_on)
    try:
        saved = configure_sign_on(
            current_user.organisation,
            label=form.label.data or "",
            issuer=form.issuer.data or "",
            client_id=form.client_id.data or "",
            client_secret=form.client_secret.data or "",
            allowed_domains=form.allowed_domains.data or "",
            allowed_groups=form.allowed_groups.data or "",
            groups_claim=form.groups_claim.data or "",
            password_login=bool(form.password_login.data),
            enabled=bool(form.enabled.data),
            slug=form.slug.data or "",
            by=current_user,
        )
    except WorkshopError as refused:
        form.client_secret.data = ""
        return _page(sign_on_form=form, status=422, sign_on_error=refused.message)
    record(
        "sign_on_changed",
        target_kind="sign_on",
        target_id=saved.id,
        detail=changes_for_audit(before, saved),
    )
    flash(_("Single sign-on is saved."))
    return redirect(url_for(".page", _anchor="sign-on"))


@bp.post("/organisation/privacy")
def privacy():
    """The data controller and contact that participants' privacy notice names."""
    if not current_user.is_admin:
        return error_response(
            403, _("Only an admin of your organisation can change its privacy notice.")
        )
    form = ControllerForm()
    if not form.validate_on_submit():
        return _page(status=422, controller_form=form, controller_error=first_form_error(form))
    try:
        set_controller(
            current_user.organisation, form.controller_name.data, form.privacy_contact.data
        )
    except WorkshopError as refused:
        return _page(status=422, controller_form=form, controller_error=refused.message)
    record(
        "privacy_notice_changed", target_kind="organisation", target_id=current_user.organisation_id
    )
    flash(_("The privacy notice is saved."))
    return redirect(url_for(".page", _anchor="privacy"))


def _member(facilitator_id: int):
    try:
        return facilitator_in_organisation(current_user.organisation, facilitator_id)
    except WorkshopError:
        abort(404)


def _flag(facilitator_id: int, change, done_on: str, done_off: str):
    if not current_user.is_admin:
        return _refusal()
    member = _member(facilitator_id)
    form = FlagForm()
    if not form.validate_on_submit():
        flash(_("Check the form and try again."), "error")
        return redirect(url_for(".page"))
    on = form.value.data == "1"
    if change is set_active and not on and member.id == current_user.id:
        flash(_("You cannot deactivate your own login. Ask another admin."), "error")
        return redirect(url_for(".page", _anchor=f"facilitator-{member.id}"))
    before = member.is_admin if change is set_admin else member.active
    try:
        change(member, on)
    except WorkshopError as refused:
        flash(refused.message, "error")
    else:
        if before != on:  # pressing the button for what already holds changes nothing
            codes = {
                (True, True): "admin_granted",
                (True, False): "admin_revoked",
                (False, True): "facilitator_activated",
                (False, False): "facilitator_deactivated",
            }
            record(codes[(change is set_admin, on)], target_kind="facilitator", target_id=member.id)
        flash((done_on if on else done_off) % {"email": member.email})
    return redirect(url_for(".page", _anchor=f"facilitator-{member.id}"))


@bp.post("/organisation/facilitators/<int:facilitator_id>/admin")
def admin(facilitator_id: int):
    """Make a facilitator an admin, or not (the last admin stays)."""
    return _flag(
        facilitator_id,
        set_admin,
        _("%(email)s is now an admin."),
        _("%(email)s is no longer an admin."),
    )


@bp.post("/organisation/facilitators/<int:facilitator_id>/active")
def active(facilitator_id: int):
    """Deactivate a login (the courses stay with the organisation), or reactivate it."""
    return _flag(
        facilitator_id,
        set_active,
        _("%(email)s can log in again."),
        _("%(email)s can no longer log in. Their courses stay with the organisation."),
    )


def _refusal():
    return error_response(403, _("Only an admin of your organisation can manage its facilitators."))


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
    data = build_overview(current_user.organisation, filters)
    return render_template(
        "organisation/overview.html",
        organisation=current_user.organisation,
        overview=data,
        filters=filters,
        problems=problems,
        role_groups=ROLE_GROUPS,
    ), (422 if problems else 200)


@bp.route("/overview.csv")
def overview_download():
    filters, problems = _filters()
    if problems:
        return error_response(422, problems[0])
    courses = organisation_courses(current_user.organisation, filters)
    body = overview_csv(courses)
    record("exported", detail={"file": "overview_csv"})
    # Only ASCII in the header's filename ("oversigt" in Danish).
    name = "".join(c for c in _("overview") if c.isascii() and c.isalnum()) or "overview"
    return _download(body, f"{name}-{local_today().isoformat()}.csv", CSV_TYPE)
