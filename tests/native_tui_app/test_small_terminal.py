"""The app at 80×24, the smallest usual terminal: nothing a learner needs is out of reach."""

from __future__ import annotations

import pytest
from textual.widgets import Footer

from native_tui_app.client import ApiResponse
from tests.native_tui_app.test_snapshots import ScriptedClient, scripted_app, steady

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = pytest.mark.slow(seconds=7)

SIZE = (80, 24)
ANSWER = {"message": "Hello from a private endpoint! You need to be authenticated to see this."}


class ApiScriptedClient(ScriptedClient):
    """The scripted client, with a sample API that always answers the same."""

    def call_api(self, tokens, path: str) -> ApiResponse:
        """Answer 200 with a fixed message."""
        return ApiResponse(200, ANSWER)


async def signed_in(pilot) -> None:
    """Sign in with the scripted client's right code."""
    await steady(pilot)
    await pilot.press(*"ada@example.com", "enter")
    await steady(pilot)
    await pilot.press(*"123456", "enter")
    await steady(pilot)


def visible_in(widget, pane) -> bool:
    """Tell whether a widget's first line is inside a scrolling pane's visible area."""
    return pane.content_region.y <= widget.region.y < pane.content_region.bottom


async def test_ctrl_q_is_shown_in_the_footer_and_quits():
    app = scripted_app()
    async with app.run_test(size=SIZE) as pilot:
        await steady(pilot)
        shown = {
            (active.binding.key, active.binding.description)
            for active in app.screen.active_bindings.values()
            if active.binding.show
        }
        assert ("ctrl+q", "Quit") in shown
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_the_api_answer_scrolls_into_view():
    app = scripted_app()
    app.client = ApiScriptedClient("http://127.0.0.1:4000")
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        profile, result = app.screen.query_one("#profile"), app.screen.query_one("#api-result")
        # Below the claims and the refresh token, the answer starts out of sight.
        await pilot.press("p")
        await steady(pilot)
        assert "answered 200" in str(result.content)
        # The whole answer, from its title to its closing brace, is on screen.
        assert profile.content_region.y <= result.region.y
        assert result.region.bottom <= profile.content_region.bottom


async def test_the_token_pane_scrolls_from_the_keyboard():
    app = scripted_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        tokens = app.screen.query_one("#tokens")
        access = app.screen.query_one("#access-token")
        assert not access.region.overlaps(tokens.content_region)
        # Tab to the token pane, then End: the access token comes into view.
        while app.focused is not tokens:
            await pilot.press("tab")
        await pilot.press("end")
        await steady(pilot)
        assert access.region.overlaps(tokens.content_region)


async def test_the_browser_login_url_is_shown_whole_outside_any_border():
    app = scripted_app()
    app.open_browser = lambda url: None
    async with app.run_test(size=SIZE) as pilot:
        await steady(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause(0.3)
        screen = app.screen
        line, footer = screen.query_one("#login-url"), screen.query_one(Footer)
        # From the left edge, above the footer, on screen: not inside the bordered card.
        assert line.region.x == 0 and line.region.bottom <= footer.region.y
        # The whole width: no scrollbar beside it whose marks would be copied with the URL.
        assert line.region.width == SIZE[0]
        assert line.region.height >= 1 + len(screen.login_url) // line.region.width
        assert screen.login_url in str(line.content)
        await pilot.press("escape")
        await steady(pilot)
        assert not line.display
