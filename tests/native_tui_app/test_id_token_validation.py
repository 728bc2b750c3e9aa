"""ID token validation (docs/security.md rule 14): every forgery and slip is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from native_tui_app import errors
from native_tui_app.client import PasswordlessClient
from tests.constants import NATIVE_CLIENT


@pytest.fixture
def client(key_server) -> PasswordlessClient:
    """Return a client whose tenant is the key server (an issuer whose key we hold)."""
    return PasswordlessClient(key_server.base_url, client_id=NATIVE_CLIENT)


def _b64(data: dict) -> str:
    """Encode a JSON object as a JWT segment."""
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_good_token_is_accepted(client, key_server):
    claims = client.validate_id_token(key_server.sign())
    assert claims["email"] == "ada@example.com"


def test_a_token_from_the_live_tenant_is_accepted(tenant_server):
    client = PasswordlessClient(tenant_server.base_url)
    client.start("ada@example.com")
    assert client.login("ada@example.com", tenant_server.last_code("ada@example.com")).claims


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://evil.example/"}, "issuer"),
        ({"aud": "another-app"}, "audience"),
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"iat": int(time.time()) + 3600}, "iat"),
        ({"sub": None}, "sub"),
        ({"iat": None}, "iat"),
        ({"exp": None}, "exp"),
    ],
)
def test_a_token_with_a_wrong_or_missing_claim_is_refused(client, key_server, changes, reason):
    with pytest.raises(errors.InvalidToken, match="(?i)" + reason):
        client.validate_id_token(key_server.sign(**changes))


def test_the_issuer_without_its_trailing_slash_is_refused(client, key_server):
    # Auth0's issuer ends with "/"; auth0-python compares it as an exact string, and so do we.
    with pytest.raises(errors.InvalidToken, match="issuer"):
        client.validate_id_token(key_server.sign(iss=key_server.base_url))


def test_a_token_from_the_future_names_the_clocks_as_the_likely_cause(client, key_server):
    token = key_server.sign(iat=int(time.time()) + 300)
    with pytest.raises(errors.InvalidToken, match="issued in the future: this computer's clock"):
        client.validate_id_token(token)


@pytest.mark.parametrize("seconds", [45, -45])
def test_a_clock_difference_within_the_minute_of_leeway_is_forgiven(client, key_server, seconds):
    # The tenant's clock runs 45 s ahead of ours (iat in our future), or behind (exp just past).
    now = int(time.time())
    changes = {"iat": now + seconds} if seconds > 0 else {"iat": now - 600, "exp": now + seconds}
    assert client.validate_id_token(key_server.sign(**changes))


@pytest.mark.parametrize("seconds", [90, -90])
def test_a_clock_difference_beyond_the_minute_of_leeway_is_refused(client, key_server, seconds):
    now = int(time.time())
    changes = {"iat": now + seconds} if seconds > 0 else {"iat": now - 600, "exp": now + seconds}
    with pytest.raises(errors.InvalidToken, match="(?i)iat|expired"):
        client.validate_id_token(key_server.sign(**changes))


def test_a_token_issued_to_another_client_is_refused(client, key_server):
    # OIDC Core 3.1.3.7 step 5: `azp`, when present, must be our client id.
    with pytest.raises(errors.InvalidToken, match="azp"):
        client.validate_id_token(key_server.sign(azp="demo-regular-web-app"))
    assert client.validate_id_token(key_server.sign(azp=NATIVE_CLIENT))["azp"] == NATIVE_CLIENT


def test_several_audiences_need_us_as_the_authorized_party(client, key_server):
    # OIDC Core 3.1.3.7 step 4: with several audiences, `azp` must be present and be us.
    with pytest.raises(errors.InvalidToken, match="several audiences"):
        client.validate_id_token(key_server.sign(aud=[NATIVE_CLIENT, "demo-regular-web-app"]))
    token = key_server.sign(aud=[NATIVE_CLIENT, "demo-regular-web-app"], azp=NATIVE_CLIENT)
    assert client.validate_id_token(token)["azp"] == NATIVE_CLIENT


def test_a_token_signed_by_another_key_is_refused(client, key_server):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(key_server.claims(), other, algorithm="RS256", headers={"kid": "test-key"})
    with pytest.raises(errors.InvalidToken, match="Signature"):
        client.validate_id_token(forged)


def test_alg_none_is_refused(client, key_server):
    unsigned = _b64({"alg": "none", "typ": "JWT", "kid": "test-key"}) + "."
    unsigned += _b64(key_server.claims()) + "."
    with pytest.raises(errors.InvalidToken):
        client.validate_id_token(unsigned)


def test_hs256_signed_with_the_public_key_is_refused(client, key_server, rsa_key):
    # The classic confusion attack: use the RSA public key as an HMAC secret.
    public_pem = rsa_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": "test-key"})
    payload = _b64(key_server.claims())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{payload}." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    with pytest.raises(errors.InvalidToken, match="alg value is not allowed"):
        client.validate_id_token(forged)


def test_a_jku_header_is_ignored_for_key_lookup(client, key_server):
    # The token points at an attacker's key set; the client only ever uses its own JWKS URL.
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        key_server.claims(),
        other,
        algorithm="RS256",
        headers={"kid": "test-key", "jku": "https://evil.example/jwks.json"},
    )
    with pytest.raises(errors.InvalidToken):
        client.validate_id_token(forged)


def test_the_nonce_must_match_when_one_was_sent(client, key_server):
    assert client.validate_id_token(key_server.sign(nonce="n-1"), nonce="n-1")
    with pytest.raises(errors.InvalidToken, match="nonce"):
        client.validate_id_token(key_server.sign(nonce="n-2"), nonce="n-1")
    with pytest.raises(errors.InvalidToken, match="nonce"):
        client.validate_id_token(key_server.sign(), nonce="n-1")


def test_an_unknown_kid_refetches_the_keys_at_most_once_per_cooldown(client, key_server):
    client.validate_id_token(key_server.sign())
    assert key_server.jwks_fetches == 1
    # Two tokens naming a key the set does not have: no fetch storm.
    for _ in range(2):
        with pytest.raises(errors.InvalidToken, match="signing key"):
            client.validate_id_token(key_server.sign(headers={"kid": "rotated-key"}))
    assert key_server.jwks_fetches <= 2


def test_unreachable_keys_are_reported_as_an_unreachable_tenant(unreachable_url, key_server):
    client = PasswordlessClient(unreachable_url)
    with pytest.raises(errors.TenantUnreachable, match="signing keys"):
        client.validate_id_token(key_server.sign())
