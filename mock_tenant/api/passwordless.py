"""`POST /passwordless/start`: check the request as Auth0 does, throttle, and have the core send."""

from __future__ import annotations

import hmac

from ..config import OTP_GRANT, Client, Connection
from ..core import logins, passwordless, throttle, users
from ..core.identifiers import IdentifierError, normalize
from ..core.tenant import Tenant
from ..web import ApiError
from .oauth2 import OAuthClient

# https://auth0.com/docs/api/authentication#get-code-or-link
ALLOWED_FIELDS = {
    "client_id",
    "client_secret",
    "connection",
    "email",
    "phone_number",
    "send",
    "authParams",
    # auth0.js sends its telemetry here when asked to (src/authentication/
    # passwordless-authentication.js in auth0/auth0.js); read and ignored.
    "auth0Client",
}
ALLOWED_AUTH_PARAMS = {
    "scope",
    "state",
    "redirect_uri",
    "response_type",
    "nonce",
    "audience",
    "response_mode",
    "protocol",
    "code_challenge",
    "code_challenge_method",
    # auth0.js's web-auth passes these through (src/web-auth/index.js in auth0/auth0.js):
    # its CSRF and internal state for a Classic login page; carried into the link as is.
    "_csrf",
    "_intstate",
}


def request_language(headers) -> str | None:
    """Return the language a message is asked in: `X-Request-Language`, else `Accept-Language`.

    https://auth0.com/docs/authenticate/passwordless/authentication-methods/email-otp
    ("Multi-language support"); templates read it as `request_language`.
    """
    value = headers.get("X-Request-Language") or headers.get("Accept-Language")
    # A header is anyone's to write: keep a short, printable value (it is data to Liquid).
    if not value or len(value) > 100 or not (value.isascii() and value.isprintable()):
        return None
    return value


def start(
    tenant: Tenant,
    params: dict,
    client_ip: str,
    language: str | None = None,
    browser_key: str | None = None,
) -> tuple[dict, dict]:
    """Handle a start request and return Auth0's body and the rate-limit headers.

    Raises:
        ApiError: Auth0's `bad.*` errors, 401 for a wrong secret, 429 when throttled.

    """
    try:
        page = _login_page_transaction(tenant, params, browser_key)
        client, connection, identifier, send, auth_params = _validate(
            tenant, params, on_login_page=page is not None
        )
    except ApiError as error:
        # A refused request counts against the allowance too, and a spent allowance
        # answers 429 before any other error.
        error.headers.update(rate_limit(tenant, client_ip))
        raise
    if page is not None:
        headers = rate_limit(tenant, client_ip)
        # The code or link belongs to the page's login transaction, as on the New pages.
        wait = logins.send_code(
            tenant, page, client, connection, identifier, send, resend=True, language=language
        )
    else:
        # The count and the code in one write: the allowance is checked before sending.
        budget, wait = passwordless.start(
            tenant,
            client,
            connection,
            identifier,
            send=send,
            auth_params=auth_params,
            allowance=_allowance(tenant, client_ip),
            language=language,
        )
        headers = _rate_limit_headers(budget)
    if wait:
        raise ApiError(
            429,
            "too_many_requests",
            f"Please wait {wait} seconds before asking for another code.",
            {"Retry-After": str(wait), **headers},
        )
    uid = users.user_id(tenant.secret, connection.name, identifier)
    verified = _verified(tenant, uid)
    if connection.strategy == "email":
        return {"_id": uid.split("|")[1], "email": identifier, "email_verified": verified}, headers
    return {
        "_id": uid.split("|")[1],
        "phone_number": identifier,
        "phone_verified": verified,
    }, headers


def _verified(tenant: Tenant, uid: str) -> bool:
    """Return the `*_verified` flag the start answer reports for this person."""
    # Auth0 answers the stored flag: true for someone who has verified the address before
    # (go-auth0 test/data/recordings/authentication/TestSendEmail.yaml and TestSendSMS.yaml
    # record `"email_verified": true`). For someone it has never seen no recording shows the
    # answer; false is the suite's choice. The hardened profile always answers false, so the
    # answer cannot tell whether someone has an account (docs/security.md rule 10).
    if users.find(tenant, uid) is None:
        return False
    return not tenant.rule("uniform_start_answers")


def _login_page_transaction(tenant: Tenant, params: dict, browser_key: str | None) -> dict | None:
    """Return the Classic login this start comes from, or None for an app's own call.

    Lock and auth0.js on the Classic login page send the page's `state`
    (`config.internalOptions`) in `authParams` (auth0-js src/web-auth/index.js:
    passwordlessStart; Lock's WebAuth carries `state` but not `_csrf`, auth0-lock
    lib/core/web_api/p2_api.js). With this browser's cookie it names its login transaction;
    a `_csrf`, when sent, must be that transaction's.
    """
    auth_params = params.get("authParams")
    if not isinstance(auth_params, dict) or not auth_params.get("state"):
        return None
    transaction = logins.load(tenant, auth_params["state"], browser_key)
    if transaction is None or transaction["client_id"] != params.get("client_id"):
        return None
    csrf = auth_params.get("_csrf")
    if csrf is not None and not hmac.compare_digest(
        csrf.encode(), transaction["csrf_token"].encode()
    ):
        return None
    return transaction


def _validate(tenant: Tenant, params: dict, *, on_login_page: bool = False):
    """Check fields, client, connection and identifier, in the order Auth0 reports them."""
    extra = sorted(set(params) - ALLOWED_FIELDS)
    if extra:
        raise ApiError(
            400, "bad.request", f"the following properties are not allowed: {', '.join(extra)}"
        )
    client = _authenticate(tenant, params, on_login_page=on_login_page)
    if not params.get("connection"):
        raise ApiError(400, "bad.connection", "Missing required property: connection")
    connection: Connection | None = tenant.config.connection(params["connection"])
    if connection is None:
        raise ApiError(400, "bad.connection", "Connection does not exist")

    field = "email" if connection.strategy == "email" else "phone_number"
    error_code = "bad.email" if field == "email" else "bad.phone_number"
    if not params.get(field):
        raise ApiError(400, error_code, f"Missing required property: {field}")
    try:
        identifier = normalize(connection.strategy, params[field])
    except IdentifierError as error:
        raise ApiError(400, error_code, str(error)) from None

    # Auth0 sends a link when `send` is left out, except for SMS (auth0-python's sms()
    # never sends it): there a missing `send` means a code.
    send = params.get("send") or ("link" if connection.strategy == "email" else "code")
    if send not in ("code", "link") or (send == "link" and connection.strategy == "sms"):
        allowed = "'code' or 'link'" if connection.strategy == "email" else "'code'"
        raise ApiError(400, "bad.request", f"send must be {allowed}")

    auth_params = params.get("authParams", {})
    if not isinstance(auth_params, dict):
        raise ApiError(400, "bad.authParams", "authParams must be an object")
    extra = sorted(set(auth_params) - ALLOWED_AUTH_PARAMS)
    if extra:
        raise ApiError(
            400, "bad.authParams", f"the following properties are not allowed: {', '.join(extra)}"
        )
    redirect_uri = auth_params.get("redirect_uri")
    # A link for a redirect_uri the app does not allow can never complete: the click is
    # checked as /authorize would (login/pages.py: _finish_api_link). Whether Auth0 also
    # refuses it here, before mailing it, no source says: the `auth0` profile mails it
    # (the suite's choice), the hardened profile refuses it at once, so nobody receives a
    # link that names someone else's site (https://www.rfc-editor.org/rfc/rfc9700#section-4.1).
    if (
        send == "link"
        and redirect_uri is not None
        and not OAuthClient(client).check_redirect_uri(redirect_uri)
        and tenant.rule("check_link_redirect_uri")
    ):
        raise ApiError(
            400,
            "bad.authParams",
            "authParams.redirect_uri is not one of the Allowed Callback URLs of the application",
        )
    return client, connection, identifier, send, auth_params


def _authenticate(tenant: Tenant, params: dict, *, on_login_page: bool = False) -> Client:
    """Find the client and check its secret, as /passwordless/start requires.

    The tenant's own login page has no secret: its login transaction (checked by
    `_login_page_transaction`) stands for the app, as Auth0's hosted page does for a
    regular web app (the suite's reading; no source says how Auth0 decides it).
    """
    if not params.get("client_id"):
        raise ApiError(400, "bad.client_id", "Missing required property: client_id")
    client = tenant.config.client(params["client_id"])
    if client is None:
        raise ApiError(400, "bad.client_id", f"Unknown client: {params['client_id']}")
    if not client.is_public and not on_login_page:
        presented = params.get("client_secret", "").encode()
        if not hmac.compare_digest(presented, (client.client_secret or "").encode()):
            raise ApiError(401, "invalid_client", "Client authentication failed.")
    # https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/relevant-api-endpoints:
    # starting needs the Passwordless OTP grant enabled, and only the exchange at
    # /oauth/token is closed to single-page apps. A SPA starts (auth0.js and Lock embedded
    # do, with the app's Allowed Origins for CORS: api/cors.py) and finishes by magic link
    # or cross-origin authentication, so it needs no OTP grant here; the config refuses
    # that grant for SPAs (config.py: Client).
    if OTP_GRANT not in client.grant_types and client.app_type != "spa":
        raise ApiError(
            403, "unauthorized_client", f"Grant type '{OTP_GRANT}' not allowed for the client."
        )
    return client


def rate_limit(tenant: Tenant, client_ip: str) -> dict:
    """Count a start request against the caller's hourly allowance; return Auth0's headers.

    Raises:
        ApiError: 429 with Retry-After once the allowance is spent.
    """
    return _rate_limit_headers(throttle.spend(tenant, *_allowance(tenant, client_ip)))


def _allowance(tenant: Tenant, client_ip: str) -> tuple[str, int]:
    """Return the throttle bucket of a caller's start requests and its hourly limit."""
    # https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy
    return f"start:ip:{client_ip}", tenant.settings.start_rate_limit_per_hour


def _rate_limit_headers(budget: throttle.Budget) -> dict:
    """Return Auth0's rate-limit headers for what is left of an allowance.

    Raises:
        ApiError: 429 with Retry-After once the allowance is spent.
    """
    # https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy
    headers = {
        "X-RateLimit-Limit": str(budget.limit),
        "X-RateLimit-Remaining": str(budget.remaining),
        "X-RateLimit-Reset": str(budget.reset_at),
    }
    if budget.retry_after:
        raise ApiError(
            429,
            "too_many_requests",
            "Too many requests. Try again later.",
            {**headers, "Retry-After": str(budget.retry_after)},
        )
    return headers
