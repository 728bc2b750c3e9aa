"""The tenant starts and publishes its discovery document."""

import requests


def test_discovery_names_the_issuer_with_a_trailing_slash(tenant_server):
    body = requests.get(tenant_server.url(".well-known/openid-configuration"), timeout=5).json()
    assert body["issuer"] == tenant_server.issuer
    assert body["token_endpoint"] == tenant_server.url("oauth/token")
