"""Threat: DNS rebinding against the apps on this machine. A page on an attacker's name
(evil.example) makes that name resolve to 127.0.0.1; the browser then sends the attacker's
scripts' requests to the web app, the SPA server or the sample API as "same origin" with
`Host: evil.example:<port>`, and lets the page read the answers.

The defence is the Host check: each app answers only the host names in its TRUSTED_HOSTS
setting (`localhost` and `127.0.0.1` by default, the port not compared) and 400 otherwise.
https://flask.palletsprojects.com/en/stable/config/#TRUSTED_HOSTS ; OWASP Web Security
Testing Guide, Testing for Host Header Injection. docs/security.md rule 13's examples. (The
tenant's own Host check is tested with the tenant.)
"""

from __future__ import annotations

import pytest
import requests

import regular_web_app
import sample_api
import single_page_app
from tests.servers import serve

# An attacker's names; 0.0.0.0 reaches loopback servers in some browsers ("0.0.0.0 day").
EVIL_HOSTS = ["evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "0.0.0.0"]  # noqa: S104


@pytest.fixture(scope="module", params=["regular_web_app", "single_page_app", "sample_api"])
def app_server(request, tmp_path_factory):
    """Serve one of the three apps, with its default settings, on a loopback port."""
    factories = {
        "regular_web_app": lambda: regular_web_app.create_app(
            {"SESSION_DIR": str(tmp_path_factory.mktemp("sessions"))}
        ),
        "single_page_app": single_page_app.create_app,
        "sample_api": sample_api.create_app,
    }
    with serve(lambda url: factories[request.param]()) as server:
        yield server


def get(server, host: str) -> requests.Response:
    """GET a page the browser would load first (/ or the API's public route) with this Host."""
    path = "/api/public" if "api" in server.app.import_name else "/"
    return requests.get(server.url(path), headers={"Host": host}, timeout=5)


@pytest.mark.parametrize("name", EVIL_HOSTS)
def test_a_rebound_host_name_gets_400_from_every_app(app_server, name):
    port = app_server.base_url.rsplit(":", 1)[1]
    response = get(app_server, f"{name}:{port}")
    assert response.status_code == 400
    # Nothing of the app's own content reaches the attacker's page.
    assert "Log in" not in response.text and "auth0" not in response.text.lower()


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1"])
def test_the_apps_own_names_are_answered(app_server, name):
    port = app_server.base_url.rsplit(":", 1)[1]
    assert get(app_server, f"{name}:{port}").status_code == 200
