"""The floor: a bare Flask app doing a login's HTTP requests and RS256 signatures, nothing else."""

from __future__ import annotations

import argparse
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify
from werkzeug.serving import make_server


def create_app() -> Flask:
    """Answer the three requests of an OTP login; the token request signs two JWTs."""
    app = Flask(__name__)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @app.get("/.well-known/openid-configuration")
    def discovery():
        """Answer like a discovery document, so cold start is measured the same way."""
        return jsonify(issuer="http://floor/")

    @app.post("/passwordless/start")
    def start():
        """Answer like /passwordless/start, without storing anything."""
        return jsonify(_id="0" * 24, email="x@bench.test", email_verified=False)

    @app.get("/_dev/api/outbox")
    def outbox():
        """Answer like the outbox, with a fixed code."""
        return jsonify([{"code": "123456"}])

    @app.post("/oauth/token")
    def token():
        """Sign an access token and an ID token with RS256, as a login does."""
        now = int(time.time())
        claims = {"iss": "http://floor/", "sub": "email|0", "iat": now, "exp": now + 3600}
        return jsonify(
            access_token=jwt.encode({**claims, "aud": "api"}, key, algorithm="RS256"),
            id_token=jwt.encode({**claims, "aud": "client"}, key, algorithm="RS256"),
            token_type="Bearer",
        )

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    make_server("127.0.0.1", port, create_app(), threaded=True).serve_forever()
