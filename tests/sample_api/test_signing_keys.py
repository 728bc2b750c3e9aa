"""The tenant's signing keys: caching, the unknown-kid cooldown, and a tenant that is down."""

import socket
import time

import jwt
import pytest
import requests

from tests.sample_api.helpers import call


@pytest.fixture
def closed_port_url():
    """Return a loopback URL where nothing listens (a tenant that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_tenant_down_answers_503_in_json(start_api, closed_port_url, fake_tenant):
    api = start_api(AUTH0_DOMAIN=closed_port_url)
    response = call(api, "api/private", fake_tenant.mint())
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    assert response.headers["Retry-After"]
    # Nothing of the failure's internals reaches the caller.
    assert "Traceback" not in response.text and closed_port_url not in response.text


def test_a_forged_algorithm_is_refused_before_any_key_is_fetched(start_api, closed_port_url):
    # Even with the tenant down, `alg: none` is a plain 401: it never gets as far as the keys.
    api = start_api(AUTH0_DOMAIN=closed_port_url)
    token = "eyJhbGciOiJub25lIiwia2lkIjoieCJ9.eyJzdWIiOiJ4In0."
    assert call(api, "api/private", token).status_code == 401


def test_tenant_answering_an_html_page_answers_503(start_api, fake_tenant):
    fake_tenant.jwks_body = "<html><body>Bad gateway</body></html>"
    api = start_api(AUTH0_DOMAIN=fake_tenant.base_url)
    assert call(api, "api/private", fake_tenant.mint()).status_code == 503


def test_key_set_without_usable_keys_answers_503(start_api, fake_tenant):
    fake_tenant.jwks_body = '{"keys": []}'
    api = start_api(AUTH0_DOMAIN=fake_tenant.base_url)
    assert call(api, "api/private", fake_tenant.mint()).status_code == 503


def test_tenant_jwks_error_answers_503(api, tenant_server, login):
    token = login.access_token()
    # The tenant's next JWKS answer is a 500 (its dev API injects it).
    requests.post(
        tenant_server.url("_dev/api/errors"),
        json={"endpoint": "/.well-known/jwks.json", "status": 500},
        timeout=10,
    ).raise_for_status()
    assert call(api, "api/private", token).status_code == 503
    # The error was one-off: the next request fetches the keys and succeeds.
    assert call(api, "api/private", token).status_code == 200


def test_cached_keys_keep_working_while_the_tenant_is_down(start_api, fake_tenant):
    api = start_api(AUTH0_DOMAIN=fake_tenant.base_url)
    assert call(api, "api/private", fake_tenant.mint()).status_code == 200
    # The tenant breaks, but the API still holds the key set it fetched a moment ago.
    fake_tenant.jwks_body = "<html>down</html>"
    assert call(api, "api/private", fake_tenant.mint()).status_code == 200
    assert fake_tenant.jwks_fetches == 1


def test_unknown_kids_cost_the_tenant_at_most_one_fetch_per_cooldown(start_api, fake_tenant):
    api = start_api(AUTH0_DOMAIN=fake_tenant.base_url, JWKS_COOLDOWN=1)
    # The first token makes the API fetch the key set once.
    assert call(api, "api/private", fake_tenant.mint()).status_code == 200
    # A flood of made-up key ids: refused, and the tenant is not asked again.
    for n in range(5):
        token = fake_tenant.mint(headers={"kid": f"made-up-{n}"})
        assert call(api, "api/private", token).status_code == 401
    assert fake_tenant.jwks_fetches == 1
    # Once the cooldown has passed, one unknown kid may fetch again; the rest may not.
    time.sleep(1.1)
    for n in range(5):
        token = fake_tenant.mint(headers={"kid": f"made-up-again-{n}"})
        assert call(api, "api/private", token).status_code == 401
    assert fake_tenant.jwks_fetches == 2


@pytest.mark.tenant_config()
def test_a_rotation_needs_no_new_key_fetch_because_the_next_key_was_published(
    start_api, tenant_server, login
):
    # A tenant of its own (the marker), so the rotation does not touch other tests.
    # A long cooldown: the API will not fetch the key set again during this test.
    api = start_api(AUTH0_DOMAIN=tenant_server.base_url, JWKS_COOLDOWN=3600)
    old_token = login.access_token()
    assert call(api, "api/private", old_token).status_code == 200
    # The tenant rotates: the next key, already in the JWKS the API fetched, now signs.
    requests.post(tenant_server.url("_dev/api/keys/rotate"), json={}, timeout=10).raise_for_status()
    token = login.access_token()
    assert jwt.get_unverified_header(token)["kid"] != jwt.get_unverified_header(old_token)["kid"]
    # So the new token passes at once, with no refetch, and the old one still does.
    assert call(api, "api/private", token).status_code == 200
    assert call(api, "api/private", old_token).status_code == 200
