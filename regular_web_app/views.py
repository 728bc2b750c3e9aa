"""The pages: home, profile (claims and decoded tokens, refresh), and a call to the sample API."""

from __future__ import annotations

import hashlib
import json
import logging

import jwt
import requests
from flask import Blueprint, current_app, flash, g, redirect, render_template, session, url_for

from . import auth0_client
from .auth import end_session, login_required, token_record
from .errors import FriendlyError, talking_to_tenant
from .id_token import IdTokenError

bp = Blueprint("main", __name__)
log = logging.getLogger("regular_web_app")

# The sample API's routes (Auth0's API quickstart shape) and what each one needs.
API_ROUTES = (
    ("/api/private", "a valid access token for the API"),
    ("/api/private-scoped", "a valid access token with the read:messages permission"),
)
# Show at most this much of an API's answer (it is the API's text, shown escaped).
MAX_SHOWN_BODY = 4000


@bp.get("/")
def index():
    """Show the home page: the two ways to log in, or a greeting."""
    return render_template("index.html")


@bp.get("/profile")
@login_required
def profile():
    """Show the user's claims and the ID and access tokens, decoded, with their expiry."""
    tokens = session["tokens"]
    refresh_token = tokens.get("refresh_token")
    return render_template(
        "profile.html",
        decoded={
            "ID token": peek(tokens["id_token"] or ""),
            "Access token": peek(tokens["access_token"]),
        },
        expires_at=tokens.get("expires_at"),
        scope=tokens.get("scope", ""),
        refresh_fingerprint=fingerprint(refresh_token) if refresh_token else None,
    )


@bp.post("/profile/refresh")
@login_required
def refresh():
    """Use the refresh token for new tokens and show that the refresh token rotated."""
    tokens = session["tokens"]
    old = tokens.get("refresh_token")
    if not old:
        flash("This login has no refresh token (ask for offline_access to get one).", "info")
        return redirect(url_for("main.profile"))
    try:
        answer = auth0_client.refresh(old)
    except auth0_client.RefreshRefused as refused:
        # invalid_grant: revoked, expired, or reused after rotation (which revokes the whole
        # family). The tokens we hold are worthless, so the local session ends too.
        log.info("Refresh refused: %s", refused.error)
        end_session()
        raise FriendlyError(
            401,
            "Your session has ended",
            f"The login service no longer accepts this session's refresh token "
            f"({refused.description or refused.error}).",
            "Log in again to continue.",
        ) from None
    new_tokens = token_record(answer)
    # A refresh answer may leave out what did not change (RFC 6749 6; OIDC Core 12.2).
    new_tokens["id_token"] = new_tokens["id_token"] or tokens["id_token"]
    new_tokens["refresh_token"] = new_tokens["refresh_token"] or old
    if answer.get("id_token"):
        _check_refreshed_id_token(answer["id_token"])
    session["tokens"] = new_tokens
    if new_tokens["refresh_token"] != old:
        flash(
            "Tokens refreshed. The refresh token rotated: "
            f"{fingerprint(old)} \N{RIGHTWARDS ARROW} {fingerprint(new_tokens['refresh_token'])} "
            "(SHA-256 fingerprints). The old one is now void.",
            "success",
        )
    else:
        flash("Tokens refreshed. The refresh token did not rotate.", "success")
    return redirect(url_for("main.profile"))


def _check_refreshed_id_token(id_token: str) -> None:
    """Validate an ID token from a refresh: same rules, no nonce, and the same user."""
    # https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
    try:
        with talking_to_tenant("checking your refreshed login"):
            claims = auth0_client.id_token_validator().validate(id_token, nonce=None)
    except IdTokenError as error:
        log.warning("Refreshed ID token refused: %s", error)
        claims = None
    if claims is None or claims["sub"] != g.user["sub"]:
        end_session()
        raise FriendlyError(
            400,
            "We could not verify your refreshed login",
            "The new ID token did not pass our checks, so you have been signed out.",
            "Log in again.",
        )


@bp.get("/api-call")
@login_required
def api_call():
    """Call the sample API's protected routes with the access token and show each answer."""
    # https://auth0.com/docs/secure/tokens/access-tokens/use-access-tokens
    access_token = session["tokens"]["access_token"]
    results = [_call_api(path, needs, access_token) for path, needs in API_ROUTES]
    # The API checks the token with the tenant's keys; with the tenant down it can check
    # nothing, and answers 503 temporarily_unavailable to everything (sample_api/__init__.py).
    if all(r["error"] == "temporarily_unavailable" for r in results):
        raise FriendlyError(
            503,
            "The API cannot reach the login service",
            "The sample API checks your access token with the login service's signing keys, "
            "and the login service (the tenant) cannot be reached to fetch them.",
            "Start the login service again, then reload this page.",
        )
    return render_template(
        "api_call.html",
        results=results,
        api_url=current_app.config["API_URL"],
        scope=session["tokens"].get("scope", ""),
    )


def _call_api(path: str, needs: str, access_token: str) -> dict:
    """Call one API route with the bearer token (RFC 6750) and describe the answer."""
    url = current_app.config["API_URL"] + path
    # `error`: the API's own error code, when its JSON answer has one (api_call reads it).
    result = {
        "path": path,
        "needs": needs,
        "status": None,
        "body": "",
        "challenge": "",
        "error": None,
    }
    try:
        # https://www.rfc-editor.org/rfc/rfc6750#section-2.1
        response = requests.get(
            url,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=current_app.config["HTTP_TIMEOUT"],
        )
    except requests.Timeout:
        result["problem"] = f"The API at {url} did not answer in time."
        return result
    except requests.RequestException:
        result["problem"] = f"The API at {url} is not reachable. Is it running?"
        return result
    result["status"] = response.status_code
    # On 401 and 403 the API says why in WWW-Authenticate (RFC 6750 3).
    result["challenge"] = response.headers.get("WWW-Authenticate", "")
    try:
        answer = response.json()
        result["body"] = json.dumps(answer, indent=2)
        if isinstance(answer, dict) and isinstance(answer.get("error"), str):
            result["error"] = answer["error"]
    except ValueError:
        result["body"] = response.text
    result["body"] = result["body"][:MAX_SHOWN_BODY]
    return result


def peek(token: str) -> dict | None:
    """Decode a JWT's header and payload for display only, without checking anything.

    Returns:
        `{"header": {...}, "payload": {...}}`, or None for an opaque (non-JWT) token.

    """
    # For showing on the profile page only: nothing decoded here is trusted, and the token
    # is never re-encoded. Validation is id_token.py's job.
    try:
        return {
            "header": jwt.get_unverified_header(token),
            "payload": jwt.decode(token, options={"verify_signature": False}),
        }
    except jwt.PyJWTError:
        return None


def fingerprint(token: str) -> str:
    """Return a short SHA-256 fingerprint, to tell tokens apart on a page without showing them."""
    # The inspector's format ("…" and 8 hex digits), so a token reads the same everywhere.
    return "…" + hashlib.sha256(token.encode()).hexdigest()[:8]
