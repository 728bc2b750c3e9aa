"""Threat: an attacker who sees or steals an authorization code redeems it, or injects it.

RFC 6819 sections 4.4.1.1 (eavesdropping or leaking codes), 4.4.1.8 (code injection) and
5.2.4.4 (bind the code to the client and redirect URI); RFC 9700 sections 2.1.1 and 4.5
(authorization code injection: PKCE), 4.8 (PKCE downgrade); RFC 7636 (PKCE, S256 only);
RFC 6749 section 4.1.2 (single use; a second use revokes what the first use issued);
OWASP ASVS 5.0 V10.4. docs/security.md rules 2 and 4.
"""

import hashlib

import pytest

from tests.attacks.helpers import authorize_url, browser_code, get, pkce_pair, query_of, redeem
from tests.constants import (
    NATIVE_CALLBACK,
    NATIVE_CLIENT,
    SPA_CALLBACK,
    SPA_CLIENT,
    WEB_CALLBACK,
    WEB_CLIENT,
)
from tests.mock_tenant.helpers import assert_error, refresh, userinfo


def assert_refused(response) -> None:
    """The token endpoint said no and sent no token."""
    assert response.status_code in (400, 401, 403), response.text
    assert "access_token" not in response.json()


# ---- PKCE -------------------------------------------------------------------------------


def test_an_intercepted_code_without_the_code_verifier_is_refused(tenant_server):
    # The attacker has the code from the URL, not the verifier (kept by the app).
    code, _ = browser_code(tenant_server, client_id=NATIVE_CLIENT, redirect_uri=NATIVE_CALLBACK)
    response = redeem(
        tenant_server, code, None, client_id=NATIVE_CLIENT, redirect_uri=NATIVE_CALLBACK
    )
    assert_refused(response)


@pytest.mark.parametrize(
    "verifier",
    [
        # A fixed id: a test id must not change between runs (--deselect, --lf, xdist).
        pytest.param(pkce_pair()[0], id="another-valid-verifier"),
        "",
        "a" * 42,
        "a" * 129,
        "é" * 43,
        "a" * 42 + "\x00",
        "' OR '1'='1' -- " * 3,
    ],
)
def test_an_intercepted_code_with_a_guessed_code_verifier_is_refused(tenant_server, verifier):
    code, _ = browser_code(tenant_server, client_id=NATIVE_CLIENT, redirect_uri=NATIVE_CALLBACK)
    response = redeem(
        tenant_server, code, verifier, client_id=NATIVE_CLIENT, redirect_uri=NATIVE_CALLBACK
    )
    assert_refused(response)


def test_the_challenge_itself_sent_as_the_verifier_is_refused(tenant_server):
    # The challenge travels in the front channel; with `plain` it would be the verifier.
    verifier, challenge = pkce_pair()
    code, _ = browser_code(
        tenant_server,
        client_id=NATIVE_CLIENT,
        redirect_uri=NATIVE_CALLBACK,
        code_challenge=challenge,
    )
    response = redeem(
        tenant_server, code, challenge, client_id=NATIVE_CLIENT, redirect_uri=NATIVE_CALLBACK
    )
    assert_refused(response)


# Auth0 accepts plain (and no method means plain): the downgrade is refused when hardened.
@pytest.mark.tenant_config(profile="hardened")
@pytest.mark.parametrize("method", ["plain", "PLAIN", "s256", "S512", ""])
def test_a_pkce_downgrade_to_plain_or_an_unknown_method_is_refused_at_authorize(
    tenant_server, method
):
    verifier = pkce_pair()[0]
    response = get(
        authorize_url(
            tenant_server,
            client_id=NATIVE_CLIENT,
            redirect_uri=NATIVE_CALLBACK,
            code_challenge=verifier,
            code_challenge_method=method,
        )
    )
    assert response.status_code == 302
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


# Auth0 lets a public client leave PKCE out; the hardened profile does not.
@pytest.mark.tenant_config(profile="hardened")
@pytest.mark.parametrize(
    "client_id,redirect_uri", [(NATIVE_CLIENT, NATIVE_CALLBACK), (SPA_CLIENT, SPA_CALLBACK)]
)
def test_a_public_client_cannot_start_a_login_without_pkce(tenant_server, client_id, redirect_uri):
    response = get(
        authorize_url(
            tenant_server,
            client_id=client_id,
            redirect_uri=redirect_uri,
            code_challenge=None,
            code_challenge_method=None,
        )
    )
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


@pytest.mark.parametrize("challenge", ["short", "a" * 129, "a" * 42 + "=", "a" * 42 + "+"])
def test_a_malformed_code_challenge_is_refused(tenant_server, challenge):
    response = get(authorize_url(tenant_server, code_challenge=challenge))
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


def test_a_code_verifier_for_a_code_issued_without_a_challenge_is_refused(tenant_server):
    # A confidential client may skip PKCE, but then no verifier may be "checked" (no downgrade
    # where an attacker's verifier is silently ignored).
    code, _ = browser_code(tenant_server, code_challenge=None, code_challenge_method=None)
    assert_refused(redeem(tenant_server, code, pkce_pair()[0]))


def test_a_code_issued_with_a_challenge_needs_the_verifier_even_from_a_confidential_client(
    tenant_server,
):
    code, _ = browser_code(tenant_server)
    assert_refused(redeem(tenant_server, code, None))


# ---- code injection and binding ---------------------------------------------------------


def test_a_code_issued_to_one_client_is_refused_to_another(tenant_server):
    # docs/security.md example: code asked by client A redeemed by client B.
    code, verifier = browser_code(tenant_server)
    response = redeem(
        tenant_server, code, verifier, client_id=NATIVE_CLIENT, redirect_uri=WEB_CALLBACK
    )
    assert_refused(response)
    # And the web app's own code is still good for the web app (nothing was consumed).
    assert redeem(tenant_server, code, verifier).status_code == 200


def test_a_native_code_is_refused_to_the_spa(tenant_server):
    code, verifier = browser_code(
        tenant_server, client_id=NATIVE_CLIENT, redirect_uri=NATIVE_CALLBACK
    )
    response = redeem(
        tenant_server, code, verifier, client_id=SPA_CLIENT, redirect_uri=SPA_CALLBACK
    )
    assert_refused(response)


def test_an_attackers_own_code_injected_into_a_victims_callback_is_refused(
    auth, client, tenant_server, tenant_calls
):
    # The victim starts a login; the web app keeps the state, nonce and PKCE verifier.
    victim_state = query_of(auth.start())["state"]
    # The attacker logs in as themself and stops before their own callback.
    attacker_code, _ = browser_code(tenant_server, identifier="mallory@example.com")
    # The attacker's code is injected into the victim's callback, with the victim's state.
    response = client.get(f"/callback?code={attacker_code}&state={victim_state}")
    # The tenant refuses the code (the victim's verifier does not match the attacker's
    # challenge), so nobody is signed in as the attacker in the victim's browser.
    assert response.status_code == 400
    assert "Hello" not in client.get("/").text
    assert "mallory" not in client.get("/").text


def test_a_code_works_once_and_a_replay_revokes_what_the_first_use_issued(tenant_server):
    code, verifier = browser_code(tenant_server)
    first = redeem(tenant_server, code, verifier)
    assert first.status_code == 200
    tokens = first.json()
    assert userinfo(tenant_server, tokens["access_token"]).status_code == 200
    # docs/security.md example: the second use is 403 invalid_grant...
    assert_error(redeem(tenant_server, code, verifier), 403, "invalid_grant")
    # ...and what the first use got is revoked (RFC 6749 4.1.2).
    assert userinfo(tenant_server, tokens["access_token"]).status_code == 401
    assert (
        refresh(
            tenant_server,
            tokens["refresh_token"],
            client_id=WEB_CLIENT,
            client_secret="demo-regular-web-app-secret",
        ).status_code
        == 403
    )


def test_a_code_is_refused_once_it_has_expired(tenant_server):
    code, verifier = browser_code(tenant_server)
    tenant_server.advance_clock(61)
    assert_error(redeem(tenant_server, code, verifier), 403, "invalid_grant")


@pytest.mark.parametrize(
    "code",
    ["", "x", "' OR '1'='1", "%", "a" * 5000, "\x00", "code\r\nX: y", "ｃｏｄｅ"],
)
def test_a_made_up_code_is_refused_without_a_server_error(tenant_server, code):
    response = redeem(tenant_server, code, pkce_pair()[0])
    assert response.status_code in (400, 403)
    assert "access_token" not in response.json()


def test_codes_are_long_random_and_stored_only_as_hashes(tenant_server):
    # At least 128 random bits (RFC 6749 10.10): 32 bytes, base64url.
    codes = {browser_code(tenant_server, identifier=f"user{n}@example.com")[0] for n in range(3)}
    assert len(codes) == 3
    assert all(len(c) >= 43 for c in codes)
    stored = tenant_server.tenant.storage.query("SELECT code_hash FROM authorization_codes")
    hashes = {row["code_hash"] for row in stored}
    assert not codes & hashes
    assert {hashlib.sha256(c.encode()).hexdigest() for c in codes} <= hashes
