"""Embedded (cross-origin) login on the wire: /co/authenticate, tickets at /authorize, /co/verify.

What auth0.js `passwordlessLogin` does from an app's own page (src/web-auth/index.js and
src/web-auth/cross-origin-authentication.js in auth0/auth0.js), done here with requests.
"""

from __future__ import annotations

import urllib.parse

import pytest
import requests

from tests.constants import (
    EMBEDDED_CALLBACK,
    EMBEDDED_CLIENT,
    EMBEDDED_ORIGIN,
    OTP_GRANT,
    SPA_CLIENT,
)
from tests.mock_tenant.helpers import (
    TIMEOUT,
    assert_error,
    otp_token,
    send_email_code,
    wrong_code,
)

EMAIL = "embedded@example.com"
VERIFIER_COOKIE = "tenant_co_verifier"


def co_authenticate(server, body: dict, origin: str = EMBEDDED_ORIGIN) -> requests.Response:
    """Post to /co/authenticate from a page on `origin`, as auth0.js does."""
    return requests.post(
        server.url("co/authenticate"), json=body, headers={"Origin": origin}, timeout=TIMEOUT
    )


def passwordless_body(code: str, **extra) -> dict:
    """Return what auth0.js passwordlessLogin sends for an email code."""
    body = {
        "client_id": EMBEDDED_CLIENT,
        "username": EMAIL,
        "otp": code,
        "realm": "email",
        "credential_type": OTP_GRANT,
    }
    return {**body, **extra}


def ticket_for(server) -> tuple[dict, requests.Response]:
    """Email a code and trade it for a login ticket; return the ticket and the answer."""
    code = send_email_code(server, EMAIL, client_id=EMBEDDED_CLIENT)
    response = co_authenticate(server, passwordless_body(code))
    assert response.status_code == 200, response.text
    return response.json(), response


def authorize(
    server,
    ticket: str,
    *,
    client_id=EMBEDDED_CLIENT,
    redirect_uri=EMBEDDED_CALLBACK,
    verifier: str | None = None,
    response_type="token id_token",
) -> requests.Response:
    """Open /authorize with a login ticket (and the verifier cookie, if given), no redirects."""
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": response_type,
        "scope": "openid profile email",
        "state": "s1",
        "nonce": "n1",
        "login_ticket": ticket,
    }
    cookies = {VERIFIER_COOKIE: verifier} if verifier else {}
    return requests.get(
        server.url("authorize"),
        params=params,
        cookies=cookies,
        allow_redirects=False,
        timeout=TIMEOUT,
    )


def fragment(response: requests.Response) -> dict:
    """Return the parameters in a redirect's fragment."""
    assert response.status_code in (302, 303), response.text
    return dict(
        urllib.parse.parse_qsl(urllib.parse.urlsplit(response.headers["Location"]).fragment)
    )


def test_a_right_code_gets_a_login_ticket_a_verifier_cookie_and_cors_with_credentials(
    tenant_server,
):
    ticket, response = ticket_for(tenant_server)
    assert set(ticket) == {"login_ticket", "co_verifier", "co_id"}
    assert response.headers["Access-Control-Allow-Origin"] == EMBEDDED_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    # The verifier comes back at /authorize in a cookie the app's fetch set: SameSite=None.
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith(f"{VERIFIER_COOKIE}={ticket['co_verifier']};")
    assert "SameSite=None" in set_cookie and "Secure" in set_cookie and "HttpOnly" in set_cookie


def test_the_ticket_with_its_verifier_signs_in_and_answers_the_app(tenant_server):
    ticket, _ = ticket_for(tenant_server)
    answer = fragment(
        authorize(tenant_server, ticket["login_ticket"], verifier=ticket["co_verifier"])
    )
    assert answer["state"] == "s1"
    assert {"access_token", "id_token"} <= set(answer)


def test_a_login_ticket_is_good_once(tenant_server):
    ticket, _ = ticket_for(tenant_server)
    first = authorize(tenant_server, ticket["login_ticket"], verifier=ticket["co_verifier"])
    assert "access_token" in fragment(first)
    second = fragment(
        authorize(tenant_server, ticket["login_ticket"], verifier=ticket["co_verifier"])
    )
    assert second["error"] == "access_denied"
    assert second["error_description"] == "Invalid or expired login ticket."


def test_a_login_ticket_expires(tenant_server):
    ticket, _ = ticket_for(tenant_server)
    tenant_server.advance_clock(121)
    answer = fragment(
        authorize(tenant_server, ticket["login_ticket"], verifier=ticket["co_verifier"])
    )
    assert answer["error"] == "access_denied"


def test_a_login_ticket_is_bound_to_the_client_that_asked(tenant_server):
    ticket, _ = ticket_for(tenant_server)
    response = authorize(
        tenant_server,
        ticket["login_ticket"],
        client_id=SPA_CLIENT,
        redirect_uri="http://localhost:3001/",
        verifier=ticket["co_verifier"],
        response_type="code",
    )
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response.headers["Location"]).query))
    assert query["error"] == "access_denied"
    assert "code" not in query


def test_a_ticket_without_its_verifier_goes_to_the_fallback_page_and_signs_in_nobody(
    tenant_server,
):
    ticket, _ = ticket_for(tenant_server)
    # No cookie (a browser that blocks third-party cookies): the /co/verify page instead.
    response = authorize(tenant_server, ticket["login_ticket"])
    assert response.status_code == 302
    assert urllib.parse.urlsplit(response.headers["Location"]).path == "/co/verify"
    # A wrong verifier cookie is no better.
    response = authorize(tenant_server, ticket["login_ticket"], verifier="not-the-verifier")
    assert urllib.parse.urlsplit(response.headers["Location"]).path == "/co/verify"


def test_the_fallback_page_frames_the_apps_verification_page_and_posts_the_verifier(
    tenant_server,
):
    ticket, _ = ticket_for(tenant_server)
    redirect = authorize(tenant_server, ticket["login_ticket"])
    page = requests.get(tenant_server.url(redirect.headers["Location"]), timeout=TIMEOUT)
    assert page.status_code == 200
    # The app's cross_origin_loc in an iframe, told which origin to answer (auth0.js callback).
    origin = urllib.parse.quote(tenant_server.base_url, safe="")
    assert f'src="{EMBEDDED_ORIGIN}/cross-origin-verification.html#origin={origin}"' in page.text
    assert f'data-co-id="{ticket["co_id"]}"' in page.text
    assert f"frame-src {EMBEDDED_ORIGIN}" in page.headers["Content-Security-Policy"]
    # What the page's script posts once auth0.js answered: the /authorize query + the verifier.
    form = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect.headers["Location"]).query))
    wrong = requests.post(
        tenant_server.url("co/verify"),
        data={**form, "co_verifier": ""},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert fragment(wrong)["error_description"] == "No verifier returned from client."
    right = requests.post(
        tenant_server.url("co/verify"),
        data={**form, "co_verifier": ticket["co_verifier"]},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert "access_token" in fragment(right)


def test_a_wrong_code_is_403_access_denied(tenant_server):
    send_email_code(tenant_server, EMAIL, client_id=EMBEDDED_CLIENT)
    response = co_authenticate(tenant_server, passwordless_body("000000"))
    assert_error(response, 403, "access_denied", "Wrong email or verification code.")
    # The refusal is readable by the page, so auth0.js can show it.
    assert response.headers["Access-Control-Allow-Origin"] == EMBEDDED_ORIGIN


def test_an_origin_the_app_does_not_allow_gets_a_plain_403(tenant_server):
    code = send_email_code(tenant_server, EMAIL, client_id=EMBEDDED_CLIENT)
    response = co_authenticate(tenant_server, passwordless_body(code), origin="http://evil.test")
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "Origin http://evil.test is not allowed."
    assert "Access-Control-Allow-Origin" not in response.headers
    # The code was not spent: the right origin may still use it.
    assert co_authenticate(tenant_server, passwordless_body(code)).status_code == 200


def test_a_client_without_cross_origin_authentication_is_401_unauthorized_client(tenant_server):
    code = send_email_code(tenant_server, EMAIL, client_id=SPA_CLIENT)
    body = passwordless_body(code, client_id=SPA_CLIENT)
    response = co_authenticate(tenant_server, body, origin="http://localhost:3001")
    assert_error(response, 401, "unauthorized_client", "Cross origin login not allowed.")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"password": "x"}, "invalid_request"),
        ({"otp": None}, "invalid_request"),
        (
            {"credential_type": "http://auth0.com/oauth/grant-type/password-realm"},
            "unsupported_credential_type",
        ),
        ({"realm": "nope"}, "invalid_request"),
    ],
)
def test_a_malformed_body_is_400(tenant_server, change, error):
    body = {k: v for k, v in {**passwordless_body("123456"), **change}.items() if v is not None}
    assert_error(co_authenticate(tenant_server, body), 400, error)


def test_preflights_name_only_allowed_origins_and_allow_credentials_for_co_authenticate(
    tenant_server,
):
    def preflight(path: str, origin: str) -> requests.Response:
        """Ask the browser's CORS preflight question."""
        headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
        return requests.options(tenant_server.url(path), headers=headers, timeout=TIMEOUT)

    allowed = preflight("co/authenticate", EMBEDDED_ORIGIN)
    assert allowed.headers["Access-Control-Allow-Origin"] == EMBEDDED_ORIGIN
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Auth0-Client" in allowed.headers["Access-Control-Allow-Headers"]
    assert (
        "Access-Control-Allow-Origin"
        not in preflight("co/authenticate", "http://evil.test").headers
    )
    start = preflight("passwordless/start", EMBEDDED_ORIGIN)
    assert start.headers["Access-Control-Allow-Origin"] == EMBEDDED_ORIGIN
    assert "Access-Control-Allow-Credentials" not in start.headers


# ---- Wrong codes: /co/authenticate spends the same counters as the OTP grant ---------------
# The code is checked by core/passwordless.py: redeem whichever door it comes through, so the
# three tries per code and the identifier lockout (hardened) are one count, not one per door.

TOO_MANY_TRIES = "You've reached the maximum number of attempts. Please try to login again."


def test_wrong_codes_at_co_authenticate_and_at_the_otp_grant_spend_the_same_three_tries(
    tenant_server,
):
    code = send_email_code(tenant_server, EMAIL, client_id=EMBEDDED_CLIENT)
    # One wrong try through the OTP grant (the terminal app), two through the app's page.
    assert otp_token(tenant_server, EMAIL, wrong_code(code)).status_code == 403
    for _ in range(2):
        response = co_authenticate(tenant_server, passwordless_body(wrong_code(code)))
        assert response.status_code == 403
    # Three wrong tries in all: now even the right code is refused, in the OTP grant's words.
    response = co_authenticate(tenant_server, passwordless_body(code))
    assert_error(response, 403, "access_denied", TOO_MANY_TRIES)


@pytest.mark.tenant_config(profile="hardened", resend_cooldown=0)
def test_guessing_through_co_authenticate_locks_the_identifier_as_the_otp_grant_would(
    tenant_server,
):
    email = "embedded-lock@example.com"
    # Ten wrong codes in a row, three per code: the hardened profile's lockout threshold.
    for tries in (3, 3, 3, 1):
        code = send_email_code(tenant_server, email, client_id=EMBEDDED_CLIENT)
        for _ in range(tries):
            body = passwordless_body(wrong_code(code), username=email)
            assert co_authenticate(tenant_server, body).status_code == 403
    response = co_authenticate(tenant_server, passwordless_body(code, username=email))
    assert_error(response, 429, "too_many_attempts")
    # The lock is on the person, not on the door: the OTP grant refuses them too.
    code = send_email_code(tenant_server, email)
    assert_error(otp_token(tenant_server, email, code), 429, "too_many_attempts")
