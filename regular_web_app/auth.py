"""Logging in and out: /login, /callback, /logout, and a `login_required` decorator.

The authorization code flow with PKCE and a client secret (OpenID Connect Core 3.1), as
Auth0's regular web app quickstart does it with Authlib, plus the checks the quickstart
leaves to the library: our own ID token validation, a one-time nonce, a new session id at
login and a POST-only logout.
"""

from __future__ import annotations

import functools
import logging
import secrets
import time
import urllib.parse

import joserfc.errors
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from . import auth0_client
from .errors import FriendlyError, talking_to_tenant
from .id_token import IdTokenError

bp = Blueprint("auth", __name__)
log = logging.getLogger("regular_web_app")

# Auth0's passwordless connections; /login?connection=... picks one and skips the choice.
# https://auth0.com/docs/authenticate/passwordless/implement-login/universal-login
CONNECTIONS = ("email", "sms")
# Logins started but not finished, kept per session (one per open login tab, say).
MAX_PENDING_LOGINS = 5
# The claims the pages need; the rest of the ID token stays out of the session.
USER_CLAIMS = (
    "sub",
    "name",
    "nickname",
    "given_name",
    "family_name",
    "email",
    "email_verified",
    "phone_number",
    "phone_verified",
)


def now() -> float:
    """Return the current Unix time (tests replace this function to move time forward)."""
    return time.time()


@bp.before_app_request
def load_logged_in_user() -> None:
    """Put the signed-in user's claims (or None) on `g.user`, ending a session that lapsed."""
    g.user = session.get("user")
    if g.user is not None and _session_lapsed():
        log.info("Session ended: idle too long or older than its maximum lifetime")
        end_session()
    elif g.user is not None:
        session["last_seen"] = now()


def _session_lapsed() -> bool:
    """Tell whether the signed-in session has been idle, or alive, for longer than allowed."""
    # An idle timeout and an absolute lifetime, both enforced on the server: a session that
    # slid forward on every request would never end for a busy (or automated) visitor.
    # https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#idle-timeout
    # https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#absolute-timeout
    config, moment = current_app.config, now()
    signed_in_at, last_seen = session.get("signed_in_at"), session.get("last_seen")
    # A session without these times predates them: treat it as lapsed (fail closed).
    if not isinstance(signed_in_at, int | float) or not isinstance(last_seen, int | float):
        return True
    idle = moment - last_seen > config["SESSION_IDLE_MINUTES"] * 60
    too_old = moment - signed_in_at > config["SESSION_MAX_HOURS"] * 3600
    return idle or too_old


def login_required(view):
    """Send visitors who are not signed in to the login, then back to this page."""

    @functools.wraps(view)
    def wrapped_view(**kwargs):
        """Run the view for a signed-in user, or redirect to /login."""
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)

    return wrapped_view


def end_session() -> None:
    """Forget the signed-in user: Flask-Session deletes the stored session and the cookie."""
    session.clear()
    g.user = None


def safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else "/" (no open redirect)."""
    # https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html
    # "//evil.test" and "/\\evil.test" are paths to us but hosts to a browser, so
    # a local path starts with one "/" and has no scheme, host or backslash.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urllib.parse.urlsplit(target)
    if parts.scheme or parts.netloc or not target.isprintable():
        return "/"
    return target


@bp.get("/login")
def login():
    """Send the browser to the tenant's Universal Login with a fresh state, nonce and PKCE."""
    # Read (and check) the discovery document first: /authorize's address comes from it.
    auth0_client.metadata()
    # https://auth0.com/docs/api/authentication#authorization-code-flow-with-pkce
    params = {"audience": current_app.config["AUTH0_AUDIENCE"]}
    if request.args.get("connection") in CONNECTIONS:
        params["connection"] = request.args["connection"]
    # A visitor may ask for more of the API's permissions, from a fixed list only.
    allowed = current_app.config["API_SCOPES"].split()
    extra = [s for s in request.args.get("scope", "").split() if s in allowed]
    if extra:
        params["scope"] = " ".join([auth0_client.SCOPE, *extra])
    # https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
    if request.args.get("prompt") == "login":
        params["prompt"] = "login"

    # state ties the answer to this browser (RFC 6749 10.12, RFC 9700 2.1); nonce ties the
    # ID token to this login (OIDC Core 15.5.2). Both unguessable, both used once.
    # https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    pending = session.get("pending_logins", {})
    pending[state] = {"nonce": nonce, "next": safe_next(request.args.get("next"))}
    # Keep only the newest few, so a script hitting /login cannot grow the session forever,
    # and forget what Authlib kept for the dropped ones (it names it `_state_auth0_<state>`).
    kept = dict(list(pending.items())[-MAX_PENDING_LOGINS:])
    session["pending_logins"] = kept
    for key in [k for k in session if k.startswith("_state_auth0_")]:
        if key.removeprefix("_state_auth0_") not in kept:
            session.pop(key)

    with talking_to_tenant("starting the login"):
        # Authlib adds the PKCE challenge and keeps the verifier, state and redirect_uri in
        # the (server-side) session for the callback.
        return auth0_client.authlib_client().authorize_redirect(
            redirect_uri=url_for("auth.callback", _external=True),
            state=state,
            nonce=nonce,
            **params,
        )


@bp.get("/callback")
def callback():
    """Finish the login: check state, exchange the code, validate the ID token, sign in."""
    # Our record of this login is taken out first, so a state works once, whatever happens.
    pending = session.get("pending_logins", {})
    login_data = pending.pop(request.args.get("state", ""), None)
    if login_data is None:
        # No call to the token endpoint: an unknown or reused state may be a forged
        # callback (login CSRF, RFC 6749 10.12).
        raise FriendlyError(
            400,
            "This login link is no longer valid",
            "The answer from the login service does not match a login started in this "
            "browser. It may have been used already, have expired, or come from elsewhere.",
            "Start again from the home page.",
        )
    session["pending_logins"] = pending
    _check_authorization_response()

    try:
        with talking_to_tenant("exchanging the login code for tokens"):
            # Authlib checks state against its own record, sends the code with the PKCE
            # verifier and our secret (RFC 6749 4.1.3), and checks the ID token its way.
            token = auth0_client.authlib_client().authorize_access_token()
    except MismatchingStateError:
        raise FriendlyError(
            400, "This login link is no longer valid", "The state did not match."
        ) from None
    except OAuthError as error:
        # https://www.rfc-editor.org/rfc/rfc6749#section-5.2
        log.warning("Token endpoint refused the code: %s", error.error)
        raise FriendlyError(
            400,
            "The login did not complete",
            f"The login service refused to finish it: {error.description or error.error}",
            "Start again from the home page.",
        ) from None
    except joserfc.errors.JoseError as error:
        # Authlib's own ID token check (joserfc) said no.
        from_the_future = isinstance(error, joserfc.errors.InvalidClaimError) and (
            error.claim in ("iat", "nbf")
        )
        _refuse_id_token(f"Authlib: {error}", from_the_future=from_the_future)

    if not isinstance(token.get("id_token"), str):
        _refuse_id_token("the token response has no ID token")
    # Our own check, every rule visible in id_token.py (docs/security.md rule 14).
    try:
        with talking_to_tenant("fetching the login service's signing keys"):
            validator = auth0_client.id_token_validator()
            claims = validator.validate(token["id_token"], nonce=login_data["nonce"])
    except IdTokenError as error:
        _refuse_id_token(str(error), from_the_future=error.from_the_future)

    _start_session(claims, token)
    return redirect(login_data["next"])


def _check_authorization_response() -> None:
    """Turn an error answer from /authorize into a page, and refuse a mixed-up issuer."""
    # RFC 9207: when the tenant names itself in the answer, it must be our tenant.
    # https://www.rfc-editor.org/rfc/rfc9207#section-2.4
    if "iss" in request.args and request.args["iss"] != auth0_client.issuer():
        raise FriendlyError(400, "The login did not complete", "Another issuer answered.")
    # https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
    error = request.args.get("error")
    if error == "access_denied":
        raise FriendlyError(
            403,
            "Login cancelled",
            "The login service says access was denied: "
            + (request.args.get("error_description") or "you cancelled the login."),
            "You can try again whenever you like.",
        )
    if error:
        raise FriendlyError(
            400,
            "The login did not complete",
            f"The login service answered {error!r}: {request.args.get('error_description', '')}",
            "Start again from the home page.",
        )
    if not request.args.get("code"):
        raise FriendlyError(400, "The login did not complete", "The answer carried no code.")


def _refuse_id_token(reason: str, *, from_the_future: bool = False):
    """Log why an ID token was refused and show a page; no session is created."""
    log.warning("ID token refused: %s", reason)
    if from_the_future:
        # A token "issued in the future" beyond the minute of leeway: the two machines'
        # clocks disagree (or a test tenant's clock was stopped or moved).
        raise FriendlyError(
            400,
            "We could not verify your login",
            "The login service's ID token says it was issued in the future, so you are not "
            "signed in. The clock of this computer and the login service's disagree by more "
            "than a minute.",
            "Check both clocks (with the mock tenant, also its dev clock: "
            "GET /_dev/api/clock), then start again from the home page.",
        )
    raise FriendlyError(
        400,
        "We could not verify your login",
        "The login service's answer did not pass our security checks, so you are not signed in.",
        "Start again from the home page. If it keeps happening, the app's settings "
        "(AUTH0_DOMAIN, AUTH0_CLIENT_ID) may not match the tenant.",
    )


def _start_session(claims: dict, token: dict) -> None:
    """Sign the user in, in a brand-new server-side session holding the tokens."""
    # A new session id at login: an id an attacker planted before login is now worthless
    # (session fixation, OWASP Session Management Cheat Sheet).
    # https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#renew-the-session-id-after-any-privilege-level-change
    current_app.session_interface.regenerate(session)
    session.clear()
    session["user"] = {name: claims[name] for name in USER_CLAIMS if name in claims}
    session["tokens"] = token_record(token)
    # The login time bounds the session's whole life; the last request bounds its idle time.
    session["signed_in_at"] = session["last_seen"] = now()


def token_record(token: dict) -> dict:
    """Keep what the app uses from a token response (server-side only, never in the cookie)."""
    expires_in = int(token.get("expires_in", 0))
    return {
        "id_token": token.get("id_token"),
        "access_token": token["access_token"],
        "refresh_token": token.get("refresh_token"),
        "scope": token.get("scope", ""),
        "expires_at": int(time.time()) + expires_in if expires_in else None,
    }


@bp.get("/logout")
def logout_confirm():
    """Show a confirmation with the POST form: a plain link must not log anybody out."""
    return render_template("logout.html")


@bp.post("/logout")
def logout():
    """Revoke the refresh token, drop the session, then end the tenant's session too."""
    # The CSRF token was checked before this view ran (csrf.py): another site cannot log
    # a visitor out by posting here.
    refresh_token = (session.get("tokens") or {}).get("refresh_token")
    if refresh_token and not auth0_client.revoke(refresh_token):
        # Still log out locally; the token dies at its expiry at the latest.
        log.warning("Could not revoke the refresh token at logout")
    # The stored session is deleted and the browser told to drop the cookie, so the old
    # cookie opens nothing any more.
    end_session()
    return redirect(auth0_client.logout_url(url_for("main.index", _external=True)))
