"""Connection settings, languages and message templates answer as Auth0's do (row 11, "Missing")."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from mock_tenant.config import DEFAULT_CONFIG_FILE, ConfigError, load_config
from mock_tenant.core import liquid
from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import otp_token, send_email_code, send_sms_code, start
from tests.mock_tenant.test_universal_login import (
    alert_text,
    open_identifier_page,
    submit_code,
    submit_identifier,
)
from tests.servers import _toml_value, serve_tenant

# ---- Connection settings, languages and message templates (issue I, item 6) ------------------
# Row 11 (`ui_locales`) and the "Missing" rows: X-Request-Language, Liquid templates with
# Auth0's variables, per-connection `totp`, `brute_force_protection`.


def test_ui_locales_shows_the_login_pages_in_french_and_sends_a_french_email(tenant_server):
    # Row 11: `ui_locales` localizes the pages (and the message sent from them).
    http = requests.Session()
    page = open_identifier_page(http, tenant_server, ui_locales="fr-CA fr")
    assert '<html lang="fr">' in page.text and "Bienvenue" in page.text
    challenge = submit_identifier(http, page, "langue@example.com")
    assert "Consultez vos e-mails" in challenge.text
    message = tenant_server.outbox("langue@example.com")[0]
    assert message["subject"] == "Votre code de vérification Demo Regular Web App"
    assert message["text"].startswith(
        f"Votre code de vérification pour Demo Regular Web App est {message['code']}."
    )
    # A wrong code is refused in the page's language too.
    wrong = "000000" if message["code"] != "000000" else "111111"
    assert alert_text(submit_code(http, challenge, wrong)).startswith("Ce code n")


def test_without_ui_locales_the_browser_language_picks_the_page_language(tenant_server):
    # Row 11: Auth0 falls back on Accept-Language among the tenant's enabled languages.
    http = requests.Session()
    http.headers["Accept-Language"] = "de-DE, fr;q=0.8, en;q=0.5"
    assert "Bienvenue" in open_identifier_page(http, tenant_server).text
    http.headers["Accept-Language"] = "de-DE"
    english = open_identifier_page(http, tenant_server)
    assert '<html lang="en">' in english.text and "Welcome" in english.text


def test_x_request_language_picks_the_email_and_sms_language(tenant_server):
    # "Missing": /passwordless/start reads X-Request-Language for the message's language.
    email = {"client_id": NATIVE_CLIENT, "connection": "email", "send": "code"}
    french = {"X-Request-Language": "fr-FR"}
    start(tenant_server, {**email, "email": "fr@example.com"}, headers=french)
    assert tenant_server.outbox("fr@example.com")[0]["subject"].startswith("Votre code")
    sms = {"client_id": NATIVE_CLIENT, "connection": "sms", "phone_number": "+15555550177"}
    start(tenant_server, sms, headers=french)
    message = tenant_server.outbox("+15555550177")[0]
    assert message["text"] == f"Votre code de vérification Demo Native App est {message['code']}"
    # Without it, English, as before.
    code = send_sms_code(tenant_server, "+15555550178")
    assert tenant_server.outbox("+15555550178")[0]["text"] == (
        f"Your Demo Native App verification code is {code}"
    )


# Auth0's default passwordless email body, as its docs show it ("Passwordless Email").
AUTH0_DASHBOARD_BODY = """{% if operation == 'change_email' %}
  <p>Your email address has been updated.</p>
{% else %}
  {% if send == 'link' or send == 'link_ios' or send == 'link_android' %}
    <p>Click and confirm that you want to sign in to {{ application.name }}.</p>
    <a href="{{ link }}">Sign in to {{ application.name }}</a>
  {% elsif send == 'code' %}
    <p>Your verification code is: <b>{{ code }}</b></p>
  {% endif %}
{% endif %}"""


def config_file(tmp_path: Path, connection: str, change: Callable[[dict], None]) -> Path:
    """Write the bundled tenant.toml with one connection changed, and return its path."""
    data = tomllib.loads(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))
    change(next(c for c in data["connections"] if c["name"] == connection))
    path = tmp_path / "tenant.toml"
    lines = (f"{json.dumps(key)} = {_toml_value(value)}\n" for key, value in data.items())
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_an_email_template_copied_from_the_auth0_dashboard_renders(tmp_path):
    def change(email):
        email["email"]["body"] = AUTH0_DASHBOARD_BODY
        del email["email"]["link_body"]

    with serve_tenant(tmp_path / "data", config_file(tmp_path, "email", change)) as server:
        code = send_email_code(server, "copied@example.com")
        text = server.outbox("copied@example.com")[0]["text"]
        assert f"<p>Your verification code is: <b>{code}</b></p>" in text
        assert "change_email" not in text and "{%" not in text
        # The same body carries the link when a link is asked for (`send`).
        body = {"client_id": NATIVE_CLIENT, "connection": "email", "send": "link"}
        start(server, {**body, "email": "link@example.com"})
        message = server.outbox("link@example.com")[0]
        assert f'<a href="{message["link"]}">Sign in to Demo Native App</a>' in message["text"]


def test_totp_length_and_time_step_are_per_connection(tmp_path):
    def change(email):
        email["totp"] = {"length": 8, "time_step": 60}

    with serve_tenant(tmp_path / "data", config_file(tmp_path, "email", change)) as server:
        code = send_email_code(server, "eight@example.com")
        assert len(code) == 8 and code.isdigit()
        assert otp_token(server, "eight@example.com", code).status_code == 200
        # The connection's time_step, not the tenant's otp_lifetime (180 s), sets the expiry.
        server.advance_clock(31)  # past any resend cooldown
        code = send_email_code(server, "eight@example.com")
        server.advance_clock(61)
        assert otp_token(server, "eight@example.com", code).status_code == 403
        # The SMS connection keeps its own six digits.
        assert len(send_sms_code(server, "+15555550179")) == 6


def test_without_brute_force_protection_many_wrong_codes_lock_nothing(tmp_path):
    def change(email):
        email["brute_force_protection"] = False

    email = "unprotected@example.com"
    with serve_tenant(tmp_path / "data", config_file(tmp_path, "email", change)) as server:
        # Twelve wrong codes in a row, three per code (more than lockout_after_failures = 10).
        for _ in range(4):
            server.advance_clock(31)  # past any resend cooldown
            code = send_email_code(server, email)
            wrong = "000000" if code != "000000" else "111111"
            for _ in range(3):
                assert otp_token(server, email, wrong).status_code == 403
        server.advance_clock(31)
        code = send_email_code(server, email)
        assert otp_token(server, email, code).status_code == 200


def _config_error(path: Path) -> str:
    """Load a tenant file and return the start-up error."""
    with pytest.raises(ConfigError) as error:
        load_config(path)
    return str(error.value)


def test_a_bad_template_is_refused_at_start_with_file_field_and_reason(tmp_path):
    path = config_file(tmp_path, "email", lambda c: c["email"].update(subject="{% if x %}oops"))
    message = _config_error(path)
    assert str(path) in message and "connections[0].email.subject" in message
    assert "not a valid Liquid template" in message and "endif" in message
    path = config_file(tmp_path, "sms", lambda c: c.update(template="{{ code | shout }}"))
    message = _config_error(path)
    assert "connections[1].template" in message and "unknown filter 'shout'" in message


def test_every_template_the_bundled_file_ships_parses_and_renders():
    # Start-up skips the check for these (config.py: checked_template), so it is made here.
    config = load_config(DEFAULT_CONFIG_FILE)
    templates = [c.template for c in config.connections if c.strategy == "sms"]
    for email in (c.email for c in config.connections if c.strategy == "email"):
        templates += [email.from_, email.subject, email.body, email.link_body]
    assert len([t for t in templates if t]) >= 5
    for template in filter(None, templates):
        assert liquid.check(template) == template


def test_a_bad_option_is_refused_at_start_with_file_field_and_reason(tmp_path):
    path = config_file(tmp_path, "email", lambda c: c.update(totp={"length": 3}))
    message = _config_error(path)
    assert str(path) in message
    assert "connections[0].totp.length" in message and "greater than or equal to 4" in message
    path = tmp_path / "locales.toml"
    text = DEFAULT_CONFIG_FILE.read_text(encoding="utf-8")
    path.write_text(text.replace('enabled_locales = ["en", "fr"]', 'enabled_locales = ["xx"]'))
    message = _config_error(path)
    assert "tenant" in message and "no words for ['xx']" in message


def test_request_language_is_only_data_to_the_template(tenant_server):
    # A header is anyone's to write: Liquid in it is printed, never run.
    response = start(
        tenant_server,
        {
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "email": "x@example.com",
            "send": "code",
        },
        headers={"X-Request-Language": "{{ code }}"},
    )
    assert response.status_code == 200
    assert tenant_server.outbox("x@example.com")[0]["subject"] == (
        "Your Demo Native App verification code"
    )
