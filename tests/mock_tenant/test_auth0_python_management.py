"""Auth0's Python SDK `ManagementClient` (auth0-python) manages passwordless users, unchanged.

The SDK always calls `https://{domain}/api/v2/` and gets its token from
`https://{domain}/oauth/token`, so the tenant serves HTTPS here (`--tls`), and the SDK's
HTTP client (httpx) is told to trust the tenant's local CA through `SSL_CERT_FILE`.
"""

import httpx
import jwt
import pytest
import requests
from auth0.management import ManagementClient
from auth0.management.errors import BadRequestError, ForbiddenError, NotFoundError

from tests.constants import MANAGEMENT_CLIENT, MANAGEMENT_SECRET, NATIVE_CLIENT, OTP_GRANT

TIMEOUT = 10


@pytest.fixture
def http_client(tenant_server, monkeypatch):
    """Give the SDK an HTTP client that trusts the tenant's CA and is closed after the test.

    The SDK's own client is never closed, and the tenant keeps connections open: its sockets
    would be found unclosed (a ResourceWarning, an error here) whenever the garbage collector
    runs, in a later test.
    """
    monkeypatch.setenv("SSL_CERT_FILE", tenant_server.ca_bundle)
    with httpx.Client(timeout=60, follow_redirects=True) as client:
        yield client


@pytest.fixture
def management(tenant_server, http_client) -> ManagementClient:
    """Build the SDK's client from the demo machine-to-machine app's credentials."""
    return ManagementClient(
        domain=tenant_server.base_url.removeprefix("https://"),
        client_id=MANAGEMENT_CLIENT,
        client_secret=MANAGEMENT_SECRET,
        httpx_client=http_client,
    )


def _log_in_with_a_code(server, email: str) -> dict:
    """Log in as a native app would: a code by email, then the OTP grant."""
    started = requests.post(
        server.url("passwordless/start"),
        json={"client_id": NATIVE_CLIENT, "connection": "email", "email": email, "send": "code"},
        timeout=TIMEOUT,
        verify=server.ca_bundle,
    )
    assert started.status_code == 200, started.text
    response = requests.post(
        server.url("oauth/token"),
        json={
            "grant_type": OTP_GRANT,
            "client_id": NATIVE_CLIENT,
            "username": email,
            "otp": server.last_code(email),
            "realm": "email",
            "scope": "openid profile email",
        },
        timeout=TIMEOUT,
        verify=server.ca_bundle,
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.tenant_config(tls=True)
def test_the_sdk_creates_finds_updates_and_deletes_a_user_who_then_logs_in(
    tenant_server, management
):
    # Create a passwordless user on the email connection.
    created = management.users.create(
        connection="email", email="sdk.user@example.com", given_name="Sdk"
    )
    assert created.user_id.startswith("email|")
    assert created.email == "sdk.user@example.com"
    # Find them with a Lucene query (the SDK pages with include_totals) and by email.
    found = list(management.users.list(q='email:"sdk.user@example.com"'))
    assert [user.user_id for user in found] == [created.user_id]
    by_email = management.users.list_users_by_email(email="SDK.user@example.com")
    assert [user.user_id for user in by_email] == [created.user_id]
    # Update their profile and metadata.
    updated = management.users.update(
        created.user_id, family_name="Tester", user_metadata={"plan": "gold"}
    )
    assert updated.family_name == "Tester"
    assert management.users.get(created.user_id).user_metadata == {"plan": "gold"}
    # They log in with a code, and are the user the API created.
    tokens = _log_in_with_a_code(tenant_server, "sdk.user@example.com")
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert claims["sub"] == created.user_id
    assert claims["family_name"] == "Tester"
    # Delete them; the SDK's 404 follows.
    management.users.delete(created.user_id)
    with pytest.raises(NotFoundError):
        management.users.get(created.user_id)


@pytest.mark.tenant_config(tls=True)
def test_the_sdk_surfaces_auth0s_error_bodies(tenant_server, management, http_client):
    with pytest.raises(BadRequestError) as raised:
        management.users.create(connection="email", email="not-an-email")
    assert raised.value.body["errorCode"] == "invalid_body"
    assert raised.value.body["statusCode"] == 400
    # A token with read:users only may not create users.
    narrow = ManagementClient(
        domain=tenant_server.base_url.removeprefix("https://"),
        token=requests.post(
            tenant_server.url("oauth/token"),
            data={
                "grant_type": "client_credentials",
                "client_id": MANAGEMENT_CLIENT,
                "client_secret": MANAGEMENT_SECRET,
                "audience": tenant_server.base_url + "/api/v2/",
                "scope": "read:users",
            },
            timeout=TIMEOUT,
            verify=tenant_server.ca_bundle,
        ).json()["access_token"],
        httpx_client=http_client,
    )
    with pytest.raises(ForbiddenError) as raised:
        narrow.users.create(connection="email", email="someone@example.com")
    assert raised.value.body["errorCode"] == "insufficient_scope"
