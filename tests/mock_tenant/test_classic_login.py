"""Classic Universal Login on the wire: the page's configuration, Lock's settings, and the
calls auth0.js makes from the page (/passwordless/start, /verify, /verify_redirect)."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse

import pytest

from mock_tenant import create_app
from mock_tenant.config import DEFAULT_CONFIG_FILE, load_config
from tests.constants import WEB_CALLBACK, WEB_CLIENT
from tests.e2e.classic_stack import classic

BASE = "https://127.0.0.1:4000"
EMAIL = "ada@example.com"
# A template as a developer writes one in Auth0's dashboard: any HTML with the placeholder.
DASHBOARD_TEMPLATE = """<!DOCTYPE html>
<html><body><h1>My login</h1>
<script>var config = JSON.parse(decodeURIComponent(escape(window.atob('@@config@@'))));</script>
</body></html>
"""


@pytest.fixture
def tenant(tmp_path):
    """Return a test client of an HTTPS tenant showing a dashboard-style template file."""
    (tmp_path / "my-login.html").write_text(DASHBOARD_TEMPLATE, encoding="utf-8")
    config_file = tmp_path / "tenant.toml"
    config_file.write_text(
        classic(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"), "my-login.html"),
        encoding="utf-8",
    )
    app = create_app(load_config(config_file, issuer=BASE + "/", data_dir=tmp_path / "data"))
    with app.test_client() as client:
        client.app = app
        yield client


def authorize(client, **extra) -> str:
    """Start a login as the web app would; return the Classic page's URL."""
    params = {
        "response_type": "code",
        "client_id": WEB_CLIENT,
        "redirect_uri": WEB_CALLBACK,
        "scope": "openid profile email",
        "state": "app-state",
        "nonce": "app-nonce",
        **extra,
    }
    response = client.get("/authorize", query_string=params, base_url=BASE)
    assert response.status_code == 302
    return response.headers["Location"]


def page_config(client, url: str) -> dict:
    """Open the Classic page and decode the configuration filled into `@@config@@`."""
    response = client.get(url, base_url=BASE)
    assert response.status_code == 200
    encoded = re.search(r"atob\('([A-Za-z0-9+/=]+)'\)", response.get_data(as_text=True))
    return json.loads(base64.b64decode(encoded.group(1)))


def last_code(client, to: str) -> str:
    """Return the code of the newest message to an address (dev API)."""
    return client.get("/_dev/api/outbox", query_string={"to": to}, base_url=BASE).json[0]["code"]


def start_on_page(client, config: dict, **body):
    """Ask for a code as Lock does from the page: no secret, the page's state in authParams."""
    return client.post(
        "/passwordless/start",
        json={
            "client_id": config["clientID"],
            "connection": "email",
            "email": EMAIL,
            "send": "code",
            "authParams": {
                "response_type": "code",
                "redirect_uri": config["callbackURL"],
                "scope": "openid profile email",
                "state": config["internalOptions"]["state"],
            },
            **body,
        },
        base_url=BASE,
    )


def test_authorize_sends_the_browser_to_the_classic_login_page(tenant):
    url = urllib.parse.urlsplit(authorize(tenant))
    query = urllib.parse.parse_qs(url.query)
    # Auth0: /login?state=<its own transaction>&client=...&protocol=oauth2 and the app's
    # parameters; the app's own state stays with the tenant.
    assert url.path == "/login"
    assert query["client"] == [WEB_CLIENT]
    assert query["protocol"] == ["oauth2"]
    assert query["redirect_uri"] == [WEB_CALLBACK]
    assert query["state"] != ["app-state"]


def test_a_dashboard_style_template_is_served_with_its_config_filled_in(tenant):
    url = authorize(tenant, login_hint=EMAIL)
    config = page_config(tenant, url)
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["state"][0]
    assert config["clientID"] == WEB_CLIENT
    # A bare host, as Auth0 gives it: auth0.js compares it with location.host.
    assert config["auth0Domain"] == "127.0.0.1:4000"
    assert config["callbackURL"] == WEB_CALLBACK
    assert config["authorizationServer"] == {"url": BASE, "issuer": BASE + "/"}
    assert config["clientConfigurationBaseUrl"] == BASE + "/"
    assert config["internalOptions"]["state"] == state
    assert config["internalOptions"]["response_type"] == "code"
    assert config["internalOptions"]["_csrf"]
    assert config["extraParams"]["login_hint"] == EMAIL
    assert config["dict"] == {"signin": {"title": "Demo Regular Web App"}}


def test_lock_gets_the_apps_passwordless_strategies_as_jsonp(tenant):
    response = tenant.get(f"/client/{WEB_CLIENT}.js?t1700000000000", base_url=BASE)
    assert response.mimetype == "application/javascript"
    body = response.get_data(as_text=True)
    assert body.startswith("Auth0.setClient(") and body.endswith(");")
    settings = json.loads(body.removeprefix("Auth0.setClient(").removesuffix(");"))
    assert settings["id"] == WEB_CLIENT
    assert {s["name"] for s in settings["strategies"]} == {"email", "sms"}
    assert tenant.get("/client/no-such-app.js", base_url=BASE).status_code == 404


def test_the_page_starts_without_a_secret_only_with_its_login_transaction(tenant):
    config = page_config(tenant, authorize(tenant))
    assert start_on_page(tenant, config).status_code == 200
    # Another state (or another browser) is an app's own call: the web app needs its secret.
    other = {**config, "internalOptions": {**config["internalOptions"], "state": "forged"}}
    assert start_on_page(tenant, other).status_code == 401
    with tenant.app.test_client() as another_browser:
        assert start_on_page(another_browser, config).status_code == 401


def test_a_code_checked_by_verify_finishes_the_login_at_verify_redirect(tenant):
    config = page_config(tenant, authorize(tenant))
    start_on_page(tenant, config)
    body = {"client_id": WEB_CLIENT, "connection": "email", "email": EMAIL}
    # A wrong code: 403 invalid_grant, the OTP grant's words.
    wrong = tenant.post(
        "/passwordless/verify", json={**body, "verification_code": "12345x"}, base_url=BASE
    )
    assert wrong.status_code == 403
    assert wrong.json["error"] == "invalid_grant"
    code = last_code(tenant, EMAIL)
    right = tenant.post(
        "/passwordless/verify", json={**body, "verification_code": code}, base_url=BASE
    )
    assert right.status_code == 200
    # auth0.js then sends the browser to verify_redirect with the page's state.
    query = {**body, "verification_code": code, "state": config["internalOptions"]["state"]}
    response = tenant.get("/passwordless/verify_redirect", query_string=query, base_url=BASE)
    assert response.status_code == 302
    response = tenant.get(response.headers["Location"], base_url=BASE)
    callback = urllib.parse.urlsplit(response.headers["Location"])
    answer = urllib.parse.parse_qs(callback.query)
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == WEB_CALLBACK
    assert answer["state"] == ["app-state"]
    assert answer["code"]


def test_verify_redirect_without_a_verified_code_signs_nobody_in(tenant):
    config = page_config(tenant, authorize(tenant))
    start_on_page(tenant, config)
    query = {
        "client_id": WEB_CLIENT,
        "connection": "email",
        "email": EMAIL,
        "verification_code": "000000",
        "state": config["internalOptions"]["state"],
    }
    response = tenant.get("/passwordless/verify_redirect", query_string=query, base_url=BASE)
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_the_inspector_shows_a_classic_login_as_one_flow(tenant):
    config = page_config(tenant, authorize(tenant))
    start_on_page(tenant, config)
    body = {"client_id": WEB_CLIENT, "connection": "email", "email": EMAIL}
    code = last_code(tenant, EMAIL)
    tenant.post("/passwordless/verify", json={**body, "verification_code": code}, base_url=BASE)
    query = {**body, "verification_code": code, "state": config["internalOptions"]["state"]}
    response = tenant.get("/passwordless/verify_redirect", query_string=query, base_url=BASE)
    tenant.get(response.headers["Location"], base_url=BASE)
    logins = tenant.get("/_dev/api/events", base_url=BASE).json
    kinds = [[event["kind"] for event in login["events"]] for login in logins]
    # Every exchange of the Classic page sits in the login /authorize began, in order.
    assert [
        "Authorization request",
        "Classic login page",
        "Passwordless start: code or link sent",
        "Classic page: code checked",
        "Verify redirect: the Classic page's code goes on",
        "Resume: code issued to the app",
    ] in kinds


def test_lock_finds_its_language_files_and_a_country_without_the_network(tenant):
    # Lock loads {languageBaseUrl}/js/lock/{version}/{lang}.js even for English.
    config = page_config(tenant, authorize(tenant))
    assert config["languageBaseUrl"] == BASE
    english = tenant.get("/js/lock/14.3.0/en.js", base_url=BASE)
    body = english.get_data(as_text=True)
    english.close()
    assert english.status_code == 200
    assert body.startswith('Auth0.registerLanguageDictionary("en", {')
    assert tenant.get("/js/lock/14.3.0/..%2Fx.js", base_url=BASE).status_code == 404
    # Its SMS screen asks for a country to preselect.
    assert tenant.get("/user/geoloc/country", base_url=BASE).json == {"country_code": "US"}


def test_an_unknown_login_or_a_template_gone_since_start_is_an_error_page(tenant, tmp_path):
    response = tenant.get("/login?state=not-a-login", base_url=BASE)
    assert (response.status_code, response.mimetype) == (400, "text/html")
    assert "This login has expired" in response.get_data(as_text=True)
    url = authorize(tenant)
    (tmp_path / "my-login.html").unlink()
    response = tenant.get(url, base_url=BASE)
    assert (response.status_code, response.mimetype) == (400, "text/html")
    assert "my-login.html: cannot read the login page template" in response.get_data(as_text=True)
