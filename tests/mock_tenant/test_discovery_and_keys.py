"""The tenant publishes its OpenID configuration and its public signing keys as Auth0 does."""

import base64
import hashlib

import jwt
import pytest
import requests
from cryptography import x509

from tests.mock_tenant.helpers import TIMEOUT, login

PRIVATE_RSA_PARAMETERS = {"d", "p", "q", "dp", "dq", "qi", "oth"}


def _discovery(server) -> dict:
    response = requests.get(server.url(".well-known/openid-configuration"), timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def _jwks(server) -> list[dict]:
    response = requests.get(server.url(".well-known/jwks.json"), timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()["keys"]


def _b64url_int(value: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def test_discovery_names_every_endpoint_under_the_issuer(tenant_server):
    body = _discovery(tenant_server)
    issuer = tenant_server.issuer
    # The issuer keeps Auth0's trailing slash, and every endpoint hangs off it.
    assert body["issuer"] == issuer and issuer.endswith("/")
    assert body["authorization_endpoint"] == issuer + "authorize"
    assert body["token_endpoint"] == issuer + "oauth/token"
    assert body["userinfo_endpoint"] == issuer + "userinfo"
    assert body["jwks_uri"] == issuer + ".well-known/jwks.json"
    assert body["revocation_endpoint"] == issuer + "oauth/revoke"


@pytest.mark.tenant_config(profile="hardened")
def test_discovery_advertises_only_what_the_tenant_supports(tenant_server):
    body = _discovery(tenant_server)
    # Code flow only, PKCE with S256 only, RS256 only (no implicit, no plain, no HS256).
    assert body["response_types_supported"] == ["code"]
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["id_token_signing_alg_values_supported"] == ["RS256"]
    assert body["subject_types_supported"] == ["public"]
    assert {"openid", "profile", "email", "offline_access"} <= set(body["scopes_supported"])
    assert set(body["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
        "none",
    }
    assert {"sub", "iss", "aud", "email", "phone_number", "nonce"} <= set(body["claims_supported"])
    assert "http://auth0.com/oauth/grant-type/passwordless/otp" in body["grant_types_supported"]
    for field in ("response_modes_supported", "claims_supported"):
        assert body[field], field


def test_jwks_publishes_an_rsa_signing_key_without_any_private_parameter(tenant_server):
    keys = _jwks(tenant_server)
    assert keys
    for key in keys:
        # Public parameters only, never d, p, q, dp, dq or qi.
        assert not PRIVATE_RSA_PARAMETERS & set(key), key
        assert key["kty"] == "RSA" and key["use"] == "sig" and key["alg"] == "RS256"
        assert key["kid"] and key["n"] and key["e"]


def test_jwks_certificate_and_thumbprint_describe_the_same_key(tenant_server):
    for key in _jwks(tenant_server):
        # x5c is standard base64 DER; its public key must be the one given by n and e.
        der = base64.b64decode(key["x5c"][0])
        certificate = x509.load_der_x509_certificate(der)
        numbers = certificate.public_key().public_numbers()
        assert numbers.n == _b64url_int(key["n"])
        assert numbers.e == _b64url_int(key["e"])
        # x5t is the base64url SHA-1 of that DER certificate.
        thumbprint = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()  # noqa: S324
        assert key["x5t"] == thumbprint


def test_tokens_are_signed_by_a_published_key(tenant_server):
    tokens = login(tenant_server, "kid-check@example.com")
    # The ID token's header names RS256, JWT and a kid the JWKS publishes.
    header = jwt.get_unverified_header(tokens["id_token"])
    assert header["alg"] == "RS256" and header["typ"] == "JWT"
    assert header["kid"] in {key["kid"] for key in _jwks(tenant_server)}


def test_discovery_and_jwks_may_be_cached_briefly(tenant_server):
    # Clients fetch these often; a short max-age lets them cache without missing a rotation.
    for path in (".well-known/openid-configuration", ".well-known/jwks.json"):
        response = requests.get(tenant_server.url(path), timeout=TIMEOUT)
        assert response.headers["Cache-Control"] == "max-age=60"
