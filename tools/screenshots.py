"""Take the README's screenshots from the real apps on free loopback ports (`make screenshots`)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright
from textual.widgets import Input

import regular_web_app
import single_page_app
from mock_tenant.config import DEFAULT_CONFIG_FILE
from native_tui_app.app import NativeApp
from native_tui_app.client import PasswordlessClient
from tests.constants import API_AUDIENCE, NATIVE_CLIENT, SPA_CLIENT
from tests.e2e import spa_stack, web_stack
from tests.e2e.pages import CodePage, ConsentPage, TenantLoginPage, WebAppHome
from tests.e2e.spa_pages import SpaHome, UniversalLogin
from tests.e2e.spa_stack import LateApp, install_sdk
from tests.servers import (
    LiveServer,
    TenantServer,
    replace_once,
    serve,
    serve_sample_api,
    serve_tenant,
)

OUT_DIR = Path("docs/screenshots")
# One viewport for every page, and one terminal size, so the pictures line up in the README.
VIEWPORT = {"width": 1100, "height": 800}
INSPECTOR_VIEWPORT = {"width": 1440, "height": 900}
TERMINAL_SIZE = (100, 32)
# Fixed people, one per client, so the outbox and the inspector tell the flows apart.
WEB_EMAIL = "ada@example.com"
SPA_EMAIL = "grace@example.com"
NATIVE_PHONE = "+15555550100"
TIMEOUT_MS = 10_000
# The default ports, which the README and the chapters name: every URL in a picture is then the
# one a learner sees. Stop `make run-web` (or anything else on them) first.
TENANT_PORT, WEB_PORT, SPA_PORT, API_PORT = 4000, 3000, 3001, 3010
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Stack:
    """The servers the screenshots need: tenant, sample API, web app and single-page app."""

    tenant: TenantServer
    api: LiveServer
    web: LiveServer
    spa: LiveServer


def tenant_config(config_dir: Path, web_origin: str, spa_origin: str) -> Path:
    """Write a copy of tenant.toml that registers the web app's and the SPA's test origins."""
    text = DEFAULT_CONFIG_FILE.read_text(encoding="utf-8")
    # One pass for both clients: a web app origin may well be the SPA's registered one.
    registrations = web_stack.registrations([web_origin]) | spa_stack.registrations([spa_origin])
    text = replace_once(text, registrations)
    if text.count(web_origin) != 2 or text.count(spa_origin) != 3:
        raise RuntimeError("tenant.toml no longer registers the web app and the SPA as expected")
    path = config_dir / "tenant.toml"
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def running_stack(workdir: Path) -> Iterator[Stack]:
    """Run the tenant, the sample API, the web app and the SPA until the block ends."""
    with ExitStack() as stack:
        # The apps bind first, so the tenant can register their origins (as the tests do).
        web = stack.enter_context(serve(lambda url: LateApp(), host="localhost", port=WEB_PORT))
        spa = stack.enter_context(serve(lambda url: LateApp(), host="localhost", port=SPA_PORT))
        config_file = tenant_config(workdir, web.base_url, spa.base_url)
        tenant = stack.enter_context(
            serve_tenant(workdir / "data", config_file, workers=1, port=TENANT_PORT)
        )
        api = stack.enter_context(
            serve_sample_api(tenant, [spa.base_url], host="localhost", port=API_PORT)
        )
        web.app.app = regular_web_app.create_app(
            web_stack.web_app_settings(tenant, api, workdir / "sessions")
        )
        spa.app.app = single_page_app.create_app(
            {
                "AUTH0_DOMAIN": tenant.base_url,
                "AUTH0_CLIENT_ID": SPA_CLIENT,
                "AUTH0_AUDIENCE": API_AUDIENCE,
                "API_URL": api.base_url,
                "CACHE_LOCATION": "memory",
            }
        )
        yield Stack(tenant, api, web, spa)


async def terminal_screenshots(stack: Stack, out: Path) -> None:
    """Sign in to the terminal app with an SMS code and save its two main screens as SVG."""
    client = PasswordlessClient(
        domain=stack.tenant.base_url,
        client_id=NATIVE_CLIENT,
        audience=API_AUDIENCE,
        api_url=stack.api.base_url,
    )
    app = NativeApp(client, open_browser=lambda url: None)
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        await pilot.press(*NATIVE_PHONE)
        await steady(pilot)
        app.save_screenshot("terminal-sign-in.svg", str(out))
        await pilot.press("enter")
        await steady(pilot)
        await pilot.press(*stack.tenant.last_code(NATIVE_PHONE), "enter")
        await steady(pilot)
        # Show an answer from the API too: the access token at work.
        await pilot.press("s")
        await steady(pilot)
        app.save_screenshot("terminal-signed-in.svg", str(out))


async def steady(pilot) -> None:
    """Let the app's workers finish and stop the cursor blinking, so the picture is stable."""
    await pilot.app.workers.wait_for_complete()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def chromium_launch_args() -> dict:
    """Return Playwright's launch arguments: the system Chromium when there is one."""
    args: dict = {"args": CHROMIUM_ARGS}
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if Path(path).exists():
        args["executable_path"] = path
    return args


def shoot(page: Page, out: Path, name: str) -> None:
    """Save what the viewport shows as `out/name`, with the mouse out of the way."""
    page.mouse.move(0, 0)
    page.screenshot(path=out / name, animations="disabled", caret="hide")
    print(f"  {out / name}")


def web_app_screenshots(page: Page, stack: Stack, out: Path) -> None:
    """Log in to the web app through Universal Login, then shoot its pages and the tenant's."""
    home, login, code_page = (
        WebAppHome(page, stack.web.base_url),
        TenantLoginPage(page),
        CodePage(page),
    )
    home.open()
    home.log_in_with("email")
    expect(login.heading).to_be_visible()
    page.get_by_label("Email address").fill(WEB_EMAIL)
    shoot(page, out, "tenant-identifier.png")
    page.get_by_role("button", name="Continue").click()
    expect(code_page.heading).to_be_visible()
    page.get_by_label("Code").fill(stack.tenant.last_code(WEB_EMAIL))
    shoot(page, out, "tenant-code.png")
    page.get_by_role("button", name="Continue").click()
    # An API audience on a localhost callback: the tenant asks for consent, as Auth0 does.
    ConsentPage(page).accept()
    page.wait_for_url(stack.web.base_url + "/")
    expect(home.greeting).to_be_visible()
    shoot(page, out, "web-home.png")
    page.goto(stack.web.base_url + "/profile")
    page.get_by_role("button", name="Refresh tokens").click()
    expect(page.get_by_role("status")).to_contain_text("rotated")
    shoot(page, out, "web-profile.png")
    page.goto(stack.web.base_url + "/api-call")
    shoot(page, out, "web-api-call.png")


def spa_screenshots(page: Page, stack: Stack, out: Path) -> None:
    """Log in to the single-page app, call the scoped API, and shoot the answer."""
    home, login = SpaHome(page, stack.spa.base_url), UniversalLogin(page)
    home.open()
    home.log_in_with("email")
    login.enter_identifier("Email address", SPA_EMAIL)
    login.enter_code(stack.tenant.last_code(SPA_EMAIL))
    login.accept_consent()
    home.expect_logged_in_as(SPA_EMAIL)
    home.call_api("scoped")
    expect(home.api_answer).to_contain_text("GET /api/private-scoped: 200")
    home.api_answer.scroll_into_view_if_needed()
    shoot(page, out, "spa-signed-in.png")


def dev_screenshots(page: Page, stack: Stack, out: Path) -> None:
    """Shoot the tenant's dev outbox and the flow inspector with the web app's login open."""
    page.goto(stack.tenant.url("_dev/outbox"))
    shoot(page, out, "dev-outbox.png")
    # Wide enough for the sequence diagram to sit beside the timeline, as on a laptop.
    page.set_viewport_size(INSPECTOR_VIEWPORT)
    page.goto(stack.tenant.url("_dev/inspector?client_id=demo-regular-web-app"))
    timeline = page.locator("article.timeline").first
    expect(timeline).to_be_visible()
    expect(timeline.get_by_role("img", name="Sequence diagram of this login")).to_be_visible()
    # Open the code exchange: its request, each parameter explained, fills the view.
    exchange = timeline.locator("details", has_text="Code exchange").first
    exchange.locator("summary").click()
    shoot(page, out, "inspector.png")


def browser_screenshots(stack: Stack, out: Path) -> None:
    """Drive the web app, the SPA and the dev pages in Chromium, each in a fresh context."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**chromium_launch_args())
        for take in (web_app_screenshots, spa_screenshots, dev_screenshots):
            # A fresh context each time: no tenant session, so every login shows its pages.
            context = browser.new_context(
                viewport=VIEWPORT, locale="en-US", timezone_id="UTC", color_scheme="light"
            )
            context.set_default_timeout(TIMEOUT_MS)
            take(context.new_page(), stack, out)
            context.close()
        browser.close()


def main() -> int:
    """Start the stack, take every screenshot, and say where they are."""
    # The servers' request lines would bury the list of files written.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    expect.set_options(timeout=TIMEOUT_MS)
    install_sdk()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as workdir, ExitStack() as running:
        try:
            stack = running.enter_context(running_stack(Path(workdir)))
        except OSError as error:
            ports = f"{TENANT_PORT}, {WEB_PORT}, {SPA_PORT} and {API_PORT}"
            print(f"screenshots: ports {ports} must be free ({error.strerror}).", file=sys.stderr)
            return 1
        print(f"Writing screenshots to {OUT_DIR}/")
        # The terminal app first, in its own event loop, before Playwright's sync API
        # starts one of its own on this thread.
        asyncio.run(terminal_screenshots(stack, OUT_DIR))
        print(f"  {OUT_DIR}/terminal-sign-in.svg\n  {OUT_DIR}/terminal-signed-in.svg")
        browser_screenshots(stack, OUT_DIR)
    return 0


if __name__ == "__main__":
    sys.exit(main())
