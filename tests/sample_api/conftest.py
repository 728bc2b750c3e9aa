"""Fixtures for the sample API: real access tokens, the API on a live port, and a fake tenant."""

from __future__ import annotations

import itertools
from contextlib import ExitStack
from dataclasses import dataclass, field

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from sample_api import create_app
from sample_api.settings import ENV_NAMES
from tests.constants import API_AUDIENCE, NATIVE_CLIENT, OTP_GRANT
from tests.issuers import KeyIssuer
from tests.servers import LiveServer, serve

_emails = itertools.count()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Keep the developer's shell (AUTH0_DOMAIN=...) out of every test."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


class TenantLogin:
    """Log in at the live tenant with the passwordless OTP grant, as the native app does."""

    def __init__(self, tenant_server):
        self.tenant = tenant_server

    def tokens(self, scope: str = "openid read:messages", audience: str | None = API_AUDIENCE):
        """Return a token response for a fresh user: start, read the code, redeem it."""
        # A new address each time, so the tenant's resend cooldown never gets in the way.
        email = f"learner{next(_emails)}@example.com"
        started = requests.post(
            self.tenant.url("passwordless/start"),
            json={
                "client_id": NATIVE_CLIENT,
                "connection": "email",
                "email": email,
                "send": "code",
            },
            timeout=10,
        )
        started.raise_for_status()
        form = {
            "grant_type": OTP_GRANT,
            "client_id": NATIVE_CLIENT,
            "realm": "email",
            "username": email,
            "otp": self.tenant.last_code(email),
            "scope": scope,
        }
        if audience:
            form["audience"] = audience
        response = requests.post(self.tenant.url("oauth/token"), data=form, timeout=10)
        response.raise_for_status()
        return response.json()

    def access_token(self, scope: str = "openid read:messages") -> str:
        """Return just the access token for the API."""
        return self.tokens(scope)["access_token"]


@pytest.fixture
def login(tenant_server) -> TenantLogin:
    """Get real tokens from the live tenant."""
    return TenantLogin(tenant_server)


@pytest.fixture
def start_api():
    """Start sample APIs on free ports (`start_api(AUTH0_DOMAIN=..., ...)`); stop them after."""
    with ExitStack() as stack:

        def start(**config) -> LiveServer:
            """Serve one API built from `config` until the test ends."""
            return stack.enter_context(serve(lambda base_url: create_app(config)))

        yield start


@pytest.fixture
def api(start_api, tenant_server) -> LiveServer:
    """Run the sample API against the live tenant."""
    return start_api(AUTH0_DOMAIN=tenant_server.base_url)


@pytest.fixture(scope="session")
def test_key() -> rsa.RSAPrivateKey:
    """Make one RSA key for the session that no tenant knows (a forger's key)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeTenant(KeyIssuer):
    """A tenant of the tests' own: it publishes the test key, so tests can mint any token."""

    kid: str = "test-key-1"
    default_claims: dict = field(
        default_factory=lambda: {
            "sub": "email|test-user",
            "aud": API_AUDIENCE,
            "scope": "read:messages",
        }
    )

    def url(self, path: str = "/") -> str:
        """Return an absolute URL on the fake tenant."""
        return self.base_url + "/" + path.lstrip("/")

    def mint(self, headers: dict | None = None, **changes) -> str:
        """Sign an access token with the test key, as a real tenant would."""
        return self.sign(headers, **changes)


@pytest.fixture
def fake_tenant(test_key) -> FakeTenant:
    """Run a fake tenant whose JWKS holds the test key, so tests can mint any token."""
    tenant = FakeTenant(test_key)
    with serve(tenant.make_app):
        yield tenant


@pytest.fixture
def tenant_jwks(tenant_server) -> dict:
    """Fetch the live tenant's published keys."""
    return requests.get(tenant_server.url(".well-known/jwks.json"), timeout=10).json()
