"""Fixtures for Classic Universal Login end to end: an HTTPS tenant whose /authorize shows a
Classic page (Lock or Custom UI), the sample API and the regular web app trusting its CA.

auth0-js and auth0-lock reach a hosted page's tenant over https only (mock_tenant/config.py:
check_classic), so the tenant runs with `tls=True`, as `make run-web TLS=1` does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import regular_web_app
import sample_api
from tests.constants import API_AUDIENCE
from tests.e2e.spa_stack import LateApp
from tests.e2e.web_stack import tenant_config_for, web_app_settings
from tests.servers import LiveServer, TenantServer, serve, serve_tenant


@dataclass
class ClassicStack:
    """The servers of a web app login through a Classic page."""

    tenant: TenantServer
    api: LiveServer
    web: LiveServer


@contextmanager
def trusting(ca_bundle: str) -> Iterator[None]:
    """Make requests (Authlib) and urllib (PyJWT's JWKS client) trust the tenant's CA."""
    saved = {k: os.environ.get(k) for k in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")}
    os.environ.update(REQUESTS_CA_BUNDLE=ca_bundle, SSL_CERT_FILE=ca_bundle)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def classic_stack(folder: Path, login_page: str) -> Iterator[ClassicStack]:
    """Run an HTTPS tenant showing `login_page` (a built-in name or a file), the API and app."""
    with ExitStack() as stack:
        web = stack.enter_context(serve(lambda url: LateApp(), host="localhost"))
        config_file = tenant_config_for(folder, [web.base_url])
        with config_file.open("a", encoding="utf-8") as file:
            file.write(
                '\n[prompts]\nuniversal_login_experience = "classic"\n'
                f'custom_login_page = "{login_page}"\n'
            )
        tenant = stack.enter_context(serve_tenant(folder / "data", config_file, tls=True))
        stack.enter_context(trusting(tenant.ca_bundle))
        api = stack.enter_context(
            serve(
                lambda url: sample_api.create_app(
                    {"AUTH0_DOMAIN": tenant.base_url, "AUTH0_AUDIENCE": API_AUDIENCE}
                )
            )
        )
        web.app.app = regular_web_app.create_app(web_app_settings(tenant, api, folder / "sessions"))
        yield ClassicStack(tenant, api, web)
