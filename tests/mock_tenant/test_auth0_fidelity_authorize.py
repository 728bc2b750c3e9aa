"""The default `auth0` profile answers as Auth0 does (the fidelity table, auth0-fidelity.md).

Each block names the fidelity row it covers; a block per row keeps parallel work apart.
"""

from __future__ import annotations

import base64
import hashlib
import re
import urllib.parse

import jwt
import pytest
import requests

from tests.constants import API_AUDIENCE, NATIVE_CLIENT, WEB_CLIENT, WEB_SECRET
from tests.mock_tenant.helpers import token
from tests.mock_tenant.test_universal_login import WEB_CALLBACK, authorize_url, pkce_pair
from tests.ul_driver import CSRF, accept_consent, login_via_universal_login

# ---- rows 2, 10, 11 and 22: /authorize (consent, response types and modes, PKCE) -------

NATIVE_CALLBACK = "http://127.0.0.1:5000/callback"
# A web app whose callback is not on a loopback host: Auth0 can verify it.
VERIFIABLE_CALLBACK = "https://app.example.test/callback"
# The web app with Auth0's `implicit` grant and a callback off localhost.
IMPLICIT_WEB_APP = (
    (
        'client_id = "demo-regular-web-app"',
        'grant_types = ["authorization_code",',
        'grant_types = ["authorization_code", "implicit",',
    ),
    (
        'client_id = "demo-regular-web-app"',
        'callbacks = ["http://localhost:3000/callback"]',
        f'callbacks = ["http://localhost:3000/callback", "{VERIFIABLE_CALLBACK}"]',
    ),
)


def fragment_of(url: str) -> dict:
    """Return the parameters in a URL's fragment."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).fragment))


def query_of(url: str) -> dict:
    """Return the parameters in a URL's query."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def signed_in(server, **overrides) -> requests.Session:
    """Return a browser (a requests session) signed in to the tenant as Ada, consent given."""
    http = requests.Session()
    callback = login_via_universal_login(
        http, authorize_url(server, **overrides), "ada@example.com", server
    )
    assert "code" in query_of(callback), callback
    return http


def half_hash(value: str) -> str:
    """Return OpenID Connect's at_hash / c_hash of a value for RS256 (left half of SHA-256)."""
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def claims_of(server, id_token: str) -> dict:
    """Verify an ID token against the tenant's JWKS and return its claims."""
    keys = jwt.PyJWKClient(server.url(".well-known/jwks.json"))
    key = keys.get_signing_key_from_jwt(id_token)
    return jwt.decode(
        id_token, key, algorithms=["RS256"], audience=WEB_CLIENT, issuer=server.issuer
    )


def test_discovery_lists_auth0s_response_types_modes_and_pkce_methods(tenant_server):
    # Row 22: Auth0's discovery document.
    body = requests.get(tenant_server.url(".well-known/openid-configuration"), timeout=10).json()
    assert set(body["response_types_supported"]) == {
        "code",
        "token",
        "id_token",
        "code token",
        "code id_token",
        "token id_token",
        "code token id_token",
    }
    assert body["response_modes_supported"] == ["query", "fragment", "form_post"]
    assert body["code_challenge_methods_supported"] == ["S256", "plain"]
    assert "authorization_response_iss_parameter_supported" not in body


def test_a_code_can_come_back_in_the_fragment(tenant_server):
    # Row 10: response_mode=fragment.
    http = signed_in(tenant_server)
    response = http.get(
        authorize_url(tenant_server, response_mode="fragment"), allow_redirects=False, timeout=10
    )
    params = fragment_of(response.headers["Location"])
    assert params["code"] and params["state"] == "state-123"
    assert "iss" not in params
    assert not urllib.parse.urlsplit(response.headers["Location"]).query


def test_form_post_answers_with_a_self_submitting_form_that_works_without_javascript(
    tenant_server,
):
    # Row 10: https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html
    verifier, challenge = pkce_pair()
    http = signed_in(tenant_server)
    page = http.get(
        authorize_url(tenant_server, response_mode="form_post", code_challenge=challenge),
        allow_redirects=False,
        timeout=10,
    )
    assert page.status_code == 200
    assert f'action="{WEB_CALLBACK}"' in page.text
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    assert fields["code"] and fields["state"] == "state-123"
    # A visible button for a browser without JavaScript, and a script only with the nonce.
    assert re.search(r"<button[^>]*>Continue</button>", page.text)
    csp = page.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'<script nonce="{nonce}">' in page.text
    assert "form-action http://localhost:3000;" in csp
    assert "frame-ancestors 'none'" in csp
    # The posted code buys tokens like any other.
    assert (
        token(
            tenant_server,
            {
                "grant_type": "authorization_code",
                "client_id": WEB_CLIENT,
                "client_secret": WEB_SECRET,
                "code": fields["code"],
                "redirect_uri": WEB_CALLBACK,
                "code_verifier": verifier,
            },
        ).status_code
        == 200
    )


def test_an_error_goes_back_in_the_requested_response_mode(tenant_server):
    # Row 10: an error in the fragment, or posted, as the answer would have been.
    url = authorize_url(tenant_server, audience="urn:unknown", response_mode="fragment")
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert fragment_of(response.headers["Location"])["error"] == "access_denied"
    url = authorize_url(tenant_server, audience="urn:unknown", response_mode="form_post")
    page = requests.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 200
    assert 'name="error" value="access_denied"' in page.text
    assert 'name="state" value="state-123"' in page.text


def test_plain_pkce_is_accepted_and_checked_at_the_token_endpoint(tenant_server):
    # Row 10: Auth0's discovery lists plain; RFC 7636 4.3 makes it the default method.
    verifier = "v" * 50
    http = signed_in(tenant_server)
    response = http.get(
        authorize_url(tenant_server, code_challenge=verifier, code_challenge_method=None),
        allow_redirects=False,
        timeout=10,
    )
    code = query_of(response.headers["Location"])["code"]
    body = {
        "grant_type": "authorization_code",
        "client_id": WEB_CLIENT,
        "client_secret": WEB_SECRET,
        "code": code,
        "redirect_uri": WEB_CALLBACK,
    }
    assert token(tenant_server, {**body, "code_verifier": "w" * 50}).status_code == 403
    response = http.get(
        authorize_url(tenant_server, code_challenge=verifier, code_challenge_method="plain"),
        allow_redirects=False,
        timeout=10,
    )
    body["code"] = query_of(response.headers["Location"])["code"]
    assert token(tenant_server, {**body, "code_verifier": verifier}).status_code == 200


def test_a_public_client_may_leave_pkce_out(tenant_server):
    # Row 10: Auth0 does not require PKCE of a native app.
    http = requests.Session()
    url = authorize_url(
        tenant_server,
        client_id=NATIVE_CLIENT,
        redirect_uri=NATIVE_CALLBACK,
        code_challenge=None,
        code_challenge_method=None,
        audience=None,
    )
    callback = login_via_universal_login(http, url, "ada@example.com", tenant_server)
    body = {
        "grant_type": "authorization_code",
        "client_id": NATIVE_CLIENT,
        "code": query_of(callback)["code"],
        "redirect_uri": NATIVE_CALLBACK,
    }
    response = token(tenant_server, body)
    assert response.status_code == 200, response.text


def test_an_app_without_the_implicit_grant_may_not_ask_for_tokens(tenant_server):
    # Row 10: Auth0 names the implicit and hybrid flows' grant `implicit`.
    url = authorize_url(tenant_server, response_type="id_token")
    response = requests.get(url, allow_redirects=False, timeout=10)
    params = fragment_of(response.headers["Location"])
    assert params["error"] == "unauthorized_client"
    assert params["state"] == "state-123"


@pytest.fixture
def implicit_tenant(tenant_from_config):
    """Start a tenant whose web app has the implicit grant and a verifiable callback."""
    return tenant_from_config(*IMPLICIT_WEB_APP)


def test_an_id_token_comes_by_form_post_with_the_nonce(implicit_tenant):
    # Row 10: express-openid-connect's default (response_type=id_token, form_post).
    http = signed_in(implicit_tenant)
    page = http.get(
        authorize_url(
            implicit_tenant,
            response_type="id_token",
            response_mode="form_post",
            code_challenge=None,
            code_challenge_method=None,
        ),
        allow_redirects=False,
        timeout=10,
    )
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    assert set(fields) == {"id_token", "state"}
    claims = claims_of(implicit_tenant, fields["id_token"])
    assert claims["nonce"] == "nonce-456"
    assert claims["email"] == "ada@example.com"


def test_an_id_token_without_a_nonce_is_refused_in_the_fragment(implicit_tenant):
    # Row 10: https://openid.net/specs/openid-connect-core-1_0.html#ImplicitAuthRequest
    url = authorize_url(implicit_tenant, response_type="id_token", nonce=None)
    response = requests.get(url, allow_redirects=False, timeout=10)
    params = fragment_of(response.headers["Location"])
    assert params["error"] == "invalid_request"
    assert "nonce" in params["error_description"]


def test_tokens_never_go_in_the_query(implicit_tenant):
    # Row 10: https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#Combinations
    url = authorize_url(implicit_tenant, response_type="token id_token", response_mode="query")
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


def test_token_id_token_carries_at_hash_and_no_refresh_token(implicit_tenant):
    # Row 10: https://openid.net/specs/openid-connect-core-1_0.html#ImplicitIDToken
    http = signed_in(implicit_tenant)
    response = http.get(
        authorize_url(implicit_tenant, response_type="id_token token", audience=API_AUDIENCE),
        allow_redirects=False,
        timeout=10,
    )
    location = response.headers["Location"]
    if location.startswith("/u/consent"):
        location = accept_consent(http, implicit_tenant.url(location))
    params = fragment_of(location)
    assert "refresh_token" not in params and "code" not in params
    assert params["token_type"] == "Bearer"
    claims = claims_of(implicit_tenant, params["id_token"])
    assert claims["at_hash"] == half_hash(params["access_token"])
    assert claims["nonce"] == "nonce-456"


def test_code_id_token_carries_c_hash_and_the_code_buys_tokens(implicit_tenant):
    # Row 10: https://openid.net/specs/openid-connect-core-1_0.html#HybridIDToken
    verifier, challenge = pkce_pair()
    http = signed_in(implicit_tenant)
    response = http.get(
        authorize_url(implicit_tenant, response_type="code id_token", code_challenge=challenge),
        allow_redirects=False,
        timeout=10,
    )
    params = fragment_of(response.headers["Location"])
    claims = claims_of(implicit_tenant, params["id_token"])
    assert claims["c_hash"] == half_hash(params["code"])
    body = {
        "grant_type": "authorization_code",
        "client_id": WEB_CLIENT,
        "client_secret": WEB_SECRET,
        "code": params["code"],
        "redirect_uri": WEB_CALLBACK,
        "code_verifier": verifier,
    }
    assert token(implicit_tenant, body).status_code == 200


def test_screen_hint_organization_invitation_and_acr_values_are_ignored(tenant_server):
    # Row 11: the suite has no sign-up screen, organizations or step-up: it ignores them.
    url = authorize_url(
        tenant_server,
        screen_hint="signup",
        organization="org_123",
        invitation="inv_123",
        acr_values="http://schemas.openid.net/pape/policies/2007/06/multi-factor",
    )
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.headers["Location"].startswith("/u/login/identifier")


def consent_page(http, server, **overrides) -> requests.Response:
    """Open /authorize for the sample API with a signed-in browser; expect the consent page."""
    response = http.get(authorize_url(server, audience=API_AUDIENCE, **overrides), timeout=10)
    assert "/u/consent" in response.url, response.url
    return response


def test_a_localhost_app_asking_for_an_api_is_asked_for_consent_once(tenant_server):
    # Row 2: a localhost callback is never verifiable, so Auth0 always shows consent.
    http = requests.Session()
    url = authorize_url(tenant_server, audience=API_AUDIENCE, scope="openid read:messages")
    page = http.get(url, timeout=10)
    assert "/u/login/identifier" in page.url
    back = login_via_universal_login(http, url, "ada@example.com", tenant_server)
    assert "code" in query_of(back)
    # The consent was remembered: the same request signs in silently.
    again = http.get(url, allow_redirects=False, timeout=10)
    assert "code" in query_of(again.headers["Location"])
    # prompt=consent asks again.
    page = consent_page(http, tenant_server, prompt="consent", scope="openid read:messages")
    assert "read:messages" in page.text and "Read messages" in page.text


def test_the_consent_page_asks_before_the_code_and_decline_is_access_denied(tenant_server):
    # Row 2: "If the user denies ... redirected with an access_denied error".
    http = signed_in(tenant_server)
    page = consent_page(http, tenant_server)
    csrf = CSRF.search(page.text).group(1)
    # No code without the CSRF token.
    refused = http.post(page.url, data={"action": "accept"}, allow_redirects=False, timeout=10)
    assert refused.status_code == 400
    declined = http.post(
        page.url, data={"csrf_token": csrf, "action": "deny"}, allow_redirects=False, timeout=10
    )
    params = query_of(declined.headers["Location"])
    assert params["error"] == "access_denied" and params["state"] == "state-123"
    assert "code" not in params


def test_prompt_none_without_consent_answers_consent_required(tenant_server):
    # Row 2: https://openid.net/specs/openid-connect-core-1_0.html#AuthError
    http = signed_in(tenant_server)
    url = authorize_url(tenant_server, audience=API_AUDIENCE, prompt="none")
    response = http.get(url, allow_redirects=False, timeout=10)
    params = query_of(response.headers["Location"])
    assert params["error"] == "consent_required" and "code" not in params


def test_a_verifiable_first_party_app_skips_consent_when_the_api_allows_it(implicit_tenant):
    # Row 2: skip_consent_for_verifiable_first_party_clients, a callback off localhost.
    http = signed_in(implicit_tenant)
    url = authorize_url(implicit_tenant, audience=API_AUDIENCE, redirect_uri=VERIFIABLE_CALLBACK)
    response = http.get(url, allow_redirects=False, timeout=10)
    assert "code" in query_of(response.headers["Location"])


def test_an_api_that_does_not_allow_skipping_asks_every_app(tenant_from_config):
    # Row 2: with skip_consent_for_verifiable_first_party_clients off, even a verifiable app.
    server = tenant_from_config(
        *IMPLICIT_WEB_APP,
        (
            'identifier = "urn:passwordless-demo:api"',
            "token_lifetime = 86400",
            "token_lifetime = 86400\nskip_consent_for_verifiable_first_party_clients = false",
        ),
    )
    http = signed_in(server)
    consent_page(http, server, redirect_uri=VERIFIABLE_CALLBACK)
