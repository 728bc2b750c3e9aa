"""Drive the tenant's Universal Login pages with plain HTTP, the way a browser without JS would."""

from __future__ import annotations

import re

import requests

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def login_via_universal_login(
    http: requests.Session, authorize_url: str, identifier: str, tenant_server
) -> str:
    """Follow /authorize through the identifier and code pages; return the app's callback URL.

    `http` keeps the tenant's cookies, so a second call shows single sign-on. The last
    redirect (to the app) is not followed: the caller decides what to do with the code.
    """
    # 1. /authorize sends the browser to the identifier page (or straight back, with SSO).
    response = http.get(authorize_url, allow_redirects=False, timeout=10)
    location = response.headers.get("Location", "")
    if location.startswith("/u/consent"):
        return accept_consent(http, tenant_server.url(location))
    if not location.startswith("/u/login/"):
        return location
    page = http.get(tenant_server.url(location), timeout=10)
    # 2. Type the email address or phone number and continue.
    csrf = CSRF.search(page.text).group(1)
    challenge = http.post(
        page.url, data={"csrf_token": csrf, "username": identifier, "send": "code"}, timeout=10
    )
    assert "/challenge" in challenge.url or "-challenge" in challenge.url, challenge.text
    # 3. Read the code from the dev outbox and type it.
    code = tenant_server.last_code(identifier)
    resume = http.post(
        challenge.url, data={"csrf_token": csrf, "code": code}, allow_redirects=False, timeout=10
    )
    # 303 See Other after a form post (RFC 9700 4.12): the browser GETs the next page.
    assert resume.status_code == 303, resume.text
    # 4. /authorize/resume answers with a redirect to the app's callback.
    back = http.get(
        tenant_server.url(resume.headers["Location"]), allow_redirects=False, timeout=10
    )
    assert back.status_code == 302, back.text
    # 5. For an API on a localhost callback the tenant asks for consent first (as Auth0 does).
    if back.headers["Location"].startswith("/u/consent"):
        return accept_consent(http, tenant_server.url(back.headers["Location"]))
    return back.headers["Location"]


def accept_consent(http: requests.Session, consent_url: str, action: str = "accept") -> str:
    """Press Accept (or Decline) on the consent page; return where the tenant sends the browser."""
    page = http.get(consent_url, timeout=10)
    assert page.status_code == 200, page.text
    csrf = CSRF.search(page.text).group(1)
    answer = http.post(
        consent_url, data={"csrf_token": csrf, "action": action}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["Location"]
