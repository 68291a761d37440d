"""Facilitator login and logout (Flask-Login, hashed passwords)."""

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_url, login_user, logout_user

from ..audit import record_failed_login
from ..extensions import htmx
from ..facilitators import authenticate, revoke_logins
from ..forms import ActionForm, LoginForm
from ..ratelimits import remember_device
from .common import safe_local_path

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never bounce a facilitator to another host after login.
    return safe_local_path(target) or url_for("facilitator.courses")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        facilitator = authenticate(form.email.data, form.password.data)
        if facilitator is not None:
            login_user(facilitator, remember=True)
            return remember_device(
                redirect(_safe_next(request.args.get("next"))), facilitator.email
            )
        record_failed_login(form.email.data)  # the success is recorded by the signal
        error = _("Wrong email or password.")
    status = 422 if error or form.errors else 200
    return render_template("auth/login.html", form=form, error=error), status


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
