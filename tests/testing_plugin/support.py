"""What the Playwright helper's tests share: the test app, its API and its /authorize URL."""

from __future__ import annotations

import urllib.parse

APP = "helper-test-app"
API = "urn:helper-test:api"


def helper_app(callback_server, grant_types: list[str]) -> dict:
    """Return the test app's client entry: a regular web app with a localhost callback."""
    return {
        "name": "Helper Test App",
        "client_id": APP,
        "client_secret": "helper-test-app-secret",
        "app_type": "regular_web",
        "token_endpoint_auth_method": "client_secret_post",
        "grant_types": grant_types,
        "callbacks": [callback_server.url("/callback")],
    }


def helper_api() -> dict:
    """Return the test API's entry, whose audience makes the tenant ask for consent."""
    return {"name": "Helper Test API", "identifier": API, "scopes": [{"value": "read:things"}]}


def authorize_url(tenant, callback_server, **extra) -> str:
    """Return an /authorize URL for the test app."""
    params = {
        "client_id": APP,
        "response_type": "code",
        "redirect_uri": callback_server.url("/callback"),
        "scope": "openid email",
        "state": "state-1",
        **extra,
    }
    return tenant.url("/authorize") + "?" + urllib.parse.urlencode(params)
