"""`python -m mock_tenant --tls`: HTTPS on localhost with a local CA kept in the data directory."""

from __future__ import annotations

import stat

import pytest
import requests

from mock_tenant.tls import tls_files
from tests.servers import TenantProcess

TIMEOUT = 10


def _discovery(server, **kwargs) -> dict:
    """Fetch the tenant's discovery document over its own scheme."""
    url = server.url(".well-known/openid-configuration")
    return requests.get(url, timeout=TIMEOUT, **kwargs).json()


def test_tls_serves_https_with_an_https_issuer_and_prints_the_ca_and_domain(tmp_path):
    process = TenantProcess(tmp_path / "tenant", tls=True)
    server = process.start()
    try:
        assert server.base_url.startswith("https://127.0.0.1:")
        discovery = _discovery(server, verify=server.ca_bundle)
        assert discovery["issuer"] == server.base_url + "/"
        assert discovery["token_endpoint"] == server.base_url + "/oauth/token"
        # Nobody else trusts the local CA: without it, the certificate is refused.
        with pytest.raises(requests.exceptions.SSLError):
            _discovery(server)
        # A person is told which file to trust and what AUTH0_DOMAIN to use.
        log = process.log()
        assert f"HTTPS with a local CA: {(tmp_path / 'tenant' / 'tls' / 'ca.pem').resolve()}" in log
        assert f"AUTH0_DOMAIN={server.base_url.removeprefix('https://')}" in log
    finally:
        process.stop()


def test_the_ca_and_certificate_are_kept_across_restarts(tmp_path):
    process = TenantProcess(tmp_path / "tenant", tls=True)
    server = process.start()
    files = tls_files(tmp_path / "tenant")
    ca_before, cert_before = files.ca.read_bytes(), files.cert.read_bytes()
    process.stop()
    server = process.start()
    try:
        assert files.ca.read_bytes() == ca_before and files.cert.read_bytes() == cert_before
        # A client that trusted the CA before the restart still trusts the tenant.
        assert _discovery(server, verify=str(files.ca))["issuer"].startswith("https://")
    finally:
        process.stop()


def test_the_private_key_is_readable_by_its_owner_only(tmp_path):
    files = tls_files(tmp_path)
    assert stat.S_IMODE(files.key.stat().st_mode) == 0o600
    # The CA's own signing key is not kept: nothing can mint more certificates from it.
    assert b"PRIVATE KEY" not in files.ca.read_bytes()


def test_gunicorn_workers_serve_https_too(tmp_path):
    process = TenantProcess(tmp_path / "tenant", workers=2, tls=True)
    server = process.start()
    try:
        assert _discovery(server, verify=server.ca_bundle)["issuer"] == server.base_url + "/"
    finally:
        process.stop()
