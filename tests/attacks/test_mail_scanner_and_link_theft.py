"""Threat: a magic link used by someone other than the person who asked for it: a mail
scanner that follows every link, a forwarded or stolen email, a link from another login.

RFC 6819 sections 4.4.1.1 and 5.2.4.4 (codes bound to their transaction); RFC 9700 section
4.1.3 (bind the response to the browser); Auth0 passwordless docs ("the link must be opened
in the same browser"); NIST SP 800-63B 5.1.3.1 (the out-of-band secret is bound to the
authentication session); OWASP ASVS 5.0 V6.6. docs/security.md rule 11.
"""

import pytest
import requests

from tests.attacks.helpers import get, query_of
from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import start
from tests.mock_tenant.test_universal_login import open_identifier_page, submit_identifier


def ask_for_a_link(tenant_server, email: str = "ada@example.com"):
    """Start a browser login that emails a magic link; return (browser, link)."""
    browser = requests.Session()
    page = open_identifier_page(browser, tenant_server)
    submit_identifier(browser, page, email, send="link")
    message = tenant_server.outbox(email)[0]
    assert message["link"]
    return browser, message["link"]


def finish(browser, tenant_server, link: str) -> requests.Response:
    """Open the link and follow the tenant's redirects up to the app's callback."""
    response = browser.get(link, allow_redirects=False, timeout=10)
    while response.status_code == 302 and response.headers["Location"].startswith("/"):
        response = browser.get(
            tenant_server.url(response.headers["Location"]), allow_redirects=False, timeout=10
        )
    return response


def test_a_mail_scanner_fetching_the_link_consumes_nothing(tenant_server):
    browser, link = ask_for_a_link(tenant_server)
    # The scanner has no cookie from the browser that asked: it sees a page, nothing more.
    for method in ("GET", "HEAD"):
        scanned = requests.request(method, link, allow_redirects=False, timeout=10)
        assert scanned.status_code == 400
        assert "Location" not in scanned.headers
    # The code was not consumed and no try was counted...
    row = tenant_server.tenant.storage.query_one("SELECT attempts FROM otp_codes")
    assert row["attempts"] == 0
    # ...so the person still signs in with it, in their own browser.
    answer = finish(browser, tenant_server, link)
    assert answer.status_code == 302
    assert "code" in query_of(answer.headers["Location"])


def test_a_link_opened_in_another_browser_signs_nobody_in_there(tenant_server):
    _, link = ask_for_a_link(tenant_server)
    thief = requests.Session()
    # The thief even has a tenant cookie of their own, from a login they started.
    open_identifier_page(thief, tenant_server)
    response = finish(thief, tenant_server, link)
    assert response.status_code == 400
    assert "tenant_session" not in thief.cookies


def test_a_link_from_another_login_transaction_is_refused(tenant_server):
    # One browser, two logins: Ada's link pointed at the other login's transaction (and the
    # other way round) matches neither, because a code is bound to its transaction.
    browser = requests.Session()
    links = {}
    for email in ("ada@example.com", "bob@example.com"):
        submit_identifier(browser, open_identifier_page(browser, tenant_server), email, send="link")
        links[email] = tenant_server.outbox(email)[0]["link"]
    ada, bob = query_of(links["ada@example.com"]), query_of(links["bob@example.com"])
    swapped = links["ada@example.com"].replace(ada["state"], bob["state"])
    assert finish(browser, tenant_server, swapped).status_code == 400
    # The other login (the one the swapped state named) was not signed in either.
    assert "tenant_session" not in browser.cookies


def test_a_link_with_its_code_swapped_for_a_guess_is_refused(tenant_server):
    browser, link = ask_for_a_link(tenant_server)
    params = query_of(link)
    guess = link.replace(
        f"verification_code={params['verification_code']}",
        f"verification_code={(int(params['verification_code']) + 1) % 10**6:06d}",
    )
    assert finish(browser, tenant_server, guess).status_code == 400


def test_a_link_works_once(tenant_server):
    browser, link = ask_for_a_link(tenant_server)
    assert finish(browser, tenant_server, link).status_code == 302
    assert finish(browser, tenant_server, link).status_code == 400


@pytest.mark.tenant_config(profile="hardened")
def test_a_link_from_the_api_without_a_browser_transaction_consumes_nothing(tenant_server):
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "ada@example.com",
        "send": "link",
        "authParams": {"state": "app-state", "redirect_uri": "http://127.0.0.1:5000/callback"},
    }
    assert start(tenant_server, body).status_code == 200
    link = tenant_server.outbox("ada@example.com")[0]["link"]
    # A scanner's GET gets a page asking a person to continue, and consumes nothing.
    page = get(link)
    assert page.status_code == 200 and "Continue" in page.text
    row = tenant_server.tenant.storage.query_one("SELECT attempts FROM otp_codes")
    assert row is not None and row["attempts"] == 0


def test_a_link_after_the_code_lifetime_is_refused(tenant_server):
    browser, link = ask_for_a_link(tenant_server)
    tenant_server.advance_clock(180)
    assert finish(browser, tenant_server, link).status_code == 400


def test_the_link_page_tells_the_scanner_nothing_and_may_not_be_framed(tenant_server):
    _, link = ask_for_a_link(tenant_server)
    page = get(link)
    assert query_of(link)["verification_code"] not in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "no-referrer"
