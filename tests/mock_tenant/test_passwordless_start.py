"""`POST /passwordless/start` sends email codes, magic links and SMS codes with Auth0's answers."""

import re
import urllib.parse

import requests

from tests.constants import NATIVE_CLIENT, WEB_CLIENT, WEB_SECRET
from tests.mock_tenant.helpers import TIMEOUT, assert_error, start

ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")


def test_email_code_is_sent_and_answered_with_auth0s_body(tenant_server):
    # Ask for a code by email, as a native app does.
    response = start(
        tenant_server,
        {
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "email": "new@example.com",
            "send": "code",
        },
    )
    # Auth0 answers with the identifier and an _id of 24 hex digits.
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"_id", "email", "email_verified"}
    assert ID_PATTERN.fullmatch(body["_id"])
    assert body["email"] == "new@example.com"
    assert body["email_verified"] is False
    # The message is in the outbox, with a 6-digit code in its text and no link.
    [message] = tenant_server.outbox("new@example.com")
    assert message["channel"] == "email"
    assert message["to"] == "new@example.com"
    assert re.fullmatch(r"[0-9]{6}", message["code"])
    assert message["code"] in message["text"]
    assert message["link"] is None
    assert message["subject"] == "Your Demo Native App verification code"
    assert set(message) == {"id", "channel", "to", "subject", "text", "code", "link", "sent_at"}


def test_email_link_carries_auth_params_client_connection_email_and_code(tenant_server):
    auth_params = {
        "scope": "openid profile",
        "state": "st-123",
        "redirect_uri": "http://127.0.0.1:5000/callback",
        "response_type": "code",
        "nonce": "n-456",
    }
    # Ask for a magic link, with the authorization parameters the link must carry.
    response = start(
        tenant_server,
        {
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "email": "linker@example.com",
            "send": "link",
            "authParams": auth_params,
        },
    )
    assert response.status_code == 200
    [message] = tenant_server.outbox("linker@example.com")
    # The link is /passwordless/verify_redirect with authParams flattened into the query.
    link = urllib.parse.urlsplit(message["link"])
    assert f"{link.scheme}://{link.netloc}{link.path}" == tenant_server.url(
        "passwordless/verify_redirect"
    )
    query = dict(urllib.parse.parse_qsl(link.query, strict_parsing=True))
    assert query == {
        **auth_params,
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "linker@example.com",
        "verification_code": message["code"],
    }
    assert re.fullmatch(r"[0-9]{6}", query["verification_code"])
    assert message["link"] in message["text"]


def test_email_without_send_gets_a_link_as_auth0_defaults(tenant_server):
    response = start(
        tenant_server, {"client_id": NATIVE_CLIENT, "connection": "email", "email": "d@example.com"}
    )
    assert response.status_code == 200
    [message] = tenant_server.outbox("d@example.com")
    assert message["link"].startswith(tenant_server.url("passwordless/verify_redirect?"))


def test_sms_code_is_sent_and_answered_with_auth0s_body(tenant_server):
    response = start(
        tenant_server,
        {
            "client_id": NATIVE_CLIENT,
            "connection": "sms",
            "phone_number": "+15555550199",
            "send": "code",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"_id", "phone_number", "phone_verified"}
    assert ID_PATTERN.fullmatch(body["_id"])
    assert body["phone_number"] == "+15555550199"
    assert body["phone_verified"] is False
    # The SMS uses the connection's template with Auth0's @@password@@ placeholder filled in.
    [message] = tenant_server.outbox("+15555550199")
    assert message["channel"] == "sms"
    assert message["subject"] is None
    assert message["text"] == f"Your Demo Native App verification code is {message['code']}"


def test_sms_without_send_means_a_code(tenant_server):
    # auth0-python's sms() never sends `send`: that must still be a code, not a link.
    response = start(
        tenant_server,
        {"client_id": NATIVE_CLIENT, "connection": "sms", "phone_number": "+15555550198"},
    )
    assert response.status_code == 200
    [message] = tenant_server.outbox("+15555550198")
    assert re.fullmatch(r"[0-9]{6}", message["code"])
    assert message["link"] is None


def test_form_encoded_start_is_accepted(tenant_server):
    response = requests.post(
        tenant_server.url("passwordless/start"),
        data={
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "email": "f@example.com",
            "send": "code",
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.json()["email"] == "f@example.com"
    assert len(tenant_server.outbox("f@example.com")) == 1


def test_json_null_fields_count_as_absent(tenant_server):
    # `send: null` is no `send` at all: an SMS code.
    response = start(
        tenant_server,
        {
            "client_id": NATIVE_CLIENT,
            "connection": "sms",
            "phone_number": "+15555550197",
            "send": None,
            "authParams": None,
        },
    )
    assert response.status_code == 200
    assert tenant_server.outbox("+15555550197")[0]["link"] is None


def test_the_email_address_is_stored_lower_case(tenant_server):
    response = start(
        tenant_server,
        {
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "email": "Mixed@Example.COM",
            "send": "code",
        },
    )
    assert response.status_code == 200
    assert response.json()["email"] == "mixed@example.com"
    assert len(tenant_server.outbox("mixed@example.com")) == 1


def test_the_id_is_stable_for_an_identifier(tenant_server):
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "same@example.com",
        "send": "code",
    }
    first = start(tenant_server, body).json()["_id"]
    # A second request after the resend cooldown names the same person.
    tenant_server.advance_clock(60)
    second = start(tenant_server, body).json()["_id"]
    other = start(tenant_server, {**body, "email": "other@example.com"}).json()["_id"]
    assert first == second
    assert other != first


def test_a_regular_web_app_sends_its_secret(tenant_server):
    response = start(
        tenant_server,
        {
            "client_id": WEB_CLIENT,
            "client_secret": WEB_SECRET,
            "connection": "email",
            "email": "web@example.com",
            "send": "code",
        },
    )
    assert response.status_code == 200
    # The message names the application that asked.
    assert tenant_server.outbox("web@example.com")[0]["subject"] == (
        "Your Demo Regular Web App verification code"
    )


def test_a_regular_web_app_without_its_secret_is_refused(tenant_server):
    body = {
        "client_id": WEB_CLIENT,
        "connection": "email",
        "email": "web@example.com",
        "send": "code",
    }
    assert_error(start(tenant_server, body), 401, "invalid_client")
    assert_error(
        start(tenant_server, {**body, "client_secret": "wrong-secret-123456"}),
        401,
        "invalid_client",
    )
    # Non-ASCII in the secret is just a wrong secret, not a crash.
    assert_error(
        start(tenant_server, {**body, "client_secret": "ｓｅｃｒｅｔ"}), 401, "invalid_client"
    )
    assert tenant_server.outbox("web@example.com") == []


def test_the_request_language_header_is_accepted(tenant_server):
    # Auth0 picks the message language from X-Request-Language; the demo has one language.
    response = start(
        tenant_server,
        {
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "email": "lang@example.com",
            "send": "code",
        },
        headers={"X-Request-Language": "fr"},
    )
    assert response.status_code == 200
