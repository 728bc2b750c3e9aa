"""The pages themselves: what a visitor sees, escaping, headers, and errors as pages."""

from __future__ import annotations

import pytest
import requests


def test_the_home_page_offers_email_and_sms_login(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/login?connection=email">Log in with email</a>' in page.text
    assert 'href="/login?connection=sms">Log in with SMS</a>' in page.text
    # A signed-out visit writes no session.
    assert client.get_cookie("webapp_session") is None


def test_the_home_page_links_to_the_local_tenants_outbox(client, tenant_server):
    assert tenant_server.url("_dev/outbox") in client.get("/").text


def test_a_signed_in_visitor_is_greeted_by_name(auth, client):
    auth.login()
    page = client.get("/").text
    assert "Hello, Ada!" in page
    assert "Log in with email" not in page


def test_an_sms_user_is_greeted_by_phone_number(auth, client):
    auth.login(identifier="+15555550100", query="connection=sms")
    page = client.get("/").text
    assert "+15555550100" in page
    # A phone number makes no initials.
    assert ">#</span>" in page


def test_claims_from_the_tenant_are_escaped(auth, client, tenant_server):
    # A user whose name is markup (the tenant lets users set their profile).
    users = requests.get(tenant_server.url("_dev/api/users"), timeout=10).json()
    ada = next(u for u in users if u["identifier"] == "ada@example.com")
    requests.patch(
        tenant_server.url(f"_dev/api/users/{ada['user_id']}"),
        json={"claims": {"given_name": "<script>alert(1)</script>"}},
        timeout=10,
    ).raise_for_status()
    auth.login()
    for path in ("/", "/profile"):
        page = client.get(path).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_pages_send_security_headers(client, tenant_server):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    # The logout form's redirect goes to the tenant, so form-action allows it.
    assert f"form-action 'self' {tenant_server.base_url}" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_load_nothing_from_another_host(auth, client):
    auth.login()
    for path in ("/", "/profile", "/logout"):
        page = client.get(path).text
        assert 'src="http' not in page
        assert 'href="https://fonts' not in page
        assert '<link rel="stylesheet" href="/static/webapp.css">' in page


def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Back to the home page" in response.text


def test_a_wrong_method_is_a_friendly_405(client):
    # The refresh button posts; a GET (a link, a prefetch) changes nothing.
    response = client.get("/profile/refresh")
    assert response.status_code == 405
    assert "Back to the home page" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/login?next=%00",
        "/login?next=%ff%fe",
        "/login?connection=%00&scope=%ff",
        "/callback?state=%ff&code=%00",
        "/callback?state=" + "x" * 5000,
        "/callback?error=%ff&state=",
    ],
)
def test_odd_input_never_gives_a_server_error(client, path):
    response = client.get(path)
    assert response.status_code < 500
    assert "Traceback" not in response.text


def test_a_non_ascii_csrf_token_is_refused_not_crashed_on(auth, client):
    auth.login()
    response = client.post("/logout", data={"csrf_token": "ｔｏｋｅｎ"})
    assert response.status_code == 400
    assert "This form has expired" in response.text
