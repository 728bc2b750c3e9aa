"""A tiny Flask app that logs people in with Auth0 passwordless (Universal Login).

It knows nothing of the tenant that tests it: it reads Auth0's usual settings (AUTH0_DOMAIN,
AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, APP_SECRET_KEY) from the environment or a .env file,
and talks to whatever answers at AUTH0_DOMAIN, a real Auth0 tenant or a local one.
Run it with `flask --app app run --port 5000`.
"""

from __future__ import annotations

import os

import requests
from authlib.integrations.flask_client import OAuth, OAuthError
from dotenv import load_dotenv
from flask import Flask, redirect, render_template_string, request, session, url_for

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your App</title></head><body>
{% if error %}<p role="alert">Login failed: {{ error }}</p>{% endif %}
{% if user %}
  <h1>Hello, {{ user.get("given_name") or user.get("email") or user.get("phone_number") }}</h1>
  <p>Your user id: <code id="user-id">{{ user["sub"] }}</code></p>
  <p><a href="{{ url_for('logout') }}">Log out</a></p>
{% else %}
  <h1>Welcome</h1>
  <p><a href="{{ url_for('login') }}">Log in with email</a></p>
  <p><a href="{{ url_for('login', connection='sms') }}">Log in with SMS</a></p>
{% endif %}
</body></html>"""


def base_url(domain: str) -> str:
    """Turn AUTH0_DOMAIN into a base URL: a bare host means https, as with Auth0."""
    return domain.rstrip("/") if "://" in domain else f"https://{domain}"


def create_app(settings: dict | None = None) -> Flask:
    """Create the app from the environment (and .env), with `settings` taking precedence."""
    load_dotenv()
    settings = {
        "AUTH0_DOMAIN": os.environ.get("AUTH0_DOMAIN", ""),
        "AUTH0_CLIENT_ID": os.environ.get("AUTH0_CLIENT_ID", ""),
        "AUTH0_CLIENT_SECRET": os.environ.get("AUTH0_CLIENT_SECRET", ""),
        "APP_SECRET_KEY": os.environ.get("APP_SECRET_KEY", ""),
        **(settings or {}),
    }
    app = Flask(__name__)
    app.secret_key = settings["APP_SECRET_KEY"]
    oauth = OAuth(app)
    # Auth0's Flask quickstart: https://auth0.com/docs/quickstart/webapp/python
    auth0 = oauth.register(
        "auth0",
        client_id=settings["AUTH0_CLIENT_ID"],
        client_secret=settings["AUTH0_CLIENT_SECRET"],
        client_kwargs={"scope": "openid profile email phone", "code_challenge_method": "S256"},
        server_metadata_url=base_url(settings["AUTH0_DOMAIN"])
        + "/.well-known/openid-configuration",
    )

    @app.get("/")
    def home():
        """Greet the person logged in, or offer to log in."""
        return render_template_string(PAGE, user=session.get("user"), error=None)

    @app.get("/login")
    def login():
        """Send the browser to Universal Login, by email unless ?connection=sms."""
        connection = "sms" if request.args.get("connection") == "sms" else "email"
        return auth0.authorize_redirect(url_for("callback", _external=True), connection=connection)

    @app.get("/callback")
    def callback():
        """Exchange the code for tokens (Authlib checks state, PKCE and the ID token)."""
        try:
            token = auth0.authorize_access_token()
        except OAuthError as error:
            return render_template_string(PAGE, user=None, error=error.error), 400
        except requests.RequestException:
            # Authlib raises requests' own error for a 5xx answer or no answer at all.
            error = "the login service is unavailable; try again in a moment"
            return render_template_string(PAGE, user=None, error=error), 502
        session["user"] = token["userinfo"]
        return redirect(url_for("home"))

    @app.get("/logout")
    def logout():
        """Forget the person here; a real app also sends the browser to /v2/logout."""
        session.clear()
        return redirect(url_for("home"))

    return app
