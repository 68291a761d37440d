"""Single sign-on for facilitators and admins: an organisation's identity provider over
OpenID Connect (Microsoft Entra ID, ADFS, KOMBIT's context handler), through Authlib's
Flask client.

The flow is the authorisation code flow with PKCE (S256). Authlib keeps the state, the
nonce and the code verifier in the (signed) session and checks the state and the nonce;
we pass the claims options ourselves, because Authlib's default checks the issuer but
lets an ID token through whose audience is another client as long as its `azp` names
ours: here the audience must be our client id. The signature is checked against the
provider's published keys (jwks_uri), and the expiry with a small leeway for clocks.

Who may sign in: a facilitator the organisation already has (found by the provider
account linked before, else by email, case-insensitively), active, whose email domain and
groups the organisation allows. Nobody gets an account by signing in.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app, session
from flask_babel import gettext as _
from joserfc.errors import JoseError
from requests import RequestException
from sqlalchemy import func, select

from workshop.core.db import writing
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Facilitator, Organisation, SignOn
from workshop.core.text import tidy
from workshop.facilitators import find_facilitator

SCOPES = "openid email profile"
# Seconds of clock difference tolerated on an ID token's times (exp, iat).
LEEWAY = 60
# The session remembers which provider a sign-in is under way with, and after it the ID
# token (for the provider's sign-out, id_token_hint) while it fits in the cookie.
PENDING_KEY = "sso_pending"
SIGNED_IN_KEY = "sso_sign_on"
ID_TOKEN_KEY = "sso_id_token"  # noqa: S105 - a session key's name
ID_TOKEN_KEPT = 2000  # characters; a 4 kB cookie holds the rest of the session too
RESERVED_SLUGS = {"callback"}
SLUG_LENGTH = 60


class SignOnRefused(WorkshopError):
    """A sign-in through the provider that gives no login: the message is for the person,
    `reason` (a short English word) for the log and the audit trail."""

    def __init__(self, message: str, reason: str):
        super().__init__(message, code=reason)
        self.reason = reason


# --- Configuration ------------------------------------------------------------------------


def slugify(text: str) -> str:
    text = (text or "").lower()
    for danish, plain in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(danish, plain)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:SLUG_LENGTH].strip("-")


def secret_variable(slug: str) -> str:
    """The environment variable that may hold the client secret: SAMSKABT_OIDC_<SLUG>_SECRET."""
    return "SAMSKABT_OIDC_" + re.sub(r"[^A-Z0-9]", "_", slug.upper()) + "_SECRET"


def _secret_from_environment(sign_on: SignOn) -> str:
    return current_app.config["OIDC_SECRETS"].get(secret_variable(sign_on.slug), "")


def client_secret(sign_on: SignOn) -> str:
    """The environment's secret wins over one stored from the admin page."""
    return _secret_from_environment(sign_on) or sign_on.client_secret


def secret_source(sign_on: SignOn | None) -> str | None:
    """Where the secret comes from ("environment", "stored") — never the secret itself."""
    if sign_on is None:
        return None
    if _secret_from_environment(sign_on):
        return "environment"
    return "stored" if sign_on.client_secret else None


def _lines(text: str) -> list[str]:
    """One entry per line (commas and spaces separate too), lower-cased, each once."""
    seen: list[str] = []
    for entry in re.split(r"[\s,;]+", tidy(text or "").lower()):
        entry = entry.lstrip("@")
        if entry and entry not in seen:
            seen.append(entry)
    return seen


def _group_lines(text: str) -> list[str]:
    # Group names may hold spaces ("Samskabt facilitatorer"): one per line, case kept.
    seen: list[str] = []
    for entry in tidy(text or "").splitlines():
        entry = entry.strip()
        if entry and entry not in seen:
            seen.append(entry)
    return seen


def _issuer_problem(issuer: str) -> str | None:
    parts = urlsplit(issuer)
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        return _("The issuer must be an https:// address.")
    if not parts.hostname or parts.query or parts.fragment:
        return _("The issuer must be an https:// address.")
    return None


def configure_sign_on(
    organisation: Organisation,
    *,
    label: str,
    issuer: str,
    client_id: str,
    client_secret: str = "",
    allowed_domains: str = "",
    allowed_groups: str = "",
    groups_claim: str = "groups",
    password_login: bool = True,
    enabled: bool = True,
    slug: str = "",
    by: Facilitator | None = None,
) -> SignOn:
    """Set the organisation's provider. An empty secret keeps the one stored before.

    Password login goes off only once the admin `by` has signed in through the provider
    themselves: a provider set up wrong cannot lock the organisation out."""
    issuer, client_id = _checked_provider(issuer, client_id)
    slug = _free_slug(organisation, slug)
    groups_claim = re.sub(r"[^A-Za-z0-9_:./-]", "", tidy(groups_claim))[:64] or "groups"
    secret = _checked_secret(client_secret)
    _check_password_login_off(password_login, by, issuer)
    sign_on = organisation.sign_on
    if sign_on is None:
        sign_on = SignOn(organisation=organisation, client_secret="")
        db.session.add(sign_on)
    sign_on.slug = slug
    sign_on.label = " ".join(tidy(label).split())[:120]
    sign_on.issuer = issuer
    sign_on.client_id = client_id
    if secret:
        sign_on.client_secret = secret
    sign_on.allowed_domains = "\n".join(_lines(allowed_domains))
    sign_on.allowed_groups = "\n".join(_group_lines(allowed_groups))
    sign_on.groups_claim = groups_claim
    sign_on.password_login = bool(password_login)
    sign_on.enabled = bool(enabled)
    db.session.commit()
    return sign_on


def _checked_provider(issuer: str, client_id: str) -> tuple[str, str]:
    """The issuer and client id as typed, tidied; refused unless both are usable."""
    issuer = tidy(issuer).strip().rstrip("/")
    client_id = tidy(client_id).strip()
    problem = _issuer_problem(issuer) if issuer else _("Give the provider's issuer address.")
    if problem:
        raise WorkshopError(problem)
    if len(issuer) > 500:
        raise WorkshopError(_("The issuer must be an https:// address."))
    if not client_id or len(client_id) > 255:
        raise WorkshopError(_("Give the client id the provider gave the app."))
    return issuer, client_id


def _free_slug(organisation: Organisation, slug: str) -> str:
    """The short name of the sign-in address (the organisation's name if none is given);
    refused when reserved or another organisation's."""
    slug = slugify(slug or organisation.name)
    if not slug or slug in RESERVED_SLUGS:
        raise WorkshopError(_("Choose another short name for the sign-in address."))
    sign_on = organisation.sign_on
    taken = db.session.scalar(select(SignOn).where(SignOn.slug == slug))
    if taken is not None and taken is not sign_on:
        raise WorkshopError(_("Another organisation uses that short name. Choose another."))
    return slug


def _checked_secret(client_secret: str) -> str:
    """The client secret as typed, tidied (empty keeps the stored one); refused when too long."""
    secret = tidy(client_secret).strip()
    if len(secret) > 500:
        raise WorkshopError(_("The client secret is too long."))
    return secret


def _check_password_login_off(password_login: bool, by: Facilitator | None, issuer: str) -> None:
    """Refuses turning password login off before the admin signed in through `issuer`."""
    # The admin's own link must be to the issuer being saved: a link to the provider the
    # organisation is leaving proves nothing about the new one.
    if (
        not password_login
        and by is not None
        and (by.sso_subject is None or by.sso_issuer != issuer)
    ):
        raise WorkshopError(
            _(
                "Sign in with the provider yourself once before you turn password login off, "
                "so a setup error cannot lock you out."
            )
        )


def button_label(sign_on: SignOn) -> str:
    return sign_on.label or sign_on.organisation.name


def sign_on_by_slug(slug: str) -> SignOn | None:
    sign_on = db.session.scalar(select(SignOn).where(SignOn.slug == (slug or "")[:SLUG_LENGTH]))
    return sign_on if sign_on is not None and sign_on.enabled else None


def any_sign_on() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(SignOn).where(SignOn.enabled)))


def settings_of(sign_on: SignOn | None) -> dict[str, object]:
    """What an admin can change, as it stands (for the audit trail's before and after)."""
    if sign_on is None:
        return {}
    names = ("issuer", "client_id", "client_secret", "allowed_domains", "allowed_groups")
    return {name: getattr(sign_on, name) for name in (*names, "password_login", "enabled")}


def changes_for_audit(before: dict[str, object], sign_on: SignOn) -> dict[str, object]:
    """Which settings an admin changed, as yes/no codes: never the secret, the issuer's or
    the client's value (a line an admin reads must not hand out the secret)."""
    after = settings_of(sign_on)
    changed = {name: before.get(name) != value for name, value in after.items()}
    return {
        "first_setup": not before,
        "issuer_changed": changed["issuer"],
        "client_changed": changed["client_id"],
        "secret_changed": changed["client_secret"],
        "who_may_changed": changed["allowed_domains"] or changed["allowed_groups"],
        "password_login": sign_on.password_login,
        "enabled": sign_on.enabled,
    }


def sign_on_for_email(email: str) -> SignOn | None:
    """The provider an email signs in with: the facilitator's organisation's, else the one
    organisation whose allowed domains hold the email's domain."""
    email = (email or "").strip().lower()
    facilitator = find_facilitator(email) if "@" in email else None
    if facilitator is not None:
        sign_on = facilitator.organisation.sign_on
        return sign_on if sign_on is not None and sign_on.enabled else None
    domain = email.rpartition("@")[2]
    if not domain:
        return None
    matches = [
        sign_on
        for sign_on in db.session.scalars(select(SignOn).where(SignOn.enabled))
        if domain in sign_on.allowed_domains.split("\n")
    ]
    return matches[0] if len(matches) == 1 else None


def password_login_allowed(facilitator: Facilitator) -> bool:
    sign_on = facilitator.organisation.sign_on
    return sign_on is None or not sign_on.enabled or sign_on.password_login


# --- The flow ----------------------------------------------------------------------------


def _registry() -> OAuth:
    registry = current_app.extensions.get("samskabt_oidc")
    if registry is None:
        registry = OAuth(current_app)
    current_app.extensions["samskabt_oidc"] = registry
    return registry


def oauth_client(sign_on: SignOn):
    """Authlib's client for the provider. Named by a fingerprint of the settings, so a
    changed issuer, client or secret gets a fresh client (and a fresh discovery)."""
    secret = client_secret(sign_on)
    fingerprint = hashlib.sha256(
        "\n".join((sign_on.issuer, sign_on.client_id, secret)).encode()
    ).hexdigest()[:16]
    name = f"sso{sign_on.id}x{fingerprint}"
    registry = _registry()
    client = registry.create_client(name)
    if client is None:
        client = registry.register(
            name,
            client_id=sign_on.client_id,
            client_secret=secret or None,
            server_metadata_url=sign_on.issuer + "/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPES, "code_challenge_method": "S256", "timeout": 10},
        )
    return client


def _metadata(sign_on: SignOn) -> dict:
    """The discovery document, whose issuer must be the one configured (OpenID Connect
    Discovery 4.3): otherwise a document elsewhere could name another issuer's keys."""
    client = oauth_client(sign_on)
    metadata = client.load_server_metadata()
    if (metadata.get("issuer") or "").rstrip("/") != sign_on.issuer.rstrip("/"):
        raise SignOnRefused(
            _("The organisation's sign-in is not set up correctly. Tell its admin."),
            "issuer_mismatch",
        )
    return metadata


def _unavailable() -> SignOnRefused:
    return SignOnRefused(
        _("The organisation's sign-in service did not answer. Try again in a moment."),
        "provider_unavailable",
    )


def start(sign_on: SignOn, redirect_uri: str, login_hint: str = ""):
    """The redirect to the provider: a new state, nonce and PKCE verifier in the session."""
    try:
        _metadata(sign_on)
        extra = {"login_hint": login_hint} if login_hint else {}
        response = oauth_client(sign_on).authorize_redirect(redirect_uri, **extra)
    except (RequestException, ValueError) as failed:
        raise _unavailable() from failed
    session[PENDING_KEY] = sign_on.id
    return response


def pending_sign_on() -> SignOn | None:
    sign_on_id = session.get(PENDING_KEY)
    if not isinstance(sign_on_id, int):
        return None
    sign_on = db.session.get(SignOn, sign_on_id)
    return sign_on if sign_on is not None and sign_on.enabled else None


def _failed() -> SignOnRefused:
    return SignOnRefused(
        _("The sign-in could not be completed. Start again from the login page."), "flow"
    )


def verified_claims(sign_on: SignOn, token: dict, nonce: str, leeway: int = LEEWAY) -> dict:
    """An ID token from the token endpoint checked for `sign_on`: signature by the
    provider's keys, issuer, audience our client id, expiry, and the nonce we sent."""
    metadata = _metadata(sign_on)
    options = {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "aud": {"essential": True, "values": [sign_on.client_id]},
    }
    try:
        claims = oauth_client(sign_on).parse_id_token(
            token, nonce=nonce, claims_options=options, leeway=leeway
        )
    except (JoseError, ValueError) as refused:
        raise SignOnRefused(
            _("The sign-in could not be completed. Start again from the login page."),
            _id_token_reason(refused),
        ) from refused
    if claims is None:
        raise SignOnRefused(
            _("The sign-in could not be completed. Start again from the login page."),
            "no_id_token",
        )
    return dict(claims)


def _id_token_reason(refused: Exception) -> str:
    """E.g. "id_token:invalid_claim:aud", "id_token:expired_token", "id_token:bad_signature"."""
    reason = f"id_token:{getattr(refused, 'error', type(refused).__name__)}"
    claim = getattr(refused, "claim", None)
    return f"{reason}:{claim}" if claim else reason


def finish(sign_on: SignOn) -> tuple[Facilitator, str]:
    """The provider's answer at the callback: the facilitator it signs in and the ID token.

    Authlib checks the state against the session (and forgets it: a second use fails),
    exchanges the code with the PKCE verifier and checks the ID token."""
    session.pop(PENDING_KEY, None)
    try:
        metadata = _metadata(sign_on)
    except (RequestException, ValueError) as failed:
        raise _unavailable() from failed
    client = oauth_client(sign_on)
    options = {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "aud": {"essential": True, "values": [sign_on.client_id]},
    }
    try:
        token = client.authorize_access_token(claims_options=options, leeway=LEEWAY)
    except OAuthError as refused:
        # A wrong or reused state, the person said no at the provider, or the provider
        # refused the code (replayed, expired, wrong verifier).
        raise SignOnRefused(_failed().message, f"oauth:{refused.error}") from refused
    except JoseError as refused:
        raise SignOnRefused(_failed().message, _id_token_reason(refused)) from refused
    except RequestException as failed:
        raise _unavailable() from failed
    claims = token.get("userinfo")
    if not claims or not token.get("id_token"):
        # Authlib checks the ID token only when there is one: without it, no sign-in.
        raise SignOnRefused(_failed().message, "no_id_token")
    return facilitator_for_claims(sign_on, dict(claims)), token["id_token"]


def _claimed_email(claims: dict) -> str:
    email = claims.get("email") or ""
    if not email and "@" in str(claims.get("preferred_username") or ""):
        # Entra ID sends the sign-in name (usually the email) when no email is set up.
        email = claims["preferred_username"]
    return str(email).strip().lower()


def _groups(sign_on: SignOn, claims: dict) -> set[str]:
    value = claims.get(sign_on.groups_claim)
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(group) for group in value}
    return set()


def facilitator_for_claims(sign_on: SignOn, claims: dict) -> Facilitator:
    """The organisation's facilitator the checked claims name, linked to the provider
    account at the first sign-in; or a refusal with a message for the person."""
    issuer, subject = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    email = _claimed_email(claims)
    _check_claims_allowed(sign_on, claims, email)
    facilitator = _facilitator_named(issuer, subject, email)
    if facilitator is None or facilitator.organisation_id != sign_on.organisation_id:
        raise SignOnRefused(
            _(
                "%(email)s has no facilitator login here. Ask an admin of your organisation "
                "to add you; signing in does not create one.",
                email=email or _("Your account"),
            ),
            "unknown_account",
        )
    if not facilitator.active:
        raise SignOnRefused(
            _("Your login is deactivated. Ask an admin of your organisation."), "deactivated"
        )
    if (facilitator.sso_issuer, facilitator.sso_subject) != (issuer, subject):
        facilitator = _link_account(facilitator, issuer, subject)
    return facilitator


def _check_claims_allowed(sign_on: SignOn, claims: dict, email: str) -> None:
    """Refuses an unconfirmed email, or an email domain or groups the organisation does
    not let sign in."""
    if claims.get("email_verified") is False:
        raise SignOnRefused(
            _("Your email address is not confirmed at your organisation's sign-in."),
            "email_unverified",
        )
    domains = [d for d in sign_on.allowed_domains.split("\n") if d]
    if domains and email.rpartition("@")[2] not in domains:
        raise SignOnRefused(
            _("Your organisation does not let %(email)s sign in here.", email=email or "?"),
            "domain_not_allowed",
        )
    groups = [g for g in sign_on.allowed_groups.split("\n") if g]
    if groups and not _groups(sign_on, claims) & set(groups):
        raise SignOnRefused(
            _("You are not in a group your organisation lets sign in here. Ask its admin."),
            "group_not_allowed",
        )


def _facilitator_named(issuer: str, subject: str, email: str) -> Facilitator | None:
    """The facilitator linked to the provider account, else the one with the email."""
    facilitator = db.session.scalar(
        select(Facilitator).where(
            Facilitator.sso_issuer == issuer, Facilitator.sso_subject == subject
        )
    )
    if facilitator is None and email:
        facilitator = db.session.scalar(
            select(Facilitator).where(func.lower(Facilitator.email) == email)
        )
        if (
            facilitator is not None
            and facilitator.sso_subject is not None
            and facilitator.sso_issuer == issuer
        ):
            # Linked to another account at this provider: the email alone does not move it.
            # (A link to another issuer is the provider the organisation left: re-linked.)
            facilitator = None
    return facilitator


def _link_account(facilitator: Facilitator, issuer: str, subject: str) -> Facilitator:
    """Links the facilitator to the provider account, in a transaction of its own."""
    facilitator_id = facilitator.id
    # The callback is a GET, whose SQLite transaction began without the write lock and
    # spent a round trip at the provider since: link in a transaction of its own that
    # takes the lock first (no "database is locked" if others committed meanwhile).
    with writing():
        linked = db.session.get(Facilitator, facilitator_id, populate_existing=True)
        linked.sso_issuer, linked.sso_subject = issuer, subject
        db.session.commit()
    return linked


def forget_sign_in() -> None:
    """A password login in this browser: no trace of an earlier sign-in through the
    provider (a shared PC), or its logout would go to that provider with its token."""
    session.pop(SIGNED_IN_KEY, None)
    session.pop(ID_TOKEN_KEY, None)


def remember_sign_in(sign_on: SignOn, id_token: str) -> None:
    session[SIGNED_IN_KEY] = sign_on.id
    if len(id_token) <= ID_TOKEN_KEPT:
        session[ID_TOKEN_KEY] = id_token
    else:
        session.pop(ID_TOKEN_KEY, None)


def end_session_url(post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser to end the provider's session too, if this login came
    through a provider that offers it (end_session_endpoint); the session keys go."""
    sign_on_id = session.pop(SIGNED_IN_KEY, None)
    id_token = session.pop(ID_TOKEN_KEY, None)
    sign_on = db.session.get(SignOn, sign_on_id) if isinstance(sign_on_id, int) else None
    if sign_on is None or not sign_on.enabled:
        return None
    try:
        metadata = _metadata(sign_on)
        if not metadata.get("end_session_endpoint"):
            return None
        hint = {"id_token_hint": id_token} if id_token else {"client_id": sign_on.client_id}
        return oauth_client(sign_on).create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri, **hint
        )["url"]
    except (RequestException, ValueError, SignOnRefused):
        # The local logout has happened; the provider's can be done from its own page.
        return None
