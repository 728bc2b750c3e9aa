"""The `hardened` profile's rules, one block per rule (docs/security.md, RFC 9700).

Each block names its rule; other rules' blocks live beside it, so parallel work merges cleanly.
"""

from __future__ import annotations

import urllib.parse

import pytest
import requests

from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.test_universal_login import authorize_url
from tests.ul_driver import login_via_universal_login

# ---- require_pkce_s256, no_front_channel_tokens, iss_in_authorization_response -------------

hardened = pytest.mark.tenant_config(profile="hardened")


def params_of(url: str) -> dict:
    """Return the parameters of a URL's query and fragment together."""
    parts = urllib.parse.urlsplit(url)
    return dict(urllib.parse.parse_qsl(parts.query) + urllib.parse.parse_qsl(parts.fragment))


@hardened
def test_require_pkce_s256_refuses_plain_and_a_public_client_without_a_challenge(tenant_server):
    # Rule require_pkce_s256: https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
    for overrides in (
        {"code_challenge": "v" * 50, "code_challenge_method": "plain"},
        {"code_challenge": "v" * 50, "code_challenge_method": None},
        {
            "client_id": NATIVE_CLIENT,
            "redirect_uri": "http://127.0.0.1:5000/callback",
            "code_challenge": None,
            "code_challenge_method": None,
        },
    ):
        url = authorize_url(tenant_server, **overrides)
        response = requests.get(url, allow_redirects=False, timeout=10)
        assert params_of(response.headers["Location"])["error"] == "invalid_request", overrides
    body = requests.get(tenant_server.url(".well-known/openid-configuration"), timeout=10).json()
    assert body["code_challenge_methods_supported"] == ["S256"]


@hardened
@pytest.mark.parametrize("response_type", ["token", "id_token", "code id_token"])
def test_no_front_channel_tokens_refuses_implicit_and_hybrid(tenant_server, response_type):
    # Rule no_front_channel_tokens: https://www.rfc-editor.org/rfc/rfc9700#section-2.1.2
    url = authorize_url(tenant_server, response_type=response_type)
    response = requests.get(url, allow_redirects=False, timeout=10)
    params = params_of(response.headers["Location"])
    assert params["error"] == "unsupported_response_type"
    assert "id_token" not in params and "access_token" not in params
    body = requests.get(tenant_server.url(".well-known/openid-configuration"), timeout=10).json()
    assert body["response_types_supported"] == ["code"]


@hardened
def test_iss_comes_with_every_authorization_response(tenant_server):
    # Rule iss_in_authorization_response: https://www.rfc-editor.org/rfc/rfc9207#section-2
    http = requests.Session()
    callback = login_via_universal_login(
        http, authorize_url(tenant_server), "ada@example.com", tenant_server
    )
    assert params_of(callback)["iss"] == tenant_server.issuer
    error = requests.get(
        authorize_url(tenant_server, prompt="bogus"), allow_redirects=False, timeout=10
    )
    assert params_of(error.headers["Location"])["iss"] == tenant_server.issuer
    body = requests.get(tenant_server.url(".well-known/openid-configuration"), timeout=10).json()
    assert body["authorization_response_iss_parameter_supported"] is True


def _authorize_without_pkce(tenant_server) -> requests.Response:
    """Ask /authorize for the native app's code without PKCE, as Auth0 allows."""
    url = authorize_url(
        tenant_server,
        client_id=NATIVE_CLIENT,
        redirect_uri="http://127.0.0.1:5000/callback",
        code_challenge=None,
        code_challenge_method=None,
    )
    return requests.get(url, allow_redirects=False, timeout=10)


def _authorize_note(tenant_server) -> str | None:
    """Return the flow inspector's profile note on the newest /authorize exchange."""
    logins = requests.get(tenant_server.url("_dev/api/events"), timeout=10).json()
    events = [e for login in logins for e in login["events"] if e["path"] == "/authorize"]
    return max(events, key=lambda e: e["id"])["profile_note"]


def test_the_inspector_marks_a_code_without_pkce_that_auth0_accepts(tenant_server):
    assert _authorize_without_pkce(tenant_server).headers["Location"].startswith("/u/login/")
    assert _authorize_note(tenant_server).startswith(
        "Auth0 accepts this; the hardened profile refuses it because a public client"
    )


@hardened
def test_the_inspector_says_why_the_hardened_profile_refuses_a_code_without_pkce(tenant_server):
    location = _authorize_without_pkce(tenant_server).headers["Location"]
    assert params_of(location)["error"] == "invalid_request"
    assert _authorize_note(tenant_server).startswith("The hardened profile refuses this because")
