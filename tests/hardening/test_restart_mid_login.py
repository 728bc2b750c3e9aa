"""A tenant restart in the middle of a browser login lets the login complete (rule 18).

The browser is a requests.Session (cookies kept) walking the Universal Login pages as
tests/ul_driver.py does; the tenant is `python -m mock_tenant` killed with SIGKILL and
started again on the same port and data directory at one point of the walk.
"""

from __future__ import annotations

import urllib.parse

import pytest
import requests

from tests.constants import NATIVE_CLIENT
from tests.hardening.support import authorize_params, read_db
from tests.mock_tenant.helpers import TIMEOUT, pkce_pair, token, verify_jwt
from tests.servers import TenantProcess, tenant_workers
from tests.ul_driver import CSRF

pytestmark = pytest.mark.skipif(
    tenant_workers() > 1, reason="starts its own tenant processes; ran in the first pass"
)

CALLBACK = authorize_params("")["redirect_uri"]


@pytest.mark.parametrize(
    "restart_at",
    [
        "between /authorize and the identifier page",
        "between the code's issue and its entry",
        "between the authorization code's issue and its redemption",
    ],
)
def test_a_restart_in_the_middle_of_a_browser_login_lets_it_complete(tmp_path, restart_at):
    process = TenantProcess(tmp_path / "tenant")
    email = "midway@example.com"
    try:
        server = process.start()
        http = requests.Session()
        verifier, challenge = pkce_pair()

        def restart(point: str) -> None:
            if point == restart_at:
                process.kill()
                process.start()

        # The app sends the browser to /authorize; the tenant opens a login transaction.
        response = http.get(
            server.url("authorize"),
            params=authorize_params(challenge, state="app-state-1"),
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert response.status_code == 302, response.text
        restart("between /authorize and the identifier page")
        page = http.get(server.url(response.headers["Location"]), timeout=TIMEOUT)
        assert page.status_code == 200, page.text
        csrf = CSRF.search(page.text).group(1)
        sent = http.post(
            page.url, data={"csrf_token": csrf, "username": email, "send": "code"}, timeout=TIMEOUT
        )
        assert sent.status_code == 200 and "challenge" in sent.url, sent.text
        restart("between the code's issue and its entry")
        code = server.last_code(email)
        resume = http.post(
            sent.url,
            data={"csrf_token": csrf, "code": code},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert resume.status_code == 303, resume.text
        back = http.get(
            server.url(resume.headers["Location"]), allow_redirects=False, timeout=TIMEOUT
        )
        assert back.status_code == 302, back.text
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back.headers["Location"]).query))
        assert query["state"] == "app-state-1"
        restart("between the authorization code's issue and its redemption")
        response = token(
            server,
            {
                "grant_type": "authorization_code",
                "client_id": NATIVE_CLIENT,
                "code": query["code"],
                "redirect_uri": CALLBACK,
                "code_verifier": verifier,
            },
        )
        assert response.status_code == 200, response.text
        claims = verify_jwt(server, response.json()["id_token"], NATIVE_CLIENT)
        assert (claims["email"], claims["nonce"]) == (email, "nonce-app-state-1")
        # One code sent (the restart did not make the pages send another), and it is used.
        assert len(server.outbox(email)) == 1
        assert read_db(server.tenant.storage.path, "SELECT * FROM otp_codes") == []
    finally:
        process.stop()
