"""`POST /co/authenticate`: embedded login from the app's own page (auth0.js, Lock).

auth0.js `passwordlessLogin` (src/web-auth/index.js in auth0/auth0.js) posts
`{client_id, username, otp, realm, credential_type}` here with credentials, then sends the
browser to `/authorize?login_ticket=...` (login/cross_origin.py).
The errors are Auth0's table for this endpoint ("Error Codes and Descriptions", auth0/docs,
the auth0.js and Lock library pages).
https://auth0.com/docs/authenticate/login/cross-origin-authentication
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from ..config import OTP_GRANT
from ..core import cross_origin
from ..core.codes import Outcome
from ..core.identifiers import IdentifierError, normalize
from ..web import ApiError, current_tenant, echo, read_params
from .token_endpoint import OTP_FAILURE, WRONG_CODE

bp = Blueprint("cross_origin", __name__)

# The cookie that proves, at /authorize, that the browser holding the ticket is the one
# that asked for it (a third-party cookie: the app's page called us with fetch).
VERIFIER_COOKIE = "tenant_co_verifier"
REQUIRED = {"client_id", "credential_type", "username", "otp", "realm"}


@bp.post("/co/authenticate")
def authenticate():
    """Check a one-time code sent by the app's page and answer a login ticket for it."""
    tenant = current_tenant()
    params = read_params()
    # auth0/docs /co/authenticate errors: 400 invalid_request for a body with other fields.
    if set(params) != REQUIRED:
        raise ApiError(
            400,
            "invalid_request",
            "Invalid request body. All and only of client_id, credential_type, username, "
            "otp, realm are required.",
        )
    client = tenant.config.client(params["client_id"])
    # 401 unauthorized_client when the application's "Allow Cross-Origin Authentication"
    # is off. An unknown client gets the same answer: the suite's choice.
    if client is None or not client.cross_origin_authentication:
        raise ApiError(401, "unauthorized_client", "Cross origin login not allowed.")
    # The draft behind this endpoint: the provider MUST check the Origin header against the
    # client's registered origins (draft-hanson-openid-connect-cross-origin-authentication
    # 3.1). Auth0 answers 403 with a plain-text body, not its JSON error shape.
    origin = request.headers.get("Origin")
    if origin not in client.cors_origins:
        return Response(
            f"Origin {echo(origin or 'null')} is not allowed.", 403, mimetype="text/plain"
        )
    # Passwordless is the only credential this tenant holds (no passwords, no databases).
    if params["credential_type"] != OTP_GRANT:
        raise ApiError(400, "unsupported_credential_type", "Unknown credential type parameter.")
    connection = tenant.config.connection(params["realm"])
    if connection is None:
        raise ApiError(400, "invalid_request", f"Unknown realm {echo(params['realm'])}.")
    code = params["otp"]
    wrong = ApiError(403, "access_denied", WRONG_CODE[connection.strategy])
    # Only short ASCII reaches the comparison, as at the token endpoint.
    if not (code.isascii() and code.isprintable() and len(code) <= 64):
        raise wrong
    try:
        identifier = normalize(connection.strategy, params["username"])
    except IdentifierError:
        raise wrong from None
    # The limits on wrong codes are the OTP grant's, counted in the same place (core/
    # passwordless.py: redeem): three tries per code, the hardened lockout, the connection's
    # brute-force protection. No per-IP limit, as at /oauth/token: Auth0's limit here is a
    # tenant-wide request rate ("Any request", 5 per second on Free:
    # https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/rate-limit-configurations/free-public)
    # and its Suspicious IP Throttling is not modelled: the suite's choice.
    outcome, ticket = cross_origin.authenticate(
        tenant, client, realm=connection.name, identifier=identifier, code=code
    )
    if outcome is Outcome.LOCKED:
        raise ApiError(
            429,
            "too_many_attempts",
            "Your account has been blocked after multiple consecutive login attempts.",
        )
    if ticket is None:
        # The 403 access_denied of Auth0's table, with the OTP grant's words for a code.
        raise ApiError(403, "access_denied", OTP_FAILURE.get(outcome, wrong.description))
    response = current_app.json.response(
        {
            "login_ticket": ticket.login_ticket,
            "co_verifier": ticket.co_verifier,
            "co_id": ticket.co_id,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    # SameSite=None so the cookie, set in answer to the app's fetch, comes back at /authorize
    # (a browser that blocks third-party cookies drops it: then /co/verify steps in).
    response.set_cookie(
        VERIFIER_COOKIE,
        ticket.co_verifier,
        max_age=cross_origin.TICKET_LIFETIME,
        httponly=True,
        secure=True,
        samesite="None",
        path="/",
    )
    return response
