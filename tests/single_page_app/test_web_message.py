"""The tenant's `response_mode=web_message`: auth0-spa-js's silent login answer, over plain HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import urllib.parse

import pytest
import requests

from tests.constants import SPA_CALLBACK, SPA_CLIENT, SPA_ORIGIN, WEB_CLIENT
from tests.ul_driver import login_via_universal_login

MESSAGE = re.compile(r"var message = (\{.*\});")
NONCE = re.compile(r'<script nonce="([^"]+)">')


def pkce() -> tuple[str, str]:
    """Return a PKCE verifier and its S256 challenge (RFC 7636 4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(tenant_server, challenge: str, **params) -> str:
    """Return an /authorize URL for the SPA client, with parameters added or replaced."""
    query = {
        "client_id": SPA_CLIENT,
        "redirect_uri": SPA_CALLBACK,
        "response_type": "code",
        "scope": "openid profile",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **params,
    }
    return tenant_server.url("authorize") + "?" + urllib.parse.urlencode(query)


def posted_message(response: requests.Response) -> dict:
    """Return the message the page posts, read from its script."""
    return json.loads(MESSAGE.search(response.text).group(1))


def test_without_a_session_the_page_posts_login_required(tenant_server):
    _, challenge = pkce()
    url = authorize_url(tenant_server, challenge, prompt="none", response_mode="web_message")
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert posted_message(response) == {
        "type": "authorization_response",
        "response": {
            "error": "login_required",
            "error_description": "Login required",
            "state": "xyz",
        },
    }
    # It posts to the app's exact origin, never to "*".
    assert f'var targetOrigin = "{SPA_ORIGIN}";' in response.text
    assert '"*"' not in response.text


def test_with_a_session_the_page_posts_a_code_that_redeems(tenant_server):
    http = requests.Session()
    verifier, challenge = pkce()
    # The user logs in once through Universal Login (this sets the tenant's session cookie).
    login_via_universal_login(
        http, authorize_url(tenant_server, challenge), "ada@example.com", tenant_server
    )
    # Then the silent request answers with a page that posts a fresh code.
    verifier, challenge = pkce()
    url = authorize_url(tenant_server, challenge, prompt="none", response_mode="web_message")
    message = posted_message(http.get(url, allow_redirects=False, timeout=10))
    assert message["response"]["state"] == "xyz"
    # The code is a real one: the app redeems it with its PKCE verifier.
    tokens = requests.post(
        tenant_server.url("oauth/token"),
        data={
            "grant_type": "authorization_code",
            "client_id": SPA_CLIENT,
            "code": message["response"]["code"],
            "code_verifier": verifier,
            "redirect_uri": SPA_CALLBACK,
        },
        timeout=10,
    )
    assert tokens.status_code == 200, tokens.text
    assert "id_token" in tokens.json()


def test_the_page_runs_only_its_own_script_and_only_the_app_may_frame_it(tenant_server):
    _, challenge = pkce()
    url = authorize_url(tenant_server, challenge, prompt="none", response_mode="web_message")
    response = requests.get(url, timeout=10)
    csp = response.headers["Content-Security-Policy"]
    nonce = NONCE.search(response.text).group(1)
    assert f"script-src 'nonce-{nonce}'" in csp
    assert "default-src 'none'" in csp
    assert f"frame-ancestors {SPA_ORIGIN}" in csp
    # X-Frame-Options cannot name an origin, so this one page goes without it.
    assert "X-Frame-Options" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    # A new nonce on every answer.
    assert NONCE.search(requests.get(url, timeout=10).text).group(1) != nonce


def test_other_login_pages_still_refuse_every_frame(tenant_server):
    _, challenge = pkce()
    page = requests.get(authorize_url(tenant_server, challenge), timeout=10)
    assert page.url.startswith(tenant_server.url("u/login/identifier"))
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_a_request_error_is_posted_too_and_the_state_stays_inert(tenant_server):
    _, challenge = pkce()
    state = '"></script><script>alert(1)</script>'
    url = authorize_url(
        tenant_server, challenge, response_mode="web_message", prompt="bogus", state=state
    )
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 200
    message = posted_message(response)
    assert message["response"]["error"] == "invalid_request"
    assert message["response"]["state"] == state
    # The state is JSON-escaped inside the script: it cannot close the script element.
    assert "</script><script>alert(1)" not in response.text


def test_no_web_message_for_an_origin_outside_the_allowed_web_origins(tenant_server):
    # The web app's callback is registered, but it lists no web origins.
    _, challenge = pkce()
    url = authorize_url(
        tenant_server,
        challenge,
        client_id=WEB_CLIENT,
        redirect_uri="http://localhost:3000/callback",
        prompt="none",
        response_mode="web_message",
    )
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 400
    assert "Origin not allowed" in response.text
    assert "postMessage" not in response.text
    assert response.headers["X-Frame-Options"] == "DENY"


# Auth0's document lists query, fragment and form_post only (fidelity table, row 22);
# the hardened profile lists the two modes it accepts, web_message among them.
@pytest.mark.tenant_config(profile="hardened")
def test_discovery_lists_web_message(tenant_server):
    document = requests.get(tenant_server.url(".well-known/openid-configuration"), timeout=10)
    assert "web_message" in document.json()["response_modes_supported"]
