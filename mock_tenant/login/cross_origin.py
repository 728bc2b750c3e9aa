"""Embedded login's second half: `/authorize?login_ticket=...` and the `/co/verify` fallback.

After `/co/authenticate` (api/cross_origin.py) auth0.js sends the browser to /authorize with
the login ticket. The tenant signs the user in when the browser also shows the ticket's
verifier: the cookie /co/authenticate set, if the browser kept that third-party cookie.
Otherwise the tenant asks the app's `cross_origin_loc` page, in an iframe, for the verifier
that auth0.js stored on the app's origin (`crossOriginVerification()`, which answers a
`co_verifier_request` message with a `co_verifier_response`), and posts it to /co/verify.
Auth0's own fallback page is not public: its URL and form here are the suite's choice; the
messages are the ones auth0.js sends and expects (src/web-auth/cross-origin-authentication.js).
https://auth0.com/docs/get-started/applications/set-up-cors (cross-origin verification page)
"""

from __future__ import annotations

import urllib.parse

from flask import Blueprint, render_template, request, url_for

from ..api.cross_origin import VERIFIER_COOKIE
from ..config import origin
from ..core import cross_origin, logins
from ..core.cross_origin import TicketProblem
from ..core.logins import AuthorizeRequest
from ..web import current_tenant
from . import answers, authorize
from .authorize import PageError, RedirectError

bp = Blueprint("cross_origin_login", __name__)

# The words a browser user reports when the fallback found nothing: auth0.js issue #1262
# ("No verifier returned from client", third-party cookies blocked).
NO_VERIFIER = "No verifier returned from client."
# Auth0's text for a spent or unknown ticket is not public: the suite's choice.
INVALID_TICKET = "Invalid or expired login ticket."


def login_with_ticket(auth_request: AuthorizeRequest, login_ticket: str, verifier: str | None):
    """Answer /authorize (or /co/verify) for a login ticket: the app's answer, or the fallback."""
    tenant = current_tenant()
    browser_key = request.cookies.get(logins.BROWSER_COOKIE) or logins.new_secret()
    decided = cross_origin.login(
        tenant,
        auth_request,
        login_ticket=login_ticket,
        verifier=verifier,
        browser_key=browser_key,
        session_cookie=request.cookies.get(logins.SESSION_COOKIE),
    )
    client = tenant.config.client(auth_request.client_id)
    fallback = client.cross_origin_loc and request.path == "/authorize"
    if decided.problem is TicketProblem.NO_VERIFIER and fallback:
        # Third-party cookies blocked: ask the app's verification page (GET /co/verify).
        return answers.redirect_after(url_for("cross_origin_login.verify") + _query())
    if decided.problem is not None:
        description = (
            NO_VERIFIER if decided.problem is TicketProblem.NO_VERIFIER else INVALID_TICKET
        )
        raise _denied(auth_request, description)
    if decided.consent_state:
        response = answers.redirect_after(
            url_for("universal_login.consent", state=decided.consent_state)
        )
    else:
        response = answers.answer(auth_request, decided.response)
    answers.set_cookie(response, logins.BROWSER_COOKIE, browser_key)
    answers.set_cookie(response, logins.SESSION_COOKIE, decided.session_cookie)
    # The verifier has done its work: the browser may forget it.
    response.delete_cookie(VERIFIER_COOKIE, path="/", secure=True, samesite="None")
    return response


@bp.route("/co/verify", methods=["GET", "POST"])
def verify():
    """Ask the app's cross_origin_loc page for the verifier (GET), then spend the ticket (POST)."""
    tenant = current_tenant()
    params = request.form if request.method == "POST" else request.args
    auth_request = authorize.validate(tenant, params)
    login_ticket = params.get("login_ticket")
    if not login_ticket:
        raise PageError("Invalid request", "The login_ticket parameter is missing.")
    if request.method == "POST":
        return login_with_ticket(auth_request, login_ticket, params.get("co_verifier"))
    client = tenant.config.client(auth_request.client_id)
    if not client.cross_origin_loc:
        raise PageError("Invalid request", f"{client.name} has no cross-origin verification page.")
    co_id = cross_origin.co_id(tenant, login_ticket)
    if co_id is None:
        raise _denied(auth_request, INVALID_TICKET)
    tenant_origin = request.host_url.rstrip("/")
    app_origin = origin(client.cross_origin_loc)
    response = render_template(
        "u_co_verify.html",
        client=client,
        # auth0.js reads the origin to answer from the fragment (`#origin=`).
        frame_url=client.cross_origin_loc + "#origin=" + urllib.parse.quote(tenant_origin, safe=""),
        app_origin=app_origin,
        co_id=co_id,
        fields=[(k, v) for k, v in request.args.items(multi=True)],
    )
    # The form posts here, and the answer redirects to the app's callback (form-action
    # covers that redirect too).
    callback_origin = origin(auth_request.redirect_uri)
    return (
        response,
        200,
        {
            "Content-Security-Policy": (
                f"default-src 'self'; frame-src {app_origin}; frame-ancestors 'none'; "
                f"form-action 'self' {callback_origin}"
            ),
        },
    )


def _denied(auth_request: AuthorizeRequest, description: str) -> RedirectError:
    """Return the access_denied error that sends the app's login back to its callback."""
    return RedirectError(
        auth_request.redirect_uri,
        "access_denied",
        description,
        auth_request.state,
        client_id=auth_request.client_id,
        response_mode=auth_request.response_mode,
    )


def _query() -> str:
    """Return this request's query string, with its `?`."""
    query = request.query_string.decode()
    return f"?{query}" if query else ""
