"""Helpers for the sample API tests: calling the API, and forging tokens the way attackers do."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import jwt
import requests
from cryptography.hazmat.primitives import serialization

from tests.issuers import public_jwk  # noqa: F401 (re-exported for the API tests)
from tests.servers import LiveServer


def call(server: LiveServer, path: str, token: str | None = None, **headers) -> requests.Response:
    """GET an API path, with the token as a bearer token when there is one."""
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(server.url(path), headers=headers, timeout=10)


def public_pem(jwk: dict) -> bytes:
    """Return the PEM of a published RSA key: public, so any attacker has it."""
    key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _b64(data: bytes) -> str:
    """Encode as unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(header: dict, claims: dict) -> str:
    """Encode a JWT's header and payload segments."""
    return _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())


def unsigned(claims: dict, kid: str) -> str:
    """Build an `alg: none` token: no signature at all (RFC 7519 section 6)."""
    return _segments({"alg": "none", "typ": "JWT", "kid": kid}, claims) + "."


def hs256_with_secret(claims: dict, kid: str, secret: bytes) -> str:
    """Sign with HS256 and a chosen secret, by hand (PyJWT refuses a PEM as HMAC secret)."""
    signing_input = _segments({"alg": "HS256", "typ": "JWT", "kid": kid}, claims)
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)
