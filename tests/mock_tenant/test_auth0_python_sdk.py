"""Auth0's own Python SDK (auth0-python) works against the tenant unchanged: wire compatibility."""

import pytest
from auth0.authentication import GetToken, Passwordless, RevokeToken, Users
from auth0.authentication.exceptions import Auth0Error
from auth0.authentication.token_verifier import AsymmetricSignatureVerifier, TokenVerifier

from tests.constants import API_AUDIENCE, NATIVE_CLIENT, WEB_CLIENT, WEB_SECRET
from tests.mock_tenant.helpers import issue_authorization_code, pkce_pair, wrong_code


def _domain(server) -> str:
    """Return the tenant's "domain" as the SDK wants it: host and port, no scheme."""
    return server.base_url.removeprefix("http://")


def _id_token_verifier(server, client_id: str) -> TokenVerifier:
    """Build the SDK's ID token verifier: RS256 keys from the JWKS, issuer with its slash."""
    return TokenVerifier(
        signature_verifier=AsymmetricSignatureVerifier(server.url(".well-known/jwks.json")),
        issuer=server.issuer,
        audience=client_id,
    )


def test_the_email_code_flow_runs_end_to_end_with_the_sdk(tenant_server):
    domain = _domain(tenant_server)
    # Start: the SDK posts JSON to /passwordless/start.
    started = Passwordless(domain, NATIVE_CLIENT, protocol="http").email(
        "sdk@example.com", send="code"
    )
    assert started["email"] == "sdk@example.com"
    code = tenant_server.last_code("sdk@example.com")
    # Log in with the OTP grant, for the API and with a refresh token.
    get_token = GetToken(domain, NATIVE_CLIENT, protocol="http")
    tokens = get_token.passwordless_login(
        username="sdk@example.com",
        otp=code,
        realm="email",
        scope="openid profile email offline_access",
        audience=API_AUDIENCE,
    )
    assert tokens["token_type"] == "Bearer"
    # The SDK's own verifier accepts the ID token.
    claims = _id_token_verifier(tenant_server, NATIVE_CLIENT).verify(tokens["id_token"])
    assert claims["email"] == "sdk@example.com"
    assert claims["sub"].startswith("email|")
    # /userinfo through the SDK.
    profile = Users(domain, protocol="http").userinfo(tokens["access_token"])
    assert profile["sub"] == claims["sub"]
    assert profile["email"] == "sdk@example.com"
    # Refresh (the SDK sends scope ""), then revoke the new refresh token.
    refreshed = get_token.refresh_token(tokens["refresh_token"])
    assert refreshed["refresh_token"] != tokens["refresh_token"]
    _id_token_verifier(tenant_server, NATIVE_CLIENT).verify(refreshed["id_token"])
    RevokeToken(domain, NATIVE_CLIENT, protocol="http").revoke_refresh_token(
        refreshed["refresh_token"]
    )
    # The revoked token now fails, as an Auth0Error with Auth0's code.
    with pytest.raises(Auth0Error) as raised:
        get_token.refresh_token(refreshed["refresh_token"])
    assert raised.value.status_code == 403
    assert raised.value.error_code == "invalid_grant"
    assert raised.value.message == "Unknown or invalid refresh token."


def test_the_sms_code_flow_runs_with_the_sdk(tenant_server):
    domain = _domain(tenant_server)
    # The SDK's sms() sends no `send` field: the tenant must text a code.
    started = Passwordless(domain, NATIVE_CLIENT, protocol="http").sms("+15555550123")
    assert started["phone_number"] == "+15555550123"
    code = tenant_server.last_code("+15555550123")
    tokens = GetToken(domain, NATIVE_CLIENT, protocol="http").passwordless_login(
        username="+15555550123", otp=code, realm="sms", scope="openid profile", audience=None
    )
    claims = _id_token_verifier(tenant_server, NATIVE_CLIENT).verify(tokens["id_token"])
    assert claims["phone_number"] == "+15555550123"
    assert claims["sub"].startswith("sms|")


def test_a_regular_web_app_uses_the_sdk_with_its_secret(tenant_server):
    domain = _domain(tenant_server)
    Passwordless(domain, WEB_CLIENT, client_secret=WEB_SECRET, protocol="http").email(
        "sdkweb@example.com", send="code"
    )
    code = tenant_server.last_code("sdkweb@example.com")
    tokens = GetToken(
        domain, WEB_CLIENT, client_secret=WEB_SECRET, protocol="http"
    ).passwordless_login(
        username="sdkweb@example.com", otp=code, realm="email", scope="openid email", audience=None
    )
    _id_token_verifier(tenant_server, WEB_CLIENT).verify(tokens["id_token"])


def test_a_wrong_code_raises_auth0error_with_auth0s_answer(tenant_server):
    domain = _domain(tenant_server)
    Passwordless(domain, NATIVE_CLIENT, protocol="http").email("sdkwrong@example.com", send="code")
    code = tenant_server.last_code("sdkwrong@example.com")
    with pytest.raises(Auth0Error) as raised:
        GetToken(domain, NATIVE_CLIENT, protocol="http").passwordless_login(
            username="sdkwrong@example.com",
            otp=wrong_code(code),
            realm="email",
            scope="openid",
            audience=None,
        )
    assert raised.value.status_code == 403
    assert raised.value.error_code == "invalid_grant"
    assert raised.value.message == "Wrong email or verification code."


def test_a_bad_phone_number_raises_auth0error_with_bad_phone_number(tenant_server):
    with pytest.raises(Auth0Error) as raised:
        Passwordless(_domain(tenant_server), NATIVE_CLIENT, protocol="http").sms("555-0100")
    assert raised.value.status_code == 400
    assert raised.value.error_code == "bad.phone_number"


def test_a_wrong_secret_raises_auth0error_401(tenant_server):
    with pytest.raises(Auth0Error) as raised:
        Passwordless(
            _domain(tenant_server), WEB_CLIENT, client_secret="wrong-secret", protocol="http"
        ).email("x@example.com", send="code")
    assert raised.value.status_code == 401


def test_the_sdk_redeems_authorization_codes(tenant_server):
    domain = _domain(tenant_server)
    # A web app with its secret in the body (the SDK's authorization_code).
    code = issue_authorization_code(
        tenant_server.tenant,
        client_id=WEB_CLIENT,
        redirect_uri="http://localhost:3000/callback",
        nonce="sdk-nonce",
    )
    tokens = GetToken(
        domain, WEB_CLIENT, client_secret=WEB_SECRET, protocol="http"
    ).authorization_code(code=code, redirect_uri="http://localhost:3000/callback")
    claims = _id_token_verifier(tenant_server, WEB_CLIENT).verify(
        tokens["id_token"], nonce="sdk-nonce"
    )
    assert claims["email"] == "ada@example.com"
    # A native app with PKCE (the SDK's authorization_code_pkce).
    verifier, challenge = pkce_pair()
    code = issue_authorization_code(
        tenant_server.tenant,
        client_id=NATIVE_CLIENT,
        redirect_uri="http://127.0.0.1:8765/callback",
        code_challenge=challenge,
    )
    tokens = GetToken(domain, NATIVE_CLIENT, protocol="http").authorization_code_pkce(
        code_verifier=verifier, code=code, redirect_uri="http://127.0.0.1:8765/callback"
    )
    _id_token_verifier(tenant_server, NATIVE_CLIENT).verify(tokens["id_token"])
