"""The plugin serves a tenant over HTTPS with a local CA, and its handle trusts that CA."""

import ssl
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import requests
from auth0.management import ManagementClient

from mock_tenant.config import ConfigError
from mock_tenant.testing import run_tenant, tenant_config

CLASSIC = {"universal_login_experience": "classic", "custom_login_page": "custom-ui"}


def test_a_tls_tenant_gives_an_https_issuer_a_bare_domain_and_its_ca(tmp_path):
    with run_tenant(tenant_config(tls=True), tmp_path) as tenant:
        assert tenant.issuer.startswith("https://127.0.0.1:")
        # What an Auth0 SDK takes as AUTH0_DOMAIN: a bare host, meaning https.
        assert tenant.domain == tenant.host
        assert Path(tenant.ca_bundle).is_file()
        assert tenant.verify == tenant.ca_bundle
        discovery = requests.get(
            tenant.url("/.well-known/openid-configuration"), verify=tenant.verify, timeout=10
        ).json()
        assert discovery["issuer"] == tenant.issuer
        # The handle's own calls (the dev API) trust the CA without any setting.
        assert tenant.messages() == []
        assert tenant.experience == "new"


def test_without_the_ca_a_client_refuses_the_tenants_certificate(tmp_path):
    with run_tenant(tenant_config(tls=True), tmp_path) as tenant:
        untrusting = replace(tenant, ca_bundle=None)
        with pytest.raises(urllib.error.URLError) as refused:
            untrusting.messages()
        assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)


def test_a_plain_tenant_keeps_http_and_the_base_url_as_its_domain(tmp_path):
    with run_tenant(tenant_config(), tmp_path) as tenant:
        assert tenant.base_url.startswith("http://")
        assert tenant.domain == tenant.base_url
        assert tenant.ca_bundle is None
        assert tenant.verify is True


def test_the_classic_experience_turns_tls_on_by_itself(tmp_path):
    with run_tenant(tenant_config(prompts=CLASSIC), tmp_path) as tenant:
        assert tenant.base_url.startswith("https://")
        assert tenant.experience == "classic-custom-ui"
        script = requests.get(
            tenant.url("/static/vendor/auth0.min.js"), verify=tenant.verify, timeout=10
        )
        assert script.status_code == 200


def test_the_classic_experience_refuses_plain_http_naming_tls(tmp_path):
    with pytest.raises(ConfigError, match="needs HTTPS"):
        with run_tenant(tenant_config(prompts=CLASSIC, tls=False), tmp_path):
            pass


def test_a_classic_template_of_your_own_leaves_the_experience_to_the_page(tmp_path):
    own = tmp_path / "my-login.html"
    own.write_text("<html><body><script>var c = '@@config@@';</script></body></html>")
    prompts = {**CLASSIC, "custom_login_page": str(own)}
    with run_tenant(tenant_config(prompts=prompts), tmp_path / "data") as tenant:
        assert tenant.experience is None


@pytest.mark.passwordless_tenant(tls=True)
def test_the_marker_takes_tls(passwordless_tenant):
    assert passwordless_tenant.issuer.startswith("https://")
    assert passwordless_tenant.users() == []


BACK_OFFICE = {
    "name": "Back Office",
    "client_id": "back-office",
    "client_secret": "back-office-secret-for-tests",
    "app_type": "non_interactive",
    "token_endpoint_auth_method": "client_secret_post",
    "grant_types": ["client_credentials"],
}
BACK_OFFICE_GRANT = {
    "client_id": "back-office",
    "audience": "https://{domain}/api/v2/",
    "scope": ["read:users", "create:users"],
}


@pytest.mark.passwordless_tenant(tls=True, clients=[BACK_OFFICE], client_grants=[BACK_OFFICE_GRANT])
def test_auth0_pythons_management_client_takes_the_tls_tenants_domain_unchanged(
    passwordless_tenant, monkeypatch
):
    # auth0-python calls https://{domain} with httpx, which reads SSL_CERT_FILE.
    monkeypatch.setenv("SSL_CERT_FILE", passwordless_tenant.ca_bundle)
    # Closed after the test: the SDK's own client never is, and the tenant keeps connections
    # open, so its sockets would be found unclosed (an error here) in a later test.
    with httpx.Client(timeout=60) as http:
        management = ManagementClient(
            domain=passwordless_tenant.domain,
            client_id=BACK_OFFICE["client_id"],
            client_secret=BACK_OFFICE["client_secret"],
            httpx_client=http,
        )
        management.users.create(connection="email", email="grace@example.com")
        found = management.users.list_users_by_email(email="grace@example.com")
    assert [user.email for user in found] == ["grace@example.com"]
