"""A locked database fails closed on the login pages too: a 503 page with Retry-After.

The JSON endpoints are covered by tests/mock_tenant/test_locked_database.py (503
`temporarily_unavailable` with Retry-After, no token, nothing half-done); this is the same
rule (docs/security.md rule 18) for a browser on Universal Login.
"""

from __future__ import annotations

import pytest
import requests

from tests.hardening.support import assert_busy_page, authorize_params
from tests.mock_tenant.helpers import TIMEOUT, pkce_pair
from tests.mock_tenant.test_locked_database import locked
from tests.ul_driver import CSRF


@pytest.mark.tenant_config(busy_timeout=0.2)
def test_login_pages_show_a_503_page_while_the_database_is_locked(tenant_server):
    http = requests.Session()
    _, challenge = pkce_pair()
    params = authorize_params(challenge)
    authorize_url = tenant_server.url("authorize")
    with locked(tenant_server):
        # /authorize must write a login transaction: it cannot, so a page, not a redirect.
        assert_busy_page(http.get(authorize_url, params=params, allow_redirects=False))
    response = http.get(authorize_url, params=params, allow_redirects=False, timeout=TIMEOUT)
    page = http.get(tenant_server.url(response.headers["Location"]), timeout=TIMEOUT)
    csrf = CSRF.search(page.text).group(1)
    form = {"csrf_token": csrf, "username": "pages@example.com", "send": "code"}
    with locked(tenant_server):
        assert_busy_page(http.post(page.url, data=form, timeout=TIMEOUT))
    assert tenant_server.outbox("pages@example.com") == []
    sent = http.post(page.url, data=form, timeout=TIMEOUT)
    code = tenant_server.last_code("pages@example.com")
    with locked(tenant_server):
        # The right code, while locked: a 503 page; the code is not consumed...
        assert_busy_page(
            http.post(
                sent.url,
                data={"csrf_token": csrf, "code": code},
                allow_redirects=False,
                timeout=TIMEOUT,
            )
        )
    # ...so it still works once the lock is gone, and the login goes on.
    resume = http.post(
        sent.url, data={"csrf_token": csrf, "code": code}, allow_redirects=False, timeout=TIMEOUT
    )
    assert resume.status_code == 303, resume.text
