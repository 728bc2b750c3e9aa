"""Embedded (cross-origin) passwordless login with auth0.js: the smallest server for its pages.

NOT the approach Auth0 recommends for single-page apps (Universal Login is): see README.md.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, send_from_directory

STATIC = Path(__file__).with_name("static")
DEFAULTS = {
    # The tenant by its other loopback name: localhost:4000 is the same site as this page
    # (localhost:3002), as a tenant on a custom domain (login.example.com beside
    # app.example.com) is on Auth0. From another site (127.0.0.1) the tenant's cookie would
    # be a third-party cookie, which current browsers block (see README.md).
    "AUTH0_DOMAIN": "http://localhost:4000",
    # The tenant's issuer stays http://127.0.0.1:4000/ (the `iss` of its ID tokens).
    "AUTH0_ISSUER": "http://127.0.0.1:4000/",
    "AUTH0_CLIENT_ID": "demo-embedded-login",
    "PORT": 3002,
}


def create_app(config: dict | None = None) -> Flask:
    """Create the example's server: its static pages and the /config.json they read.

    Args:
        config: overrides of DEFAULTS (`AUTH0_DOMAIN`, `AUTH0_ISSUER`, `AUTH0_CLIENT_ID`,
            `PORT`).
    """
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(DEFAULTS)
    app.config.update(config or {})

    @app.get("/")
    def index():
        """Serve the login page (also the callback: auth0.js comes back here)."""
        return send_from_directory(STATIC, "index.html")

    @app.get("/<path:name>")
    def static_file(name: str):
        """Serve the page's scripts and the cross-origin verification page."""
        return send_from_directory(STATIC, name)

    @app.get("/config.json")
    def config_json():
        """Tell the page where the tenant is and which client it is."""
        return jsonify(
            domain=app.config["AUTH0_DOMAIN"],
            issuer=app.config["AUTH0_ISSUER"],
            clientID=app.config["AUTH0_CLIENT_ID"],
        )

    @app.after_request
    def security_headers(response):
        """Allow scripts and calls only to this origin and the tenant."""
        tenant, issuer = app.config["AUTH0_DOMAIN"], app.config["AUTH0_ISSUER"].rstrip("/")
        # The tenant may frame the verification page (the /co/verify fallback).
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'self' {tenant}; "
            f"connect-src 'self' {tenant} {issuer}; frame-ancestors 'self' {tenant} {issuer}"
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    return app
