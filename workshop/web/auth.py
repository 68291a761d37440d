"""Facilitator login and logout (Flask-Login, hashed passwords), and single sign-on
through the organisation's identity provider (workshop/sso.py)."""

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_url, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from workshop.audit import record_failed_login, record_failed_sign_on, record_password_login_off
from workshop.core.extensions import htmx
from workshop.core.models import SignOn
from workshop.facilitators import authenticate, revoke_logins
from workshop.sso import (
    SignOnRefused,
    any_sign_on,
    button_label,
    end_session_url,
    finish,
    forget_sign_in,
    password_login_allowed,
    pending_sign_on,
    remember_sign_in,
    sign_on_by_slug,
    sign_on_for_email,
    start,
)
from workshop.web.common import safe_local_path
from workshop.web.forms import ActionForm
from workshop.web.ratelimits import remember_device

NEXT_KEY = "sso_next"

bp = Blueprint("auth", __name__)


# --- Forms --------------------------------------------------------------------------------


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


# --- Views --------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never bounce a facilitator to another host after login.
    return safe_local_path(target) or url_for("facilitator.courses")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password, or (the "sso" button) find the email's provider."""
    form = LoginForm()
    if request.method == "POST" and "sso" in request.form:
        return _sso_choice(form)
    if not form.validate_on_submit():
        return _login_page(form, 422 if form.errors else 200)
    sign_on = sign_on_for_email(form.email.data)
    if sign_on is not None and not sign_on.password_login:
        # Before the password is checked: the same answer for a right and a wrong one,
        # so a guess is never confirmed (the password may be in use elsewhere).
        return _password_login_off(form, sign_on)
    facilitator = authenticate(form.email.data, form.password.data)
    if facilitator is None:
        record_failed_login(form.email.data)  # the success is recorded by the signal
        return _login_page(form, 422, _("Wrong email or password."))
    if not password_login_allowed(facilitator):
        return _password_login_off(form, facilitator.organisation.sign_on)
    forget_sign_in()
    login_user(facilitator, remember=True)
    return remember_device(redirect(_safe_next(request.args.get("next"))), facilitator.email)


def _password_login_off(form, sign_on):
    """The organisation signs in only through its provider: said (and audited) the same
    way whether the password was right or wrong."""
    record_password_login_off(sign_on.organisation_id)
    message = _(
        "Your organisation signs in with %(provider)s, not with a password here. "
        "Use the button below.",
        provider=button_label(sign_on),
    )
    return _login_page(form, 403, message, sign_on)


def _login_page(form, status=200, error=None, sign_on=None):
    return render_template(
        "auth/login.html",
        form=form,
        error=error,
        sign_on=sign_on,
        sign_on_label=button_label(sign_on) if sign_on else "",
        offers_sso=any_sign_on(),
        next_path=safe_local_path(request.args.get("next")) or "",
    ), status


def _sso_choice(form):
    """Email first: the email's organisation picks the provider; the page then offers
    "Log ind med <provider>" as a link (a form's redirect to another site would break
    the page's form-action policy, a link does not)."""
    form.validate()
    form.password.errors = []  # no password needed to be sent to the provider
    if "csrf_token" in form.errors or form.email.errors:
        return _login_page(form, 422, _("Enter your work email to sign in with your organisation."))
    sign_on = sign_on_for_email(form.email.data)
    if sign_on is None:
        return _login_page(
            form,
            422,
            _("We know no single sign-on for that email. Log in with your password."),
        )
    return _login_page(form, 200, None, sign_on)


@bp.get("/login/sso/<slug>")
def sso_start(slug: str):
    """The organisation's sign-in address: straight to its provider (an intranet link)."""
    sign_on = sign_on_by_slug(slug)
    if sign_on is None:
        # A mistyped or outdated intranet link: the login page says so.
        flash(_("There is no single sign-on at that address. Log in here."), "error")
        return redirect(url_for(".login"))
    hint = (request.args.get("login_hint") or "").strip()[:254]
    session[NEXT_KEY] = _safe_next(request.args.get("next"))
    try:
        return start(sign_on, url_for(".sso_callback", _external=True), hint)
    except SignOnRefused as refused:
        return _sso_refused(refused, sign_on)


@bp.get("/login/sso/callback")
def sso_callback():
    """The provider sends the browser back here with a code (or an error)."""
    sign_on = pending_sign_on()
    if sign_on is None:
        # No sign-in under way in this browser (a bookmarked or replayed callback).
        return _sso_refused(
            SignOnRefused(
                _("The sign-in could not be completed. Start again from the login page."),
                "no_pending_sign_in",
            ),
            None,
        )
    try:
        facilitator, id_token = finish(sign_on)
    except SignOnRefused as refused:
        return _sso_refused(refused, sign_on)
    # Before login_user: whoever listens to its user_logged_in signal (the audit trail)
    # can tell a sign-in through the provider by session["sso_sign_on"].
    remember_sign_in(sign_on, id_token)
    login_user(facilitator, remember=True)
    return redirect(_safe_next(session.pop(NEXT_KEY, None)))


def _sso_refused(refused: SignOnRefused, sign_on: SignOn | None):
    """A sign-in that gives no login: recorded in the organisation's audit trail, then back
    to the login page with the Danish message — a redirect, so the provider's code does not
    stay in the address bar or history."""
    record_failed_sign_on(refused.reason, sign_on.organisation_id if sign_on else None)
    session.pop(NEXT_KEY, None)
    flash(refused.message, "error")
    return redirect(url_for(".login"))


@bp.post("/logout")
def logout():
    """Log out on every device: the session token changes, so each login cookie issued
    before (this browser's, a forgotten one on a shared PC, a copied one) names nobody.
    One token per facilitator keeps this simple and sure; a per-device logout would need a
    row per login, and the one button a facilitator needs after a lost laptop is this."""
    if ActionForm().validate_on_submit():
        if current_user.is_authenticated:
            revoke_logins(current_user)
            flash(_("You are logged out on all your devices."))
        logout_user()
        provider = end_session_url(url_for(".login", _external=True))
        if provider:
            # Not a redirect: one answering this form would be stopped by the page's
            # form-action 'self' (and a boosted request cannot follow it to another site).
            # htmx navigates the whole window (HX-Redirect); without script, a page that
            # moves on by itself, with a link.
            if htmx:
                response = make_response("", 200)
                response.headers["HX-Redirect"] = provider
                return response
            return render_template("auth/signed_out.html", provider_url=provider)
    return redirect(url_for("participant.home"))


def unauthorized():
    """Send to the login page; for an htmx poll, the whole page goes, not the fragment."""
    if htmx:
        # The page the person is on, so login returns there (not to a bare fragment).
        page = request.headers.get("HX-Current-URL") or request.url
        response = make_response("", 200)
        response.headers["HX-Redirect"] = login_url("auth.login", next_url=page)
        return response
    flash(_("Log in to see that page."))
    return redirect(login_url("auth.login", next_url=request.url))
