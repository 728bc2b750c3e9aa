"""Every `/oauth/token` error row of auth0-wire.md, with Auth0's status codes and messages."""

import pytest
import requests

from tests.constants import (
    API_AUDIENCE,
    EXPIRED,
    NATIVE_CLIENT,
    OTP_GRANT,
    SPA_CLIENT,
    TOO_MANY,
    WEB_CLIENT,
    WEB_SECRET,
    WRONG_EMAIL,
    WRONG_PHONE,
)
from tests.mock_tenant.helpers import (
    TIMEOUT,
    assert_error,
    basic_auth,
    otp_token,
    send_email_code,
    send_sms_code,
    token,
    wrong_code,
)


def test_a_wrong_email_code_is_invalid_grant_403(tenant_server):
    code = send_email_code(tenant_server, "wrong@example.com")
    response = otp_token(tenant_server, "wrong@example.com", wrong_code(code))
    assert_error(response, 403, "invalid_grant", WRONG_EMAIL)


def test_a_wrong_sms_code_is_invalid_grant_403(tenant_server):
    code = send_sms_code(tenant_server, "+15555550150")
    response = otp_token(tenant_server, "+15555550150", wrong_code(code), realm="sms")
    assert_error(response, 403, "invalid_grant", WRONG_PHONE)


def test_an_identifier_that_never_got_a_code_looks_like_a_wrong_code(tenant_server):
    # No enumeration: the answer is the same as for a wrong code.
    response = otp_token(tenant_server, "never@example.com", "123456")
    assert_error(response, 403, "invalid_grant", WRONG_EMAIL)
    response = otp_token(tenant_server, "+15555550151", "123456", realm="sms")
    assert_error(response, 403, "invalid_grant", WRONG_PHONE)


def test_an_expired_code_gets_auth0s_expiry_message(tenant_server):
    code = send_email_code(tenant_server, "late@example.com")
    # Move the tenant's clock past the 180-second lifetime instead of sleeping.
    tenant_server.advance_clock(181)
    response = otp_token(tenant_server, "late@example.com", code)
    assert_error(response, 403, "invalid_grant", EXPIRED)


def test_too_many_wrong_tries_get_auth0s_attempts_message(tenant_server):
    code = send_email_code(tenant_server, "tries@example.com")
    for _ in range(3):
        assert otp_token(tenant_server, "tries@example.com", wrong_code(code)).status_code == 403
    response = otp_token(tenant_server, "tries@example.com", code)
    assert_error(response, 403, "invalid_grant", TOO_MANY)


def test_a_single_page_app_may_not_use_the_otp_grant(tenant_server):
    response = otp_token(tenant_server, "spa@example.com", "123456", client_id=SPA_CLIENT)
    assert_error(
        response,
        403,
        "unauthorized_client",
        f"Grant type '{OTP_GRANT}' not allowed for the client.",
    )


def test_an_unknown_client_is_unauthorized_client_403(tenant_server):
    response = otp_token(tenant_server, "x@example.com", "123456", client_id="nobody")
    assert_error(response, 403, "unauthorized_client")


def test_a_missing_client_id_is_invalid_request_400(tenant_server):
    body = {"grant_type": OTP_GRANT, "username": "x@example.com", "otp": "123456", "realm": "email"}
    assert_error(token(tenant_server, body), 400, "invalid_request")


def test_an_unknown_audience_is_access_denied_403(tenant_server):
    code = send_email_code(tenant_server, "aud@example.com")
    response = otp_token(tenant_server, "aud@example.com", code, audience="urn:nowhere")
    assert_error(response, 403, "access_denied", "Service not found: urn:nowhere")
    # Refused before the code was looked at: it still works with the right audience.
    response = otp_token(tenant_server, "aud@example.com", code, audience=API_AUDIENCE)
    assert response.status_code == 200, response.text


def test_a_wrong_client_secret_is_401_access_denied_as_auth0_answers(tenant_server):
    # Fidelity row 1: Auth0's token endpoint answers `access_denied` "Unauthorized".
    code = send_email_code(
        tenant_server, "secret@example.com", client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    for secret in ("wrong-secret-0123456", "", "ｓｅｃｒｅｔ"):
        response = otp_token(
            tenant_server, "secret@example.com", code, client_id=WEB_CLIENT, client_secret=secret
        )
        assert_error(response, 401, "access_denied", "Unauthorized")
    # A wrong secret by Basic is refused too.
    body = {
        "grant_type": OTP_GRANT,
        "username": "secret@example.com",
        "otp": code,
        "realm": "email",
    }
    response = token(tenant_server, body, headers=basic_auth(WEB_CLIENT, "nope"))
    assert_error(response, 401, "access_denied", "Unauthorized")
    # No secret at all from a confidential client is refused.
    response = otp_token(tenant_server, "secret@example.com", code, client_id=WEB_CLIENT)
    assert_error(response, 401, "access_denied", "Unauthorized")


def test_a_public_client_may_not_present_a_secret_it_does_not_have(tenant_server):
    code = send_email_code(tenant_server, "pub@example.com")
    response = otp_token(tenant_server, "pub@example.com", code, client_secret="made-up-secret-123")
    assert response.status_code in (400, 401), response.text


@pytest.mark.parametrize("field", ["username", "otp", "realm"])
def test_a_missing_field_is_invalid_request(tenant_server, field):
    body = {
        "grant_type": OTP_GRANT,
        "client_id": NATIVE_CLIENT,
        "username": "x@example.com",
        "otp": "123456",
        "realm": "email",
    }
    del body[field]
    assert_error(token(tenant_server, body), 400, "invalid_request")


def test_an_unknown_realm_is_invalid_request(tenant_server):
    response = otp_token(tenant_server, "x@example.com", "123456", realm="github")
    assert_error(response, 400, "invalid_request")


def test_a_username_that_does_not_fit_the_realm_is_invalid_request(tenant_server):
    response = otp_token(tenant_server, "not-a-phone", "123456", realm="sms")
    assert_error(response, 400, "invalid_request")


def test_an_unknown_grant_type_is_unsupported_grant_type(tenant_server):
    body = {"grant_type": "password", "client_id": NATIVE_CLIENT, "username": "a", "password": "b"}
    assert_error(token(tenant_server, body), 400, "unsupported_grant_type")


def test_a_missing_grant_type_is_refused(tenant_server):
    assert_error(token(tenant_server, {"client_id": NATIVE_CLIENT}), 400, "unsupported_grant_type")


def test_a_get_on_the_token_endpoint_is_method_not_allowed(tenant_server):
    response = requests.get(tenant_server.url("oauth/token"), timeout=TIMEOUT)
    assert_error(response, 405, "method_not_allowed")
