"""/callback: state checked before anything else, tenant errors and outages shown as pages."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

import mock_tenant.core.clock
from tests.regular_web_app.conftest import (
    HTML_ERROR_PAGE,
    WebAppActions,
    closed_port_url,
    query_of,
)
from tests.servers import TenantServer, serve_tenant
from tests.ul_driver import login_via_universal_login


def started_state(client) -> str:
    """Start a login and return its state (the browser now waits for the callback)."""
    return query_of(client.get("/login").headers["Location"])["state"]


def test_callback_without_state_is_refused_without_calling_the_tenant(client, tenant_calls):
    started_state(client)
    tenant_calls.clear()
    # A callback with a code but no state.
    response = client.get("/callback?code=abc")
    assert response.status_code == 400
    assert "This login link is no longer valid" in response.text
    # The code never reached the token endpoint.
    assert "POST /oauth/token" not in tenant_calls


def test_callback_with_an_unknown_state_is_refused_without_calling_the_tenant(client, tenant_calls):
    started_state(client)
    tenant_calls.clear()
    # A state this browser never sent (a forged callback: login CSRF).
    response = client.get("/callback?code=abc&state=made-up-state")
    assert response.status_code == 400
    assert "POST /oauth/token" not in tenant_calls


def test_callback_in_a_browser_that_never_started_a_login_is_refused(client, tenant_calls):
    response = client.get("/callback?code=abc&state=whatever")
    assert response.status_code == 400
    assert tenant_calls == []
    # And the visit leaves no session behind.
    assert client.get_cookie("webapp_session") is None


def test_a_state_works_once(client, tenant_calls):
    state = started_state(client)
    tenant_calls.clear()
    # The first callback reaches the token endpoint (the made-up code is refused there).
    first = client.get(f"/callback?code=made-up-code&state={state}")
    assert first.status_code == 400
    assert tenant_calls.count("POST /oauth/token") == 1
    # The same state again is refused before any call.
    second = client.get(f"/callback?code=made-up-code&state={state}")
    assert second.status_code == 400
    assert "This login link is no longer valid" in second.text
    assert tenant_calls.count("POST /oauth/token") == 1


def test_a_replayed_successful_callback_is_refused(auth, tenant_calls):
    # Log in for real, then replay the very same callback URL.
    callback = auth.callback_url()
    assert auth.client.get(callback).status_code == 302
    calls_after_login = tenant_calls.count("POST /oauth/token")
    replay = auth.client.get(callback)
    assert replay.status_code == 400
    assert tenant_calls.count("POST /oauth/token") == calls_after_login


def test_access_denied_shows_a_friendly_page(client, tenant_calls):
    state = started_state(client)
    # The tenant sends the user back with an error instead of a code (RFC 6749 4.1.2.1).
    response = client.get(
        f"/callback?error=access_denied&error_description=User+cancelled&state={state}"
    )
    assert response.status_code == 403
    assert "Login cancelled" in response.text
    assert "User cancelled" in response.text
    assert "POST /oauth/token" not in tenant_calls


def test_the_error_description_is_escaped(client):
    state = started_state(client)
    response = client.get(
        f"/callback?error=access_denied&error_description=%3Cscript%3Ex()%3C/script%3E&state={state}"
    )
    assert "<script>x()</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_an_error_with_a_forged_state_shows_no_text_from_the_url(client):
    started_state(client)
    # Someone else's link cannot put their words on our page.
    response = client.get(
        "/callback?error=access_denied&error_description=Call+555-0100+now&state=forged"
    )
    assert response.status_code == 400
    assert "555-0100" not in response.text


def test_other_tenant_errors_show_a_friendly_page(client):
    state = started_state(client)
    response = client.get(f"/callback?error=login_required&state={state}")
    assert response.status_code == 400
    assert "The login did not complete" in response.text
    assert "Traceback" not in response.text


def test_a_callback_naming_another_issuer_is_refused(client, tenant_calls):
    state = started_state(client)
    # RFC 9207: an `iss` in the answer must be our tenant (mix-up attack defence).
    response = client.get(f"/callback?code=abc&state={state}&iss=https://evil.test/")
    assert response.status_code == 400
    assert "POST /oauth/token" not in tenant_calls


def test_a_callback_without_a_code_is_refused(client, tenant_calls):
    state = started_state(client)
    assert client.get(f"/callback?state={state}").status_code == 400
    assert "POST /oauth/token" not in tenant_calls


def test_error_pages_on_the_callback_remove_the_code_from_the_address_bar(client):
    response = client.get("/callback?code=abc&state=nope")
    # A small script replaces the URL; the Referrer-Policy keeps it from other sites.
    assert "clean-url.js" in response.text
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_tenant_down_during_the_code_exchange_shows_a_friendly_page(make_web_app, tmp_path):
    # Start a login at a tenant, then the tenant goes away before the browser comes back.
    with serve_tenant(tmp_path / "short-lived") as tenant:
        client = make_web_app(AUTH0_DOMAIN=tenant.base_url).test_client()
        state = started_state(client)
    response = client.get(f"/callback?code=abc&state={state}")
    assert response.status_code == 503
    assert "The login service is not answering" in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("status", "content_type", "body"),
    [
        ("502 Bad Gateway", "text/html", HTML_ERROR_PAGE),
        ("200 OK", "text/html", HTML_ERROR_PAGE),
        ("200 OK", "application/json", b'{"access_token": "abc", '),
        ("200 OK", "application/json", b'["not", "an", "object"]'),
    ],
    ids=["html-502", "html-200", "truncated-json", "json-array"],
)
def test_token_endpoint_answering_garbage_shows_a_friendly_page(
    make_web_app, gateway_tenant, status, content_type, body
):
    client = make_web_app(AUTH0_DOMAIN=gateway_tenant.base_url).test_client()
    state = started_state(client)
    # The gateway in front of the tenant starts answering the token endpoint with garbage.
    gateway_tenant.app.break_path("/oauth/token", status, content_type, body)
    response = client.get(f"/callback?code=abc&state={state}")
    assert response.status_code == 502
    assert "could not read" in response.text
    assert "Traceback" not in response.text


def test_tenant_down_at_login_shows_a_friendly_page(make_web_app):
    client = make_web_app(AUTH0_DOMAIN=closed_port_url()).test_client()
    response = client.get("/login")
    assert response.status_code == 503
    assert "The login service is not answering" in response.text


@pytest.mark.parametrize(
    ("status", "body"),
    [("200 OK", HTML_ERROR_PAGE), ("503 Service Unavailable", HTML_ERROR_PAGE)],
    ids=["html-200", "html-503"],
)
def test_tenant_answering_html_at_login_shows_a_friendly_page(
    make_web_app, gateway_tenant, status, body
):
    gateway_tenant.app.break_path("/.well-known/openid-configuration", status, "text/html", body)
    client = make_web_app(AUTH0_DOMAIN=gateway_tenant.base_url).test_client()
    response = client.get("/login")
    assert response.status_code == 502
    assert "could not read" in response.text


def test_a_tenant_that_names_another_issuer_is_not_trusted(make_web_app, tenant_server):
    # Same tenant, reached by another name: its discovery document names 127.0.0.1.
    other_name = tenant_server.base_url.replace("127.0.0.1", "localhost")
    client = make_web_app(AUTH0_DOMAIN=other_name).test_client()
    response = client.get("/login")
    assert response.status_code == 502
    assert "not the one we expected" in response.text


def test_an_id_token_for_another_login_is_refused_and_no_session_starts(auth, client):
    # Start a login, then change the nonce this browser expects (as if the ID token came
    # from another login). Authlib compares with its own copy, which still matches: only
    # the app's own check (regular_web_app/id_token.py) can catch this.
    authorize_url = auth.start()
    state = query_of(authorize_url)["state"]
    with client.session_transaction() as session:
        session["pending_logins"][state]["nonce"] = "nonce-of-another-login"
    callback = login_via_universal_login(
        auth.browser, authorize_url, "ada@example.com", auth.tenant
    )
    response = client.get(callback)
    assert response.status_code == 400
    assert "We could not verify your login" in response.text
    assert "user" not in auth.session()
    assert "Hello" not in client.get("/").text


def test_tenant_keys_answering_html_shows_a_friendly_page(make_web_app, gateway_tenant):
    # Log in through a gateway whose JWKS path starts answering an HTML page.
    tenant = TenantServer(gateway_tenant.base_url, gateway_tenant.app)
    auth = WebAppActions(make_web_app(AUTH0_DOMAIN=tenant.base_url).test_client(), tenant)
    callback = auth.callback_url()
    gateway_tenant.app.break_path("/.well-known/jwks.json", "200 OK", "text/html", HTML_ERROR_PAGE)
    response = auth.client.get(callback)
    assert response.status_code == 502
    assert "could not read" in response.text
    assert "user" not in auth.session()


def test_a_wrong_client_secret_shows_a_friendly_page(make_web_app, tenant_server):
    # The app is configured with a secret the tenant does not know.
    app = make_web_app(AUTH0_DOMAIN=tenant_server.base_url, AUTH0_CLIENT_SECRET="wrong-secret")
    auth = WebAppActions(app.test_client(), tenant_server)
    response = auth.client.get(auth.callback_url())
    # The tenant answers 401 invalid_client; the visitor sees a page, not a crash.
    assert response.status_code == 400
    assert "The login did not complete" in response.text
    assert "user" not in auth.session()


@pytest.mark.parametrize("ahead", [90, 300])
def test_an_id_token_from_the_future_names_the_clock_as_the_likely_cause(
    auth, client, tenant_server, monkeypatch, ahead
):
    if tenant_server.app is None:
        pytest.skip("the tenant runs in other processes: its clock cannot be moved from here")
    # The tenant's machine runs ahead of the app's: 90 s passes Authlib's two minutes of
    # leeway and fails the app's own minute; 300 s fails Authlib's check first.
    fast = SimpleNamespace(time=lambda: time.time() + ahead)
    monkeypatch.setattr(mock_tenant.core.clock, "time", fast)
    response = client.get(auth.callback_url())
    assert response.status_code == 400
    assert "says it was issued in the future" in response.text
    assert "clock" in response.text
    assert "user" not in auth.session()
