"""The authorization_code grant: PKCE S256, secret by Basic or in the body, single-use codes."""

import base64

import pytest

from tests.constants import (
    API_AUDIENCE,
    NATIVE_CALLBACK,
    NATIVE_CLIENT,
    SPA_CALLBACK,
    SPA_CLIENT,
    WEB_CALLBACK,
    WEB_CLIENT,
    WEB_SECRET,
)
from tests.mock_tenant.helpers import (
    assert_error,
    basic_auth,
    issue_authorization_code,
    pkce_pair,
    redeem,
    refresh,
    token,
    userinfo,
    verify_jwt,
)

INVALID_CODE = "Invalid authorization code"


def _web_code(server, **kwargs) -> tuple[str, str]:
    """Issue a code to the web app with a PKCE challenge and return (code, verifier)."""
    verifier, challenge = pkce_pair()
    code = issue_authorization_code(
        server.tenant,
        client_id=WEB_CLIENT,
        redirect_uri=WEB_CALLBACK,
        code_challenge=challenge,
        **kwargs,
    )
    return code, verifier


def test_the_web_app_redeems_a_code_with_basic_auth_and_pkce(tenant_server):
    code, verifier = _web_code(tenant_server, nonce="n-0S6_WzA2Mj", sid="sid-1")
    # Authlib's default: the secret by HTTP Basic, form-encoded body.
    response = token(
        tenant_server,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": WEB_CALLBACK,
            "code_verifier": verifier,
        },
        form=True,
        headers=basic_auth(WEB_CLIENT, WEB_SECRET),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["refresh_token"]
    assert body["scope"] == "openid profile email offline_access"
    # The ID token carries the nonce and the session id of the browser login.
    claims = verify_jwt(tenant_server, body["id_token"], audience=WEB_CLIENT)
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["sid"] == "sid-1"
    assert claims["email"] == "ada@example.com"
    assert claims["given_name"] == "Ada"
    assert userinfo(tenant_server, body["access_token"]).json()["sub"] == claims["sub"]


def test_the_web_app_redeems_a_code_with_its_secret_in_a_json_body(tenant_server):
    code, verifier = _web_code(tenant_server)
    # auth0-python's way: JSON, client_id and client_secret in the body.
    response = token(
        tenant_server,
        {
            "grant_type": "authorization_code",
            "client_id": WEB_CLIENT,
            "client_secret": WEB_SECRET,
            "code": code,
            "redirect_uri": WEB_CALLBACK,
            "code_verifier": verifier,
        },
    )
    assert response.status_code == 200, response.text


def test_a_confidential_client_may_redeem_a_code_issued_without_pkce(tenant_server):
    code = issue_authorization_code(
        tenant_server.tenant, client_id=WEB_CLIENT, redirect_uri=WEB_CALLBACK
    )
    response = redeem(tenant_server, code, None)
    assert response.status_code == 200, response.text


def test_the_native_app_redeems_a_code_with_pkce_and_no_secret(tenant_server):
    verifier, challenge = pkce_pair()
    code = issue_authorization_code(
        tenant_server.tenant,
        client_id=NATIVE_CLIENT,
        redirect_uri=NATIVE_CALLBACK,
        code_challenge=challenge,
    )
    response = token(
        tenant_server,
        {
            "grant_type": "authorization_code",
            "client_id": NATIVE_CLIENT,
            "code": code,
            "redirect_uri": NATIVE_CALLBACK,
            "code_verifier": verifier,
        },
        form=True,
    )
    assert response.status_code == 200, response.text
    verify_jwt(tenant_server, response.json()["id_token"], audience=NATIVE_CLIENT)


def test_the_spa_redeems_a_code_as_auth0_spa_js_does(tenant_server):
    verifier, challenge = pkce_pair()
    code = issue_authorization_code(
        tenant_server.tenant,
        client_id=SPA_CLIENT,
        redirect_uri=SPA_CALLBACK,
        code_challenge=challenge,
        audience=API_AUDIENCE,
        scope="openid profile read:messages",
    )
    # Form-encoded, with an Auth0-Client telemetry header the tenant ignores.
    response = token(
        tenant_server,
        {
            "grant_type": "authorization_code",
            "client_id": SPA_CLIENT,
            "code": code,
            "redirect_uri": SPA_CALLBACK,
            "code_verifier": verifier,
        },
        form=True,
        headers={"Auth0-Client": base64.b64encode(b'{"name":"auth0-spa-js"}').decode()},
    )
    assert response.status_code == 200, response.text
    # The API's audience gives an RS256 JWT access token.
    claims = verify_jwt(tenant_server, response.json()["access_token"], audience=API_AUDIENCE)
    assert claims["azp"] == SPA_CLIENT
    assert claims["aud"] == [API_AUDIENCE, tenant_server.issuer + "userinfo"]


@pytest.mark.tenant_config(profile="hardened")
def test_a_public_client_must_use_pkce(tenant_server):
    # A code issued to the native app without a challenge cannot be redeemed without a verifier.
    code = issue_authorization_code(
        tenant_server.tenant, client_id=NATIVE_CLIENT, redirect_uri=NATIVE_CALLBACK
    )
    body = {
        "grant_type": "authorization_code",
        "client_id": NATIVE_CLIENT,
        "code": code,
        "redirect_uri": NATIVE_CALLBACK,
    }
    assert_error(token(tenant_server, body), 400, "invalid_request")


def test_a_missing_code_verifier_is_refused(tenant_server):
    code, _ = _web_code(tenant_server)
    response = redeem(tenant_server, code, None)
    assert_error(response, 400, "invalid_request")


def test_a_wrong_code_verifier_is_refused(tenant_server):
    code, _ = _web_code(tenant_server)
    other_verifier, _ = pkce_pair()
    response = redeem(tenant_server, code, other_verifier)
    assert_error(response, 403, "invalid_grant")


def test_a_plain_verifier_equal_to_the_challenge_is_refused(tenant_server):
    # Sending the challenge itself as the verifier is what `plain` would accept; S256 does not.
    verifier, challenge = pkce_pair()
    code = issue_authorization_code(
        tenant_server.tenant,
        client_id=WEB_CLIENT,
        redirect_uri=WEB_CALLBACK,
        code_challenge=challenge,
    )
    response = redeem(tenant_server, code, challenge)
    assert_error(response, 403, "invalid_grant")


def test_a_code_verifier_for_a_code_without_a_challenge_is_refused(tenant_server):
    code = issue_authorization_code(
        tenant_server.tenant, client_id=WEB_CLIENT, redirect_uri=WEB_CALLBACK
    )
    verifier, _ = pkce_pair()
    response = redeem(tenant_server, code, verifier)
    assert_error(response, 400, "invalid_request")


@pytest.mark.parametrize(
    "redirect_uri",
    [
        None,
        "http://localhost:3000/callback/",
        "http://localhost:3000/callback?x=1",
        "http://LOCALHOST:3000/callback",
        "http://localhost:3000/other",
    ],
)
def test_a_redirect_uri_other_than_the_codes_is_refused(tenant_server, redirect_uri):
    code, verifier = _web_code(tenant_server)
    body = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier}
    if redirect_uri is not None:
        body["redirect_uri"] = redirect_uri
    response = token(tenant_server, body, form=True, headers=basic_auth(WEB_CLIENT, WEB_SECRET))
    assert_error(response, 403, "invalid_grant")


def test_a_code_used_twice_is_refused_and_revokes_what_the_first_use_got(tenant_server):
    code, verifier = _web_code(tenant_server)
    first = redeem(tenant_server, code, verifier)
    assert first.status_code == 200
    # The second use is refused...
    second = redeem(tenant_server, code, verifier)
    assert_error(second, 403, "invalid_grant", INVALID_CODE)
    # ...and the first use's tokens stop working (RFC 6749 4.1.2).
    assert userinfo(tenant_server, first.json()["access_token"]).status_code == 401
    response = refresh(
        tenant_server,
        first.json()["refresh_token"],
        client_id=WEB_CLIENT,
        client_secret=WEB_SECRET,
    )
    assert_error(response, 403, "invalid_grant")


def test_an_expired_code_is_refused(tenant_server):
    code, verifier = _web_code(tenant_server)
    # Codes live 60 seconds.
    tenant_server.advance_clock(60)
    response = redeem(tenant_server, code, verifier)
    assert_error(response, 403, "invalid_grant", INVALID_CODE)


def test_a_code_issued_to_one_client_is_refused_to_another(tenant_server):
    verifier, challenge = pkce_pair()
    code = issue_authorization_code(
        tenant_server.tenant,
        client_id=NATIVE_CLIENT,
        redirect_uri=NATIVE_CALLBACK,
        code_challenge=challenge,
    )
    response = redeem(tenant_server, code, verifier, redirect_uri=NATIVE_CALLBACK)
    assert_error(response, 403, "invalid_grant", INVALID_CODE)


def test_an_unknown_code_is_refused(tenant_server):
    response = redeem(tenant_server, "nope", None)
    assert_error(response, 403, "invalid_grant", INVALID_CODE)


def test_a_missing_code_is_invalid_request(tenant_server):
    body = {"grant_type": "authorization_code", "redirect_uri": WEB_CALLBACK}
    response = token(tenant_server, body, form=True, headers=basic_auth(WEB_CLIENT, WEB_SECRET))
    assert_error(response, 400, "invalid_request")


def test_a_wrong_client_secret_is_401(tenant_server):
    code, verifier = _web_code(tenant_server)
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": WEB_CALLBACK,
        "code_verifier": verifier,
    }
    response = token(tenant_server, body, form=True, headers=basic_auth(WEB_CLIENT, "wrong-secret"))
    assert_error(response, 401, "access_denied", "Unauthorized")
    # The refused attempt did not use the code up.
    response = token(tenant_server, body, form=True, headers=basic_auth(WEB_CLIENT, WEB_SECRET))
    assert response.status_code == 200, response.text
