"""The plugin's `passwordless_tenant` fixture and its API, used as another project would."""

import jwt
import pytest
import requests

from mock_tenant.config import OTP_GRANT
from mock_tenant.testing import DevApiError, tenant_config

APP = "plugin-test-app"
BACK_OFFICE = "plugin-test-back-office"
BACK_OFFICE_SECRET = "plugin-test-back-office-secret"
TIMEOUT = 10


@pytest.fixture(scope="session")
def passwordless_tenant_config():
    """Register one native app that may use the OTP grant (overrides the plugin's default)."""
    client = {
        "name": "Plugin Test App",
        "client_id": APP,
        "app_type": "native",
        "token_endpoint_auth_method": "none",
        "grant_types": [OTP_GRANT],
    }
    # A machine-to-machine app with a grant for the Management API, with Auth0's names.
    back_office = {
        "name": "Plugin Test Back Office",
        "client_id": BACK_OFFICE,
        "client_secret": BACK_OFFICE_SECRET,
        "app_type": "non_interactive",
        "token_endpoint_auth_method": "client_secret_post",
        "grant_types": ["client_credentials"],
    }
    grant = {
        "client_id": BACK_OFFICE,
        "audience": "https://{domain}/api/v2/",
        "scope": ["read:users", "create:users"],
    }
    return tenant_config(
        clients=[client, back_office], client_grants=[grant], users=[{"email": "ada@example.com"}]
    )


def send_code(tenant, email):
    """Ask the tenant for an email code, as a native app does."""
    body = {"client_id": APP, "connection": "email", "email": email, "send": "code"}
    response = requests.post(tenant.url("/passwordless/start"), json=body, timeout=TIMEOUT)
    response.raise_for_status()


def exchange_code(tenant, email, code):
    """Exchange an email code for tokens with the OTP grant; return the response."""
    form = {
        "grant_type": OTP_GRANT,
        "client_id": APP,
        "realm": "email",
        "username": email,
        "otp": code,
        "scope": "openid",
    }
    return requests.post(tenant.url("/oauth/token"), data=form, timeout=TIMEOUT)


def test_issuer_and_domain_are_what_discovery_announces(passwordless_tenant):
    discovery = requests.get(
        passwordless_tenant.url("/.well-known/openid-configuration"), timeout=TIMEOUT
    ).json()
    assert discovery["issuer"] == passwordless_tenant.issuer
    assert passwordless_tenant.issuer == passwordless_tenant.domain + "/"
    assert passwordless_tenant.domain == "http://" + passwordless_tenant.host


def test_the_latest_code_sent_to_an_address_logs_in(passwordless_tenant):
    send_code(passwordless_tenant, "ada@example.com")
    send_code(passwordless_tenant, "ada@example.com")
    code = passwordless_tenant.last_code("ada@example.com")
    assert len(passwordless_tenant.messages("ada@example.com")) == 2
    assert exchange_code(passwordless_tenant, "ada@example.com", code).status_code == 200


def test_moving_the_clock_past_the_code_lifetime_expires_the_code(passwordless_tenant):
    send_code(passwordless_tenant, "ada@example.com")
    code = passwordless_tenant.last_code("ada@example.com")
    # Auth0's default OTP lifetime is 180 seconds.
    passwordless_tenant.advance_clock(181)
    response = exchange_code(passwordless_tenant, "ada@example.com", code)
    assert response.status_code == 403
    assert response.json()["error"] == "invalid_grant"


def test_an_injected_error_answers_the_next_request_only(passwordless_tenant):
    passwordless_tenant.fail_next("/passwordless/start", 503, "temporarily_unavailable")
    body = {"client_id": APP, "connection": "email", "email": "ada@example.com", "send": "code"}
    first = requests.post(passwordless_tenant.url("/passwordless/start"), json=body, timeout=10)
    second = requests.post(passwordless_tenant.url("/passwordless/start"), json=body, timeout=10)
    assert (first.status_code, first.json()["error"]) == (503, "temporarily_unavailable")
    assert second.status_code == 200


def test_a_created_user_is_listed_and_the_config_users_are_there(passwordless_tenant):
    created = passwordless_tenant.create_user(phone_number="+15555550123", given_name="Grace")
    assert created["connection"] == "sms"
    identifiers = {user["identifier"] for user in passwordless_tenant.users()}
    assert identifiers == {"ada@example.com", "+15555550123"}


def test_reset_forgets_messages_and_created_users(passwordless_tenant):
    send_code(passwordless_tenant, "new@example.com")
    passwordless_tenant.create_user(email="new@example.com")
    passwordless_tenant.reset()
    assert passwordless_tenant.messages() == []
    assert [user["identifier"] for user in passwordless_tenant.users()] == ["ada@example.com"]


def test_a_refused_dev_call_fails_the_test_with_the_tenants_answer(passwordless_tenant):
    with pytest.raises(DevApiError, match="400"):
        passwordless_tenant.create_user(email="not an address")
    with pytest.raises(AssertionError, match="nobody@example.com"):
        passwordless_tenant.last_code("nobody@example.com")


@pytest.mark.passwordless_tenant(settings={"otp_lifetime": 60})
def test_the_marker_gives_a_test_its_own_tenant_with_changed_settings(
    passwordless_tenant, passwordless_tenant_session
):
    assert passwordless_tenant.base_url != passwordless_tenant_session.base_url
    send_code(passwordless_tenant, "ada@example.com")
    code = passwordless_tenant.last_code("ada@example.com")
    passwordless_tenant.advance_clock(61)
    assert exchange_code(passwordless_tenant, "ada@example.com", code).status_code == 403


def test_a_management_token_for_the_configs_machine_client_creates_a_user(passwordless_tenant):
    token = passwordless_tenant.management_token(BACK_OFFICE, BACK_OFFICE_SECRET)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == f"https://{passwordless_tenant.host}/api/v2/"
    assert claims["aud"] == passwordless_tenant.management_audience
    assert claims["scope"] == "read:users create:users"
    response = requests.post(
        passwordless_tenant.url("/api/v2/users"),
        json={"connection": "email", "email": "grace@example.com"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 201, response.text
    assert "grace@example.com" in {user["identifier"] for user in passwordless_tenant.users()}


def test_a_management_token_with_a_scope_the_grant_lacks_fails_with_the_answer(
    passwordless_tenant,
):
    with pytest.raises(DevApiError, match="403.*access_denied.*delete:users"):
        passwordless_tenant.management_token(BACK_OFFICE, BACK_OFFICE_SECRET, "delete:users")
