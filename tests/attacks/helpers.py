"""Helpers the attack modules share: a browser login through Universal Login, and quick checks."""

from __future__ import annotations

import re

import requests

from tests.constants import WEB_CALLBACK, WEB_CLIENT
from tests.mock_tenant.helpers import TIMEOUT, pkce_pair, redeem
from tests.mock_tenant.test_universal_login import authorize_url, query_of
from tests.ul_driver import CSRF, login_via_universal_login

__all__ = [
    "CSRF",
    "authorize_url",
    "browser_code",
    "get",
    "html_text",
    "pkce_pair",
    "query_of",
    "redeem",
]


def get(url: str, **kwargs) -> requests.Response:
    """GET without following redirects (an attack test looks at every `Location`)."""
    return requests.get(url, allow_redirects=False, timeout=TIMEOUT, **kwargs)


def browser_code(
    tenant_server,
    *,
    client_id: str = WEB_CLIENT,
    redirect_uri: str = WEB_CALLBACK,
    identifier: str = "ada@example.com",
    http: requests.Session | None = None,
    **params,
) -> tuple[str, str]:
    """Log in through Universal Login as a browser would; return (authorization code, verifier)."""
    verifier, challenge = pkce_pair()
    params.setdefault("code_challenge", challenge)
    url = authorize_url(tenant_server, client_id=client_id, redirect_uri=redirect_uri, **params)
    callback = login_via_universal_login(http or requests.Session(), url, identifier, tenant_server)
    assert callback.startswith(redirect_uri), callback
    return query_of(callback)["code"], verifier


def html_text(response: requests.Response) -> str:
    """Return a page's text with tags removed (what a person reads)."""
    return re.sub(r"<[^>]+>", " ", response.text)
