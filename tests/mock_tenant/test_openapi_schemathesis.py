"""The OpenAPI description at /openapi.json: valid, complete, and true of the live tenant.

schemathesis reads the description from a live tenant, generates requests for every
operation (valid ones, and invalid ones that break the schema on purpose) and checks each
answer: no server error, a documented status, content type and headers, and a body that
matches its schema.

Cases per operation: 25 by default, deterministic (`derandomize`), so CI sees the same
requests each run. For a deeper search run for example

    SCHEMATHESIS_MAX_EXAMPLES=500 .venv/bin/pytest tests/mock_tenant/test_openapi_schemathesis.py

(still deterministic; add SCHEMATHESIS_RANDOM=1 to draw new cases each run).
"""

from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mock_tenant import create_app, load_config
from mock_tenant.api.passwordless import ALLOWED_AUTH_PARAMS
from tests.constants import (
    API_AUDIENCE,
    MANAGEMENT_CLIENT,
    MANAGEMENT_SECRET,
    NATIVE_CLIENT,
    OTP_GRANT,
    SPA_CLIENT,
    WEB_CLIENT,
)
from tests.mock_tenant.helpers import issue_authorization_code, pkce_pair
from tests.mock_tenant.test_locked_database import locked
from tests.servers import serve_tenant

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = pytest.mark.slow(seconds=15)

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
RANDOM = os.environ.get("SCHEMATHESIS_RANDOM") == "1"

# What every answer must satisfy. Not schemathesis's positive_data_acceptance: a request that
# fits the schema (a random client_id, a made-up code) is still rightly refused by a tenant.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Routes that answer pages or redirects to browsers, not JSON: they are not in the description.
NOT_JSON = {
    "/static/<path:filename>",
    "/favicon.ico",
    "/authorize",
    "/authorize/resume",
    "/u/login/identifier",
    "/u/login/passwordless-email-challenge",
    "/u/login/passwordless-sms-challenge",
    "/u/consent",
    "/passwordless/verify_redirect",
    "/co/verify",
    # The Classic login page and Lock's JSONP application settings.
    "/login",
    "/client/<client_id>.js",
    "/js/lock/<version>/<language>.js",
    "/v2/logout",
    "/oidc/logout",
    "/_dev/outbox",
    "/_dev/inspector",
}


@pytest.fixture(scope="module")
def fuzzed_tenant(tmp_path_factory):
    """Run a tenant of its own for the fuzzer, with a start rate limit it cannot reach."""
    # With the default 50 starts per hour, most generated starts would only ever see 429.
    with serve_tenant(
        tmp_path_factory.mktemp("fuzzed"), start_rate_limit_per_hour=1_000_000
    ) as server:
        yield server


@pytest.fixture(scope="module")
def live_schema(fuzzed_tenant):
    """Load the description from the live tenant, as any OpenAPI tool would."""
    schema = schemathesis.openapi.from_url(fuzzed_tenant.url("openapi.json"))
    schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=not RANDOM)
    return schema


# POST /_dev/api/errors is left out: its whole purpose is to make the next answer of another
# endpoint an arbitrary 4xx or 5xx that no description can predict (test_dev_api.py covers it).
# The other dev operations are fuzzed, destructive ones included (reset, delete a user, move
# the clock, rotate the key): the tenant is the fuzzer's own, no case depends on what an
# earlier one left behind, and a tenant that breaks after a reset or a clock move is a bug
# worth finding. For the same reason nothing is reset between cases; the throttles that
# still apply (a code per identifier every 30 s, lockout after wrong codes) answer 429,
# which the description documents.
schema = schemathesis.pytest.from_fixture("live_schema").exclude(
    method="POST", path="/_dev/api/errors"
)


# One test runs every operation (as subtests), so its time limit grows with the case count.
@pytest.mark.timeout(max(120, MAX_EXAMPLES * 6))
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_answer_of_the_live_tenant_matches_the_description(case):
    """Every generated request gets a documented answer and never a server error."""
    case.call_and_validate(checks=CHECKS, timeout=10)


class Described:
    """Call a live tenant's operations with chosen data, checking each answer as the fuzzer does."""

    def __init__(self, server):
        self.server = server
        self.schema = schemathesis.openapi.from_url(server.url("openapi.json"))

    def __call__(self, method: str, path: str, status: int, checks=CHECKS, **case):
        """Send one request, check its answer against the description and its status.

        Returns:
            schemathesis's response: `.json()`, and `.headers` with lowercase names and lists.

        """
        operation = self.schema[path][method]
        if "body" in case:
            case.setdefault("media_type", "application/json")
        response = operation.Case(**case).call_and_validate(checks=checks, timeout=10)
        assert response.status_code == status, response.text
        return response


def test_the_answers_a_login_needs_match_the_description(tenant_server):
    """Success bodies the fuzzer rarely reaches (it cannot read the outbox) are checked here."""
    call = Described(tenant_server)
    email, phone = "grace@example.com", "+15555550123"
    started = call(
        "POST",
        "/passwordless/start",
        200,
        body={"client_id": NATIVE_CLIENT, "connection": "email", "email": email, "send": "code"},
    )
    assert started.headers["x-ratelimit-remaining"]
    call(
        "POST",
        "/passwordless/start",
        200,
        media_type="application/x-www-form-urlencoded",
        body={"client_id": NATIVE_CLIENT, "connection": "sms", "phone_number": phone},
    )
    tokens = call(
        "POST",
        "/oauth/token",
        200,
        body={
            "grant_type": OTP_GRANT,
            "client_id": NATIVE_CLIENT,
            "username": email,
            "otp": tenant_server.last_code(email),
            "realm": "email",
            "scope": "openid profile email offline_access",
            "audience": API_AUDIENCE,
        },
    ).json()
    call(
        "POST",
        "/oauth/token",
        200,
        media_type="application/x-www-form-urlencoded",
        body={
            "grant_type": OTP_GRANT,
            "client_id": NATIVE_CLIENT,
            "username": phone,
            "otp": tenant_server.last_code(phone),
            "realm": "sms",
            "scope": "openid profile phone",
        },
    )
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    call("GET", "/userinfo", 200, headers=bearer)
    call("POST", "/userinfo", 200, headers=bearer)
    refresh = {"grant_type": "refresh_token", "client_id": NATIVE_CLIENT}
    call("POST", "/oauth/token", 200, body={**refresh, "refresh_token": tokens["refresh_token"]})
    # The rotated token again: reuse, the whole family is revoked (403, as Auth0 answers).
    call("POST", "/oauth/token", 403, body={**refresh, "refresh_token": tokens["refresh_token"]})
    call(
        "POST",
        "/oauth/revoke",
        200,
        media_type="application/x-www-form-urlencoded",
        body={"client_id": NATIVE_CLIENT, "token": tokens["refresh_token"]},
    )
    call("GET", "/userinfo", 401, headers=bearer)
    start = {"connection": "email", "email": email, "send": "code"}
    call("POST", "/passwordless/start", 401, body={**start, "client_id": WEB_CLIENT})
    bad_secret = {"grant_type": "refresh_token", "client_id": WEB_CLIENT, "refresh_token": "x"}
    call("POST", "/oauth/token", 401, body={**bad_secret, "client_secret": "wrong-secret"})


@pytest.mark.tenant_config(profile="hardened")
def test_the_hardened_resend_cooldown_answer_matches_the_description(tenant_server):
    """A second code within the hardened profile's resend cooldown: 429 with Retry-After."""
    call = Described(tenant_server)
    again = {"client_id": NATIVE_CLIENT, "connection": "email", "email": "g@example.com"}
    call("POST", "/passwordless/start", 200, body={**again, "send": "code"})
    response = call("POST", "/passwordless/start", 429, body={**again, "send": "code"})
    assert int(response.headers["retry-after"][0]) > 0


def test_the_authorization_code_grant_matches_the_description(tenant_server):
    """The token answer of Universal Login's code, with PKCE, is as described."""
    verifier, challenge = pkce_pair()
    redirect_uri = "http://localhost:3001/"
    code = issue_authorization_code(
        tenant_server.tenant,
        client_id=SPA_CLIENT,
        redirect_uri=redirect_uri,
        code_challenge=challenge,
    )
    body = {
        "grant_type": "authorization_code",
        "client_id": SPA_CLIENT,
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    form = "application/x-www-form-urlencoded"
    call = Described(tenant_server)
    call("POST", "/oauth/token", 200, media_type=form, body=body)
    call("POST", "/oauth/token", 403, media_type=form, body=body)


@pytest.mark.tenant_config(start_rate_limit_per_hour=1)
def test_the_rate_limit_answer_matches_the_description(tenant_server):
    """Over Auth0's per-address limit: 429 with X-RateLimit-* and Retry-After."""
    call = Described(tenant_server)
    body = {"client_id": NATIVE_CLIENT, "connection": "sms", "phone_number": "+15555550100"}
    call("POST", "/passwordless/start", 200, body=body)
    throttled = call("POST", "/passwordless/start", 429, body=body)
    assert throttled.headers["x-ratelimit-remaining"] == ["0"]


@pytest.mark.tenant_config(busy_timeout=0.2)
def test_the_busy_answer_matches_the_description(tenant_server):
    """A database locked past the busy timeout: 503 with Retry-After, as described."""
    call = Described(tenant_server)
    body = {"client_id": NATIVE_CLIENT, "connection": "sms", "phone_number": "+15555550100"}
    # Every check but not_a_server_error, which counts any 5xx, documented or not.
    with locked(tenant_server):
        call("POST", "/passwordless/start", 503, checks=CHECKS[1:], body=body)


def test_the_dev_api_matches_the_description(tenant_server):
    """Every dev operation's usual answers, with real data in them."""
    call = Described(tenant_server)
    call(
        "POST",
        "/passwordless/start",
        200,
        body={
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "email": "ada@example.com",
            "send": "link",
            "authParams": {"scope": "openid", "state": "xyz"},
        },
    )
    assert call("GET", "/_dev/api/outbox", 200).json()[0]["link"]
    assert call("GET", "/_dev/api/events", 200, query={"client_id": NATIVE_CLIENT}).json()
    user = call("POST", "/_dev/api/users", 201, body={"phone_number": "+15555550199"}).json()
    path = {"user_id": user["user_id"]}
    patch = {"claims": {"given_name": "Grace"}}
    call("PATCH", "/_dev/api/users/{user_id}", 200, path_parameters=path, body=patch)
    call("GET", "/_dev/api/users", 200)
    call("DELETE", "/_dev/api/users/{user_id}", 204, path_parameters=path)
    call("DELETE", "/_dev/api/users/{user_id}", 404, path_parameters=path)
    call("POST", "/_dev/api/clock", 200, body={"advance": 60, "freeze": True})
    call("POST", "/_dev/api/clock", 400, body={"advance": 10**30})
    call("GET", "/_dev/api/clock", 200)
    call("POST", "/_dev/api/keys/rotate", 200, body={})
    call("GET", "/.well-known/jwks.json", 200)
    call("DELETE", "/_dev/api/outbox", 200, query={"to": "ada@example.com"})
    call("POST", "/_dev/api/errors", 201, body={"endpoint": "/userinfo", "status": 502})
    call("POST", "/_dev/api/reset", 200, body={})


def test_the_description_is_valid_openapi_3_1(tenant_server):
    """The served document validates against the OpenAPI 3.1 schema and names this tenant."""
    document = requests.get(tenant_server.url("openapi.json"), timeout=10).json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"][0]["url"] == tenant_server.base_url
    # schemathesis refuses to load a document that breaks the OpenAPI 3.1 meta-schema.
    schemathesis.openapi.from_dict(document).validate()
    for operation in _operations(document):
        assert operation["description"], operation["operationId"]
        # Each Auth0 endpoint says what Auth0 does and links its documentation.
        if "Dev API" not in operation["tags"]:
            assert "https://auth0.com/docs/" in operation["description"], operation["operationId"]


def test_every_json_route_of_the_app_is_described(tmp_path):
    """A JSON endpoint added to the tenant without a description fails here."""
    app = create_app(load_config(data_dir=tmp_path))
    with app.test_client() as client:
        document = client.get("/openapi.json").get_json()
    described = {
        (_flask_path(path), method.upper())
        for path, item in document["paths"].items()
        for method in item
    }
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule not in NOT_JSON
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == described


def test_the_description_is_filled_in_from_the_tenant_configuration(tmp_path):
    """Address, title, client ids, connections and authParams come from this tenant, in full."""
    config = load_config(data_dir=tmp_path, issuer="https://tenant.example:8443/")
    config = config.with_settings(friendly_name="Acme")
    with create_app(config).test_client() as client:
        response = client.get("/openapi.json", base_url="https://tenant.example:8443/")
    assert "x-filled-by-loader" not in response.get_data(as_text=True)
    document = response.get_json()
    assert document["servers"][0]["url"] == "https://tenant.example:8443"
    assert document["info"]["title"] == "Acme: mock Auth0 tenant"
    schemas = document["components"]["schemas"]
    client_ids = [client.client_id for client in config.clients]
    for schema in ("PasswordlessStart", "OtpGrant", "RefreshTokenGrant", "RevokeRequest"):
        assert schemas[schema]["properties"]["client_id"]["examples"] == client_ids
    connections = [connection.name for connection in config.connections]
    assert schemas["PasswordlessStartForm"]["properties"]["connection"]["examples"] == connections
    assert schemas["OtpGrant"]["properties"]["realm"]["examples"] == connections
    auth_params = schemas["PasswordlessStart"]["properties"]["authParams"]["properties"]
    assert set(auth_params) == ALLOWED_AUTH_PARAMS


def test_the_dev_api_is_not_described_when_it_is_off(tmp_path):
    """A tenant without the dev API does not advertise it."""
    config = load_config(data_dir=tmp_path).with_settings(dev_api=False)
    with create_app(config).test_client() as client:
        document = client.get("/openapi.json").get_json()
    assert not [path for path in document["paths"] if path.startswith("/_dev/")]


def _operations(document: dict):
    """Yield every operation object of a document."""
    for item in document["paths"].values():
        yield from item.values()


def _flask_path(path: str) -> str:
    """Turn an OpenAPI path template into the Flask rule it stands for."""
    return path.replace("{user_id}", "<path:user_id>")


# --- The Management API (users) -------------------------------------------------------------


def test_the_management_api_answers_match_the_description(tenant_server):
    """Success and error bodies of /api/v2 that the fuzzer (without a token) cannot reach."""
    call = Described(tenant_server)
    audience = "https://" + tenant_server.base_url.split("://", 1)[1] + "/api/v2/"
    credentials = {
        "grant_type": "client_credentials",
        "client_id": MANAGEMENT_CLIENT,
        "client_secret": MANAGEMENT_SECRET,
        "audience": audience,
    }
    granted = call("POST", "/oauth/token", 200, body=credentials).json()
    bearer = {"Authorization": f"Bearer {granted['access_token']}"}
    call("POST", "/oauth/token", 403, body={**credentials, "scope": "read:clients"})
    new = {"connection": "email", "email": "described@example.com", "user_metadata": {"a": 1}}
    user = call("POST", "/api/v2/users", 201, headers=bearer, body=new).json()
    call("POST", "/api/v2/users", 409, headers=bearer, body=new)
    call("POST", "/api/v2/users", 400, headers=bearer, body={"connection": "nope"})
    call("GET", "/api/v2/users", 200, headers=bearer, query={"q": "email:described*"})
    call("GET", "/api/v2/users", 200, headers=bearer, query={"include_totals": True})
    call("GET", "/api/v2/users", 400, headers=bearer, query={"q": "(unbalanced"})
    path = {"user_id": user["user_id"]}
    call("GET", "/api/v2/users/{user_id}", 200, headers=bearer, path_parameters=path)
    call(
        "PATCH",
        "/api/v2/users/{user_id}",
        200,
        headers=bearer,
        path_parameters=path,
        body={"given_name": "Described"},
    )
    call(
        "GET",
        "/api/v2/users-by-email",
        200,
        headers=bearer,
        query={"email": "described@example.com"},
    )
    call("DELETE", "/api/v2/users/{user_id}", 204, headers=bearer, path_parameters=path)
    call("GET", "/api/v2/users/{user_id}", 404, headers=bearer, path_parameters=path)
    call("GET", "/api/v2/users", 401)
    narrow = call("POST", "/oauth/token", 200, body={**credentials, "scope": "read:users"})
    narrow_bearer = {"Authorization": f"Bearer {narrow.json()['access_token']}"}
    call("POST", "/api/v2/users", 403, headers=narrow_bearer, body=new)
