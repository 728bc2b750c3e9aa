"""The native app's client against a live tenant, over real HTTP: one test per behaviour."""

from __future__ import annotations

import dataclasses

import pytest
import requests

from native_tui_app import errors
from native_tui_app.client import PasswordlessClient, base_url, connection_for, decode_for_display
from tests.constants import API_AUDIENCE
from tests.native_tui_app.helpers import inject_error


def login_by_email(client, tenant_server, email: str = "learner@example.com"):
    """Send a code to an address, read it from the outbox and log in with it."""
    client.start(email)
    return client.login(email, tenant_server.last_code(email))


# ---- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("tenant.eu.auth0.com", "https://tenant.eu.auth0.com"),
        ("tenant.eu.auth0.com/", "https://tenant.eu.auth0.com"),
        ("http://127.0.0.1:4000", "http://127.0.0.1:4000"),
        ("https://login.example.com/", "https://login.example.com"),
    ],
)
def test_a_bare_domain_means_https_and_a_full_url_is_kept(domain, expected):
    assert base_url(domain) == expected


def test_a_domain_with_another_scheme_is_refused():
    with pytest.raises(ValueError, match="http"):
        base_url("ftp://tenant.example.com")


@pytest.mark.parametrize(
    "domain",
    [
        "tenant example.com",
        "http//127.0.0.1:4000",
        "https://tenant.example.com/u/login",
        "",
        "http://",
        "https://user@tenant.example.com",
        "tenant.example.com?x=1",
    ],
)
def test_a_malformed_domain_is_refused_before_any_request(domain):
    # Issue K item 4: spaces, a path, a missing colon, an empty host never reach the network.
    with pytest.raises(ValueError, match=r"AUTH0_DOMAIN\) must be a host name"):
        base_url(domain)


def test_a_bare_host_on_a_plain_http_tenant_suggests_http(tenant_server):
    # AUTH0_DOMAIN=127.0.0.1:4100 means https (as Auth0), but the mock tenant speaks HTTP.
    bare = tenant_server.base_url.removeprefix("http://")
    client = PasswordlessClient(bare)
    with pytest.raises(errors.TenantUnreachable) as raised:
        client.start("learner@example.com")
    assert str(raised.value) == (
        f"The tenant at https://{bare} does not speak HTTPS; if it is the local mock tenant, "
        f"use AUTH0_DOMAIN=http://{bare}"
    )


def test_the_issuer_is_the_base_url_with_a_trailing_slash():
    client = PasswordlessClient("http://127.0.0.1:4000")
    assert client.issuer == "http://127.0.0.1:4000/"


@pytest.mark.parametrize(
    ("identifier", "connection"),
    [
        ("ada@example.com", "email"),
        ("+15555550100", "sms"),
        (" +1 555 555-0100 ", "sms"),
        ("15555550100", "email"),
    ],
)
def test_the_connection_follows_from_the_identifier(identifier, connection):
    assert connection_for(identifier) == connection


# ---- the passwordless grant --------------------------------------------------------------------


def test_start_sends_a_code_by_email(client, tenant_server):
    challenge = client.start("learner@example.com")
    assert (challenge.identifier, challenge.connection) == ("learner@example.com", "email")
    message = tenant_server.outbox("learner@example.com")[0]
    assert message["channel"] == "email"
    assert len(message["code"]) == 6


def test_start_sends_a_code_by_sms_to_a_phone_number_typed_with_spaces(client, tenant_server):
    challenge = client.start("+1 555 555 0100")
    assert (challenge.identifier, challenge.connection) == ("+15555550100", "sms")
    assert tenant_server.outbox("+15555550100")[0]["channel"] == "sms"


def test_login_returns_validated_tokens_for_the_api(client, tenant_server):
    tokens = login_by_email(client, tenant_server)
    assert tokens.claims["email"] == "learner@example.com"
    assert tokens.claims["iss"] == tenant_server.issuer
    assert tokens.refresh_token
    assert "read:messages" in tokens.scope.split()


def test_the_access_token_is_a_jwt_for_the_api_audience(client, tenant_server):
    tokens = login_by_email(client, tenant_server)
    header, payload = decode_for_display(tokens.access_token)
    assert header["alg"] == "RS256"
    assert API_AUDIENCE in payload["aud"]


def test_tokens_are_frozen(client, tenant_server):
    tokens = login_by_email(client, tenant_server)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tokens.access_token = "something else"
    with pytest.raises(TypeError):
        tokens.claims["email"] = "mallory@example.com"


def test_login_by_sms(client, tenant_server):
    client.start("+15555550100")
    tokens = client.login("+15555550100", tenant_server.last_code("+15555550100"))
    assert tokens.claims["phone_number"] == "+15555550100"
    assert tokens.claims["sub"].startswith("sms|")


def test_a_wrong_code_is_refused_with_auth0s_words(client):
    client.start("learner@example.com")
    with pytest.raises(errors.WrongCode, match="Wrong email or verification code"):
        client.login("learner@example.com", "000000")


def test_an_expired_code_is_refused(client, tenant_server):
    client.start("learner@example.com")
    code = tenant_server.last_code("learner@example.com")
    # The code lives 180 seconds on the tenant's clock.
    tenant_server.advance_clock(181)
    with pytest.raises(errors.CodeExpired, match="expired"):
        client.login("learner@example.com", code)


def test_three_wrong_codes_kill_the_code(client, tenant_server):
    client.start("learner@example.com")
    code = tenant_server.last_code("learner@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        with pytest.raises(errors.AuthError):
            client.login("learner@example.com", wrong)
    with pytest.raises(errors.TooManyAttempts, match="maximum number of attempts"):
        client.login("learner@example.com", code)


@pytest.mark.tenant_config(profile="hardened")
def test_a_resend_inside_the_cooldown_is_rate_limited_with_retry_after(client):
    client.start("learner@example.com")
    with pytest.raises(errors.RateLimited) as caught:
        client.start("learner@example.com")
    assert 0 < caught.value.retry_after <= 30
    assert caught.value.status == 429


@pytest.mark.tenant_config(start_rate_limit_per_hour=1)
def test_the_hourly_limit_per_ip_is_rate_limited(client):
    client.start("first@example.com")
    with pytest.raises(errors.RateLimited) as caught:
        client.start("second@example.com")
    assert caught.value.retry_after > 0


def test_a_malformed_email_is_refused_by_the_tenant(client):
    with pytest.raises(errors.InvalidIdentifier):
        client.start("not an email")


def test_a_malformed_phone_number_is_refused_by_the_tenant(client):
    with pytest.raises(errors.InvalidIdentifier, match="pattern") as raised:
        client.start("+1-555-CALL-NOW")
    assert str(raised.value).startswith("A phone number needs + and the country code")


def test_a_phone_number_without_a_country_code_says_what_it_lacks(client, tenant_server):
    # Issue K item 4: "555 555 0100" is not an email address; say what the number needs.
    with pytest.raises(errors.InvalidIdentifier) as raised:
        client.start("555 555 0100")
    assert str(raised.value) == "A phone number needs + and the country code, like +15555550100."
    assert tenant_server.outbox() == []


def test_an_unreachable_tenant_is_named_in_the_error(unreachable_url):
    client = PasswordlessClient(unreachable_url)
    with pytest.raises(errors.TenantUnreachable, match=unreachable_url):
        client.start("learner@example.com")


def test_an_html_answer_is_a_bad_response_not_a_crash(html_server):
    client = PasswordlessClient(html_server.base_url)
    with pytest.raises(errors.BadResponse, match="HTTP 502 with text/html"):
        client.start("learner@example.com")
    with pytest.raises(errors.BadResponse):
        client.login("learner@example.com", "123456")


def test_a_token_response_without_tokens_is_a_bad_response(client, monkeypatch):
    # A misconfigured proxy answers 200 with JSON that is not a token response.
    monkeypatch.setattr(client, "_post", lambda path, **kwargs: {"status": "ok"})
    with pytest.raises(errors.BadResponse, match="access_token"):
        client.login("learner@example.com", "123456")


def test_a_server_error_is_reported_with_its_status(client, tenant_server):
    inject_error(tenant_server, "/passwordless/start", 503, "temporarily_unavailable", "Busy.")
    with pytest.raises(errors.AuthError, match="HTTP 503"):
        client.start("learner@example.com")


# ---- refresh, logout, API ---------------------------------------------------------------------


def test_refresh_rotates_the_refresh_token(client, tenant_server):
    tokens = login_by_email(client, tenant_server)
    refreshed = client.refresh(tokens)
    assert refreshed.refresh_token != tokens.refresh_token
    assert refreshed.access_token != tokens.access_token
    assert refreshed.claims["sub"] == tokens.claims["sub"]


def test_a_rotated_refresh_token_is_refused_as_an_ended_session(client, tenant_server):
    tokens = login_by_email(client, tenant_server)
    client.refresh(tokens)
    with pytest.raises(errors.SessionExpired, match="refresh token"):
        client.refresh(tokens)


def test_refresh_works_from_a_saved_refresh_token_alone(client, tenant_server):
    tokens = login_by_email(client, tenant_server)
    assert client.refresh(tokens.refresh_token).claims["email"] == "learner@example.com"


def test_logout_revokes_the_refresh_token(client, tenant_server):
    tokens = login_by_email(client, tenant_server)
    client.logout(tokens)
    with pytest.raises(errors.SessionExpired):
        client.refresh(tokens)


@pytest.mark.tenant_config(profile="hardened")
def test_logout_also_kills_the_access_token_when_revocation_deletes_the_grant(
    client, tenant_server
):
    tokens = login_by_email(client, tenant_server)
    client.logout(tokens)
    userinfo = requests.get(
        tenant_server.url("userinfo"),
        headers={"Authorization": f"Bearer {tokens.access_token}"},
        timeout=10,
    )
    assert userinfo.status_code == 401


def test_call_api_sends_the_access_token_to_the_private_endpoints(api_client, tenant_server):
    tokens = login_by_email(api_client, tenant_server)
    private = api_client.call_api(tokens, "/api/private")
    scoped = api_client.call_api(tokens, "/api/private-scoped")
    assert private.status == 200 and "private endpoint" in private.body["message"]
    assert scoped.status == 200 and "read:messages" in scoped.body["message"]


def test_call_api_returns_the_apis_refusal_as_an_answer(api_client, tenant_server):
    tokens = login_by_email(api_client, tenant_server)
    forged = dataclasses.replace(tokens, access_token=tokens.access_token[:-4] + "AAAA")
    answer = api_client.call_api(forged, "/api/private")
    assert answer.status == 401


def test_an_unreachable_api_says_how_to_start_it(client, tenant_server):
    tokens = login_by_email(client, tenant_server)
    with pytest.raises(errors.ApiUnreachable, match="python -m sample_api"):
        client.call_api(tokens, "/api/private")
