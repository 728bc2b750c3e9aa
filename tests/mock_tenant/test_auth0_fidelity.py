"""The default profile answers as Auth0 does, one row of auth0-fidelity.md per test.

Each test names its row in a comment; the sources are cited beside the code that answers.
"""

from __future__ import annotations

import hashlib
import re

import jwt
import pytest
import requests

from tests.constants import NATIVE_CLIENT, SPA_CLIENT, WEB_CLIENT, WEB_SECRET
from tests.mock_tenant.helpers import (
    TIMEOUT,
    assert_error,
    freeze_clock,
    inspector_events,
    login,
    otp_token,
    pkce_pair,
    redeem,
    refresh,
    send_email_code,
    start,
    userinfo,
    wrong_code,
)
from tests.mock_tenant.test_universal_login import authorize_url, query_of
from tests.ul_driver import login_via_universal_login

INVALID_REFRESH = "Unknown or invalid refresh token."
NATIVE_LEEWAY = ('client_id = "demo-native-app"', "leeway = 0", "leeway = 10")


def _revoke(server, token: str, client_id: str = NATIVE_CLIENT) -> requests.Response:
    """Revoke a refresh token as auth0-spa-js does (form-encoded, with a hint)."""
    body = {"client_id": client_id, "token": token, "token_type_hint": "refresh_token"}
    return requests.post(server.url("oauth/revoke"), data=body, timeout=TIMEOUT)


# ---- i-fidelity: rows 1, 3-9, 12-18, 20, 21, 23, 24 -----------------------------------------


def test_a_wrong_client_secret_at_the_token_endpoint_is_401_access_denied(tenant_server):
    # Row 1.
    code = send_email_code(
        tenant_server, "row1@example.com", client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    response = otp_token(
        tenant_server, "row1@example.com", code, client_id=WEB_CLIENT, client_secret="wrong-0"
    )
    assert_error(response, 401, "access_denied", "Unauthorized")


def test_a_second_start_sends_a_new_code_that_replaces_the_first(tenant_server):
    # Row 3: no per-address cooldown; only the newest code works.
    freeze_clock(tenant_server)
    first = send_email_code(tenant_server, "row3@example.com")
    second = send_email_code(tenant_server, "row3@example.com")
    assert len(tenant_server.outbox("row3@example.com")) == 2
    if first != second:
        assert otp_token(tenant_server, "row3@example.com", first).status_code == 403
    assert otp_token(tenant_server, "row3@example.com", second).status_code == 200


def test_within_the_reuse_interval_only_the_previous_refresh_token_is_accepted(
    tenant_from_config,
):
    # Row 4: "only the previous token can be reused"; the second-to-last revokes the family.
    server = tenant_from_config(NATIVE_LEEWAY)
    freeze_clock(server)
    r1 = login(server, "row4@example.com", scope="openid offline_access")["refresh_token"]
    r2 = refresh(server, r1).json()["refresh_token"]
    # R1 is the previous token: a retry inside the interval gets tokens.
    retry = refresh(server, r1)
    assert retry.status_code == 200, retry.text
    r3 = retry.json()["refresh_token"]
    r4 = refresh(server, r3).json()["refresh_token"]
    # Now R3 is the previous token and R1 the second-to-last: breach detection.
    assert_error(refresh(server, r1), 403, "invalid_grant", INVALID_REFRESH)
    for token in (r2, r3, r4):
        assert_error(refresh(server, token), 403, "invalid_grant", INVALID_REFRESH)


def test_revoking_a_refresh_token_leaves_its_grant_and_access_tokens(tenant_server):
    # Row 5: "Refresh Token Revocation Deletes Grant" is off by default.
    tokens = login(tenant_server, "row5@example.com", scope="openid offline_access")
    assert _revoke(tenant_server, tokens["refresh_token"]).status_code == 200
    assert_error(refresh(tenant_server, tokens["refresh_token"]), 403, "invalid_grant")
    assert userinfo(tenant_server, tokens["access_token"]).status_code == 200


def test_a_revocation_answers_an_empty_json_200_even_for_another_clients_token(tenant_server):
    # Row 6.
    tokens = login(tenant_server, "row6@example.com", scope="openid offline_access")
    response = requests.post(
        tenant_server.url("oauth/revoke"),
        json={
            "client_id": WEB_CLIENT,
            "client_secret": WEB_SECRET,
            "token": tokens["refresh_token"],
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Type"].startswith("application/json")
    assert refresh(tenant_server, tokens["refresh_token"]).status_code == 200


def _api_link(server, email: str, **auth_params) -> str:
    """Ask /passwordless/start for a magic link for the web app and return it."""
    body = {
        "client_id": WEB_CLIENT,
        "client_secret": WEB_SECRET,
        "connection": "email",
        "email": email,
        "send": "link",
        "authParams": {
            "redirect_uri": "http://localhost:3000/callback",
            "response_type": "code",
            "scope": "openid",
            "state": "link-state",
            **auth_params,
        },
    }
    assert start(server, body).status_code == 200
    return server.outbox(email)[0]["link"]


def test_opening_a_magic_link_redirects_to_the_callback_with_code_and_state(tenant_server):
    # Row 7: GET /passwordless/verify_redirect answers 302 at once.
    link = _api_link(tenant_server, "row7@example.com")
    response = requests.get(link, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 302
    params = query_of(response.headers["Location"])
    assert response.headers["Location"].startswith("http://localhost:3000/callback?")
    assert params["state"] == "link-state"
    assert redeem(tenant_server, params["code"], None).status_code == 200
    # The inspector says the hardened profile would have asked for a click.
    opened = [
        e for e in inspector_events(tenant_server) if e["path"] == "/passwordless/verify_redirect"
    ]
    assert "hardened profile refuses it" in opened[-1]["profile_note"]


def test_a_spa_may_start_with_cors_for_its_origin_but_never_exchange_the_code(tenant_server):
    # Row 9.
    origin = "http://localhost:3001"
    body = {"client_id": SPA_CLIENT, "connection": "email", "email": "row9@example.com"}
    response = start(tenant_server, {**body, "send": "code"}, headers={"Origin": origin})
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == origin
    preflight = requests.options(
        tenant_server.url("passwordless/start"),
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        timeout=TIMEOUT,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    code = tenant_server.last_code("row9@example.com")
    response = otp_token(tenant_server, "row9@example.com", code, client_id=SPA_CLIENT)
    assert_error(response, 403, "unauthorized_client")


def test_logout_with_a_client_id_and_no_return_to_goes_to_its_first_logout_url(tenant_server):
    # Row 12.
    response = requests.get(
        tenant_server.url("v2/logout"),
        params={"client_id": WEB_CLIENT},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.headers["Location"] == "http://localhost:3000/"


def test_logout_without_a_client_id_checks_the_tenant_level_list(tenant_from_config):
    # Row 12: the tenant's Allowed Logout URLs, not every application's.
    server = tenant_from_config(allowed_logout_urls=["http://localhost:3000/bye"])

    def logout(return_to):
        url = server.url("v2/logout")
        params = {"returnTo": return_to}
        return requests.get(url, params=params, allow_redirects=False, timeout=TIMEOUT)

    assert logout("http://localhost:3000/bye").headers["Location"] == "http://localhost:3000/bye"
    # An application's URL is not enough without its client_id.
    assert logout("http://localhost:3000/").status_code == 400


def test_a_logout_hint_that_is_not_this_session_logs_nobody_out(tenant_server):
    # Row 13: logout_hint must be the session's sid.
    http = requests.Session()
    verifier, challenge = pkce_pair()
    callback = login_via_universal_login(
        http,
        authorize_url(tenant_server, code_challenge=challenge),
        "r13@example.com",
        tenant_server,
    )
    tokens = redeem(tenant_server, query_of(callback)["code"], verifier).json()
    sid = jwt.decode(tokens["id_token"], options={"verify_signature": False})["sid"]
    wrong = http.get(
        tenant_server.url("oidc/logout"), params={"logout_hint": "not-" + sid}, timeout=TIMEOUT
    )
    assert wrong.status_code == 400
    right = http.get(tenant_server.url("oidc/logout"), params={"logout_hint": sid}, timeout=TIMEOUT)
    assert right.status_code == 200


def test_end_session_endpoint_is_published_only_while_the_tenant_setting_is_on(
    tenant_server, tenant_from_config
):
    # Row 13.
    def discovery(server):
        return requests.get(server.url(".well-known/openid-configuration"), timeout=TIMEOUT).json()

    assert discovery(tenant_server)["end_session_endpoint"] == tenant_server.url("oidc/logout")
    off = tenant_from_config(rp_logout_end_session_endpoint_discovery=False)
    assert "end_session_endpoint" not in discovery(off)


def test_userinfo_refuses_a_bad_token_with_a_plain_unauthorized(tenant_server):
    # Row 14.
    response = userinfo(tenant_server, "not-a-token")
    assert response.status_code == 401
    assert response.text == "Unauthorized"


def test_start_reports_the_stored_verified_flag(tenant_server):
    # Row 15: Ada is a seeded user, a stranger is not.
    def verified(email):
        body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": email, "send": "code"}
        return start(tenant_server, body).json()["email_verified"]

    assert verified("ada@example.com") is True
    assert verified("stranger@example.com") is False
    sms = {"client_id": NATIVE_CLIENT, "connection": "sms", "phone_number": "+15555550100"}
    assert start(tenant_server, sms).json()["phone_verified"] is True


def test_start_takes_what_auth0_js_sends(tenant_server):
    # Row 16: authParams `_csrf` and `_intstate`, a top-level `auth0Client`.
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "row16@example.com",
        "send": "code",
        "auth0Client": "eyJuYW1lIjoiYXV0aDAuanMifQ",
        "authParams": {"_csrf": "c", "_intstate": "deprecated", "nonce": "n"},
    }
    assert start(tenant_server, body).status_code == 200, start(tenant_server, body).text


def test_many_wrong_codes_in_a_row_do_not_lock_the_identifier(tenant_server):
    # Row 18: no per-identifier lockout in the auth0 profile (thresholds unconfirmed).
    email = "row18@example.com"
    for _ in range(4):
        code = send_email_code(tenant_server, email)
        for _ in range(3):
            assert otp_token(tenant_server, email, wrong_code(code)).status_code == 403
    code = send_email_code(tenant_server, email)
    assert otp_token(tenant_server, email, code).status_code == 200


def test_a_refresh_token_family_ends_at_its_absolute_lifetime(tenant_server):
    # Row 20: 30 days from the login, however often it rotates.
    rt = login(tenant_server, "row20@example.com", scope="openid offline_access")["refresh_token"]
    for _ in range(3):
        tenant_server.advance_clock(9 * 86400)
        response = refresh(tenant_server, rt)
        assert response.status_code == 200, response.text
        rt = response.json()["refresh_token"]
    # Day 27 now; the newest token is three days old, yet dies with its family on day 30.
    tenant_server.advance_clock(3 * 86400)
    assert_error(refresh(tenant_server, rt), 403, "invalid_grant", INVALID_REFRESH)


def test_an_unused_refresh_token_ends_at_its_idle_lifetime(tenant_server):
    # Row 20: 15 days without use.
    rt = login(tenant_server, "idle@example.com", scope="openid offline_access")["refresh_token"]
    tenant_server.advance_clock(15 * 86400)
    assert_error(refresh(tenant_server, rt), 403, "invalid_grant", INVALID_REFRESH)


def test_a_non_rotating_refresh_token_counts_its_idle_lifetime_from_the_last_use(
    tenant_from_config,
):
    # Row 20.
    server = tenant_from_config(('client_id = "demo-native-app"', '"rotating"', '"non-rotating"'))
    rt = login(server, "keep20@example.com", scope="openid offline_access")["refresh_token"]
    for _ in range(2):
        server.advance_clock(14 * 86400)
        assert refresh(server, rt).status_code == 200
    # Day 28: used two days... then the absolute lifetime (day 30) ends it.
    server.advance_clock(2 * 86400)
    assert_error(refresh(server, rt), 403, "invalid_grant", INVALID_REFRESH)


def test_the_picture_is_the_gravatar_of_the_md5_of_the_email(tenant_server):
    # Row 21.
    claims = userinfo(tenant_server, login(tenant_server, "row21@example.com")["access_token"])
    digest = hashlib.md5(b"row21@example.com", usedforsecurity=False).hexdigest()
    assert re.match(rf"https://s\.gravatar\.com/avatar/{digest}\?", claims.json()["picture"])


def test_a_wrong_code_verifier_gets_auth0s_words(tenant_server):
    # Row 24.
    http = requests.Session()
    callback = login_via_universal_login(
        http, authorize_url(tenant_server), "row24@example.com", tenant_server
    )
    response = redeem(tenant_server, query_of(callback)["code"], "x" * 43)
    assert_error(response, 403, "invalid_grant", "Failed to verify code verifier")


@pytest.mark.parametrize("rule", ["resend_cooldown", "identifier_lockout"])
def test_the_inspector_says_when_the_hardened_profile_would_have_refused(tenant_server, rule):
    # Item 4: the auth0 profile's exchanges carry a note where hardened answers differently.
    email = f"{rule}@example.com"
    if rule == "resend_cooldown":
        send_email_code(tenant_server, email)
        send_email_code(tenant_server, email)
    else:
        for _ in range(4):
            code = send_email_code(tenant_server, email)
            for _ in range(3):
                otp_token(tenant_server, email, wrong_code(code))
    notes = [e["profile_note"] for e in inspector_events(tenant_server) if e["profile_note"]]
    assert notes and notes[-1].startswith("Auth0 accepts this; the hardened profile refuses it")


# ---- l-tenant: magic links for a foreign redirect_uri, /oidc/logout without a hint -----------


def test_a_magic_link_for_a_redirect_uri_the_app_does_not_allow_is_still_sent(tenant_server):
    # The suite's choice (no source says Auth0 refuses it at start): the link is mailed, and
    # refused when clicked (check_link_redirect_uri refuses it at start when hardened).
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "ada@example.com",
        "send": "link",
        "authParams": {"redirect_uri": "https://attacker.example/cb", "state": "s"},
    }
    assert start(tenant_server, body).status_code == 200
    link = tenant_server.outbox("ada@example.com")[0]["link"]
    clicked = requests.get(link, allow_redirects=False, timeout=TIMEOUT)
    assert clicked.status_code == 400 and "Location" not in clicked.headers


def test_oidc_logout_without_a_hint_asks_the_signed_in_person_first(tenant_server):
    # Row 13's endpoint: Auth0 shows a logout confirmation when neither id_token_hint nor
    # logout_hint is given (docs: "Log Users Out of Auth0 with OIDC Endpoint").
    http = requests.Session()
    login_via_universal_login(http, authorize_url(tenant_server), "ada@example.com", tenant_server)
    page = http.get(tenant_server.url("oidc/logout"), allow_redirects=False, timeout=TIMEOUT)
    assert page.status_code == 200 and 'method="post"' in page.text
    assert http.cookies.get("tenant_session")
    # Nobody signed in: nothing to confirm, the signed-out page at once.
    fresh = requests.get(tenant_server.url("oidc/logout"), timeout=TIMEOUT)
    assert fresh.status_code == 200 and "logged out" in fresh.text


# ---- j-embedded: "Missing: embedded (cross-origin) passwordless" ------------------------------


def test_embedded_login_cors_comes_from_allowed_origins_and_callback_origins(tenant_server):
    # Missing row "Embedded": Allowed Origins (CORS), by default all callback URLs' origins
    # (Management API `allowed_origins`), not Allowed Web Origins, on /passwordless/start.
    # The web app lists no web_origins; its callback's origin may still start.
    origin = "http://localhost:3000"
    body = {"client_id": WEB_CLIENT, "client_secret": WEB_SECRET, "connection": "email"}
    response = start(
        tenant_server,
        {**body, "email": "cors@example.com", "send": "code"},
        headers={"Origin": origin},
    )
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == origin
    # An origin no application lists gets nothing.
    response = start(
        tenant_server,
        {**body, "email": "cors@example.com", "send": "code"},
        headers={"Origin": "http://localhost:3999"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cross_origin_authentication_is_off_unless_the_application_turns_it_on(tenant_server):
    # Missing row "Embedded": `cross_origin_authentication` is false on a new application;
    # /co/authenticate then answers 401 unauthorized_client "Cross origin login not allowed."
    code = send_email_code(tenant_server, "co-off@example.com", client_id=NATIVE_CLIENT)
    response = requests.post(
        tenant_server.url("co/authenticate"),
        json={
            "client_id": NATIVE_CLIENT,
            "username": "co-off@example.com",
            "otp": code,
            "realm": "email",
            "credential_type": "http://auth0.com/oauth/grant-type/passwordless/otp",
        },
        headers={"Origin": "http://localhost:3000"},
        timeout=TIMEOUT,
    )
    assert_error(response, 401, "unauthorized_client", "Cross origin login not allowed.")


# ---- n-mgmt: the Management API for users (the "Missing" row `/api/v2/users`) ----------------


def _management_token(server, scope: str | None = None) -> str:
    """Get a Management API token with the demo machine-to-machine client."""
    from tests.constants import MANAGEMENT_CLIENT, MANAGEMENT_SECRET

    body = {
        "grant_type": "client_credentials",
        "client_id": MANAGEMENT_CLIENT,
        "client_secret": MANAGEMENT_SECRET,
        "audience": "https://" + server.base_url.split("://", 1)[1] + "/api/v2/",
        **({"scope": scope} if scope else {}),
    }
    response = requests.post(server.url("oauth/token"), data=body, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_a_passwordless_user_created_through_the_management_api_logs_in_as_that_user(
    tenant_server,
):
    # Missing row "Management API /api/v2/users": Auth0 creates passwordless users there.
    headers = {"Authorization": f"Bearer {_management_token(tenant_server)}"}
    created = requests.post(
        tenant_server.url("api/v2/users"),
        json={"connection": "email", "email": "made@example.com"},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text
    code = send_email_code(tenant_server, "made@example.com")
    tokens = otp_token(tenant_server, "made@example.com", code).json()
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert claims["sub"] == created.json()["user_id"]


def test_the_management_api_answers_errors_in_its_own_shape(tenant_server):
    # Missing row "Management API /api/v2/users": {statusCode, error, message, errorCode}.
    headers = {"Authorization": f"Bearer {_management_token(tenant_server, 'read:users')}"}
    refused = requests.post(
        tenant_server.url("api/v2/users"), json={}, headers=headers, timeout=TIMEOUT
    )
    assert refused.status_code == 403
    assert refused.json() == {
        "statusCode": 403,
        "error": "Forbidden",
        "message": "Insufficient scope, expected any of: create:users",
        "errorCode": "insufficient_scope",
    }
