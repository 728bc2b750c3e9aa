"""Helpers for the tenant's tests: the HTTP calls a client makes, and the checks we repeat."""

from __future__ import annotations

import base64
import hashlib
import secrets

import jwt
import requests

from mock_tenant.core import grants, logins, users
from tests.constants import NATIVE_CLIENT, OTP_GRANT, WEB_CALLBACK, WEB_CLIENT, WEB_SECRET

TIMEOUT = 10


def start(server, body: dict, **kwargs) -> requests.Response:
    """Call `POST /passwordless/start` with a JSON body."""
    return requests.post(server.url("passwordless/start"), json=body, timeout=TIMEOUT, **kwargs)


def send_email_code(server, email: str, client_id: str = NATIVE_CLIENT, **extra) -> str:
    """Ask the tenant to email a code and return the code, read from the dev outbox."""
    body = {"client_id": client_id, "connection": "email", "email": email, "send": "code"}
    response = start(server, {**body, **extra})
    assert response.status_code == 200, response.text
    return server.last_code(email)


def send_sms_code(server, phone_number: str, client_id: str = NATIVE_CLIENT, **extra) -> str:
    """Ask the tenant to text a code and return the code, read from the dev outbox."""
    body = {"client_id": client_id, "connection": "sms", "phone_number": phone_number}
    response = start(server, {**body, **extra})
    assert response.status_code == 200, response.text
    return server.last_code(phone_number)


def token(server, body: dict, *, form: bool = False, **kwargs) -> requests.Response:
    """Call `POST /oauth/token` with a JSON body, or a form-encoded one."""
    encoded = {"data": body} if form else {"json": body}
    return requests.post(server.url("oauth/token"), timeout=TIMEOUT, **encoded, **kwargs)


def otp_token(
    server, username: str, otp: str, realm: str = "email", client_id=NATIVE_CLIENT, **extra
) -> requests.Response:
    """Exchange a one-time code for tokens with Auth0's passwordless OTP grant."""
    body = {
        "grant_type": OTP_GRANT,
        "client_id": client_id,
        "username": username,
        "otp": otp,
        "realm": realm,
        "scope": "openid profile email",
        **extra,
    }
    return token(server, body)


def login(server, email: str, scope: str = "openid profile email", **extra) -> dict:
    """Log in by email code with the native app and return the token response."""
    code = send_email_code(server, email)
    response = otp_token(server, email, code, scope=scope, **extra)
    assert response.status_code == 200, response.text
    return response.json()


def refresh(server, refresh_token: str, client_id: str = NATIVE_CLIENT, **extra):
    """Exchange a refresh token with the refresh_token grant."""
    body = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token}
    return token(server, {**body, **extra})


def userinfo(server, access_token: str, method: str = "GET") -> requests.Response:
    """Call `/userinfo` with a bearer token."""
    headers = {"Authorization": f"Bearer {access_token}"}
    return requests.request(method, server.url("userinfo"), headers=headers, timeout=TIMEOUT)


def verify_jwt(server, token_string: str, audience: str) -> dict:
    """Check a JWT the way a careful client does (RS256 only, JWKS key, iss, aud) and decode it."""
    kid = jwt.get_unverified_header(token_string)["kid"]
    jwks = requests.get(server.url(".well-known/jwks.json"), timeout=TIMEOUT).json()
    return jwt.decode(
        token_string,
        jwt.PyJWKSet.from_dict(jwks)[kid],
        algorithms=["RS256"],
        audience=audience,
        issuer=server.issuer,
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
    )


def freeze_clock(server) -> int:
    """Stop the tenant's clock, so that a boundary (a lifetime, a cooldown) is hit exactly."""
    response = requests.post(server.url("_dev/api/clock"), json={"freeze": True}, timeout=TIMEOUT)
    assert response.json()["frozen"] is True
    return response.json()["now"]


def assert_error(response: requests.Response, status: int, error: str, description=None):
    """Check an error answer: the status, Auth0's JSON shape and, if given, its message."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
    assert isinstance(body["error_description"], str) and body["error_description"]
    if description is not None:
        assert body["error_description"] == description


def wrong_code(code: str) -> str:
    """Return a six-digit code that is not `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def basic_auth(client_id: str, secret: str) -> dict:
    """Return an HTTP Basic Authorization header with client credentials (RFC 6749 2.3.1)."""
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


def redeem(
    tenant_server,
    code: str,
    verifier: str | None,
    *,
    client_id: str = WEB_CLIENT,
    redirect_uri: str = WEB_CALLBACK,
    **extra,
) -> requests.Response:
    """Exchange an authorization code at the token endpoint (the web app with its secret)."""
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier is not None:
        body["code_verifier"] = verifier
    headers = basic_auth(WEB_CLIENT, WEB_SECRET) if client_id == WEB_CLIENT else {}
    if client_id != WEB_CLIENT:
        body["client_id"] = client_id
    return token(tenant_server, {**body, **extra}, form=True, headers=headers)


def pkce_pair() -> tuple[str, str]:
    """Return a PKCE code verifier and its S256 challenge (RFC 7636 4.1 and 4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_authorization_code(
    tenant,
    *,
    client_id: str,
    redirect_uri: str,
    email: str = "ada@example.com",
    scope: str = "openid profile email offline_access",
    audience: str | None = None,
    code_challenge: str | None = None,
    nonce: str | None = None,
    sid: str | None = None,
) -> str:
    """Issue an authorization code through the tenant's own code path, without the pages."""
    request = logins.AuthorizeRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        state=None,
        nonce=nonce,
        code_challenge=code_challenge,
        code_challenge_method="S256" if code_challenge else None,
        audience=audience,
        connection="email",
        login_hint=None,
        prompt=None,
        max_age=None,
        response_mode="query",
    )
    with tenant.storage.transaction() as db:
        now = tenant.clock.now()
        user = users.find_or_create(
            db, secret=tenant.secret, connection="email", identifier=email, now=now
        )
        return grants.issue_authorization_code(
            db, tenant, request, user_id=user["user_id"], auth_time=now, sid=sid
        )


def inspector_events(server) -> list[dict]:
    """Return every recorded exchange of the flow inspector, oldest first."""
    logins = requests.get(server.url("_dev/api/events"), timeout=TIMEOUT).json()
    return sorted((e for login in logins for e in login["events"]), key=lambda e: e["id"])
