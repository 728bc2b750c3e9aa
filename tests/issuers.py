"""An issuer of the tests' own: a test RSA key, its JWKS served on loopback, tokens signed at will.

Tests of the clients' token checks (web app, sample API, terminal app) need tokens that the
real tenant would never sign: expired, for another audience, with odd headers. This issuer
publishes a key the tests hold, so each test can sign exactly the token it needs.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import jwt
from flask import Flask, Response


def public_jwk(private_key, kid: str) -> dict:
    """Describe the public half of an RSA key as a JWKS entry."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@dataclass
class KeyIssuer:
    """A JWKS endpoint for a test key that counts its fetches, and a signer of test tokens."""

    key: object
    kid: str = "test-key"
    # Claims every token gets unless a test changes them (iss, iat, exp are added).
    default_claims: dict = field(default_factory=dict)
    base_url: str = ""
    jwks_fetches: int = 0
    # Other keys to publish beside the test key, and a body to serve instead (garbage, HTML).
    extra_keys: list = field(default_factory=list)
    jwks_body: str | None = None

    @property
    def issuer(self) -> str:
        """Return the issuer its tokens name (Auth0 style, with a trailing slash)."""
        return self.base_url + "/"

    def claims(self, **changes) -> dict:
        """Return valid claims, some changed (None removes one)."""
        now = int(time.time())
        claims = {"iss": self.issuer, "iat": now, "exp": now + 3600, **self.default_claims}
        claims.update(changes)
        return {name: value for name, value in claims.items() if value is not None}

    def sign(self, headers: dict | None = None, key=None, **changes) -> str:
        """Sign a token with RS256: the test key, or another one (a forger's)."""
        return jwt.encode(
            self.claims(**changes),
            key or self.key,
            algorithm="RS256",
            headers={"kid": self.kid, **(headers or {})},
        )

    def make_app(self, base_url: str) -> Flask:
        """Build the app serving `/.well-known/jwks.json` at `base_url`."""
        self.base_url = base_url
        app = Flask("test_issuer")

        @app.get("/.well-known/jwks.json")
        def jwks():
            """Serve the published keys (or the body a test put in their place)."""
            self.jwks_fetches += 1
            if self.jwks_body is not None:
                return Response(self.jwks_body, mimetype="text/html")
            return {"keys": [public_jwk(self.key, self.kid), *self.extra_keys]}

        return app
