"""The dev API and outbox: reset, clock, users, key rotation, injected errors, outbox page."""

import re
import sqlite3
import time

import jwt
import pytest
import requests

from mock_tenant import create_app, load_config
from mock_tenant.config import DEFAULT_CONFIG_FILE
from mock_tenant.core.storage import AGED_COLUMNS, SCHEMA
from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import (
    TIMEOUT,
    assert_error,
    login,
    otp_token,
    refresh,
    send_email_code,
    send_sms_code,
    start,
    verify_jwt,
)
from tests.servers import serve


def _api(server, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, server.url("_dev/api/" + path), timeout=TIMEOUT, **kwargs)


def _kids(server) -> list[str]:
    keys = requests.get(server.url(".well-known/jwks.json"), timeout=TIMEOUT).json()["keys"]
    return [key["kid"] for key in keys]


def test_reset_forgets_users_codes_tokens_and_messages_but_keeps_keys(tenant_server):
    kids = _kids(tenant_server)
    tokens = login(tenant_server, "temp@example.com", scope="openid offline_access")
    send_email_code(tenant_server, "pending@example.com")
    tenant_server.advance_clock(1000)
    # Reset.
    assert _api(tenant_server, "POST", "reset", json={}).json() == {"reset": True}
    # Messages and made users are gone; the seeded users are back.
    assert tenant_server.outbox() == []
    identifiers = {u["identifier"] for u in _api(tenant_server, "GET", "users").json()}
    assert identifiers == {"ada@example.com", "+15555550100"}
    # Tokens and codes from before are dead, the clock is real time again, the keys remain.
    assert refresh(tenant_server, tokens["refresh_token"]).status_code == 403
    assert otp_token(tenant_server, "pending@example.com", "000000").status_code == 403
    clock = _api(tenant_server, "GET", "clock").json()
    assert clock["offset"] == 0 and clock["aged"] == 0 and clock["frozen"] is False
    assert abs(clock["now"] - time.time()) < 5
    assert _kids(tenant_server) == kids


def test_the_clock_ages_stored_state_and_freezes(tenant_server):
    # Advance an hour: stored state ages, tenant time stays real time.
    advanced = _api(tenant_server, "POST", "clock", json={"advance": 3600}).json()
    assert advanced["aged"] == 3600 and advanced["offset"] == 0
    assert abs(advanced["now"] - time.time()) < 5
    # Freeze: time stands still; advancing ages state and leaves the stopped time alone.
    frozen = _api(tenant_server, "POST", "clock", json={"freeze": True}).json()
    assert frozen["frozen"] is True
    moved = _api(tenant_server, "POST", "clock", json={"advance": 10}).json()
    assert moved["now"] == frozen["now"] and moved["aged"] == 3610
    assert _api(tenant_server, "GET", "clock").json()["now"] == frozen["now"]
    # Unfreeze: back on real time.
    running = _api(tenant_server, "POST", "clock", json={"freeze": False}).json()
    assert running["frozen"] is False and running["offset"] == 0
    assert abs(running["now"] - time.time()) < 5


def test_after_the_clock_advances_old_codes_are_expired_and_new_tokens_carry_real_time(
    tenant_server,
):
    # Chapter 3's lesson: a code from before the advance has outlived its three minutes.
    old_code = send_email_code(tenant_server, "aged@example.com")
    tenant_server.advance_clock(181)
    expired = otp_token(tenant_server, "aged@example.com", old_code)
    assert_error(
        expired,
        403,
        "invalid_grant",
        "The verification code has expired. Please try to login again.",
    )
    # A login afterwards gets an ID token PyJWT accepts now, with no leeway at all: the
    # advance aged the stored state and left the time stamped into tokens alone.
    tokens = login(tenant_server, "aged@example.com")
    claims = verify_jwt(tenant_server, tokens["id_token"], NATIVE_CLIENT)
    assert abs(claims["iat"] - time.time()) < 5
    # So does a login after a whole day has passed, with SSO sessions and codes long gone.
    tenant_server.advance_clock(86400)
    claims = verify_jwt(
        tenant_server, login(tenant_server, "aged@example.com")["id_token"], NATIVE_CLIENT
    )
    assert abs(claims["iat"] - time.time()) < 5


# Stored times the clock leaves alone on purpose: records of when something happened.
NOT_AGED = {("outbox", "sent_at"), ("inspector_logins", "started_at")}
NOT_AGED |= {("inspector_logins", "updated_at"), ("inspector_events", "at")}


def test_every_stored_time_is_aged_by_the_clock_or_left_alone_on_purpose():
    # A table added later with an expiry the clock does not age would make "advance" lie.
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    times = {
        (table, column[1])
        for table in tables
        for column in db.execute(f"PRAGMA table_info({table})")
        if re.fullmatch(r".*_at|.*_until|.*_start|auth_time|at", column[1])
    }
    aged = {(table, column) for table, columns in AGED_COLUMNS.items() for column in columns}
    assert times - NOT_AGED == aged


@pytest.mark.parametrize(
    "body",
    [{"advance": "10"}, {"advance": 1.5}, {"advance": True}, {"advance": -10}, {"freeze": "yes"}],
)
def test_the_clock_refuses_bad_values(tenant_server, body):
    assert_error(_api(tenant_server, "POST", "clock", json=body), 400, "invalid_request")


def test_the_clock_governs_tokens(tenant_server):
    # Tokens minted at a moved clock carry the moved time.
    now = _api(tenant_server, "POST", "clock", json={"freeze": True}).json()["now"]
    tokens = login(tenant_server, "clocked@example.com")
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert claims["iat"] == now


def test_users_are_listed_created_given_claims_and_deleted(tenant_server):
    # The seeded users are there, with their claims.
    users = _api(tenant_server, "GET", "users").json()
    ada = next(u for u in users if u["identifier"] == "ada@example.com")
    assert ada["claims"] == {"given_name": "Ada", "family_name": "Lovelace"}
    assert re.fullmatch(r"email\|[0-9a-f]{24}", ada["user_id"])
    # Create an email user with claims, and an SMS user.
    created = _api(
        tenant_server,
        "POST",
        "users",
        json={"email": "Made@Example.com", "claims": {"given_name": "Made"}},
    )
    assert created.status_code == 201
    made = created.json()
    assert made["identifier"] == "made@example.com"
    assert made["connection"] == "email"
    phone = _api(tenant_server, "POST", "users", json={"phone_number": "+15555550170"}).json()
    assert re.fullmatch(r"sms\|[0-9a-f]{24}", phone["user_id"])
    # Set more claims: they merge, and reach the ID token.
    patched = _api(
        tenant_server, "PATCH", f"users/{made['user_id']}", json={"claims": {"family_name": "Up"}}
    )
    assert patched.status_code == 200
    assert patched.json()["claims"] == {"given_name": "Made", "family_name": "Up"}
    claims = jwt.decode(
        login(tenant_server, "made@example.com")["id_token"], options={"verify_signature": False}
    )
    assert claims["sub"] == made["user_id"]
    assert (claims["given_name"], claims["family_name"]) == ("Made", "Up")
    # Delete: gone from the list, and a second delete is 404.
    assert _api(tenant_server, "DELETE", f"users/{made['user_id']}").status_code == 204
    identifiers = {u["identifier"] for u in _api(tenant_server, "GET", "users").json()}
    assert "made@example.com" not in identifiers
    assert_error(_api(tenant_server, "DELETE", f"users/{made['user_id']}"), 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "not-an-email"},
        {"email": "", "claims": {"": None}},
        {"phone_number": "555"},
        {"email": "ok@example.com", "claims": {"sub": "email|000000000000000000000000"}},
        {"email": "ok@example.com", "claims": {"email_verified": False}},
        {"email": "ok@example.com", "claims": {"nested": {"a": 1}}},
        {"email": "ok@example.com", "claims": ["given_name"]},
    ],
)
def test_bad_user_requests_are_400(tenant_server, body):
    assert_error(_api(tenant_server, "POST", "users", json=body), 400, "invalid_request")


def test_patching_an_unknown_user_is_404(tenant_server):
    response = _api(tenant_server, "PATCH", "users/email|nobody", json={"claims": {"a": "b"}})
    assert_error(response, 404, "not_found")


def test_key_rotation_signs_with_the_published_next_key_and_keeps_the_old_one(tenant_from_config):
    # A tenant of its own, so the rotation does not touch the shared one.
    server = tenant_from_config()
    before = login(server, "rotate@example.com")
    old_kid = jwt.get_unverified_header(before["id_token"])["kid"]
    # Two keys are published from the start: the current one and the next one.
    published = _kids(server)
    assert len(published) == 2 and old_kid in published
    [next_kid] = [kid for kid in published if kid != old_kid]
    # Rotate: the next key, which clients already have, becomes the signing key.
    response = _api(server, "POST", "keys/rotate", json={})
    assert response.status_code == 200
    assert response.json()["kid"] == next_kid
    # The old key stays published, and a new next key appears.
    after_rotation = _kids(server)
    assert len(after_rotation) == 3 and {old_kid, next_kid} <= set(after_rotation)
    # New tokens are signed with the new key; old ones still verify.
    after = login(server, "rotated@example.com")
    assert jwt.get_unverified_header(after["id_token"])["kid"] == next_kid
    verify_jwt(server, before["id_token"], audience=NATIVE_CLIENT)
    verify_jwt(server, after["id_token"], audience=NATIVE_CLIENT)
    # Once every token the old key signed has expired (a day at most), it is withdrawn.
    server.advance_clock(86400)
    assert old_kid not in _kids(server) and next_kid in _kids(server)


def test_an_injected_error_answers_the_next_request_only(tenant_server):
    response = _api(
        tenant_server,
        "POST",
        "errors",
        json={
            "endpoint": "/passwordless/start",
            "status": 503,
            "error": "temporarily_unavailable",
            "error_description": "Injected outage.",
        },
    )
    assert response.status_code == 201
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "inj@example.com",
        "send": "code",
    }
    # The next request gets the injected error, and nothing is sent...
    assert_error(start(tenant_server, body), 503, "temporarily_unavailable", "Injected outage.")
    assert tenant_server.outbox("inj@example.com") == []
    # ...the one after works.
    assert start(tenant_server, body).status_code == 200


def test_an_injected_error_affects_only_its_endpoint(tenant_server):
    _api(
        tenant_server, "POST", "errors", json={"endpoint": "/.well-known/jwks.json", "status": 500}
    )
    # Discovery is untouched; the JWKS fails once, then recovers.
    discovery = requests.get(tenant_server.url(".well-known/openid-configuration"), timeout=TIMEOUT)
    assert discovery.status_code == 200
    assert_error(
        requests.get(tenant_server.url(".well-known/jwks.json"), timeout=TIMEOUT),
        500,
        "server_error",
    )
    assert (
        requests.get(tenant_server.url(".well-known/jwks.json"), timeout=TIMEOUT).status_code == 200
    )


@pytest.mark.parametrize(
    "body",
    [{"endpoint": "/_dev/api/reset"}, {"endpoint": "/oauth/token", "status": 200}, {"status": 500}],
)
def test_bad_error_injections_are_400(tenant_server, body):
    assert_error(_api(tenant_server, "POST", "errors", json=body), 400, "invalid_request")


def test_the_outbox_lists_newest_first_filters_by_recipient_and_clears(tenant_server):
    send_email_code(tenant_server, "one@example.com")
    send_sms_code(tenant_server, "+15555550180")
    send_email_code(tenant_server, "two@example.com")
    # Newest first.
    assert [m["to"] for m in tenant_server.outbox()] == [
        "two@example.com",
        "+15555550180",
        "one@example.com",
    ]
    # Filtered by recipient.
    assert [m["to"] for m in tenant_server.outbox("+15555550180")] == ["+15555550180"]
    # Delete one recipient's messages, then all.
    deleted = _api(tenant_server, "DELETE", "outbox", params={"to": "one@example.com"}).json()
    assert deleted == {"deleted": 1}
    assert [m["to"] for m in tenant_server.outbox()] == ["two@example.com", "+15555550180"]
    assert _api(tenant_server, "DELETE", "outbox").json() == {"deleted": 2}
    assert tenant_server.outbox() == []


def test_the_outbox_page_shows_codes_and_links(tenant_server):
    code = send_email_code(tenant_server, "page@example.com")
    start(
        tenant_server,
        {
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "email": "link@example.com",
            "send": "link",
        },
    )
    [message] = tenant_server.outbox("link@example.com")
    response = requests.get(tenant_server.url("_dev/outbox"), timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    # The tenant's page headers (security-bar rule 7).
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The code and the magic link, the link's & escaped in its href.
    assert f'aria-label="one-time code">{code}</output>' in response.text
    assert 'href="' + message["link"].replace("&", "&amp;") + '"' in response.text


def test_the_outbox_page_escapes_html_in_messages(tenant_from_config):
    # A connection template written carelessly, with markup in it.
    server = tenant_from_config(
        (
            'name = "sms"',
            next(
                line
                for line in DEFAULT_CONFIG_FILE.read_text(encoding="utf-8").splitlines()
                if line.startswith("template = ") and "@@password@@" in line
            ),
            "template = \"<script>alert('x')</script> <b>@@password@@</b> & more\"",
        )
    )
    code = send_sms_code(server, "+15555550190")
    page = requests.get(server.url("_dev/outbox"), timeout=TIMEOUT).text
    # The message text is shown as text: no live script or bold tag from the template.
    assert "<script>alert" not in page
    assert f"&lt;b&gt;{code}&lt;/b&gt; &amp; more" in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_the_outbox_page_is_empty_after_a_reset(tenant_server):
    page = requests.get(tenant_server.url("_dev/outbox"), timeout=TIMEOUT).text
    assert re.search(r'<p class="empty" role="status" data-empty >No messages yet', page)
    assert 'class="message"' not in page


def test_the_outbox_page_updates_by_script_not_by_reloading(tenant_server):
    page = requests.get(tenant_server.url("_dev/outbox"), timeout=TIMEOUT).text
    # A meta refresh reloaded the page every 3 s, dropping the reader's selection.
    assert 'http-equiv="refresh"' not in page
    assert '<script type="module" src="/static/outbox.js">' in page
    assert '<script type="module" src="/static/dev.js">' in page


def test_a_raw_plus_in_to_is_read_as_the_phone_numbers_plus(tenant_server):
    send_sms_code(tenant_server, "+15555550171")
    send_email_code(tenant_server, "other@example.com")
    # As the README writes the number: the + unencoded, which a query string reads as a space.
    raw = tenant_server.url("_dev/api/outbox?to=+15555550171")
    assert [m["to"] for m in requests.get(raw, timeout=TIMEOUT).json()] == ["+15555550171"]
    page = requests.get(tenant_server.url("_dev/outbox?to=+15555550171"), timeout=TIMEOUT).text
    assert page.count('class="message"') == 1
    assert "to <strong>+15555550171</strong>" in page
    assert requests.delete(raw, timeout=TIMEOUT).json() == {"deleted": 1}
    assert [m["to"] for m in tenant_server.outbox()] == ["other@example.com"]


def test_a_leading_space_is_read_as_a_plus_only_before_digits(tenant_server):
    send_email_code(tenant_server, "spaced@example.com")
    answer = _api(tenant_server, "GET", "outbox", params={"to": " spaced@example.com"})
    assert answer.json() == []


def test_the_dev_pages_show_a_banner_while_state_is_aged_or_the_clock_stopped(tenant_server):
    for path in ("_dev/outbox", "_dev/inspector"):
        page = requests.get(tenant_server.url(path), timeout=TIMEOUT).text
        assert '<div class="clock-banner" data-clock-banner hidden>' in page
    tenant_server.advance_clock(3600)
    for path in ("_dev/outbox", "_dev/inspector"):
        page = requests.get(tenant_server.url(path), timeout=TIMEOUT).text
        assert '<div class="clock-banner" data-clock-banner >' in page
        assert "Stored codes, sessions, tokens and throttles were aged 3600 s" in page
    _api(tenant_server, "POST", "clock", json={"freeze": True})
    page = requests.get(tenant_server.url("_dev/outbox"), timeout=TIMEOUT).text
    assert re.search(r"The tenant clock is stopped, [01] s behind real time", page)


@pytest.mark.tenant_config(dev_api=False)
def test_the_dev_api_can_be_switched_off(tenant_server):
    for method, path in (
        ("GET", "_dev/outbox"),
        ("GET", "_dev/api/outbox"),
        ("POST", "_dev/api/reset"),
    ):
        response = requests.request(method, tenant_server.url(path), timeout=TIMEOUT)
        assert_error(response, 404, "not_found")
    # The API itself still works.
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "off@example.com",
        "send": "code",
    }
    assert start(tenant_server, body).status_code == 200


def test_a_dev_token_guards_the_dev_api(tmp_path):
    # A tenant bound off loopback prints a token; the dev API then asks for it.
    def make_app(base_url):
        config = load_config(issuer=base_url + "/", data_dir=tmp_path, dev_token="dev-token-123")
        return create_app(config)

    with serve(make_app) as server:
        response = requests.get(server.url("_dev/api/outbox"), timeout=TIMEOUT)
        assert_error(response, 401, "unauthorized")
        response = requests.get(
            server.url("_dev/api/outbox"),
            headers={"Authorization": "Bearer wrong-token"},
            timeout=TIMEOUT,
        )
        assert_error(response, 401, "unauthorized")
        response = requests.get(
            server.url("_dev/api/outbox"),
            headers={"Authorization": "Bearer dev-token-123"},
            timeout=TIMEOUT,
        )
        assert response.status_code == 200
        assert response.json() == []
