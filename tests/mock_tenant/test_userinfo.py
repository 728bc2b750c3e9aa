"""`/userinfo` answers the user's claims for a live access token, and 401 for anything else."""

import re

import pytest
import requests

from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import (
    TIMEOUT,
    freeze_clock,
    login,
    otp_token,
    send_sms_code,
    userinfo,
)


def _assert_invalid_token(response) -> None:
    """Check the 401 of RFC 6750 3.1 with Auth0's plain-text body (fidelity row 14)."""
    assert response.status_code == 401, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "Unauthorized"
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_userinfo_answers_the_email_users_claims(tenant_server, method):
    tokens = login(tenant_server, "info@example.com")
    response = userinfo(tenant_server, tokens["access_token"], method=method)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert re.fullmatch(r"email\|[0-9a-f]{24}", body["sub"])
    assert body["email"] == "info@example.com"
    assert body["email_verified"] is True
    assert body["nickname"] == "info"
    assert body["name"] == "info@example.com"
    assert {"picture", "updated_at"} <= set(body)


def test_userinfo_answers_the_sms_users_claims(tenant_server):
    code = send_sms_code(tenant_server, "+15555550160")
    tokens = otp_token(tenant_server, "+15555550160", code, realm="sms", scope="openid phone")
    body = userinfo(tenant_server, tokens.json()["access_token"]).json()
    assert re.fullmatch(r"sms\|[0-9a-f]{24}", body["sub"])
    assert body["phone_number"] == "+15555550160"
    assert body["phone_verified"] is True
    # Only what the scope allows: no profile claims were asked for.
    assert "nickname" not in body and "email" not in body


def test_userinfo_follows_the_granted_scope(tenant_server):
    tokens = login(tenant_server, "scoped@example.com", scope="openid email")
    body = userinfo(tenant_server, tokens["access_token"]).json()
    assert set(body) == {"sub", "email", "email_verified"}


def test_userinfo_reflects_claims_set_after_login(tenant_server):
    tokens = login(tenant_server, "later@example.com")
    sub = userinfo(tenant_server, tokens["access_token"]).json()["sub"]
    response = requests.patch(
        tenant_server.url(f"_dev/api/users/{sub}"),
        json={"claims": {"given_name": "Later"}},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert userinfo(tenant_server, tokens["access_token"]).json()["given_name"] == "Later"


def test_an_id_token_is_not_an_access_token(tenant_server):
    tokens = login(tenant_server, "idtoken@example.com")
    _assert_invalid_token(userinfo(tenant_server, tokens["id_token"]))


def test_a_refresh_token_is_not_an_access_token(tenant_server):
    tokens = login(tenant_server, "rtoken@example.com", scope="openid offline_access")
    _assert_invalid_token(userinfo(tenant_server, tokens["refresh_token"]))


def test_an_access_token_without_openid_is_refused(tenant_server):
    tokens = login(tenant_server, "noopenid@example.com", scope="profile email")
    _assert_invalid_token(userinfo(tenant_server, tokens["access_token"]))


def test_an_expired_access_token_is_refused(tenant_server):
    freeze_clock(tenant_server)
    tokens = login(tenant_server, "expiring@example.com")
    # One second short of a day it still works; at a day it is gone.
    tenant_server.advance_clock(86399)
    assert userinfo(tenant_server, tokens["access_token"]).status_code == 200
    tenant_server.advance_clock(1)
    _assert_invalid_token(userinfo(tenant_server, tokens["access_token"]))


@pytest.mark.tenant_config(profile="hardened")
def test_a_revoked_access_token_is_refused(tenant_server):
    tokens = login(tenant_server, "revoked@example.com", scope="openid offline_access")
    # Hardened: revoking the refresh token revokes its whole login, access tokens included.
    response = requests.post(
        tenant_server.url("oauth/revoke"),
        json={"client_id": NATIVE_CLIENT, "token": tokens["refresh_token"]},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    _assert_invalid_token(userinfo(tenant_server, tokens["access_token"]))


def test_a_token_in_the_query_string_is_refused(tenant_server):
    tokens = login(tenant_server, "query@example.com")
    # Tokens never travel in URLs (security-bar rule 6), so this is no token at all.
    response = requests.get(
        tenant_server.url("userinfo"),
        params={"access_token": tokens["access_token"]},
        timeout=TIMEOUT,
    )
    _assert_invalid_token(response)


def test_a_token_in_a_form_body_is_refused(tenant_server):
    tokens = login(tenant_server, "formbody@example.com")
    response = requests.post(
        tenant_server.url("userinfo"),
        data={"access_token": tokens["access_token"]},
        timeout=TIMEOUT,
    )
    _assert_invalid_token(response)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic abc",
        "Bearer not-a-token",
        "Bearer ｔｏｋｅｎ".encode(),
    ],
)
def test_a_missing_or_malformed_authorization_header_is_refused(tenant_server, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = requests.get(tenant_server.url("userinfo"), headers=headers, timeout=TIMEOUT)
    _assert_invalid_token(response)


def test_the_token_of_a_deleted_user_is_refused(tenant_server):
    tokens = login(tenant_server, "deleted@example.com")
    sub = userinfo(tenant_server, tokens["access_token"]).json()["sub"]
    requests.delete(tenant_server.url(f"_dev/api/users/{sub}"), timeout=TIMEOUT)
    _assert_invalid_token(userinfo(tenant_server, tokens["access_token"]))
