"""Threat: parameters that mean two things at once: repeated, split between channels, or
borrowed from another flow, so that one check reads one value and the grant uses another.

RFC 6749 sections 2.3 (one client authentication method per request), 3.1 (no parameter
twice), 3.3 and 6 (scope may only narrow on refresh), 5.2 (unsupported_grant_type);
RFC 9700 sections 2.1.2 (no implicit or hybrid flows) and 4.1 to 4.3 (mix-up, token leakage
in URLs); RFC 8259 section 4 (duplicate JSON names); OWASP HTTP Parameter Pollution (WSTG
INPV-04); OWASP ASVS 5.0 V10.4. docs/security.md rule 6 and the "SPA on the OTP grant", "wrong
secret" and "code asked by client A redeemed by client B" examples.
"""

import jwt
import pytest
import requests

from tests.attacks.helpers import authorize_url, browser_code, get, query_of, redeem
from tests.constants import (
    API_AUDIENCE,
    NATIVE_CLIENT,
    OTP_GRANT,
    SPA_CALLBACK,
    SPA_CLIENT,
    WEB_CALLBACK,
    WEB_CLIENT,
    WEB_SECRET,
)
from tests.mock_tenant.helpers import (
    assert_error,
    basic_auth,
    login,
    otp_token,
    refresh,
    send_email_code,
    token,
)


def otp_body(code: str, email: str = "ada@example.com", **extra) -> dict:
    """Return a native-app OTP grant body."""
    return {
        "grant_type": OTP_GRANT,
        "client_id": NATIVE_CLIENT,
        "username": email,
        "otp": code,
        "realm": "email",
        "scope": "openid",
        **extra,
    }


def attempts(tenant_server) -> int:
    """Return the wrong tries counted against the pending code."""
    row = tenant_server.tenant.storage.query_one("SELECT attempts FROM otp_codes")
    return row["attempts"] if row else -1


# ---- one parameter, two values ---------------------------------------------------------------


@pytest.mark.parametrize(
    "param",
    [
        "client_id",
        "redirect_uri",
        "state",
        "response_type",
        "scope",
        "code_challenge",
        "nonce",
        "code_challenge_method",
    ],
)
def test_a_parameter_repeated_at_authorize_gets_an_error_page(tenant_server, param):
    response = get(authorize_url(tenant_server) + f"&{param}=other")
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_a_parameter_repeated_in_a_token_form_is_refused(tenant_server):
    code = send_email_code(tenant_server, "ada@example.com")
    body = "&".join(f"{k}={v}" for k, v in otp_body("000000").items()) + f"&otp={code}"
    response = requests.post(
        tenant_server.url("oauth/token"),
        data=body,
        timeout=10,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_error(response, 400, "invalid_request")
    assert attempts(tenant_server) == 0


def test_a_name_repeated_in_a_json_body_is_refused(tenant_server):
    # {"otp": "000000", "otp": "<right code>"}: one parser reads the first, another the last.
    code = send_email_code(tenant_server, "ada@example.com")
    raw = (
        f'{{"grant_type": "{OTP_GRANT}", "client_id": "{NATIVE_CLIENT}", "realm": "email", '
        f'"username": "ada@example.com", "otp": "000000", "otp": "{code}"}}'
    )
    response = requests.post(
        tenant_server.url("oauth/token"),
        data=raw,
        timeout=10,
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 400, "invalid_request")
    assert attempts(tenant_server) == 0


def test_a_name_repeated_in_passwordless_start_is_refused(tenant_server):
    raw = (
        f'{{"client_id": "{NATIVE_CLIENT}", "connection": "email", "send": "code", '
        '"email": "ada@example.com", "email": "mallory@example.com"}'
    )
    response = requests.post(
        tenant_server.url("passwordless/start"),
        data=raw,
        timeout=10,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert tenant_server.outbox() == []


# ---- client authentication split between channels ----------------------------------------


def test_basic_credentials_of_one_client_with_another_client_id_in_the_body_are_refused(
    tenant_server,
):
    code = send_email_code(tenant_server, "ada@example.com")
    response = token(tenant_server, otp_body(code), headers=basic_auth(WEB_CLIENT, WEB_SECRET))
    assert_error(response, 400, "invalid_request")
    # Nothing was checked against the native app's code, so no try was spent either.
    assert attempts(tenant_server) == 0


def test_a_wrong_secret_in_the_body_is_not_excused_by_a_right_one_in_basic(tenant_server):
    code = send_email_code(
        tenant_server, "ada@example.com", client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    body = otp_body(code, client_id=WEB_CLIENT, client_secret="a-wrong-secret-0123")
    response = token(tenant_server, body, headers=basic_auth(WEB_CLIENT, WEB_SECRET))
    assert_error(response, 400, "invalid_request")


def test_the_web_app_with_a_wrong_secret_is_401(tenant_server):
    code = send_email_code(
        tenant_server, "ada@example.com", client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    for headers, secret in ((basic_auth(WEB_CLIENT, "wrong"), None), ({}, "wrong"), ({}, None)):
        body = otp_body(code, client_id=WEB_CLIENT)
        if secret:
            body["client_secret"] = secret
        assert_error(
            token(tenant_server, body, headers=headers), 401, "access_denied", "Unauthorized"
        )


def test_a_public_client_cannot_pose_as_confidential_with_a_made_up_secret(tenant_server):
    code = send_email_code(tenant_server, "ada@example.com")
    response = token(tenant_server, otp_body(code, client_secret="made-up-secret-0123"))
    assert_error(response, 401, "access_denied", "Unauthorized")


def test_client_credentials_in_the_query_string_are_ignored(tenant_server):
    # Secrets in URLs end up in logs (RFC 6749 2.3.1 says body or header only).
    code = send_email_code(
        tenant_server, "ada@example.com", client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    body = otp_body(code, client_id=WEB_CLIENT)
    response = requests.post(
        tenant_server.url("oauth/token") + f"?client_secret={WEB_SECRET}", json=body, timeout=10
    )
    assert_error(response, 401, "access_denied", "Unauthorized")


def test_a_code_in_the_query_string_of_the_token_endpoint_is_ignored(tenant_server):
    code, verifier = browser_code(tenant_server)
    response = requests.post(
        tenant_server.url("oauth/token") + f"?code={code}",
        data={
            "grant_type": "authorization_code",
            "redirect_uri": WEB_CALLBACK,
            "code_verifier": verifier,
        },
        headers=basic_auth(WEB_CLIENT, WEB_SECRET),
        timeout=10,
    )
    assert_error(response, 400, "invalid_request")


# ---- a grant with another flow's parameters -------------------------------------------------


def test_the_spa_may_not_use_the_otp_grant(tenant_server):
    body = otp_body("123456", client_id=SPA_CLIENT)
    assert_error(token(tenant_server, body), 403, "unauthorized_client")


def test_the_spa_may_ask_for_a_code_but_never_redeem_it_at_the_token_endpoint(tenant_server):
    # Auth0 lets a SPA start (auth0.js and Lock embedded do); the OTP exchange at
    # /oauth/token is closed to it (relevant-api-endpoints.md in auth0/docs).
    body = {
        "client_id": SPA_CLIENT,
        "connection": "email",
        "email": "ada@example.com",
        "send": "code",
    }
    response = requests.post(tenant_server.url("passwordless/start"), json=body, timeout=10)
    assert response.status_code == 200, response.text
    code = tenant_server.last_code("ada@example.com")
    response = token(tenant_server, otp_body(code, client_id=SPA_CLIENT))
    assert_error(response, 403, "unauthorized_client")


@pytest.mark.parametrize(
    "grant_type",
    [
        "password",
        "implicit",
        "token",
        "",
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:token-exchange",
        "http://auth0.com/oauth/grant-type/password-realm",
        "http://auth0.com/oauth/grant-type/mfa-otp",
        OTP_GRANT.upper(),
    ],
)
def test_a_grant_the_tenant_does_not_offer_is_refused(tenant_server, grant_type):
    body = {
        "grant_type": grant_type,
        "client_id": NATIVE_CLIENT,
        "username": "ada@example.com",
        "password": "x",
        "otp": "123456",
        "realm": "email",
    }
    response = token(tenant_server, body)
    assert response.status_code == 400
    assert response.json()["error"] in ("unsupported_grant_type", "invalid_request")


def test_a_public_client_cannot_use_the_machine_to_machine_grant(tenant_server):
    # client_credentials exists for non_interactive apps (the Management API); a public
    # client has no secret to prove who it is, so it gets no token (RFC 6749 4.4).
    body = {"grant_type": "client_credentials", "client_id": NATIVE_CLIENT, "audience": "x"}
    response = token(tenant_server, body)
    assert response.status_code in (401, 403)
    assert "access_token" not in response.json()


def test_an_otp_grant_with_an_authorization_codes_parameters_is_refused(tenant_server):
    code, verifier = browser_code(tenant_server)
    body = {
        "grant_type": OTP_GRANT,
        "client_id": WEB_CLIENT,
        "client_secret": WEB_SECRET,
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": WEB_CALLBACK,
    }
    assert_error(token(tenant_server, body), 400, "invalid_request")
    # The authorization code was not touched.
    assert redeem(tenant_server, code, verifier).status_code == 200


def test_an_authorization_code_grant_with_otp_parameters_is_refused(tenant_server):
    code = send_email_code(tenant_server, "ada@example.com")
    body = {
        "grant_type": "authorization_code",
        "client_id": NATIVE_CLIENT,
        "username": "ada@example.com",
        "otp": code,
        "realm": "email",
        "redirect_uri": "http://127.0.0.1:5000/callback",
    }
    assert_error(token(tenant_server, body), 400, "invalid_request")
    assert otp_token(tenant_server, "ada@example.com", code).status_code == 200


def test_a_refresh_grant_with_a_code_instead_of_a_refresh_token_is_refused(tenant_server):
    code, verifier = browser_code(tenant_server)
    body = {
        "grant_type": "refresh_token",
        "client_id": WEB_CLIENT,
        "client_secret": WEB_SECRET,
        "refresh_token": code,
    }
    assert_error(token(tenant_server, body), 403, "invalid_grant")
    body = {
        "grant_type": "refresh_token",
        "client_id": WEB_CLIENT,
        "client_secret": WEB_SECRET,
        "code": code,
    }
    assert_error(token(tenant_server, body), 400, "invalid_request")


def test_an_access_token_is_not_a_refresh_token(tenant_server):
    tokens = login(tenant_server, "ada@example.com", scope="openid offline_access")
    assert_error(refresh(tenant_server, tokens["access_token"]), 403, "invalid_grant")
    assert_error(refresh(tenant_server, tokens["id_token"]), 403, "invalid_grant")


def test_a_code_issued_to_client_a_is_refused_to_client_b(tenant_server):
    code, verifier = browser_code(tenant_server)
    response = redeem(
        tenant_server, code, verifier, client_id=SPA_CLIENT, redirect_uri=SPA_CALLBACK
    )
    assert response.status_code in (400, 403)
    assert "access_token" not in response.json()


def test_a_refresh_token_of_client_a_is_refused_to_client_b(tenant_server):
    tokens = login(tenant_server, "ada@example.com", scope="openid offline_access")
    response = refresh(
        tenant_server, tokens["refresh_token"], client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    assert response.status_code in (400, 403)
    assert "access_token" not in response.json()


# ---- escalation ---------------------------------------------------------------------------


def test_a_refresh_cannot_widen_the_scope(tenant_server):
    tokens = login(tenant_server, "ada@example.com", scope="openid offline_access")
    response = refresh(
        tenant_server, tokens["refresh_token"], scope="openid offline_access email read:messages"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_refresh_cannot_add_an_audience(tenant_server):
    # The login had no audience, so its access tokens are opaque (good for /userinfo only).
    tokens = login(tenant_server, "ada@example.com", scope="openid offline_access")
    response = refresh(tenant_server, tokens["refresh_token"], audience=API_AUDIENCE)
    if response.status_code == 200:
        # The audience was ignored: still no JWT for the API.
        assert response.json()["access_token"].count(".") != 2
    else:
        assert response.status_code in (400, 403)


def test_a_refresh_cannot_switch_to_another_audience(tenant_server):
    tokens = login(
        tenant_server, "ada@example.com", scope="openid offline_access", audience=API_AUDIENCE
    )
    response = refresh(tenant_server, tokens["refresh_token"], audience="urn:another-api")
    if response.status_code == 200:
        claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
        assert API_AUDIENCE in claims["aud"] and "urn:another-api" not in claims["aud"]
    else:
        assert response.status_code in (400, 403)


def test_scopes_no_api_defines_are_dropped_not_granted(tenant_server):
    tokens = login(tenant_server, "ada@example.com", scope="openid admin read:messages delete:all")
    assert tokens["scope"] == "openid"


def test_an_unknown_audience_is_refused(tenant_server):
    code = send_email_code(tenant_server, "ada@example.com")
    response = otp_token(tenant_server, "ada@example.com", code, audience="urn:evil")
    assert_error(response, 403, "access_denied")


def test_the_web_app_asks_only_for_api_permissions_on_its_list(client):
    location = client.get("/login?scope=openid+admin+read:messages+delete:all").headers["Location"]
    scope = query_of(location)["scope"].split()
    assert "admin" not in scope and "delete:all" not in scope


# ---- no implicit or hybrid flow; no token in a URL ------------------------------------------


@pytest.mark.parametrize(
    "response_type",
    [
        "token",
        "id_token",
        "id_token token",
        "code token",
        "code id_token",
        "code id_token token",
        "none",
        "CODE",
        "code code",
        "",
    ],
)
@pytest.mark.tenant_config(profile="hardened")
def test_implicit_and_hybrid_response_types_are_refused(tenant_server, response_type):
    response = get(authorize_url(tenant_server, response_type=response_type or None))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "#" not in location
    assert query_of(location)["error"] == "unsupported_response_type"


# Auth0 answers in the fragment or by form_post; the hardened profile keeps to the query.
@pytest.mark.tenant_config(profile="hardened")
@pytest.mark.parametrize("response_mode", ["fragment", "form_post", "query.jwt", "web_message "])
def test_response_modes_that_put_the_answer_elsewhere_are_refused(tenant_server, response_mode):
    response = get(authorize_url(tenant_server, response_mode=response_mode))
    if response.status_code == 302:
        location = response.headers["Location"]
        assert "#" not in location and "code=" not in location
        assert query_of(location)["error"] == "invalid_request"
    else:
        assert response.status_code == 400


def test_web_message_for_an_app_without_that_origin_is_refused(tenant_server):
    # The web app lists no Allowed Web Origins: no page posts its code to a window.
    response = get(authorize_url(tenant_server, response_mode="web_message", prompt="none"))
    assert response.status_code == 400
    assert "postMessage" not in response.text


def test_authorize_by_post_follows_the_same_rules(tenant_server):
    params = query_of(authorize_url(tenant_server, prompt="bogus"))
    response = requests.post(
        tenant_server.url("authorize"), data=params, allow_redirects=False, timeout=10
    )
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


def test_userinfo_refuses_a_token_in_the_query_string(tenant_server):
    access_token = login(tenant_server, "ada@example.com")["access_token"]
    response = requests.get(
        tenant_server.url("userinfo"), params={"access_token": access_token}, timeout=10
    )
    assert response.status_code == 401


def test_the_api_refuses_a_token_in_the_query_string(api, tenant_server):
    access_token = login(tenant_server, "ada@example.com", audience=API_AUDIENCE)["access_token"]
    response = requests.get(
        api.url("api/private"), params={"access_token": access_token}, timeout=10
    )
    assert response.status_code == 400


# ---- request objects (OpenID Connect Core 6) -------------------------------------------------


@pytest.mark.parametrize(
    ("param", "error"),
    [
        ("request", "request_not_supported"),
        ("request_uri", "request_uri_not_supported"),
    ],
)
def test_a_request_object_is_refused_not_silently_ignored(tenant_server, param, error):
    # https://openid.net/specs/openid-connect-core-1_0.html#AuthError: a request object may
    # carry its own state, nonce or redirect_uri; ignoring it would answer another request.
    value = (
        "eyJhbGciOiJub25lIn0.eyJzdGF0ZSI6Im90aGVyIn0."
        if param == "request"
        else ("https://attacker.example/request.jwt")
    )
    response = get(authorize_url(tenant_server, **{param: value}))
    assert response.status_code == 302
    answer = query_of(response.headers["Location"])
    assert answer["error"] == error and answer["state"] == "state-123"
    assert "code" not in answer


def test_discovery_says_request_objects_are_not_supported(tenant_server):
    document = requests.get(
        tenant_server.url(".well-known/openid-configuration"), timeout=10
    ).json()
    assert document["request_parameter_supported"] is False
    assert document["request_uri_parameter_supported"] is False
