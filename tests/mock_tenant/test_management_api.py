"""Auth0's Management API for users over the wire: tokens, bodies, pagination, search, errors."""

from __future__ import annotations

import jwt
import pytest
import requests

from tests.constants import (
    MANAGEMENT_CLIENT,
    MANAGEMENT_SECRET,
    NATIVE_CLIENT,
    USER_SCOPES,
    WEB_CLIENT,
    WEB_SECRET,
)
from tests.mock_tenant.helpers import (
    TIMEOUT,
    assert_error,
    inspector_events,
    login,
    otp_token,
    send_email_code,
    send_sms_code,
    token,
    userinfo,
)


def management_audience(server) -> str:
    """Return the tenant's Management API identifier: `https://{domain}/api/v2/`."""
    return "https://" + server.base_url.split("://", 1)[1] + "/api/v2/"


def management_token(server, scope: str | None = None) -> requests.Response:
    """Ask for a Management API token with the demo machine-to-machine client."""
    body = {
        "grant_type": "client_credentials",
        "client_id": MANAGEMENT_CLIENT,
        "client_secret": MANAGEMENT_SECRET,
        "audience": management_audience(server),
    }
    if scope is not None:
        body["scope"] = scope
    return token(server, body, form=True)


class Api:
    """The Management API with a bearer token, as an SDK would call it."""

    def __init__(self, server, scope: str | None = None):
        self.server = server
        response = management_token(server, scope)
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call `/api/v2/<path>` with the token."""
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        url = self.server.url("api/v2/" + path)
        return requests.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)

    def create(self, **body) -> dict:
        """Create a user and return its body."""
        response = self.call("POST", "users", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def search(self, q: str) -> list[str]:
        """Return the email addresses or numbers of the users a query finds."""
        response = self.call("GET", "users", params={"q": q})
        assert response.status_code == 200, response.text
        return sorted(u.get("email") or u["phone_number"] for u in response.json())


@pytest.fixture
def api(tenant_server) -> Api:
    """A Management API client with every users scope."""
    return Api(tenant_server)


def assert_management_error(response, status: int, error_code: str | None, message=None):
    """Check Auth0's Management API error body: statusCode, error, message, errorCode."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["statusCode"] == status
    assert body["error"] == {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}.get(
        status, body["error"]
    )
    assert isinstance(body["message"], str) and body["message"]
    assert body.get("errorCode") == error_code
    if message is not None:
        assert body["message"] == message


# --- The client credentials grant -------------------------------------------------------


def test_client_credentials_give_an_rs256_management_token_with_the_granted_scopes(
    tenant_server,
):
    response = management_token(tenant_server)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400
    assert body["scope"] == USER_SCOPES
    assert "refresh_token" not in body and "id_token" not in body
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"
    keys = jwt.PyJWKClient(tenant_server.url(".well-known/jwks.json"))
    claims = jwt.decode(
        body["access_token"],
        keys.get_signing_key_from_jwt(body["access_token"]),
        algorithms=["RS256"],
        audience=management_audience(tenant_server),
        issuer=tenant_server.issuer,
    )
    assert claims["sub"] == f"{MANAGEMENT_CLIENT}@clients"
    assert claims["gty"] == "client-credentials"
    assert claims["azp"] == MANAGEMENT_CLIENT


def test_a_scope_subset_is_granted_and_an_ungranted_scope_is_refused(tenant_server):
    assert management_token(tenant_server, "read:users").json()["scope"] == "read:users"
    response = management_token(tenant_server, "read:users read:clients")
    assert_error(response, 403, "access_denied", "Client has not been granted scopes: read:clients")


def test_client_credentials_need_an_audience_the_client_has_a_grant_for(tenant_server):
    base = {
        "grant_type": "client_credentials",
        "client_id": MANAGEMENT_CLIENT,
        "client_secret": MANAGEMENT_SECRET,
    }
    response = token(tenant_server, base)
    assert_error(response, 403, "access_denied")
    assert "No audience parameter was provided" in response.json()["error_description"]
    response = token(tenant_server, {**base, "audience": "urn:passwordless-demo:api"})
    assert_error(response, 403, "access_denied")
    assert 'You need to create a "client-grant"' in response.json()["error_description"]
    response = token(tenant_server, {**base, "audience": "https://elsewhere.example/api/v2/"})
    assert_error(
        response, 403, "access_denied", "Service not found: https://elsewhere.example/api/v2/"
    )


def test_an_app_without_the_grant_type_or_with_a_wrong_secret_gets_no_machine_token(
    tenant_server,
):
    audience = management_audience(tenant_server)
    body = {"grant_type": "client_credentials", "audience": audience}
    response = token(tenant_server, {**body, "client_id": WEB_CLIENT, "client_secret": WEB_SECRET})
    assert_error(response, 403, "unauthorized_client")
    response = token(
        tenant_server, {**body, "client_id": MANAGEMENT_CLIENT, "client_secret": "x" * 20}
    )
    assert_error(response, 401, "access_denied", "Unauthorized")
    # A public client has no credentials to present.
    response = token(tenant_server, {**body, "client_id": NATIVE_CLIENT})
    assert response.status_code in (401, 403)


# --- Authentication and scopes on /api/v2 -------------------------------------------------


def test_a_request_without_a_token_gets_401_missing_authentication(tenant_server):
    response = requests.get(tenant_server.url("api/v2/users"), timeout=TIMEOUT)
    assert_management_error(response, 401, None, "Missing authentication")


def test_a_user_token_or_a_forged_token_gets_401(tenant_server, api):
    user_token = login(tenant_server, "someone@example.com")["access_token"]
    response = requests.get(
        tenant_server.url("api/v2/users"),
        headers={"Authorization": f"Bearer {user_token}"},
        timeout=TIMEOUT,
    )
    assert_management_error(response, 401, None, "Invalid token")
    tampered = api.token[:-4] + ("AAAA" if not api.token.endswith("AAAA") else "BBBB")
    response = requests.get(
        tenant_server.url("api/v2/users"),
        headers={"Authorization": f"Bearer {tampered}"},
        timeout=TIMEOUT,
    )
    assert_management_error(response, 401, None, "Invalid token")


@pytest.mark.in_process
def test_an_expired_token_gets_401(tenant_server, api):
    # The dev clock ages stored state, never a token already handed out (core/clock.py), so
    # the expired token is signed here with the tenant's own key, a day in the past.
    tenant = tenant_server.app.extensions["mock_tenant"]
    claims = jwt.decode(api.token, options={"verify_signature": False})
    expired = tenant.keys.sign({**claims, "iat": claims["iat"] - 90000, "exp": claims["iat"] - 1})
    response = requests.get(
        tenant_server.url("api/v2/users"),
        headers={"Authorization": f"Bearer {expired}"},
        timeout=TIMEOUT,
    )
    assert_management_error(
        response, 401, None, "Expired token received for JSON Web Token validation"
    )


@pytest.mark.parametrize(
    ("method", "path", "needed"),
    [
        ("GET", "users", "read:users"),
        ("GET", "users-by-email?email=ada@example.com", "read:users"),
        ("POST", "users", "create:users"),
        ("PATCH", "users/email|0", "update:users"),
        ("DELETE", "users/email|0", "delete:users"),
    ],
)
def test_a_token_without_the_needed_scope_gets_403_insufficient_scope(
    tenant_server, method, path, needed
):
    others = " ".join(s for s in USER_SCOPES.split() if s != needed)
    response = Api(tenant_server, others).call(method, path, json={"connection": "email"})
    assert_management_error(
        response, 403, "insufficient_scope", f"Insufficient scope, expected any of: {needed}"
    )


# --- Creating users -----------------------------------------------------------------------


def test_creating_an_email_user_answers_auth0s_user_body(api):
    user = api.create(
        connection="email",
        email="Grace@Example.com",
        given_name="Grace",
        user_metadata={"plan": "gold"},
        app_metadata={"roles": ["admin"]},
    )
    assert user["user_id"].startswith("email|")
    assert user["email"] == "grace@example.com"
    assert user["email_verified"] is False
    assert user["identities"] == [
        {
            "connection": "email",
            "user_id": user["user_id"].split("|")[1],
            "provider": "email",
            "isSocial": False,
        }
    ]
    assert user["given_name"] == "Grace"
    assert user["user_metadata"] == {"plan": "gold"}
    assert user["app_metadata"] == {"roles": ["admin"]}
    assert user["created_at"].endswith("Z") and user["updated_at"].endswith("Z")
    assert "phone_number" not in user


def test_creating_an_sms_user_and_then_the_same_user_again_gives_409(api):
    user = api.create(connection="sms", phone_number="+15555550123", phone_verified=True)
    assert user["user_id"].startswith("sms|")
    assert user["phone_number"] == "+15555550123"
    assert user["phone_verified"] is True
    assert user["identities"][0]["provider"] == "sms"
    response = api.call("POST", "users", json={"connection": "sms", "phone_number": "+15555550123"})
    assert_management_error(response, 409, "auth0_idp_error", "The user already exists.")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"email": "a@example.com"},
            "Payload validation error: 'Missing required property: connection'.",
        ),
        ({"connection": "email"}, "Payload validation error: 'Missing required property: email'."),
        (
            {"connection": "email", "email": "not-an-email"},
            "Payload validation error: 'Object didn't pass validation for format email: "
            "not-an-email' on property email (The user's email).",
        ),
        (
            {"connection": "email", "email": "a@example.com", "nickname": 7},
            "Payload validation error: 'Expected type string but found type integer' "
            "on property nickname.",
        ),
        (
            {"connection": "email", "email": "a@example.com", "favourite": "x"},
            "Payload validation error: 'Additional properties not allowed: favourite'.",
        ),
        ({"connection": "sms", "phone_number": "555"}, None),
        ({"connection": "email", "email": "a@example.com", "password": "x"}, None),
    ],
)
def test_bad_create_bodies_get_400_invalid_body(api, body, message):
    assert_management_error(api.call("POST", "users", json=body), 400, "invalid_body", message)


def test_an_unknown_connection_or_a_body_that_is_not_an_object_gets_400(api):
    response = api.call("POST", "users", json={"connection": "Username-Password-Authentication"})
    assert_management_error(
        response, 400, "inexistent_connection", "The connection does not exist."
    )
    assert_management_error(api.call("POST", "users", json=["x"]), 400, "invalid_body")
    response = api.call("POST", "users", data="{", headers={"Content-Type": "application/json"})
    assert_management_error(response, 400, "invalid_body")


# --- Listing, pagination and search ---------------------------------------------------------


def test_listing_pages_through_users_with_and_without_totals(api):
    for name in ("a", "b", "c"):
        api.create(connection="email", email=f"{name}@example.org")
    # The bundled tenant seeds two users: five in all.
    everyone = api.call("GET", "users").json()
    assert isinstance(everyone, list) and len(everyone) == 5
    page = api.call("GET", "users", params={"per_page": 2, "page": 1, "include_totals": "true"})
    body = page.json()
    assert body["start"] == 2 and body["limit"] == 2 and body["length"] == 2
    assert body["total"] == 5
    assert [u["user_id"] for u in body["users"]] == [u["user_id"] for u in everyone[2:4]]
    last = api.call("GET", "users", params={"per_page": 2, "page": 2, "include_totals": "true"})
    assert last.json()["length"] == 1
    beyond = api.call("GET", "users", params={"per_page": 2, "page": 9})
    assert beyond.json() == []
    ordered = api.call("GET", "users", params={"sort": "email:-1", "q": "email.domain:example.org"})
    assert [u["email"] for u in ordered.json()] == [
        "c@example.org",
        "b@example.org",
        "a@example.org",
    ]
    only = api.call("GET", "users", params={"fields": "user_id,email", "q": "email:a@example.org"})
    assert set(only.json()[0]) == {"user_id", "email"}


@pytest.mark.parametrize(
    "params",
    [
        {"per_page": "101"},
        {"per_page": "0"},
        {"page": "-1"},
        {"page": "one"},
        {"include_totals": "yes"},
        {"sort": "email"},
        {"search_engine": "v2"},
        {"colour": "blue"},
    ],
)
def test_bad_list_parameters_get_400_invalid_query_string(api, params):
    assert_management_error(api.call("GET", "users", params=params), 400, "invalid_query_string")


def test_q_finds_users_by_the_fields_auth0_documents_for_passwordless_users(api, tenant_server):
    api.create(
        connection="email",
        email="ada.b@example.net",
        given_name="Ada",
        user_metadata={"plan": "gold", "address": {"city": "Paris"}},
    )
    api.create(
        connection="email", email="bob@example.net", family_name="Stone", app_metadata={"tier": 2}
    )
    api.create(connection="sms", phone_number="+15555550188")
    assert api.search('email:"bob@example.net"') == ["bob@example.net"]
    # Normalized fields ignore case; wildcards; the domain of the address.
    assert api.search("email:BOB@EXAMPLE.NET") == ["bob@example.net"]
    assert api.search("email:ada*") == ["ada.b@example.net", "ada@example.com"]
    assert api.search("email:*example.net") == ["ada.b@example.net", "bob@example.net"]
    assert api.search("email.domain:example.net AND NOT given_name:ada") == ["bob@example.net"]
    # SMS users, connections, verified flags.
    assert api.search("phone_number:+15555550188") == ["+15555550188"]
    assert api.search("identities.connection:sms") == ["+15555550100", "+15555550188"]
    assert api.search("email_verified:false") == ["ada.b@example.net", "bob@example.net"]
    # Metadata, nested paths, _exists_, OR and groups, a bare term.
    assert api.search("user_metadata.plan:gold") == ["ada.b@example.net"]
    assert api.search('user_metadata.address.city:"Paris"') == ["ada.b@example.net"]
    assert api.search("app_metadata.tier:2 OR family_name:nobody") == ["bob@example.net"]
    assert api.search("_exists_:family_name") == ["ada@example.com", "bob@example.net"]
    assert api.search("(given_name:ada) family_name:stone") == [
        "ada.b@example.net",
        "ada@example.com",
        "bob@example.net",
    ]
    assert api.search("bob@example.net") == ["bob@example.net"]
    assert api.search("created_at:[2000-01-01 TO *]") == sorted(
        ["ada.b@example.net", "ada@example.com", "bob@example.net", "+15555550188", "+15555550100"]
    )


@pytest.mark.parametrize("q", ["(email:a*", "email:a AND", "favourite:x", "name:ada~", "email:*ab"])
def test_a_query_the_tenant_cannot_read_gets_400_invalid_query_string(api, q):
    response = api.call("GET", "users", params={"q": q})
    assert_management_error(response, 400, "invalid_query_string")


# --- One user: get, users-by-email, update, delete ------------------------------------------


def test_get_a_user_or_404_inexistent_user(api):
    user = api.create(connection="email", email="get@example.com")
    assert api.call("GET", f"users/{user['user_id']}").json() == user
    response = api.call("GET", "users/email|000000000000000000000000")
    assert_management_error(response, 404, "inexistent_user", "The user does not exist.")


def test_users_by_email_matches_without_regard_to_case(api):
    user = api.create(connection="email", email="case@example.com")
    found = api.call("GET", "users-by-email", params={"email": "CASE@example.com"}).json()
    assert [u["user_id"] for u in found] == [user["user_id"]]
    assert api.call("GET", "users-by-email", params={"email": "none@example.com"}).json() == []
    assert_management_error(api.call("GET", "users-by-email"), 400, "invalid_query_string")


def test_update_merges_metadata_and_a_new_address_keeps_the_user_id(api, tenant_server):
    user = api.create(connection="email", email="old@example.com", user_metadata={"a": 1, "b": 2})
    response = api.call(
        "PATCH",
        f"users/{user['user_id']}",
        json={
            "user_metadata": {"b": None, "c": 3},
            "given_name": "New",
            "email": "new@example.com",
        },
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["user_metadata"] == {"a": 1, "c": 3}
    assert updated["given_name"] == "New"
    assert updated["email"] == "new@example.com" and updated["email_verified"] is False
    # The person now logs in with the new address and is the same user.
    code = send_email_code(tenant_server, "new@example.com")
    tokens = otp_token(tenant_server, "new@example.com", code).json()
    assert (
        jwt.decode(tokens["id_token"], options={"verify_signature": False})["sub"]
        == user["user_id"]
    )
    response = api.call("PATCH", f"users/{user['user_id']}", json={"favourite": 1})
    assert_management_error(response, 400, "invalid_body")
    response = api.call("PATCH", "users/email|000000000000000000000000", json={"name": "x"})
    assert_management_error(response, 404, "inexistent_user")


def test_delete_answers_204_and_ends_the_users_tokens(api, tenant_server):
    tokens = login(tenant_server, "leaving@example.com")
    user_id = api.call("GET", "users-by-email", params={"email": "leaving@example.com"}).json()[0][
        "user_id"
    ]
    assert api.call("DELETE", f"users/{user_id}").status_code == 204
    assert api.call("GET", f"users/{user_id}").status_code == 404
    assert userinfo(tenant_server, tokens["access_token"]).status_code == 401
    assert api.call("DELETE", f"users/{user_id}").status_code == 204


def test_a_created_user_logs_in_with_a_code_and_is_that_user(api, tenant_server):
    user = api.create(connection="sms", phone_number="+15555550177")
    code = send_sms_code(tenant_server, "+15555550177")
    response = otp_token(tenant_server, "+15555550177", code, realm="sms")
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["id_token"], options={"verify_signature": False})
    assert claims["sub"] == user["user_id"]
    # The right code proved the number: the user is verified now.
    assert user["phone_verified"] is False
    assert api.call("GET", f"users/{user['user_id']}").json()["phone_verified"] is True


def test_the_inspector_shows_management_calls_without_the_token(api, tenant_server):
    api.create(connection="email", email="seen@example.com")
    events = inspector_events(tenant_server)
    kinds = [e["kind"] for e in events]
    assert "Client credentials (machine to machine)" in kinds
    assert "Management API: POST /api/v2/users" in kinds
    assert api.token not in str(events)
