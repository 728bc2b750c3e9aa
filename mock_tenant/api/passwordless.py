"""`POST /passwordless/start`: check the request, throttle, and send a code or a magic link."""

from __future__ import annotations

import hmac
import logging
import urllib.parse

from ..config import OTP_GRANT, Client, Connection
from ..core import codes as otp
from ..core import users
from ..core.identifiers import IdentifierError, normalize
from ..core.outbox import deliver_by_smtp, record, render
from ..core.tenant import Tenant
from ..web import ApiError

log = logging.getLogger("mock_tenant.passwordless")

# https://auth0.com/docs/api/authentication#get-code-or-link
ALLOWED_FIELDS = {
    "client_id",
    "client_secret",
    "connection",
    "email",
    "phone_number",
    "send",
    "authParams",
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
}


def start(tenant: Tenant, params: dict, client_ip: str) -> tuple[dict, dict]:
    """Handle a start request and return Auth0's body and the rate-limit headers.

    Raises:
        ApiError: Auth0's `bad.*` errors, 401 for a wrong secret, 429 when throttled.

    """
    headers = rate_limit(tenant, f"start:ip:{client_ip}")
    try:
        client, connection, identifier, send, auth_params = _validate(tenant, params)
        with tenant.storage.transaction() as db:
            wait = send_unless_waiting(
                db, tenant, client, connection, identifier, send, auth_params, tenant.clock.now()
            )
        if wait:
            raise ApiError(
                429,
                "too_many_requests",
                f"Please wait {wait} seconds before asking for another code.",
                {"Retry-After": str(wait)},
            )
    except ApiError as error:
        error.headers.update(headers)
        raise
    uid = users.user_id(tenant.secret, connection.name, identifier).split("|")[1]
    # Auth0 reports the stored `*_verified` flag; we always say False so the answer cannot
    # tell whether someone already has an account (security-bar rule 10).
    if connection.strategy == "email":
        return {"_id": uid, "email": identifier, "email_verified": False}, headers
    return {"_id": uid, "phone_number": identifier, "phone_verified": False}, headers


def send_unless_waiting(
    db, tenant, client, connection, identifier, send, auth_params, now, transaction_id=None
) -> int:
    """Send a code or link unless the resend cooldown runs; return the seconds left (0: sent)."""
    wait = otp.seconds_until_resend(
        db,
        connection=connection.name,
        identifier=identifier,
        now=now,
        cooldown=tenant.settings.resend_cooldown,
    )
    if wait:
        return wait
    # With sign-ups disabled, unknown people get nothing, but the same answer; their
    # cooldown starts too, or a quick second request would tell them apart.
    if not connection.disable_signup or users.exists(db, connection.name, identifier):
        send_code(
            db,
            tenant,
            client,
            connection,
            identifier,
            send,
            auth_params,
            now,
            transaction_id=transaction_id,
        )
    else:
        otp.note_send(db, connection=connection.name, identifier=identifier, now=now)
    return 0


def send_code(
    db, tenant, client, connection, identifier, send, auth_params, now, transaction_id=None
) -> None:
    """Store a new code (replacing the old one) and put the message in the outbox."""
    code = otp.store_code(
        db,
        secret=tenant.secret,
        connection=connection.name,
        identifier=identifier,
        client_id=client.client_id,
        send=send,
        now=now,
        lifetime=tenant.settings.otp_lifetime,
        transaction_id=transaction_id,
    )
    link = None
    if send == "link":
        # https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/relevant-api-endpoints
        query = {
            **auth_params,
            "client_id": client.client_id,
            "connection": connection.name,
            connection.strategy if connection.strategy == "email" else "phone_number": identifier,
            "verification_code": code,
        }
        link = tenant.url("passwordless/verify_redirect?" + urllib.parse.urlencode(query))
    subject, text = render(connection, client, code, link)
    message_id = record(
        db,
        channel=connection.strategy,
        recipient=identifier,
        subject=subject,
        text=text,
        code=code,
        link=link,
        now=now,
    )
    # The log says where to read the message, never the code itself (security-bar rule 19).
    log.info(
        "%s #%s to %s is in the outbox: %s",
        connection.strategy,
        message_id,
        identifier,
        tenant.url("_dev/outbox"),
    )
    if connection.strategy == "email":
        deliver_by_smtp(tenant.settings, connection.email.from_, identifier, subject, text)


def _validate(tenant: Tenant, params: dict):
    """Check fields, client, connection and identifier, in the order Auth0 reports them."""
    extra = sorted(set(params) - ALLOWED_FIELDS)
    if extra:
        raise ApiError(
            400, "bad.request", f"the following properties are not allowed: {', '.join(extra)}"
        )
    client = _authenticate(tenant, params)
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
    return client, connection, identifier, send, auth_params


def _authenticate(tenant: Tenant, params: dict) -> Client:
    """Find the client and check its secret, as /passwordless/start requires."""
    if not params.get("client_id"):
        raise ApiError(400, "bad.client_id", "Missing required property: client_id")
    client = tenant.config.client(params["client_id"])
    if client is None:
        raise ApiError(400, "bad.client_id", f"Unknown client: {params['client_id']}")
    if not client.is_public:
        presented = params.get("client_secret", "").encode()
        if not hmac.compare_digest(presented, (client.client_secret or "").encode()):
            raise ApiError(401, "invalid_client", "Client authentication failed.")
    if OTP_GRANT not in client.grant_types:
        raise ApiError(
            403, "unauthorized_client", f"Grant type '{OTP_GRANT}' not allowed for the client."
        )
    return client


def rate_limit(tenant: Tenant, bucket: str) -> dict:
    """Count a request against an hourly window and return Auth0's rate-limit headers."""
    # https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy
    limit = tenant.settings.start_rate_limit_per_hour
    with tenant.storage.transaction() as db:
        now = tenant.clock.now()
        window = now - now % 3600
        db.execute(
            "INSERT INTO rate_limits (bucket, window_start, count) VALUES (?, ?, 1) "
            "ON CONFLICT (bucket) DO UPDATE SET "
            "count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END, "
            "window_start = excluded.window_start",
            (bucket, window),
        )
        count = db.execute("SELECT count FROM rate_limits WHERE bucket = ?", (bucket,)).fetchone()[
            0
        ]
    headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(max(0, limit - count)),
        "X-RateLimit-Reset": str(window + 3600),
    }
    if count > limit:
        raise ApiError(
            429,
            "too_many_requests",
            "Too many requests. Try again later.",
            {**headers, "Retry-After": str(window + 3600 - now)},
        )
    return headers
