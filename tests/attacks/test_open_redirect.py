"""Threat: an open redirect: a trusted URL (the web app's /login, the tenant's logout) that
forwards the browser anywhere the link says, lending its name to phishing.

RFC 6819 section 4.2.4 (open redirector); RFC 9700 section 4.11 (open redirection);
OpenID Connect RP-Initiated Logout 1.0 section 3 (post_logout_redirect_uri must be
registered); OWASP Unvalidated Redirects and Forwards Cheat Sheet; OWASP ASVS 5.0 V3.7.
docs/security.md example: `/login?next=https://evil.test` or `//evil.test` goes to `/`.
"""

import urllib.parse

import pytest

from regular_web_app.auth import safe_next
from tests.attacks.helpers import get
from tests.constants import SPA_CLIENT, WEB_CLIENT

ALLOWED = "http://localhost:3000/"
# Every shape of "somewhere else" that parsers and browsers disagree about.
ELSEWHERE = [
    "https://evil.test",
    "https://evil.test/",
    "//evil.test",
    "///evil.test",
    "\\\\evil.test",
    "/\\evil.test",
    "\\/evil.test",
    "http:evil.test",
    "http:/evil.test",
    "https:\\\\evil.test",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    " //evil.test",
    "/\t/evil.test",
    "/\n/evil.test",
    "/\r\n/evil.test",
    "\x00//evil.test",
    "%2F%2Fevil.test",
    "http%3A%2F%2Fevil.test",
    "http://localhost:3000@evil.test/",
    "http://evil.test@localhost:3000/",
    "http://localhost:3000.evil.test/",
    "http://localhost:3000\\@evil.test/",
    "http://localhost:3000/\\evil.test",
    "//localhost:3000/",
    "https://localhost:3000/",
    "http://LOCALHOST:3000/",
    "http://localhost:3000/?next=https://evil.test",
    "http://localhost:3000/#@evil.test",
    "http://localhost:3000",
    "http://localhost:3000/.evil.test",
    "http://ｅvil.test/",
    "／／evil.test",
]


# ---- the web app's next= ---------------------------------------------------------------------


@pytest.mark.parametrize("target", ELSEWHERE)
def test_the_web_app_never_takes_next_off_site(target):
    assert safe_next(target) == "/"


@pytest.mark.parametrize(
    "target",
    ["https://evil.test", "//evil.test", "/\\evil.test", "/\t/evil.test", "javascript:alert(1)"],
)
def test_after_a_real_login_an_off_site_next_goes_home(auth, target):
    response = auth.login(query="connection=email&" + urllib.parse.urlencode({"next": target}))
    assert response.headers["Location"] == "/"


def test_a_login_required_page_round_trip_keeps_only_local_paths(client):
    response = client.get("/profile")
    assert response.headers["Location"] == "/login?next=/profile"


# ---- the tenant's logout -----------------------------------------------------------------------


def assert_no_redirect(response) -> None:
    """The tenant shows an error page and sends the browser nowhere."""
    assert response.status_code == 400, response.text
    assert "Location" not in response.headers


@pytest.mark.parametrize("target", ELSEWHERE)
def test_v2_logout_refuses_a_return_to_that_is_not_registered(tenant_server, target):
    for client_id in (WEB_CLIENT, None):
        params = {"returnTo": target, **({"client_id": client_id} if client_id else {})}
        assert_no_redirect(
            get(tenant_server.url("v2/logout") + "?" + urllib.parse.urlencode(params))
        )


@pytest.mark.parametrize("target", ELSEWHERE)
def test_oidc_logout_refuses_a_post_logout_redirect_uri_that_is_not_registered(
    tenant_server, target
):
    params = {"post_logout_redirect_uri": target, "client_id": WEB_CLIENT, "state": "s"}
    assert_no_redirect(get(tenant_server.url("oidc/logout") + "?" + urllib.parse.urlencode(params)))


def test_logout_refuses_another_applications_return_url(tenant_server):
    # The SPA's logout URL is registered, but for the SPA, not for the web app.
    params = {"returnTo": "http://localhost:3001/", "client_id": WEB_CLIENT}
    assert_no_redirect(get(tenant_server.url("v2/logout") + "?" + urllib.parse.urlencode(params)))


def test_a_registered_logout_url_is_followed_exactly(tenant_server):
    for client_id, url in ((WEB_CLIENT, ALLOWED), (SPA_CLIENT, "http://localhost:3001/")):
        params = {"returnTo": url, "client_id": client_id}
        response = get(tenant_server.url("v2/logout") + "?" + urllib.parse.urlencode(params))
        assert response.status_code == 302
        assert response.headers["Location"] == url


def test_a_forged_id_token_hint_does_not_pick_the_application(tenant_server):
    # An unsigned hint naming the SPA does not make the SPA's URL acceptable to anyone else.
    from tests.sample_api.helpers import unsigned

    hint = unsigned({"iss": tenant_server.issuer, "aud": "demo-native-app"}, "k")
    params = {"id_token_hint": hint, "post_logout_redirect_uri": "https://evil.test/"}
    assert_no_redirect(get(tenant_server.url("oidc/logout") + "?" + urllib.parse.urlencode(params)))


def test_the_state_added_to_a_logout_redirect_is_url_encoded(tenant_server):
    params = {
        "post_logout_redirect_uri": ALLOWED,
        "client_id": WEB_CLIENT,
        "state": "x\r\nSet-Cookie: a=1&next=https://evil.test",
    }
    response = get(tenant_server.url("oidc/logout") + "?" + urllib.parse.urlencode(params))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(ALLOWED + "?")
    assert "\r" not in location and "\n" not in location
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(location).query) == {
        "state": [params["state"]]
    }
