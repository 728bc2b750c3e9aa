"""Threat: a tampered `redirect_uri` sends the authorization code (or an error) to the attacker.

RFC 6819 section 4.2.4 (open redirector) and 5.2.3.5 (validate pre-registered redirect_uri);
RFC 9700 section 4.1 (insufficient redirect URI validation: exact string matching, 2.1);
RFC 8252 section 7.3 (loopback redirects: only the port may vary); OWASP ASVS 5.0 V10.4.
docs/security.md rule 1. An unknown client or redirect URI gets an error page (400) and no
`Location`: the tenant never redirects to a URL it has not matched, not even with an error.
"""

import pytest

from tests.attacks.helpers import authorize_url, browser_code, get, query_of, redeem
from tests.constants import NATIVE_CALLBACK, NATIVE_CLIENT, SPA_CLIENT, WEB_CALLBACK, WEB_CLIENT


def assert_error_page_without_redirect(response) -> None:
    """The tenant shows its own error page: 400, no Location, HTML that no one may frame."""
    assert response.status_code == 400, response.text
    assert "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "redirect_uri",
    [
        # The examples of docs/security.md.
        "https://evil.test/callback",
        WEB_CALLBACK + "/",
        WEB_CALLBACK + "?x=1",
        "http://LOCALHOST:3000/callback",
        WEB_CALLBACK + "#fragment",
        # The rest of the family: every way a prefix or a parser may be fooled.
        "https://localhost:3000/callback",
        "http://localhost:3000/callback/../evil",
        "http://localhost:3000/callbackx",
        "http://localhost:3000/Callback",
        "http://localhost:3000/callback%2F..%2Fevil",
        "http://localhost:3000/callback/.",
        "http://localhost:3000:80/callback",
        "http://localhost:3001/callback",
        "http://localhost/callback",
        "http://localhost:3000@evil.test/callback",
        "http://evil.test@localhost:3000/callback",
        "http://localhost:3000.evil.test/callback",
        "http://localhost:3000\\@evil.test/callback",
        "//localhost:3000/callback",
        "/callback",
        "javascript:alert(1)//http://localhost:3000/callback",
        "data:text/html,<script>alert(1)</script>",
        " http://localhost:3000/callback",
        "http://localhost:3000/callback ",
        "http://localhost:3000/callback\r\nSet-Cookie: x=1",
        "http://localhost:3000/callback\x00",
        "http://localhost:3000/%63allback",
        "http%3A%2F%2Flocalhost%3A3000%2Fcallback",
        "http://ｌocalhost:3000/callback",
        "http://[::1/callback",
        "",
    ],
)
def test_a_redirect_uri_that_is_not_registered_string_for_string_gets_an_error_page(
    tenant_server, redirect_uri
):
    assert_error_page_without_redirect(get(authorize_url(tenant_server, redirect_uri=redirect_uri)))


def test_a_missing_redirect_uri_gets_an_error_page(tenant_server):
    assert_error_page_without_redirect(get(authorize_url(tenant_server, redirect_uri=None)))


@pytest.mark.parametrize(
    "client_id", ["nobody", "", "demo-regular-web-app ", "DEMO-REGULAR-WEB-APP"]
)
def test_an_unknown_client_gets_an_error_page_even_with_a_registered_redirect_uri(
    tenant_server, client_id
):
    response = get(authorize_url(tenant_server, client_id=client_id or None))
    assert_error_page_without_redirect(response)


def test_another_applications_callback_is_refused(tenant_server):
    # The SPA's callback is registered, but for the SPA, not for the web app.
    response = get(authorize_url(tenant_server, redirect_uri="http://localhost:3001/"))
    assert_error_page_without_redirect(response)


def test_errors_after_the_redirect_uri_is_matched_go_only_to_that_uri(tenant_server):
    response = get(authorize_url(tenant_server, prompt="bogus"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(WEB_CALLBACK + "?")
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


def test_the_native_loopback_redirect_on_any_port_is_accepted(tenant_server):
    response = get(
        authorize_url(tenant_server, client_id=NATIVE_CLIENT, redirect_uri=NATIVE_CALLBACK)
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/u/login/identifier")


@pytest.mark.parametrize(
    "redirect_uri",
    [
        # The examples of docs/security.md.
        "http://localhost:53122/callback",
        "http://127.0.0.1.evil.test/callback",
        "https://127.0.0.1:53122/callback",
        # Only the port may vary (RFC 8252 7.3): not the path, the host, the user part.
        "http://127.0.0.1:53122/other",
        "http://127.0.0.1:53122/callback?x=1",
        "http://127.0.0.1:53122/callback#x",
        "http://127.0.0.1:53122/callback/",
        "http://evil.test@127.0.0.1:53122/callback",
        "http://127.0.0.1:53122@evil.test/callback",
        "http://127.0.0.2:53122/callback",
        "http://[::1]:53122/callback",
        "http://0x7f000001:53122/callback",
        "http://2130706433:53122/callback",
        "http://127.1:53122/callback",
        "http://127.0.0.1:053122/callback",
        "http://127.0.0.1:+53122/callback",
        "http://127.0.0.1:/callback",
        "http://127.0.0.1:0/callback",
        "http://127.0.0.1:99999/callback",
        "http://127.0.0.1:port/callback",
        "http://127.0.0.1:５３１２２/callback",
        "http://[::1:53122/callback",
    ],
)
def test_a_loopback_look_alike_is_refused_for_the_native_app(tenant_server, redirect_uri):
    response = get(authorize_url(tenant_server, client_id=NATIVE_CLIENT, redirect_uri=redirect_uri))
    assert_error_page_without_redirect(response)


@pytest.mark.parametrize("client_id", [WEB_CLIENT, SPA_CLIENT])
def test_only_native_apps_get_the_any_port_loopback_exception(tenant_server, client_id):
    # A web app registered at localhost:3000 may not move to another port.
    moved = (
        "http://localhost:3999/callback" if client_id == WEB_CLIENT else "http://localhost:3999/"
    )
    response = get(authorize_url(tenant_server, client_id=client_id, redirect_uri=moved))
    assert_error_page_without_redirect(response)


def test_a_code_is_refused_with_a_redirect_uri_other_than_the_one_it_was_issued_for(
    tenant_server,
):
    # RFC 6749 4.1.3: the token request repeats the redirect_uri, which must be identical.
    code, verifier = browser_code(tenant_server)
    response = redeem(tenant_server, code, verifier, redirect_uri=WEB_CALLBACK + "/")
    assert response.status_code in (400, 403)
    assert response.json()["error"] in ("invalid_grant", "invalid_request")


def test_a_native_code_is_refused_on_another_loopback_port(tenant_server):
    code, verifier = browser_code(
        tenant_server, client_id=NATIVE_CLIENT, redirect_uri=NATIVE_CALLBACK
    )
    response = redeem(
        tenant_server,
        code,
        verifier,
        client_id=NATIVE_CLIENT,
        redirect_uri="http://127.0.0.1:53123/callback",
    )
    assert response.status_code in (400, 403)
    assert "access_token" not in response.text
