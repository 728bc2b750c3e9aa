"""Threat: a token or code used again after it should be dead: a replayed authorization
code, a stolen refresh token used after the real client rotated it, a revoked or logged-out
session's tokens.

RFC 6749 section 4.1.2 (a reused code revokes its tokens) and 10.4 (refresh token theft);
RFC 6819 sections 4.5 (refresh token threats) and 5.2.2.3 (rotation); RFC 9700 section
4.14.2 (refresh token rotation and reuse detection); RFC 7009 (revocation); OWASP Session
Management Cheat Sheet (logout invalidates the session). docs/security.md rules 4, 5 and 13 and
the code-twice, R1 -> R2 -> R1, /userinfo and logout examples.
"""

import pytest
import requests

from tests.attacks.helpers import browser_code, redeem
from tests.constants import API_AUDIENCE, NATIVE_CLIENT, WEB_CLIENT, WEB_SECRET
from tests.mock_tenant.helpers import assert_error, login, refresh, userinfo
from tests.sample_api.helpers import call


def test_a_code_replayed_after_use_is_refused_and_revokes_the_first_tokens(tenant_server):
    code, verifier = browser_code(tenant_server)
    first = redeem(tenant_server, code, verifier).json()
    assert_error(redeem(tenant_server, code, verifier), 403, "invalid_grant")
    assert userinfo(tenant_server, first["access_token"]).status_code == 401
    response = refresh(
        tenant_server, first["refresh_token"], client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    assert_error(response, 403, "invalid_grant")


def test_a_rotated_refresh_token_used_again_kills_the_whole_family(tenant_server):
    r1 = login(tenant_server, "ada@example.com", scope="openid offline_access")["refresh_token"]
    second = refresh(tenant_server, r1).json()
    r2 = second["refresh_token"]
    assert r2 != r1
    # The thief (or a confused client) presents R1 again: refused, and R2 dies with it.
    assert_error(refresh(tenant_server, r1), 403, "invalid_grant")
    assert_error(refresh(tenant_server, r2), 403, "invalid_grant")
    assert userinfo(tenant_server, second["access_token"]).status_code == 401


def test_reuse_is_caught_whoever_presents_the_old_token_first(tenant_server):
    # The thief refreshes first; when the real client comes back with R1, the family dies,
    # the thief's R2 included.
    r1 = login(tenant_server, "ada@example.com", scope="openid offline_access")["refresh_token"]
    thiefs = refresh(tenant_server, r1).json()["refresh_token"]
    assert_error(refresh(tenant_server, r1), 403, "invalid_grant")
    assert_error(refresh(tenant_server, thiefs), 403, "invalid_grant")


@pytest.mark.tenant_config(profile="hardened")
def test_a_revoked_refresh_token_and_its_access_tokens_stop_working(tenant_server):
    tokens = login(tenant_server, "ada@example.com", scope="openid offline_access")
    revoked = requests.post(
        tenant_server.url("oauth/revoke"),
        timeout=10,
        json={"client_id": NATIVE_CLIENT, "token": tokens["refresh_token"]},
    )
    assert revoked.status_code == 200
    assert_error(refresh(tenant_server, tokens["refresh_token"]), 403, "invalid_grant")
    assert userinfo(tenant_server, tokens["access_token"]).status_code == 401


def test_another_client_cannot_revoke_someone_elses_refresh_token(tenant_server):
    tokens = login(tenant_server, "ada@example.com", scope="openid offline_access")
    requests.post(
        tenant_server.url("oauth/revoke"),
        timeout=10,
        json={
            "client_id": WEB_CLIENT,
            "client_secret": WEB_SECRET,
            "token": tokens["refresh_token"],
        },
    )
    assert refresh(tenant_server, tokens["refresh_token"]).status_code == 200


@pytest.mark.tenant_config(profile="hardened")
def test_userinfo_refuses_an_id_token_an_expired_a_revoked_or_a_query_token(tenant_server):
    tokens = login(tenant_server, "ada@example.com", scope="openid offline_access")
    assert userinfo(tenant_server, tokens["id_token"]).status_code == 401
    assert userinfo(tenant_server, tokens["refresh_token"]).status_code == 401
    in_query = requests.get(
        tenant_server.url("userinfo"), timeout=10, params={"access_token": tokens["access_token"]}
    )
    assert in_query.status_code == 401
    requests.post(
        tenant_server.url("oauth/revoke"),
        timeout=10,
        json={"client_id": NATIVE_CLIENT, "token": tokens["refresh_token"]},
    )
    assert userinfo(tenant_server, tokens["access_token"]).status_code == 401
    fresh = login(tenant_server, "bob@example.com")["access_token"]
    tenant_server.advance_clock(86400)
    assert userinfo(tenant_server, fresh).status_code == 401


@pytest.mark.tenant_config(profile="hardened")
def test_a_revoked_jwt_access_token_still_passes_the_stateless_api_until_it_expires(
    api, tenant_server
):
    """The sample API checks JWTs statelessly: signature, issuer, audience and expiry.

    Revoking the grant at the tenant kills the refresh token and the access token at
    /userinfo (which looks tokens up), but a JWT already handed out stays valid at an API
    that never calls the tenant, until its `exp`. That is the documented trade-off of
    self-contained access tokens (RFC 9068 section 1, RFC 7009 section 2 note on
    self-contained tokens): keep their lifetime short, or have the API introspect.
    """
    tokens = login(
        tenant_server, "ada@example.com", scope="openid offline_access", audience=API_AUDIENCE
    )
    requests.post(
        tenant_server.url("oauth/revoke"),
        timeout=10,
        json={"client_id": NATIVE_CLIENT, "token": tokens["refresh_token"]},
    )
    assert userinfo(tenant_server, tokens["access_token"]).status_code == 401
    assert call(api, "api/private", tokens["access_token"]).status_code == 200


def test_after_logout_the_old_web_app_cookie_opens_nothing_and_the_refresh_token_is_dead(
    auth, client, tenant_server
):
    auth.login()
    cookie = client.get_cookie("webapp_session").value
    refresh_token = auth.session()["tokens"]["refresh_token"]
    assert auth.logout().status_code == 302
    replay = client.application.test_client()
    replay.set_cookie("webapp_session", cookie, domain="localhost")
    assert "Hello" not in replay.get("/").text
    assert replay.get("/profile").status_code == 302
    response = refresh(tenant_server, refresh_token, client_id=WEB_CLIENT, client_secret=WEB_SECRET)
    assert_error(response, 403, "invalid_grant")


def test_a_finished_login_transaction_cannot_be_resumed_for_a_second_code(tenant_server):
    http = requests.Session()
    browser_code(tenant_server, http=http)
    resume = [
        c
        for c in tenant_server.tenant.storage.query(
            "SELECT state FROM login_transactions WHERE completed_at IS NOT NULL"
        )
    ]
    assert resume
    again = http.get(
        tenant_server.url(f"authorize/resume?state={resume[0]['state']}"),
        allow_redirects=False,
        timeout=10,
    )
    assert again.status_code == 400
    assert "Location" not in again.headers
