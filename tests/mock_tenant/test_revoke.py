"""`POST /oauth/revoke`: 200 with an empty body; hardened, it ends the whole login too."""

import pytest
import requests

from tests.constants import NATIVE_CLIENT, WEB_CLIENT, WEB_SECRET
from tests.mock_tenant.helpers import (
    TIMEOUT,
    assert_error,
    basic_auth,
    login,
    otp_token,
    refresh,
    send_email_code,
    userinfo,
)


def _revoke(server, body, *, form: bool = False, **kwargs) -> requests.Response:
    encoded = {"data": body} if form else {"json": body}
    return requests.post(server.url("oauth/revoke"), timeout=TIMEOUT, **encoded, **kwargs)


def _web_login(server, email: str) -> dict:
    """Log in by email code with the regular web app and return its tokens."""
    code = send_email_code(server, email, client_id=WEB_CLIENT, client_secret=WEB_SECRET)
    response = otp_token(
        server,
        email,
        code,
        client_id=WEB_CLIENT,
        client_secret=WEB_SECRET,
        scope="openid offline_access",
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.tenant_config(profile="hardened")
def test_revoking_a_refresh_token_answers_200_with_an_empty_body(tenant_server):
    tokens = login(tenant_server, "rev@example.com", scope="openid offline_access")
    response = _revoke(
        tenant_server, {"client_id": NATIVE_CLIENT, "token": tokens["refresh_token"]}
    )
    assert response.status_code == 200
    assert response.content == b""
    # The refresh token and the access tokens of that login no longer work.
    assert_error(refresh(tenant_server, tokens["refresh_token"]), 403, "invalid_grant")
    assert userinfo(tenant_server, tokens["access_token"]).status_code == 401


def test_revoking_only_ends_that_login(tenant_server):
    one = login(tenant_server, "two-logins@example.com", scope="openid offline_access")
    tenant_server.advance_clock(30)
    other = login(tenant_server, "two-logins@example.com", scope="openid offline_access")
    _revoke(tenant_server, {"client_id": NATIVE_CLIENT, "token": one["refresh_token"]})
    # The other login of the same person is untouched.
    assert refresh(tenant_server, other["refresh_token"]).status_code == 200


def test_a_form_encoded_revocation_with_a_hint_works_as_auth0_spa_js_sends_it(tenant_server):
    tokens = login(tenant_server, "spa-style@example.com", scope="openid offline_access")
    response = _revoke(
        tenant_server,
        {
            "client_id": NATIVE_CLIENT,
            "token": tokens["refresh_token"],
            "token_type_hint": "refresh_token",
        },
        form=True,
    )
    assert response.status_code == 200
    assert_error(refresh(tenant_server, tokens["refresh_token"]), 403, "invalid_grant")


def test_a_confidential_client_revokes_with_its_secret_by_body_or_basic(tenant_server):
    in_body = _web_login(tenant_server, "webrev1@example.com")
    response = _revoke(
        tenant_server,
        {"client_id": WEB_CLIENT, "client_secret": WEB_SECRET, "token": in_body["refresh_token"]},
    )
    assert response.status_code == 200
    by_basic = _web_login(tenant_server, "webrev2@example.com")
    response = _revoke(
        tenant_server,
        {"token": by_basic["refresh_token"]},
        form=True,
        headers=basic_auth(WEB_CLIENT, WEB_SECRET),
    )
    assert response.status_code == 200
    for tokens in (in_body, by_basic):
        response = refresh(
            tenant_server, tokens["refresh_token"], client_id=WEB_CLIENT, client_secret=WEB_SECRET
        )
        assert_error(response, 403, "invalid_grant")


def test_a_wrong_secret_is_401_and_revokes_nothing(tenant_server):
    tokens = _web_login(tenant_server, "webrev3@example.com")
    response = _revoke(
        tenant_server,
        {
            "client_id": WEB_CLIENT,
            "client_secret": "wrong-secret",
            "token": tokens["refresh_token"],
        },
    )
    assert_error(response, 401, "invalid_client")
    response = refresh(
        tenant_server, tokens["refresh_token"], client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    assert response.status_code == 200


def test_another_clients_token_is_answered_200_and_not_revoked(tenant_server):
    # Fidelity row 6: Auth0 answers 200 for a token "not issued to the client making the
    # revocation request" (auth0/docs articles/api/authentication/errors/_oauth-revoke.md).
    tokens = _web_login(tenant_server, "notyours@example.com")
    response = _revoke(
        tenant_server, {"client_id": NATIVE_CLIENT, "token": tokens["refresh_token"]}
    )
    assert response.status_code == 200
    assert response.content == b""
    response = refresh(
        tenant_server, tokens["refresh_token"], client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    assert response.status_code == 200


def test_an_unknown_token_is_answered_200_as_rfc_7009_says(tenant_server):
    # RFC 7009 2.2: an invalid token is not an error for the client.
    response = _revoke(tenant_server, {"client_id": NATIVE_CLIENT, "token": "never-issued"})
    assert response.status_code == 200
    assert response.content == b""


def test_a_missing_token_or_client_is_invalid_request(tenant_server):
    assert_error(_revoke(tenant_server, {"client_id": NATIVE_CLIENT}), 400, "invalid_request")
    assert_error(_revoke(tenant_server, {"token": "abc"}), 400, "invalid_request")
