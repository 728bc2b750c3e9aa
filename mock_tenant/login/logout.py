"""Logout: end the tenant's SSO session and return only to an allowed URL."""

from __future__ import annotations

import hmac

import jwt
from flask import Blueprint, make_response, redirect, render_template, request

from ..core import logins
from ..web import current_tenant
from .authorize import with_query

bp = Blueprint("logout", __name__)


@bp.get("/v2/logout")
def v2_logout():
    """End the session, then go to `returnTo` if the app allows it (Auth0's logout)."""
    # https://auth0.com/docs/api/authentication#logout
    # https://auth0.com/docs/authenticate/login/logout/redirect-users-after-logout: with a
    # client_id, returnTo must be one of that application's Allowed Logout URLs, and
    # without returnTo the first of them is used; without a client_id, returnTo must be
    # one of the tenant's Allowed Logout URLs. A refused returnTo shows a page and keeps
    # the session (the suite's choice: no source says whether Auth0 ends it).
    tenant = current_tenant()
    return_to, client_id = request.args.get("returnTo"), request.args.get("client_id")
    client = tenant.config.client(client_id)
    if return_to is None and client is not None and client.allowed_logout_urls:
        return_to = client.allowed_logout_urls[0]
    if return_to and not _allowed(client_id, return_to):
        return _page(
            "Logout URL not allowed",
            "returnTo is not one of the Allowed Logout URLs of the application "
            "(or of the tenant, without a client_id).",
            400,
        )
    return _end_session(tenant, return_to)


# The parameters the confirmation page carries over to its POST.
CONFIRMED_PARAMS = ("post_logout_redirect_uri", "client_id", "state")


@bp.route("/oidc/logout", methods=["GET", "POST"])
def oidc_logout():
    """End the session, then go to `post_logout_redirect_uri` if allowed (RP-initiated logout).

    Without `id_token_hint` or `logout_hint` nothing shows which application asks, so a
    signed-in person confirms first (GET shows the page, its POST logs out).
    """
    # https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
    tenant = current_tenant()
    args = request.form if request.method == "POST" else request.args
    cookie = request.cookies.get(logins.SESSION_COOKIE)
    target = args.get("post_logout_redirect_uri")
    client_id = args.get("client_id") or _client_of(args.get("id_token_hint"))
    # https://auth0.com/docs/authenticate/login/logout/log-users-out-of-auth0: Auth0 checks
    # that a `logout_hint` (a session id, the `sid` claim) is this browser's session; one
    # that does not match ends nothing.
    hint = args.get("logout_hint")
    if hint is not None and hint != logins.session_sid(tenant, cookie):
        return _page(
            "Logout hint does not match",
            "logout_hint is not the session of this browser, so nobody was logged out.",
            400,
        )
    if target and not _allowed(client_id, target):
        return _page(
            "Logout URL not allowed",
            "post_logout_redirect_uri is not allowed for this application, or the "
            "application could not be identified.",
            400,
        )
    # https://auth0.com/docs/authenticate/login/logout/log-users-out-of-auth0: Auth0 asks the
    # person to confirm when neither id_token_hint nor logout_hint is given; a link any page
    # can send the browser to must not end a session on its own (RP-Initiated Logout 1.0,
    # section 2: "the OP SHOULD ask the End-User whether to log out").
    hinted = args.get("id_token_hint") or hint is not None
    if not hinted and logins.session_sid(tenant, cookie) is not None:
        if request.method == "GET":
            return _confirm_page(tenant, cookie, client_id)
        presented = request.form.get("csrf_token", "").encode()
        if not hmac.compare_digest(presented, logins.logout_token(tenant, cookie).encode()):
            return _page("Form expired", "Reload the page and try again.", 400)
    if target:
        target = with_query(target, {"state": args.get("state")})
    return _end_session(tenant, target)


def _confirm_page(tenant, cookie: str, client_id: str | None):
    """Ask a signed-in person whether to log out, carrying the request over to a POST."""
    params = {name: request.args[name] for name in CONFIRMED_PARAMS if request.args.get(name)}
    body = render_template(
        "u_logout.html",
        client=tenant.config.client(client_id),
        params=params,
        csrf_token=logins.logout_token(tenant, cookie),
    )
    return make_response(body, 200)


def _end_session(tenant, target: str | None):
    """Forget the session and its cookie, then redirect or show a signed-out page."""
    logins.end_session(tenant, request.cookies.get(logins.SESSION_COOKIE))
    # https://www.rfc-editor.org/rfc/rfc9700#section-4.12: 303 after the confirmation's POST.
    response = (
        redirect(target, code=303 if request.method == "POST" else 302)
        if target
        else _page("You are logged out", "You can close this window.", 200, error=False)
    )
    response.delete_cookie(logins.SESSION_COOKIE, path="/")
    return response


def _allowed(client_id: str | None, url: str) -> bool:
    """Tell whether a URL is in the app's (or the tenant's) Allowed Logout URLs, exactly."""
    config = current_tenant().config
    if client_id is None:
        return url in config.tenant.allowed_logout_urls
    client = config.client(client_id)
    return client is not None and url in client.allowed_logout_urls


def _client_of(id_token_hint: str | None) -> str | None:
    """Return the audience of an ID token this tenant signed, or None."""
    if not id_token_hint:
        return None
    tenant = current_tenant()
    try:
        jwks = jwt.PyJWKSet.from_json(tenant.keys.jwks_document().decode())
        kid = jwt.get_unverified_header(id_token_hint).get("kid")
        key = next(k for k in jwks.keys if k.key_id == kid)
        # Expired hints are fine (the user may log out late); the signature is not optional.
        claims = jwt.decode(
            id_token_hint,
            key.key,
            algorithms=["RS256"],
            issuer=tenant.issuer,
            options={"verify_aud": False, "verify_exp": False},
        )
    except (jwt.PyJWTError, StopIteration):
        return None
    audience = claims.get("aud")
    return audience if isinstance(audience, str) else None


def _page(title: str, detail: str, status: int, error: bool = True):
    """Render a small tenant page with a status."""
    body = render_template("u_message.html", title=title, detail=detail, info=not error)
    return make_response(body, status)
