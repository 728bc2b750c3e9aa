"""Threat: requests built to exhaust the tenant: huge bodies, deep JSON, long or countless
parameters, and an outage of the tenant seen from the web app.

RFC 6819 section 4.4.1.11 and 5.1.5 (resource exhaustion, limit request sizes); RFC 9700
section 4.15 (DoS via huge parameters); OWASP Denial of Service Cheat Sheet and ASVS 5.0
V2.4 (anti-automation) and V4 (API limits). docs/security.md rules 15 and 16 and the "10 MB body
on any endpoint: 413" and "tenant token endpoint down or answering HTML" examples.

Out of scope, said here so nobody assumes otherwise: slow-rate attacks (slowloris, slow
POST) and connection floods. They are the front web server's job (timeouts, connection
limits, a reverse proxy), not the application's; the demo serves plain HTTP on loopback.
"""

import json

import pytest
import requests

from tests.attacks.helpers import authorize_url, get
from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import otp_token, send_email_code
from tests.regular_web_app.conftest import HTML_ERROR_PAGE, WebAppActions
from tests.servers import TenantServer, serve

TEN_MB = b"x" * (10 * 1024 * 1024)
# Every route of the tenant, pages included, with the method a browser or client uses.
ROUTES = [
    ("POST", "passwordless/start"),
    ("POST", "oauth/token"),
    ("POST", "oauth/revoke"),
    ("GET", "userinfo"),
    ("POST", "userinfo"),
    ("GET", "authorize"),
    ("POST", "authorize"),
    ("GET", "u/login/identifier?state=x"),
    ("POST", "u/login/identifier?state=x"),
    ("POST", "u/login/passwordless-email-challenge?state=x"),
    ("POST", "u/login/passwordless-sms-challenge?state=x"),
    ("GET", "authorize/resume?state=x"),
    ("GET", "passwordless/verify_redirect"),
    ("GET", "v2/logout"),
    ("GET", "oidc/logout"),
    ("GET", ".well-known/openid-configuration"),
    ("GET", ".well-known/jwks.json"),
]


def send(method: str, url: str, **kwargs) -> requests.Response:
    """Send a request, keeping whatever answer the server gives before it stops reading."""
    return requests.request(method, url, allow_redirects=False, timeout=30, **kwargs)


@pytest.mark.parametrize("method,path", ROUTES)
def test_a_10_mb_body_is_refused_with_413_on_every_route(tenant_server, method, path):
    response = send(
        method,
        tenant_server.url(path),
        data=TEN_MB,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "path", ["oauth/token", "passwordless/start", "u/login/identifier?state=x"]
)
def test_a_10_mb_chunked_body_without_a_length_is_refused_too(tenant_server, path):
    def chunks():
        for _ in range(160):
            yield b"x" * 65536

    response = send(
        "POST",
        tenant_server.url(path),
        data=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_a_chunked_body_one_byte_over_the_cap_is_refused_not_cut_at_the_cap(tenant_server):
    # A valid start padded past the cap with empty fields ("&"), which form parsing skips:
    # cut at the cap, it would read as the valid start alone and send a code.
    cap = tenant_server.tenant.config.tenant.max_body_bytes
    form = f"client_id={NATIVE_CLIENT}&connection=email&send=code&email=cut@example.com"
    body = form.encode() + b"&" * (cap + 1 - len(form))
    response = send(
        "POST",
        tenant_server.url("passwordless/start"),
        data=iter([body[:1000], body[1000:]]),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "request_entity_too_large"
    assert tenant_server.outbox("cut@example.com") == []


def test_a_chunked_body_within_the_cap_is_read_whole(tenant_server):
    body = json.dumps(
        {
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "send": "code",
            "email": "chunks@example.com",
        }
    ).encode()
    response = send(
        "POST",
        tenant_server.url("passwordless/start"),
        data=iter([body[:10], body[10:]]),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert len(tenant_server.outbox("chunks@example.com")) == 1


@pytest.mark.parametrize("path", ["passwordless/start", "oauth/token", "oauth/revoke"])
@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_json_is_400(tenant_server, path, depth):
    raw = b"[" * depth + b"]" * depth
    for body in (
        raw,
        b'{"authParams": ' + b'{"a": ' * min(depth, 30000) + b"1" + b"}" * min(depth, 30000) + b"}",
    ):
        response = send(
            "POST", tenant_server.url(path), data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code in (400, 413)


@pytest.mark.parametrize(
    "raw",
    [
        b"1" * 5000,
        b'{"otp": ' + b"9" * 5000 + b"}",
        b'{"otp": 1e999999}',
        b'{"otp": NaN}',
        b'{"otp": Infinity}',
    ],
)
def test_huge_or_odd_json_numbers_are_400(tenant_server, raw):
    response = send(
        "POST",
        tenant_server.url("oauth/token"),
        data=raw,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "param",
    ["state", "nonce", "login_hint", "scope", "redirect_uri", "client_id", "code_challenge"],
)
def test_a_very_long_authorize_parameter_gets_an_error_page(tenant_server, param):
    response = get(authorize_url(tenant_server, **{param: "x" * 5000}))
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_thousands_of_parameters_never_give_a_500(tenant_server):
    junk = "&".join(f"p{n}=v" for n in range(3000))
    assert get(authorize_url(tenant_server) + "&" + junk).status_code in (302, 400, 414)
    response = send(
        "POST",
        tenant_server.url("oauth/token"),
        data=junk,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert 400 <= response.status_code < 500


def test_long_values_in_token_fields_are_refused_quickly_and_not_echoed(tenant_server):
    send_email_code(tenant_server, "ada@example.com")
    response = otp_token(tenant_server, "ada@example.com", "1" * 60000)
    assert response.status_code == 400
    response = send(
        "POST",
        tenant_server.url("oauth/token"),
        json={"client_id": "c" * 60000, "grant_type": "refresh_token"},
    )
    assert 400 <= response.status_code < 500
    assert len(response.content) < 2000


def test_a_huge_header_never_gives_a_500(tenant_server):
    response = send(
        "GET", tenant_server.url("userinfo"), headers={"Authorization": "Bearer " + "a" * 60000}
    )
    assert response.status_code in (400, 401, 431)


def test_a_body_just_under_the_cap_is_still_read(tenant_server):
    body = {
        "client_id": "demo-native-app",
        "grant_type": "refresh_token",
        "refresh_token": "r" * 60000,
    }
    assert len(json.dumps(body)) < 65536
    response = send("POST", tenant_server.url("oauth/token"), json=body)
    assert response.status_code == 403


# ---- the web app's own request bodies ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/logout", "/profile/refresh"])
def test_a_10_mb_form_to_the_web_app_gets_a_413_page(make_web_app, tmp_path, path):
    web = make_web_app(AUTH0_DOMAIN="http://127.0.0.1:9")
    with serve(lambda url: web, host="localhost") as server:
        response = send(
            "POST",
            server.url(path),
            data=b"csrf_token=" + TEN_MB,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 413
    assert "too large" in response.text.lower()
    assert "Traceback" not in response.text


def test_a_form_under_the_web_apps_cap_is_still_read(make_web_app):
    client = make_web_app(AUTH0_DOMAIN="http://127.0.0.1:9").test_client()
    # 60 kB: read, then refused for its wrong CSRF token, not for its size.
    response = client.post("/logout", data={"csrf_token": "x" * 60_000})
    assert response.status_code == 400
    assert "form has expired" in response.text


# ---- the web app when the tenant fails ------------------------------------------------------


def test_the_web_app_shows_a_page_when_the_token_endpoint_answers_html(
    make_web_app, gateway_tenant
):
    tenant = TenantServer(gateway_tenant.base_url, gateway_tenant.app)
    auth = WebAppActions(make_web_app(AUTH0_DOMAIN=tenant.base_url).test_client(), tenant)
    callback = auth.callback_url()
    gateway_tenant.app.break_path("/oauth/token", "502 Bad Gateway", "text/html", HTML_ERROR_PAGE)
    response = auth.client.get(callback)
    assert 400 <= response.status_code < 600 and response.status_code != 500
    assert "Traceback" not in response.text
    assert "Hello" not in auth.client.get("/").text


def test_the_web_app_shows_a_page_when_the_tenant_is_down(make_web_app, tmp_path):
    from tests.regular_web_app.conftest import closed_port_url

    client = make_web_app(AUTH0_DOMAIN=closed_port_url()).test_client()
    response = client.get("/login")
    assert response.status_code in (502, 503, 504)
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "raw", [b"{", b'{"a": }', b"{'a': 1}", b'{"a": 1,}', b"", b"null", b"[]", b'"text"']
)
@pytest.mark.parametrize("path", ["passwordless/start", "oauth/token", "oauth/revoke"])
def test_malformed_json_is_400_in_auth0s_shape(tenant_server, path, raw):
    response = send(
        "POST", tenant_server.url(path), data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"error", "error_description"}
