"""The hardened profile: each rule refuses what Auth0's defaults accept, one test per rule.

The same requests answered by the default profile are in test_auth0_fidelity.py.
"""

from __future__ import annotations

import pytest
import requests

from tests.constants import NATIVE_CLIENT, WEB_CLIENT, WEB_SECRET
from tests.mock_tenant.helpers import (
    TIMEOUT,
    assert_error,
    freeze_clock,
    inspector_events,
    login,
    otp_token,
    refresh,
    send_email_code,
    start,
    userinfo,
    wrong_code,
)

HARDENED = pytest.mark.tenant_config(profile="hardened")
NATIVE_LEEWAY = ('client_id = "demo-native-app"', "leeway = 0", "leeway = 10")


# ---- i-fidelity: resend_cooldown, uniform_start_answers, identifier_lockout,
# ---- confirm_magic_links, no_refresh_reuse_interval, revocation_deletes_grant ---------------


@HARDENED
def test_resend_cooldown_refuses_a_second_code_inside_30_seconds(tenant_server):
    freeze_clock(tenant_server)
    body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": "cool@example.com"}
    assert start(tenant_server, {**body, "send": "code"}).status_code == 200
    response = start(tenant_server, {**body, "send": "code"})
    assert_error(response, 429, "too_many_requests")
    assert response.headers["Retry-After"] == "30"
    # The inspector explains the refusal and what Auth0 would have done.
    note = inspector_events(tenant_server)[-1]["profile_note"]
    assert note.startswith("The hardened profile refuses this because")
    assert note.endswith("Auth0 would accept it.")


@HARDENED
def test_uniform_start_answers_say_unverified_even_for_a_known_person(tenant_server):
    body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": "ada@example.com"}
    assert start(tenant_server, {**body, "send": "code"}).json()["email_verified"] is False


@pytest.mark.tenant_config(profile="hardened", resend_cooldown=0)
def test_identifier_lockout_locks_after_ten_wrong_codes_in_a_row(tenant_server):
    email = "lock@example.com"
    for _ in range(4):
        code = send_email_code(tenant_server, email)
        for _ in range(3):
            otp_token(tenant_server, email, wrong_code(code))
    code = send_email_code(tenant_server, email)
    assert_error(otp_token(tenant_server, email, code), 429, "too_many_attempts")


@HARDENED
def test_confirm_magic_links_shows_a_page_and_consumes_nothing_on_get(tenant_server):
    body = {
        "client_id": WEB_CLIENT,
        "client_secret": WEB_SECRET,
        "connection": "email",
        "email": "link@example.com",
        "send": "link",
        "authParams": {
            "redirect_uri": "http://localhost:3000/callback",
            "response_type": "code",
            "scope": "openid",
            "state": "s",
        },
    }
    assert start(tenant_server, body).status_code == 200
    link = tenant_server.outbox("link@example.com")[0]["link"]
    # A mail scanner opens it twice: a page each time, no redirect, nothing spent.
    for _ in range(2):
        page = requests.get(link, allow_redirects=False, timeout=TIMEOUT)
        assert page.status_code == 200 and "Continue" in page.text
        assert "Location" not in page.headers


@pytest.mark.parametrize("profile", ["auth0", "hardened"])
def test_no_refresh_reuse_interval_refuses_a_retry_that_auth0_accepts(tenant_from_config, profile):
    server = tenant_from_config(NATIVE_LEEWAY, profile=profile)
    freeze_clock(server)
    r1 = login(server, "retry@example.com", scope="openid offline_access")["refresh_token"]
    r2 = refresh(server, r1).json()["refresh_token"]
    # The same token again, inside the client's 10-second reuse interval.
    retry = refresh(server, r1)
    if profile == "auth0":
        assert retry.status_code == 200, retry.text
        return
    assert_error(retry, 403, "invalid_grant")
    # A reuse: the family is revoked, the token the first exchange gave too.
    assert_error(refresh(server, r2), 403, "invalid_grant")


@HARDENED
def test_revocation_deletes_grant_ends_the_access_tokens_too(tenant_server):
    tokens = login(tenant_server, "rev@example.com", scope="openid offline_access")
    requests.post(
        tenant_server.url("oauth/revoke"),
        json={"client_id": NATIVE_CLIENT, "token": tokens["refresh_token"]},
        timeout=TIMEOUT,
    )
    assert_error(refresh(tenant_server, tokens["refresh_token"]), 403, "invalid_grant")
    assert userinfo(tenant_server, tokens["access_token"]).status_code == 401


# ---- l-tenant: check_link_redirect_uri --------------------------------------------------------


@HARDENED
def test_check_link_redirect_uri_refuses_to_mail_a_link_for_a_foreign_redirect_uri(tenant_server):
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "ada@example.com",
        "send": "link",
        "authParams": {"redirect_uri": "https://attacker.example/cb", "state": "s"},
    }
    assert_error(start(tenant_server, body), 400, "bad.authParams")
    assert tenant_server.outbox("ada@example.com") == []
    # A redirect_uri the app allows still gets its link; a code never names one.
    allowed = {**body, "authParams": {"redirect_uri": "http://127.0.0.1:5000/callback"}}
    assert start(tenant_server, allowed).status_code == 200
    code = {**body, "send": "code"}
    assert start(tenant_server, {**code, "email": "bob@example.com"}).status_code == 200


# ---- n-mgmt: the Management API has no hardened rule ----------------------------------------


@HARDENED
def test_the_management_api_answers_alike_under_the_hardened_profile(tenant_server):
    from tests.mock_tenant.test_auth0_fidelity import _management_token

    headers = {"Authorization": f"Bearer {_management_token(tenant_server)}"}
    created = requests.post(
        tenant_server.url("api/v2/users"),
        json={"connection": "sms", "phone_number": "+15555550166"},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text
    found = requests.get(
        tenant_server.url("api/v2/users"),
        params={"q": "phone_number:+15555550166"},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert [u["user_id"] for u in found.json()] == [created.json()["user_id"]]
