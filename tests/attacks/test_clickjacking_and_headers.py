"""Threat: a page framed by another site (clickjacking), kept in a cache, sniffed as another
type, or leaking its URL (code, state) in a Referer.

RFC 6819 section 4.4.1.9 (clickjacking: X-Frame-Options / frame-ancestors); RFC 9700 section
4.2.4 (Referrer-Policy for pages with codes in the URL); RFC 6749 section 5.1 (no-store on
token answers); OWASP Clickjacking Defense and HTTP Headers Cheat Sheets; OWASP ASVS 5.0
V3.4. docs/security.md rule 7 (tenant pages) and rule 19 (no code in a Referer); the web_message
answer is the one page that may be framed, and only by the app's own origin.
"""

import re
import urllib.parse

import pytest
import requests

from tests.attacks.helpers import authorize_url, get, pkce_pair
from tests.constants import SPA_CALLBACK, SPA_CLIENT
from tests.mock_tenant.helpers import login, send_email_code
from tests.mock_tenant.test_universal_login import open_identifier_page, submit_identifier

# A resource the page loads (script, image, style, frame) from another site; a plain link
# (<a href>) loads nothing until someone clicks it.
LOADS_FROM_ELSEWHERE = re.compile(r'(\bsrc=|<link[^>]*\bhref=)["\']?(https?:)?//')


def assert_page_headers(response: requests.Response) -> None:
    """An HTML page no one may frame, cache, sniff or quote in a Referer."""
    headers = response.headers
    assert headers["Content-Type"].startswith("text/html"), headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    # Nothing is loaded from a third party.
    assert not LOADS_FROM_ELSEWHERE.search(response.text)


def tenant_pages(tenant_server) -> dict[str, requests.Response]:
    """Open every kind of HTML page the tenant serves."""
    http = requests.Session()
    identifier = open_identifier_page(http, tenant_server)
    challenge = submit_identifier(http, identifier, "ada@example.com")
    bad_code = http.post(
        challenge.url,
        timeout=10,
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', challenge.text).group(1),
            "code": "x",
        },
    )
    return {
        "identifier": identifier,
        "challenge": challenge,
        "challenge with an error": bad_code,
        "unknown client": get(authorize_url(tenant_server, client_id="nobody")),
        "redirect mismatch": get(authorize_url(tenant_server, redirect_uri="https://evil.test/")),
        "expired login": get(tenant_server.url("u/login/identifier?state=gone")),
        "magic link elsewhere": get(tenant_server.url("passwordless/verify_redirect?state=x")),
        "resume without login": get(tenant_server.url("authorize/resume?state=x")),
        "logged out": get(tenant_server.url("v2/logout")),
        "logout refused": get(tenant_server.url("v2/logout?returnTo=https://evil.test/")),
        "oidc logged out": get(tenant_server.url("oidc/logout")),
        "dev outbox": get(tenant_server.url("_dev/outbox")),
    }


def test_every_tenant_html_page_refuses_frames_caches_sniffing_and_referers(tenant_server):
    for name, response in tenant_pages(tenant_server).items():
        try:
            assert_page_headers(response)
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from None


def test_tenant_login_forms_post_only_to_the_tenant_and_the_app(tenant_server):
    page = open_identifier_page(requests.Session(), tenant_server)
    csp = page.headers["Content-Security-Policy"]
    assert "form-action 'self' http://localhost:3000" in csp
    assert "evil" not in csp


def test_token_and_userinfo_answers_are_never_cached_or_sniffed(tenant_server):
    code = send_email_code(tenant_server, "ada@example.com")
    answers = [
        requests.post(
            tenant_server.url("oauth/token"),
            timeout=10,
            json={
                "grant_type": "http://auth0.com/oauth/grant-type/passwordless/otp",
                "client_id": "demo-native-app",
                "username": "ada@example.com",
                "otp": code,
                "realm": "email",
                "scope": "openid",
            },
        ),
        requests.post(tenant_server.url("oauth/token"), timeout=10, json={"grant_type": "x"}),
        requests.get(
            tenant_server.url("userinfo"),
            timeout=10,
            headers={
                "Authorization": "Bearer " + login(tenant_server, "bob@example.com")["access_token"]
            },
        ),
        requests.get(tenant_server.url("userinfo"), timeout=10),
        requests.post(tenant_server.url("passwordless/start"), timeout=10, json={}),
    ]
    for response in answers:
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        # Auth0 refuses at /userinfo with a plain-text "Unauthorized"; the rest is JSON.
        expected = "text/plain" if response.status_code == 401 else "application/json"
        assert response.headers["Content-Type"].startswith(expected)


def test_the_web_message_page_may_be_framed_by_the_app_origin_only(tenant_server):
    verifier, challenge = pkce_pair()
    response = get(
        authorize_url(
            tenant_server,
            client_id=SPA_CLIENT,
            redirect_uri=SPA_CALLBACK,
            code_challenge=challenge,
            response_mode="web_message",
            prompt="none",
        )
    )
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert re.search(r"frame-ancestors http://localhost:3001(;|$)", csp)
    assert "*" not in csp and "'unsafe-inline'" not in csp
    assert "X-Frame-Options" not in response.headers  # it could not name the app's origin
    assert response.headers["Cache-Control"] == "no-store"
    # The message goes to the app's origin only, never to "*".
    assert '"http://localhost:3001"' in response.text or "http://localhost:3001" in response.text
    assert "'*'" not in response.text and '"*"' not in response.text


def test_web_message_for_an_origin_the_app_does_not_list_gets_a_page_no_one_may_frame(
    tenant_server,
):
    # The native app lists no web origins: its loopback redirect is not a window to post to.
    verifier, challenge = pkce_pair()
    response = get(
        authorize_url(
            tenant_server,
            client_id="demo-native-app",
            redirect_uri="http://127.0.0.1:5000/callback",
            code_challenge=challenge,
            response_mode="web_message",
            prompt="none",
        )
    )
    assert response.status_code == 400
    assert_page_headers(response)


@pytest.mark.parametrize("path", ["/", "/logout", "/callback?state=x", "/no-such-page"])
def test_every_web_app_page_refuses_frames_caches_sniffing_and_referers(client, path):
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_web_app_pages_with_personal_data_send_the_same_headers(auth, client):
    auth.login()
    for path in ("/", "/profile"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert not LOADS_FROM_ELSEWHERE.search(response.text)


def test_the_web_app_callback_page_leaks_the_code_to_no_referer(auth, client):
    callback = auth.callback_url()
    response = client.get(callback)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(callback).query)["code"][0]
    assert code not in response.headers.get("Location", "")
