"""Threat: input that changes meaning on the way: header and template injection, script in
pages, SQL, and Unicode or byte tricks that slip past a check or crash the server.

RFC 6819 section 5.1.4.2.2 (input validation); RFC 6749 section 5.2 (error_description
charset); OWASP Injection Prevention, XSS Prevention and Input Validation Cheat Sheets;
OWASP ASVS 5.0 V1 (encoding and sanitization) and V2 (validation); Unicode TR #36 (security
considerations: confusables, overlong UTF-8, lone surrogates). docs/security.md rules 12 and 15
and the header-injection, hostile-state and login_hint examples.
"""

import re
import urllib.parse

import pytest
import requests

from tests.attacks.helpers import authorize_url, get, query_of
from tests.constants import NATIVE_CLIENT, OTP_GRANT
from tests.mock_tenant.helpers import otp_token, send_email_code, start, token
from tests.mock_tenant.test_bad_input import BODIES
from tests.mock_tenant.test_universal_login import open_identifier_page, submit_identifier

SCRIPT = '"><script>alert(1)</script>'
SQL = ["' OR '1'='1", "'; DROP TABLE users; --", '" OR ""="', "1 UNION SELECT secret FROM meta"]
LINE_BREAKS = ["\r\nBcc: x@evil.test", "\nBcc: x@evil.test", "\rBcc: x@evil.test", "\u2028Bcc: x"]


def assert_4xx(response: requests.Response) -> None:
    """A client error, never a server error, and no tokens."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert "access_token" not in response.text


# ---- header injection into messages --------------------------------------------------------


@pytest.mark.parametrize("suffix", LINE_BREAKS)
def test_a_line_break_in_an_email_address_is_400_and_sends_nothing(tenant_server, suffix):
    for encode in ("json", "data"):
        body = {
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "send": "code",
            "email": "a@b.test" + suffix,
        }
        response = requests.post(
            tenant_server.url("passwordless/start"), timeout=10, **{encode: body}
        )
        assert response.status_code == 400
        assert response.json()["error"] == "bad.email"
    assert tenant_server.outbox() == []


@pytest.mark.parametrize("suffix", [*LINE_BREAKS, "\x00", " ", "+1", "\u0660"])
def test_anything_after_a_phone_number_is_400_and_sends_nothing(tenant_server, suffix):
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "sms",
        "phone_number": "+15555550100" + suffix,
    }
    response = start(tenant_server, body)
    assert response.status_code == 400
    assert response.json()["error"] == "bad.phone_number"
    assert tenant_server.outbox() == []


def test_a_line_break_in_the_login_page_identifier_sends_nothing(tenant_server):
    http = requests.Session()
    page = submit_identifier(
        http, open_identifier_page(http, tenant_server), "a@b.test\r\nBcc: x@evil.test"
    )
    assert page.status_code == 400
    assert tenant_server.outbox() == []


@pytest.mark.parametrize("field", ["state", "redirect_uri", "scope", "nonce", "response_type"])
def test_a_line_break_in_auth_params_reaches_the_magic_link_only_url_encoded(tenant_server, field):
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "ada@example.com",
        "send": "link",
        "authParams": {field: "x\r\nBcc: x@evil.test"},
    }
    assert start(tenant_server, body).status_code == 200
    message = tenant_server.outbox("ada@example.com")[0]
    assert "\r" not in message["link"] and "\n" not in message["link"]
    assert "Bcc:" not in message["text"]
    assert query_of(message["link"])[field] == "x\r\nBcc: x@evil.test"


# ---- template placeholders are data, not templates -----------------------------------------


@pytest.mark.parametrize(
    "placeholder",
    [
        "{{ code }}",
        "{{code}}",
        "@@password@@",
        "{{ link }}",
        "@@application.name@@",
        "{{ application.name }}",
        "{% raw %}",
        "${code}",
        "%s",
    ],
)
def test_template_placeholders_in_user_input_are_never_expanded(tenant_server, placeholder):
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "ada@example.com",
        "send": "link",
        "authParams": {"state": placeholder, "nonce": placeholder},
    }
    assert start(tenant_server, body).status_code == 200
    message = tenant_server.outbox("ada@example.com")[0]
    link = query_of(message["link"])
    # The placeholder comes back exactly as sent, and the code appears once (in the link).
    assert link["state"] == placeholder and link["nonce"] == placeholder
    assert message["text"].count(message["code"]) == 1
    assert message["text"].count("Demo Native App") == 1


def test_template_placeholders_in_login_hint_and_state_stay_literal(tenant_server):
    page = open_identifier_page(requests.Session(), tenant_server, login_hint="{{ code }}")
    assert 'value="{{ code }}"' in page.text
    response = get(authorize_url(tenant_server, prompt="bogus", state="@@password@@"))
    assert query_of(response.headers["Location"])["state"] == "@@password@@"


# ---- script in pages -----------------------------------------------------------------------


def test_script_in_login_hint_is_escaped_on_the_identifier_page(tenant_server):
    page = open_identifier_page(requests.Session(), tenant_server, login_hint=SCRIPT)
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;" in page.text
    # And the page's CSP would refuse an inline script anyway.
    assert "script-src" not in page.headers["Content-Security-Policy"] or (
        "unsafe-inline" not in page.headers["Content-Security-Policy"]
    )


@pytest.mark.parametrize("state", ["\r\nSet-Cookie: x=1", SCRIPT, "\x00", "a\u2028b"])
def test_a_hostile_state_is_only_ever_url_encoded_in_location(tenant_server, state):
    response = get(authorize_url(tenant_server, prompt="bogus", state=state))
    assert response.status_code == 302
    assert "x=1" not in response.headers.get("Set-Cookie", "")
    location = response.headers["Location"]
    assert "<" not in location and "\r" not in location and "\n" not in location
    assert query_of(location)["state"] == state


@pytest.mark.parametrize("param", ["client_id", "redirect_uri"])
def test_script_in_parameters_shown_on_error_pages_is_not_markup(tenant_server, param):
    response = get(authorize_url(tenant_server, **{param: SCRIPT}))
    assert response.status_code == 400
    assert "<script>alert(1)" not in response.text


def test_script_in_the_identifier_is_escaped_when_the_page_shows_it_back(tenant_server):
    http = requests.Session()
    page = submit_identifier(http, open_identifier_page(http, tenant_server), SCRIPT)
    assert page.status_code == 400
    assert "<script>alert(1)" not in page.text


def test_script_in_a_message_is_escaped_on_the_dev_outbox_page(tenant_server):
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "ada@example.com",
        "send": "link",
        "authParams": {"state": "<script>alert(1)</script>"},
    }
    assert start(tenant_server, body).status_code == 200
    page = requests.get(tenant_server.url("_dev/outbox"), timeout=10)
    assert "<script>alert(1)" not in page.text


def test_script_in_profile_claims_is_escaped_by_the_web_app(auth, client, tenant_server):
    claims = {"given_name": "<script>alert(1)</script>", "family_name": "<img src=x onerror=1>"}
    requests.post(
        tenant_server.url("_dev/api/users"),
        json={"email": "ada@example.com", "claims": claims},
        timeout=10,
    ).raise_for_status()
    auth.login()
    for path in ("/", "/profile"):
        page = client.get(path).text
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


def test_script_in_an_error_description_is_escaped_by_the_web_app(auth, client):
    state = query_of(auth.start())["state"]
    page = client.get(
        "/callback?"
        + urllib.parse.urlencode(
            {"error": "server_error", "error_description": SCRIPT, "state": state}
        )
    )
    assert "<script>alert(1)" not in page.text


# ---- Unicode look-alikes and odd bytes -----------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "аda@example.com",  # Cyrillic a
        "ａｄａ@example.com",  # fullwidth
        "ada@exämple.com",  # an IDN look-alike
        "ada@example.com\u200b",  # zero-width space
        "ada\u0000@example.com",
        "ada@example.com\x00",
        "ada@\u212aexample.com",  # Kelvin sign, lower-cases to k
        "ada\u0301@example.com",  # combining accent
    ],
)
def test_an_email_look_alike_is_refused_not_folded_into_another_account(tenant_server, email):
    body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": email, "send": "code"}
    response = start(tenant_server, body)
    assert response.status_code == 400
    assert tenant_server.outbox() == []


@pytest.mark.parametrize("phone", ["+１５５５５５５０１００", "+15555550١٠٠", "\u202e+15555550100"])
def test_a_phone_number_look_alike_is_refused(tenant_server, phone):
    response = start(
        tenant_server, {"client_id": NATIVE_CLIENT, "connection": "sms", "phone_number": phone}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("otp", ["１２３４５６", "١٢٣٤٥٦", "12345\x00", "\ud800", "123456\u200b"])
def test_a_code_in_look_alike_digits_is_400_and_costs_no_attempt(tenant_server, otp):
    send_email_code(tenant_server, "ada@example.com")
    response = otp_token(tenant_server, "ada@example.com", otp)
    assert response.status_code == 400
    row = tenant_server.tenant.storage.query_one("SELECT attempts FROM otp_codes")
    assert row["attempts"] == 0


@pytest.mark.parametrize(
    "raw",
    [
        b'{"client_id": "\xc0\xae"}',  # overlong UTF-8
        b'{"client_id": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8
        b'{"client_id": "\\ud800"}',  # a lone surrogate, JSON-escaped
        b'{"client_id": "\xff\xfe"}',
        b"\xef\xbb\xbf{}",  # a byte-order mark
        b'{"client_id": "a\x00b"}',
    ],
)
@pytest.mark.parametrize("path", ["passwordless/start", "oauth/token", "oauth/revoke"])
def test_invalid_utf8_and_lone_surrogates_in_json_are_a_client_error(tenant_server, path, raw):
    response = requests.post(
        tenant_server.url(path), data=raw, timeout=10, headers={"Content-Type": "application/json"}
    )
    assert_4xx(response)


@pytest.mark.parametrize(
    "raw", [b"otp=%C0%AE", b"otp=%ED%A0%80", b"otp=%FF", b"otp=%00%00", b"otp=%"]
)
def test_invalid_utf8_in_a_form_body_is_a_client_error(tenant_server, raw):
    body = b"grant_type=" + OTP_GRANT.encode() + b"&client_id=demo-native-app&realm=email"
    body += b"&username=ada%40example.com&" + raw
    response = requests.post(
        tenant_server.url("oauth/token"),
        data=body,
        timeout=10,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_4xx(response)


@pytest.mark.parametrize("value", ["%C0%AE%C0%AE%2F", "%ED%A0%80", "%00", "%FF%FE"])
@pytest.mark.parametrize("param", ["state", "login_hint", "nonce", "client_id", "redirect_uri"])
def test_odd_bytes_in_authorize_parameters_never_give_a_500(tenant_server, param, value):
    url = authorize_url(tenant_server) + f"&{param}={value}"
    response = get(url)
    assert response.status_code in (302, 400)


# ---- SQL in every parameter ----------------------------------------------------------------


@pytest.mark.parametrize("sql", SQL)
@pytest.mark.parametrize("target", sorted(BODIES))
def test_sql_in_any_api_field_is_just_a_wrong_value(tenant_server, target, sql):
    path = target.split("#")[0]
    body = BODIES[target]
    for field in body:
        value = {"x": sql} if isinstance(body[field], dict) else sql
        response = requests.post(tenant_server.url(path), json={**body, field: value}, timeout=10)
        assert response.status_code < 500, (field, response.text)
        assert "access_token" not in response.text
    # The tables are all still there.
    assert tenant_server.tenant.storage.query_one("SELECT COUNT(*) AS n FROM users")["n"] >= 1


@pytest.mark.parametrize("sql", SQL)
def test_sql_in_authorize_and_the_login_pages_is_just_a_wrong_value(tenant_server, sql):
    for param in (
        "client_id",
        "redirect_uri",
        "state",
        "nonce",
        "scope",
        "audience",
        "connection",
        "login_hint",
        "prompt",
        "max_age",
        "code_challenge",
    ):
        assert get(authorize_url(tenant_server, **{param: sql})).status_code in (302, 400)
    http = requests.Session()
    assert (
        submit_identifier(http, open_identifier_page(http, tenant_server), sql).status_code == 400
    )
    for path in ("u/login/identifier", "authorize/resume", "passwordless/verify_redirect"):
        assert (
            get(tenant_server.url(path) + "?" + urllib.parse.urlencode({"state": sql})).status_code
            == 400
        )


@pytest.mark.parametrize("sql", SQL)
def test_sql_as_a_bearer_token_or_a_code_buys_nothing(tenant_server, sql):
    response = requests.get(
        tenant_server.url("userinfo"), timeout=10, headers={"Authorization": f"Bearer {sql}"}
    )
    assert response.status_code == 401
    assert otp_token(tenant_server, "ada@example.com", sql).status_code in (400, 403)
    body = {"grant_type": "refresh_token", "client_id": NATIVE_CLIENT, "refresh_token": sql}
    assert token(tenant_server, body).status_code == 403


def test_error_descriptions_never_echo_characters_rfc_6749_forbids(tenant_server):
    # RFC 6749 5.2: error_description is printable ASCII without quote or backslash.
    for client_id in ['a"b\\c', "é", "\r\n", SCRIPT]:
        response = token(tenant_server, {"grant_type": OTP_GRANT, "client_id": client_id})
        description = response.json()["error_description"]
        assert re.fullmatch(r"[\x20\x21\x23-\x5b\x5d-\x7e]*", description), description


# ---- /authorize error descriptions ----------------------------------------------------------


@pytest.mark.parametrize("param", ["audience", "connection"])
@pytest.mark.parametrize(
    "value", ["x\r\nSet-Cookie: a=1", 'x" onload="alert(1)', "x\\y", "ünïcödé\u202e"]
)
def test_app_input_echoed_in_an_authorize_error_is_made_safe(tenant_server, param, value):
    # https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1: error_description is limited to
    # %x20-21 / %x23-5B / %x5D-7E, as the token endpoint's is.
    response = get(authorize_url(tenant_server, **{param: value}))
    assert response.status_code == 302
    description = query_of(response.headers["Location"])["error_description"]
    assert re.fullmatch(r"[\x20\x21\x23-\x5b\x5d-\x7e]+", description), description
    assert "?" in description
