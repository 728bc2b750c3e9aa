"""Fixtures for Classic Universal Login end to end: an HTTPS tenant whose /authorize shows a
Classic page (Lock or Custom UI), the sample API, the regular web app trusting its CA, and
the single-page app (auth0-spa-js in Chromium, which accepts the certificate).

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
import single_page_app
from tests.constants import API_AUDIENCE, SPA_CLIENT
from tests.e2e import spa_stack
from tests.e2e.spa_stack import LateApp, install_sdk
from tests.e2e.web_stack import tenant_config_for, web_app_settings
from tests.servers import (
    LiveServer,
    TenantServer,
    replace_once,
    serve,
    serve_sample_api,
    serve_tenant,
)


@dataclass
class ClassicStack:
    """The servers of a web app login through a Classic page."""

    tenant: TenantServer
    api: LiveServer
    web: LiveServer
    spa: LiveServer


def classic(text: str, login_page: str) -> str:
    """Return a tenant file's text with the Classic experience showing `login_page`."""
    replaced = replace_once(
        text,
        {
            'universal_login_experience = "new"': 'universal_login_experience = "classic"',
            'custom_login_page = "lock-passwordless"': f'custom_login_page = "{login_page}"',
        },
    )
    assert 'universal_login_experience = "classic"' in replaced, "tenant.toml has no [prompts]"
    return replaced


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
    install_sdk()
    with ExitStack() as stack:
        # 1. Bind the app servers first: the tenant must register their origins.
        web = stack.enter_context(serve(lambda url: LateApp(), host="localhost"))
        spa = stack.enter_context(serve(lambda url: LateApp(), host="localhost"))
        # 2. A tenant file registering both, with the Classic experience switched on.
        config_file = tenant_config_for(folder, [web.base_url])
        text = replace_once(
            config_file.read_text(encoding="utf-8"), spa_stack.registrations([spa.base_url])
        )
        config_file.write_text(classic(text, login_page), encoding="utf-8")
        tenant = stack.enter_context(serve_tenant(folder / "data", config_file, tls=True))
        stack.enter_context(trusting(tenant.ca_bundle))
        api = stack.enter_context(serve_sample_api(tenant, [spa.base_url]))
        web.app.app = regular_web_app.create_app(web_app_settings(tenant, api, folder / "sessions"))
        spa.app.app = single_page_app.create_app(
            {
                "AUTH0_DOMAIN": tenant.base_url,
                "AUTH0_CLIENT_ID": SPA_CLIENT,
                "AUTH0_AUDIENCE": API_AUDIENCE,
                "API_URL": api.base_url,
            }
        )
        yield ClassicStack(tenant, api, web, spa)
