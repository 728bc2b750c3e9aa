"""Refresh tokens rotate; presenting a rotated one revokes its whole family (reuse detection)."""

import jwt
import pytest
import requests

from tests.constants import API_AUDIENCE, NATIVE_CLIENT, WEB_CLIENT, WEB_SECRET
from tests.mock_tenant.helpers import (
    TIMEOUT,
    assert_error,
    freeze_clock,
    login,
    otp_token,
    refresh,
    send_email_code,
    userinfo,
    verify_jwt,
)

INVALID_REFRESH = "Unknown or invalid refresh token."
NATIVE_REFRESH_SETTINGS = ('client_id = "demo-native-app"', "leeway = 0")


def test_a_refresh_token_buys_new_tokens_and_a_new_refresh_token(tenant_server):
    first = login(tenant_server, "rot@example.com", scope="openid profile email offline_access")
    response = refresh(tenant_server, first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    # Rotation: a new refresh token, new access and ID tokens for the same person.
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["token_type"] == "Bearer"
    assert second["scope"] == "openid profile email offline_access"
    before = verify_jwt(tenant_server, first["id_token"], audience=NATIVE_CLIENT)
    after = verify_jwt(tenant_server, second["id_token"], audience=NATIVE_CLIENT)
    assert after["sub"] == before["sub"]
    assert after["auth_time"] == before["auth_time"]
    assert after["email"] == "rot@example.com"
    # The new refresh token works in its turn.
    assert refresh(tenant_server, second["refresh_token"]).status_code == 200


def test_a_rotated_refresh_token_is_refused_and_kills_its_successor(tenant_server):
    # R1 -> R2 ...
    r1 = login(tenant_server, "reuse@example.com", scope="openid offline_access")["refresh_token"]
    tenant_server.advance_clock(1)
    second = refresh(tenant_server, r1).json()
    r2 = second["refresh_token"]
    # ... then R1 again: refused, as a stolen token would be ...
    tenant_server.advance_clock(1)
    assert_error(refresh(tenant_server, r1), 403, "invalid_grant", INVALID_REFRESH)
    # ... and R2 is dead too, with every access token of the family.
    assert_error(refresh(tenant_server, r2), 403, "invalid_grant", INVALID_REFRESH)
    assert userinfo(tenant_server, second["access_token"]).status_code == 401


def test_reuse_is_detected_within_the_same_second(tenant_server):
    # With a reuse interval of 0, even an immediate second use is a reuse.
    freeze_clock(tenant_server)
    r1 = login(tenant_server, "quick@example.com", scope="openid offline_access")["refresh_token"]
    r2 = refresh(tenant_server, r1).json()["refresh_token"]
    assert_error(refresh(tenant_server, r1), 403, "invalid_grant", INVALID_REFRESH)
    assert_error(refresh(tenant_server, r2), 403, "invalid_grant", INVALID_REFRESH)


def test_the_reuse_interval_is_a_client_setting(tenant_from_config):
    # The native app gets a 10-second reuse interval (Auth0's "leeway").
    server = tenant_from_config((*NATIVE_REFRESH_SETTINGS, "leeway = 10"))
    freeze_clock(server)
    code = send_email_code(server, "leeway@example.com")
    tokens = otp_token(server, "leeway@example.com", code, scope="openid offline_access").json()
    r1 = tokens["refresh_token"]
    r2 = refresh(server, r1).json()["refresh_token"]
    # Inside the interval, R1 may be used again (a retry after a lost answer)...
    server.advance_clock(9)
    retry = refresh(server, r1)
    assert retry.status_code == 200, retry.text
    r3 = retry.json()["refresh_token"]
    # ...but once the interval is over, R1 is a reuse and the family dies.
    server.advance_clock(2)
    assert_error(refresh(server, r1), 403, "invalid_grant", INVALID_REFRESH)
    for token in (r2, r3):
        assert_error(refresh(server, token), 403, "invalid_grant", INVALID_REFRESH)


def test_a_non_rotating_refresh_token_can_be_used_again(tenant_from_config):
    server = tenant_from_config(('client_id = "demo-native-app"', '"rotating"', '"non-rotating"'))
    code = send_email_code(server, "keep@example.com")
    r1 = otp_token(server, "keep@example.com", code, scope="openid offline_access").json()[
        "refresh_token"
    ]
    for _ in range(3):
        server.advance_clock(1)
        response = refresh(server, r1)
        assert response.status_code == 200, response.text
        # No new refresh token: the same one keeps working.
        assert "refresh_token" not in response.json()


def test_a_refresh_may_narrow_the_scope_but_not_widen_it(tenant_server):
    rt = login(tenant_server, "narrow@example.com", scope="openid profile offline_access")[
        "refresh_token"
    ]
    narrowed = refresh(tenant_server, rt, scope="openid")
    assert narrowed.status_code == 200, narrowed.text
    assert narrowed.json()["scope"] == "openid"
    claims = jwt.decode(narrowed.json()["id_token"], options={"verify_signature": False})
    assert "nickname" not in claims
    widened = refresh(tenant_server, narrowed.json()["refresh_token"], scope="openid email")
    assert_error(widened, 400, "invalid_scope")


def test_an_empty_scope_means_the_original_scope(tenant_server):
    # auth0-python sends scope "" on every refresh.
    rt = login(tenant_server, "empty@example.com", scope="openid email offline_access")[
        "refresh_token"
    ]
    response = refresh(tenant_server, rt, scope="")
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "openid email offline_access"


def test_the_audience_carries_over_to_refreshed_access_tokens(tenant_server):
    tokens = login(
        tenant_server,
        "apirefresh@example.com",
        scope="openid read:messages offline_access",
        audience=API_AUDIENCE,
    )
    refreshed = refresh(tenant_server, tokens["refresh_token"]).json()
    claims = verify_jwt(tenant_server, refreshed["access_token"], audience=API_AUDIENCE)
    assert "read:messages" in claims["scope"].split()


def test_a_refresh_token_belongs_to_its_client(tenant_server):
    rt = login(tenant_server, "mine@example.com", scope="openid offline_access")["refresh_token"]
    response = refresh(tenant_server, rt, client_id=WEB_CLIENT, client_secret=WEB_SECRET)
    assert_error(response, 403, "invalid_grant")
    # The rightful client can still use it.
    assert refresh(tenant_server, rt).status_code == 200


def test_a_confidential_client_must_authenticate_to_refresh(tenant_server):
    code = send_email_code(
        tenant_server, "webrt@example.com", client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    rt = otp_token(
        tenant_server,
        "webrt@example.com",
        code,
        client_id=WEB_CLIENT,
        client_secret=WEB_SECRET,
        scope="openid offline_access",
    ).json()["refresh_token"]
    assert_error(
        refresh(tenant_server, rt, client_id=WEB_CLIENT), 401, "access_denied", "Unauthorized"
    )
    response = refresh(tenant_server, rt, client_id=WEB_CLIENT, client_secret=WEB_SECRET)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("bad", ["", "not-a-token", "x" * 500])
def test_an_unknown_refresh_token_is_refused(tenant_server, bad):
    response = refresh(tenant_server, bad)
    assert response.status_code in (400, 403), response.text
    assert response.json()["error"] in ("invalid_request", "invalid_grant")


def test_an_unknown_refresh_token_gets_auth0s_message(tenant_server):
    assert_error(refresh(tenant_server, "not-a-token"), 403, "invalid_grant", INVALID_REFRESH)


def test_a_refresh_token_expires_after_its_lifetime(tenant_server):
    rt = login(tenant_server, "old@example.com", scope="openid offline_access")["refresh_token"]
    # 30 days, the client's token_lifetime.
    tenant_server.advance_clock(2592000)
    assert_error(refresh(tenant_server, rt), 403, "invalid_grant", INVALID_REFRESH)


def test_deleting_the_user_kills_their_refresh_tokens(tenant_server):
    tokens = login(tenant_server, "gone@example.com", scope="openid offline_access")
    sub = jwt.decode(tokens["id_token"], options={"verify_signature": False})["sub"]
    response = requests.delete(tenant_server.url(f"_dev/api/users/{sub}"), timeout=TIMEOUT)
    assert response.status_code == 204
    assert_error(refresh(tenant_server, tokens["refresh_token"]), 403, "invalid_grant")
