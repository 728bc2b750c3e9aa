"""The web app's ID token checks (regular_web_app/id_token.py), with tokens we sign ourselves.

A tiny Flask app publishes the test key as a JWKS, so the validator fetches keys over real
HTTP exactly as it does from the tenant. Each test breaks one rule and expects a refusal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from regular_web_app.id_token import IdTokenError, IdTokenValidator
from tests.constants import WEB_CLIENT
from tests.issuers import KeyIssuer, public_jwk
from tests.servers import serve

NONCE = "n-0S6_WzA2Mj"
KID = "test-key-1"


def b64(data: bytes) -> str:
    """Encode as unpadded base64url (RFC 7515 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def tenant_key() -> rsa.RSAPrivateKey:
    """Make the key our pretend tenant signs with."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def forger_key() -> rsa.RSAPrivateKey:
    """Make a key nobody published (an attacker's)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_server(key) -> KeyIssuer:
    """Make an issuer of our own whose ID tokens are valid for the web app, unless changed."""
    return KeyIssuer(
        key,
        kid=KID,
        default_claims={
            "sub": "email|0123456789abcdef01234567",
            "aud": WEB_CLIENT,
            "nonce": NONCE,
            "name": "ada@example.com",
        },
    )


@pytest.fixture
def keys(tenant_key) -> KeyIssuer:
    """Serve the tenant key as a JWKS on a free loopback port."""
    server = key_server(tenant_key)
    with serve(server.make_app):
        yield server


@pytest.fixture
def validator(keys) -> IdTokenValidator:
    """Build the web app's validator for our pretend tenant and the demo client."""
    return IdTokenValidator(
        issuer=keys.issuer, client_id=WEB_CLIENT, jwks_uri=keys.base_url + "/.well-known/jwks.json"
    )


def test_a_valid_id_token_is_accepted(keys, validator):
    claims = validator.validate(keys.sign(), nonce=NONCE)
    assert claims["sub"] == "email|0123456789abcdef01234567"


def test_a_token_from_another_issuer_is_rejected(keys, validator):
    with pytest.raises(IdTokenError, match="(?i)issuer"):
        validator.validate(keys.sign(iss="https://evil.test/"), nonce=NONCE)


def test_the_issuer_must_match_exactly_trailing_slash_included(keys, validator):
    with pytest.raises(IdTokenError):
        validator.validate(keys.sign(iss=keys.base_url), nonce=NONCE)


def test_a_token_for_another_client_is_rejected(keys, validator):
    with pytest.raises(IdTokenError, match="(?i)audience"):
        validator.validate(keys.sign(aud="demo-single-page-app"), nonce=NONCE)


def test_several_audiences_need_us_as_the_authorized_party(keys, validator):
    # OIDC Core 3.1.3.7: with several audiences, `azp` must be our client id.
    token = keys.sign(aud=[WEB_CLIENT, "someone-else"])
    with pytest.raises(IdTokenError, match="(?i)several audiences"):
        validator.validate(token, nonce=NONCE)
    token = keys.sign(aud=[WEB_CLIENT, "someone-else"], azp=WEB_CLIENT)
    assert validator.validate(token, nonce=NONCE)["azp"] == WEB_CLIENT


def test_a_token_issued_to_another_party_is_rejected(keys, validator):
    with pytest.raises(IdTokenError, match="(?i)azp"):
        validator.validate(keys.sign(azp="demo-native-app"), nonce=NONCE)


@pytest.mark.parametrize("claim", ["sub", "exp", "iat", "iss", "aud"])
def test_a_token_missing_a_required_claim_is_rejected(keys, validator, claim):
    with pytest.raises(IdTokenError):
        validator.validate(keys.sign(**{claim: None}), nonce=NONCE)


def test_a_token_signed_by_an_unpublished_key_is_rejected(keys, validator, forger_key):
    # Same `kid` as the tenant's key, but the forger's signature.
    with pytest.raises(IdTokenError, match="(?i)signature"):
        validator.validate(keys.sign(key=forger_key), nonce=NONCE)


def test_a_token_with_a_tampered_payload_is_rejected(keys, validator):
    header, _payload, signature = keys.sign().split(".")
    payload = b64(json.dumps(keys.claims(sub="email|someone-else")).encode())
    with pytest.raises(IdTokenError):
        validator.validate(f"{header}.{payload}.{signature}", nonce=NONCE)


def test_an_unsigned_alg_none_token_is_rejected(keys, validator):
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": KID}).encode())
    payload = b64(json.dumps(keys.claims()).encode())
    with pytest.raises(IdTokenError):
        validator.validate(f"{header}.{payload}.", nonce=NONCE)


def test_hs256_signed_with_the_public_key_is_rejected(keys, validator, tenant_key):
    # The classic key-confusion attack: the public key (which anyone can fetch) used as
    # an HMAC secret. A verifier that let the token pick its algorithm would accept it.
    pem = tenant_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode())
    payload = b64(json.dumps(keys.claims()).encode())
    signature = b64(hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    with pytest.raises(IdTokenError, match="(?i)alg value is not allowed"):
        validator.validate(f"{header}.{payload}.{signature}", nonce=NONCE)


def test_an_expired_token_is_rejected(keys, validator):
    now = int(time.time())
    with pytest.raises(IdTokenError, match="(?i)expired"):
        validator.validate(keys.sign(iat=now - 7200, exp=now - 3600), nonce=NONCE)


@pytest.mark.parametrize("seconds", [45, -45])
def test_a_clock_difference_within_the_minute_of_leeway_is_forgiven(keys, validator, seconds):
    # The tenant's clock runs 45 s ahead of ours (iat in our future), or behind (exp just past).
    now = int(time.time())
    changes = {"iat": now + seconds} if seconds > 0 else {"iat": now - 600, "exp": now + seconds}
    assert validator.validate(keys.sign(**changes), nonce=NONCE)


@pytest.mark.parametrize("seconds", [90, -90])
def test_a_clock_difference_beyond_the_minute_of_leeway_is_refused(keys, validator, seconds):
    now = int(time.time())
    changes = {"iat": now + seconds} if seconds > 0 else {"iat": now - 600, "exp": now + seconds}
    with pytest.raises(IdTokenError, match="(?i)iat|expired"):
        validator.validate(keys.sign(**changes), nonce=NONCE)


def test_a_token_with_the_wrong_nonce_is_rejected(keys, validator):
    with pytest.raises(IdTokenError, match="(?i)nonce"):
        validator.validate(keys.sign(nonce="another-login"), nonce=NONCE)


def test_a_token_without_the_nonce_is_rejected_when_the_login_sent_one(keys, validator):
    with pytest.raises(IdTokenError, match="(?i)nonce"):
        validator.validate(keys.sign(nonce=None), nonce=NONCE)


def test_a_refreshed_token_needs_no_nonce(keys, validator):
    # OIDC Core 12.2: an ID token from a refresh carries no nonce.
    assert validator.validate(keys.sign(nonce=None), nonce=None)


def test_a_jku_header_does_not_choose_the_key(keys, validator, forger_key):
    # The forger publishes their own JWKS and points the token at it.
    forger = key_server(forger_key)
    with serve(forger.make_app):
        token = keys.sign(
            key=forger_key, headers={"jku": forger.base_url + "/.well-known/jwks.json"}
        )
        with pytest.raises(IdTokenError):
            validator.validate(token, nonce=NONCE)
        # The validator never even looked at the forger's key set.
        assert forger.jwks_fetches == 0


def test_an_embedded_jwk_header_does_not_choose_the_key(keys, validator, forger_key):
    token = keys.sign(key=forger_key, headers={"jwk": public_jwk(forger_key, KID)})
    with pytest.raises(IdTokenError):
        validator.validate(token, nonce=NONCE)


def test_an_x5u_header_does_not_choose_the_key(keys, validator, forger_key):
    token = keys.sign(key=forger_key, headers={"x5u": "https://evil.test/cert.pem"})
    with pytest.raises(IdTokenError):
        validator.validate(token, nonce=NONCE)


def test_an_unknown_kid_refetches_the_keys_at_most_once_per_cooldown(keys, validator):
    # The first token loads the key set.
    validator.validate(keys.sign(), nonce=NONCE)
    assert keys.jwks_fetches == 1
    # A flood of made-up kids costs the key server nothing more inside the cooldown.
    for n in range(5):
        with pytest.raises(IdTokenError, match="(?i)signing key"):
            validator.validate(keys.sign(headers={"kid": f"made-up-{n}"}), nonce=NONCE)
    assert keys.jwks_fetches == 1


def test_garbage_is_rejected(validator):
    for garbage in ["", "not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30"]:
        with pytest.raises(IdTokenError):
            validator.validate(garbage, nonce=NONCE)
