"""The passwordless OTP grant on `/oauth/token` issues Auth0's tokens for email and SMS users."""

import datetime
import re

import jwt
import requests

from tests.constants import API_AUDIENCE, NATIVE_CLIENT, OTP_GRANT, WEB_CLIENT, WEB_SECRET
from tests.mock_tenant.helpers import (
    TIMEOUT,
    basic_auth,
    login,
    otp_token,
    send_email_code,
    send_sms_code,
    token,
    userinfo,
    verify_jwt,
)


def test_an_email_code_buys_an_id_token_with_auth0s_claims(tenant_server):
    # Ask for a code, read it from the outbox, and exchange it.
    code = send_email_code(tenant_server, "grace.hopper@example.com")
    response = otp_token(tenant_server, "grace.hopper@example.com", code)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400
    assert body["scope"] == "openid profile email"
    assert response.headers["Cache-Control"] == "no-store"
    # The ID token verifies against the JWKS with the issuer's trailing slash.
    claims = verify_jwt(tenant_server, body["id_token"], audience=NATIVE_CLIENT)
    assert claims["iss"] == tenant_server.issuer and claims["iss"].endswith("/")
    assert re.fullmatch(r"email\|[0-9a-f]{24}", claims["sub"])
    assert claims["aud"] == NATIVE_CLIENT
    assert claims["nickname"] == "grace.hopper"
    assert claims["name"] == "grace.hopper@example.com"
    assert claims["picture"].startswith("https://s.gravatar.com/avatar/")
    assert claims["email"] == "grace.hopper@example.com"
    assert claims["email_verified"] is True
    # Times are whole seconds, with Auth0's 10-hour ID token lifetime.
    assert type(claims["iat"]) is int and type(claims["exp"]) is int
    assert claims["exp"] - claims["iat"] == 36000
    assert type(claims["auth_time"]) is int
    updated_at = datetime.datetime.fromisoformat(claims["updated_at"].replace("Z", "+00:00"))
    assert updated_at.tzinfo is not None
    # No nonce or sid: this login had neither a browser nor an /authorize request.
    assert "nonce" not in claims and "sid" not in claims


def test_an_sms_code_buys_an_id_token_with_phone_claims(tenant_server):
    code = send_sms_code(tenant_server, "+15555550142")
    response = otp_token(tenant_server, "+15555550142", code, realm="sms", scope="openid profile")
    assert response.status_code == 200, response.text
    claims = verify_jwt(tenant_server, response.json()["id_token"], audience=NATIVE_CLIENT)
    assert re.fullmatch(r"sms\|[0-9a-f]{24}", claims["sub"])
    assert claims["phone_number"] == "+15555550142"
    assert claims["phone_verified"] is True
    assert claims["name"] == "+15555550142"
    assert claims["nickname"] == "+15555550142"
    assert {"picture", "updated_at"} <= set(claims)
    assert "email" not in claims


def test_the_start_answer_id_is_the_user_id(tenant_server):
    # The _id /passwordless/start answers is the hex half of the user's sub.
    started = requests.post(
        tenant_server.url("passwordless/start"),
        json={"client_id": NATIVE_CLIENT, "connection": "sms", "phone_number": "+15555550143"},
        timeout=TIMEOUT,
    ).json()
    code = tenant_server.last_code("+15555550143")
    body = otp_token(tenant_server, "+15555550143", code, realm="sms").json()
    claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert claims["sub"] == "sms|" + started["_id"]


def test_a_form_encoded_request_is_accepted(tenant_server):
    code = send_email_code(tenant_server, "form@example.com")
    form = {
        "grant_type": OTP_GRANT,
        "client_id": NATIVE_CLIENT,
        "username": "form@example.com",
        "otp": code,
        "realm": "email",
        "scope": "openid",
    }
    response = token(tenant_server, form, form=True)
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "openid"


def test_json_null_means_absent(tenant_server):
    code = send_email_code(tenant_server, "null@example.com")
    # audience null is no audience (an opaque access token), scope null no scope (no ID token).
    response = otp_token(tenant_server, "null@example.com", code, audience=None, scope=None)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "id_token" not in body
    assert body["access_token"].count(".") != 2


def test_no_openid_scope_means_no_id_token(tenant_server):
    body = login(tenant_server, "noid@example.com", scope="profile email")
    assert "id_token" not in body
    assert body["scope"] == "profile email"


def test_unknown_scopes_are_dropped(tenant_server):
    body = login(tenant_server, "scopes@example.com", scope="openid admin read:messages")
    # read:messages belongs to the API, which was not asked for; admin exists nowhere.
    assert body["scope"] == "openid"


def test_the_access_token_without_an_audience_is_opaque_and_good_for_userinfo(tenant_server):
    body = login(tenant_server, "opaque@example.com")
    access_token = body["access_token"]
    # Not a JWT: nothing a client could decode or an API could accept.
    try:
        jwt.get_unverified_header(access_token)
        decodable = True
    except jwt.DecodeError:
        decodable = False
    assert not decodable
    assert body["expires_in"] == 86400
    assert userinfo(tenant_server, access_token).status_code == 200


def test_the_access_token_for_an_api_is_an_rs256_jwt_for_the_api_and_userinfo(tenant_server):
    body = login(
        tenant_server, "api@example.com", scope="openid read:messages", audience=API_AUDIENCE
    )
    assert body["scope"] == "openid read:messages"
    claims = verify_jwt(tenant_server, body["access_token"], audience=API_AUDIENCE)
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"
    # Auth0's two audiences: the API, and /userinfo because openid was asked for.
    assert claims["aud"] == [API_AUDIENCE, tenant_server.issuer + "userinfo"]
    assert claims["azp"] == NATIVE_CLIENT
    assert claims["scope"] == "openid read:messages"
    assert claims["exp"] - claims["iat"] == 86400 == body["expires_in"]
    assert re.fullmatch(r"email\|[0-9a-f]{24}", claims["sub"])
    # That JWT is also accepted at /userinfo.
    assert userinfo(tenant_server, body["access_token"]).status_code == 200


def test_the_access_token_for_an_api_without_openid_names_only_the_api(tenant_server):
    body = login(tenant_server, "apionly@example.com", scope="read:messages", audience=API_AUDIENCE)
    claims = verify_jwt(tenant_server, body["access_token"], audience=API_AUDIENCE)
    assert claims["aud"] == API_AUDIENCE
    assert "id_token" not in body


def test_a_refresh_token_comes_only_with_offline_access(tenant_server):
    without = login(tenant_server, "offline1@example.com", scope="openid")
    assert "refresh_token" not in without
    with_offline = login(tenant_server, "offline2@example.com", scope="openid offline_access")
    assert with_offline["refresh_token"]
    assert with_offline["scope"] == "openid offline_access"


def test_a_new_identifier_becomes_a_user_at_its_first_successful_code(tenant_server):
    users = requests.get(tenant_server.url("_dev/api/users"), timeout=TIMEOUT).json()
    assert "first@example.com" not in {u["identifier"] for u in users}
    # Asking for a code does not create the user...
    code = send_email_code(tenant_server, "first@example.com")
    users = requests.get(tenant_server.url("_dev/api/users"), timeout=TIMEOUT).json()
    assert "first@example.com" not in {u["identifier"] for u in users}
    # ...the first successful code does.
    assert otp_token(tenant_server, "first@example.com", code).status_code == 200
    users = requests.get(tenant_server.url("_dev/api/users"), timeout=TIMEOUT).json()
    assert "first@example.com" in {u["identifier"] for u in users}


def test_a_seeded_users_claims_appear_in_the_id_token(tenant_server):
    body = login(tenant_server, "ada@example.com")
    claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert claims["given_name"] == "Ada"
    assert claims["family_name"] == "Lovelace"


def test_the_username_is_matched_case_insensitively_for_email(tenant_server):
    code = send_email_code(tenant_server, "case@example.com")
    response = otp_token(tenant_server, "CASE@Example.com", code)
    assert response.status_code == 200, response.text


def test_a_regular_web_app_sends_its_secret_in_the_body_or_by_basic(tenant_server):
    # In the body, as auth0-python does.
    code = send_email_code(
        tenant_server, "webbody@example.com", client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    response = otp_token(
        tenant_server, "webbody@example.com", code, client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    assert response.status_code == 200, response.text
    verify_jwt(tenant_server, response.json()["id_token"], audience=WEB_CLIENT)
    # By HTTP Basic, as Authlib does by default.
    code = send_email_code(
        tenant_server, "webbasic@example.com", client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    body = {"grant_type": OTP_GRANT, "username": "webbasic@example.com", "otp": code}
    response = token(
        tenant_server,
        {**body, "realm": "email", "scope": "openid"},
        headers=basic_auth(WEB_CLIENT, WEB_SECRET),
    )
    assert response.status_code == 200, response.text
