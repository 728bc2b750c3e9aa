"""Stale sessions and deleted users: a login that outlives its user, or its freshness.

Threats: a user deleted (dev API) between the code page and the app's callback still gets an
authorization code, or a code issued before the deletion crashes the token endpoint; an app
that asks for a fresh login (`max_age=0`) gets a code from a session a moment old; any page
the learner opens logs them out of the tenant by sending the browser to `/oidc/logout`.
Sources: OpenID Connect Core 3.1.2.1 ("max_age=0 is equivalent to prompt=login"), OpenID
Connect RP-Initiated Logout 1.0 section 2 (ask the End-User), Auth0's "Log Users Out of
Auth0 with OIDC Endpoint" (a confirmation without id_token_hint or logout_hint).
"""

from __future__ import annotations

import re

import requests

from tests.attacks.helpers import CSRF, authorize_url, browser_code, get, query_of, redeem
from tests.constants import WEB_CALLBACK
from tests.mock_tenant.helpers import TIMEOUT, assert_error
from tests.ul_driver import login_via_universal_login


def _user_id(tenant_server, identifier: str) -> str:
    users = requests.get(tenant_server.url("_dev/api/users"), timeout=TIMEOUT).json()
    return next(user["user_id"] for user in users if user["identifier"] == identifier)


def _delete_user(tenant_server, identifier: str) -> None:
    user_id = _user_id(tenant_server, identifier)
    response = requests.delete(tenant_server.url(f"_dev/api/users/{user_id}"), timeout=TIMEOUT)
    assert response.status_code == 204


# ---- deleted users ----------------------------------------------------------------------------


def test_a_code_issued_before_its_user_was_deleted_is_refused_not_a_500(tenant_server):
    code, verifier = browser_code(tenant_server)
    _delete_user(tenant_server, "ada@example.com")
    assert_error(redeem(tenant_server, code, verifier), 403, "invalid_grant")


def test_resume_issues_no_code_for_a_user_deleted_after_the_code_page(tenant_server):
    http = requests.Session()
    page = http.get(authorize_url(tenant_server), timeout=TIMEOUT)
    csrf = CSRF.search(page.text).group(1)
    challenge = http.post(
        page.url,
        data={"csrf_token": csrf, "username": "ada@example.com", "send": "code"},
        timeout=TIMEOUT,
    )
    code = tenant_server.last_code("ada@example.com")
    resume = http.post(
        challenge.url, data={"csrf_token": csrf, "code": code}, allow_redirects=False
    )
    _delete_user(tenant_server, "ada@example.com")
    back = http.get(tenant_server.url(resume.headers["Location"]), allow_redirects=False)
    assert back.status_code == 302
    answer = query_of(back.headers["Location"])
    assert back.headers["Location"].startswith(WEB_CALLBACK)
    assert "code" not in answer
    assert answer["error"] == "access_denied"
    assert answer["state"] == "state-123"


# ---- max_age=0 --------------------------------------------------------------------------------


def test_max_age_zero_asks_for_a_new_login_even_from_a_brand_new_session(tenant_server):
    http = requests.Session()
    login_via_universal_login(http, authorize_url(tenant_server), "ada@example.com", tenant_server)
    # Tenant time stands still, so the session is less than a second old.
    requests.post(tenant_server.url("_dev/api/clock"), json={"freeze": True}, timeout=TIMEOUT)
    response = http.get(authorize_url(tenant_server, max_age="0"), allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/u/login/identifier")


def test_max_age_zero_with_prompt_none_answers_login_required(tenant_server):
    http = requests.Session()
    login_via_universal_login(http, authorize_url(tenant_server), "ada@example.com", tenant_server)
    response = http.get(
        authorize_url(tenant_server, max_age="0", prompt="none"), allow_redirects=False
    )
    assert query_of(response.headers["Location"])["error"] == "login_required"


def test_a_positive_max_age_still_allows_single_sign_on(tenant_server):
    http = requests.Session()
    login_via_universal_login(http, authorize_url(tenant_server), "ada@example.com", tenant_server)
    response = http.get(authorize_url(tenant_server, max_age="60"), allow_redirects=False)
    assert "code" in query_of(response.headers["Location"])


# ---- /oidc/logout without a hint --------------------------------------------------------------


def _signed_in(tenant_server) -> requests.Session:
    http = requests.Session()
    login_via_universal_login(http, authorize_url(tenant_server), "ada@example.com", tenant_server)
    return http


def _still_signed_in(http, tenant_server) -> bool:
    response = http.get(authorize_url(tenant_server, prompt="none"), allow_redirects=False)
    return "code" in query_of(response.headers["Location"])


def test_a_link_to_oidc_logout_without_a_hint_only_asks(tenant_server):
    http = _signed_in(tenant_server)
    page = http.get(
        tenant_server.url("oidc/logout"),
        params={
            "post_logout_redirect_uri": "http://localhost:3000/",
            "client_id": "demo-regular-web-app",
            "state": "s1",
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert page.status_code == 200
    assert "Log out?" in page.text and "Set-Cookie" not in page.headers
    assert _still_signed_in(http, tenant_server)


def test_confirming_the_logout_ends_the_session_and_returns_with_303(tenant_server):
    http = _signed_in(tenant_server)
    params = {
        "post_logout_redirect_uri": "http://localhost:3000/",
        "client_id": "demo-regular-web-app",
        "state": "s1",
    }
    page = http.get(tenant_server.url("oidc/logout"), params=params, timeout=TIMEOUT)
    form = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
    assert form["post_logout_redirect_uri"] == "http://localhost:3000/"
    done = http.post(
        tenant_server.url("oidc/logout"), data=form, allow_redirects=False, timeout=TIMEOUT
    )
    assert done.status_code == 303
    assert done.headers["Location"] == "http://localhost:3000/?state=s1"
    assert not _still_signed_in(http, tenant_server)


def test_a_cross_site_post_without_the_form_token_logs_nobody_out(tenant_server):
    http = _signed_in(tenant_server)
    forged = http.post(
        tenant_server.url("oidc/logout"), data={"csrf_token": "guess"}, allow_redirects=False
    )
    assert forged.status_code == 400
    assert _still_signed_in(http, tenant_server)


def test_a_logout_with_a_matching_hint_needs_no_confirmation(tenant_server):
    http = _signed_in(tenant_server)
    sid = tenant_server.tenant.storage.query_one("SELECT sid FROM sessions")["sid"]
    done = get(tenant_server.url("oidc/logout") + f"?logout_hint={sid}", cookies=http.cookies)
    assert done.status_code == 200 and "logged out" in done.text
    assert not _still_signed_in(http, tenant_server)
