"""The tenant's pages pass axe-core: Universal Login, consent, the outbox and the inspector.

axe-core comes from npm, pinned by tests/e2e/axe/package-lock.json (`make test-e2e` installs
it), and injected into each page by Playwright with the pages' CSP bypassed for the test.
https://github.com/dequelabs/axe-core/blob/develop/doc/API.md#api-name-axerun
"""

from pathlib import Path

import pytest

from tests.constants import API_AUDIENCE
from tests.mock_tenant.helpers import send_email_code
from tests.mock_tenant.test_universal_login import authorize_url

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; return its violations, each named with its nodes."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("() => axe.run(document).then((results) => results.violations)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"]]}
        for v in found
    ]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Let Playwright add axe's script tag: the tenant's CSP (rightly) refuses inline scripts."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(autouse=True)
def _axe_installed():
    """Say how to install axe-core when it is missing, instead of failing obscurely."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `make test-e2e` (or npm ci in tests/e2e/axe)")


@pytest.mark.e2e
def test_the_universal_login_pages_have_no_axe_violation(tenant_server, page):
    # The web app's callback is not running: answer it here, the login ends there.
    page.route("http://localhost:3000/**", lambda route: route.fulfill(body="callback"))
    # An API audience on a localhost callback: the tenant asks for consent (as Auth0 does).
    page.goto(authorize_url(tenant_server, audience=API_AUDIENCE))
    page.get_by_label("Email address").wait_for()
    assert violations(page) == []

    page.get_by_label("Email address").fill("axe@example.com")
    page.get_by_role("button", name="Continue").click()
    page.locator("#code").wait_for()
    assert violations(page) == []

    page.locator("#code").fill(tenant_server.last_code("axe@example.com"))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Accept").wait_for()
    assert violations(page) == []


@pytest.mark.e2e
def test_the_outbox_and_the_inspector_have_no_axe_violation(tenant_server, page):
    send_email_code(tenant_server, "axe@example.com")
    tenant_server.advance_clock(60)
    page.goto(tenant_server.url("_dev/outbox"))
    page.get_by_role("button", name="Copy the code sent to axe@example.com").wait_for()
    page.get_by_text("were aged 60 s with the dev clock").wait_for()
    assert violations(page) == []

    page.goto(tenant_server.url("_dev/inspector"))
    page.get_by_role("article").first.wait_for()
    # Open every exchange, so that the tables and tokens are checked too.
    for summary in page.locator("summary").all():
        summary.click()
    assert violations(page) == []
