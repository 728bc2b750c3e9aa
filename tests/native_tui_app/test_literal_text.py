"""Text from the tenant is shown literally: no markup, no escape sequences, no crash."""

from __future__ import annotations

from native_tui_app.display import literal, visible
from native_tui_app.screens import SignedInScreen, SignInScreen
from tests.native_tui_app.helpers import inject_error, paste_and_enter, shown, sign_in_with_code

MARKUP = "[bold red]x[/]"
UNBALANCED = "[/]"
# Clear the screen, set the window title, ring the bell: all things a terminal would obey.
ESCAPES = "\x1b[2J\x1b]0;pwned\x07"


def test_visible_spells_out_control_characters():
    assert visible(ESCAPES) == "\\x1b[2J\\x1b]0;pwned\\x07"
    assert visible("a\u202eb") == "a\\u202eb"
    assert visible("line one\nline two") == "line one\nline two"


def test_literal_text_keeps_square_brackets_as_they_are():
    assert literal(MARKUP).plain == MARKUP
    assert literal(MARKUP).spans == []


async def test_profile_claims_with_markup_and_escapes_are_shown_literally(
    make_app, tenant_server, seeded_user
):
    # Someone chose a profile name made of markup, a nickname that would crash a markup
    # parser, and a family name full of escape sequences.
    seeded_user(
        "mallory@example.com", name=MARKUP, nickname=UNBALANCED, family_name=ESCAPES + "Evil"
    )
    app = make_app()
    async with app.run_test(size=(120, 50)) as pilot:
        # Sign in as that person.
        await sign_in_with_code(pilot, tenant_server, "mallory@example.com")
        assert isinstance(app.screen, SignedInScreen)
        # The name is shown character for character, not as bold red text.
        assert f"Signed in as {MARKUP}" in shown(app.screen.query_one("#who"))
        claims = shown(app.screen.query_one("#claims"))
        assert f"nickname {UNBALANCED}" in claims
        # The escape sequences are spelled out, never sent to the terminal.
        assert "\\x1b[2J\\x1b]0;pwned\\x07Evil" in claims
        assert "\x1b" not in claims
        # In the token panel the same claim is JSON, where ESC is written \u001b.
        assert "\\u001b[2J" in shown(app.screen.query_one("#id-token"))


async def test_an_error_description_with_markup_and_escapes_is_shown_literally(
    make_app, tenant_server
):
    # The tenant (or something pretending to be it) answers with a hostile error text.
    inject_error(
        tenant_server, "/passwordless/start", 400, "bad.email", f"{MARKUP} {UNBALANCED} {ESCAPES}"
    )
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        # Send a code.
        await paste_and_enter(pilot, "ada@example.com")
        # The error line shows the text as it came, and the app is still usable.
        error = shown(app.screen.query_one("#error"))
        assert f"{MARKUP} {UNBALANCED} \\x1b[2J\\x1b]0;pwned\\x07" in error
        assert isinstance(app.screen, SignInScreen)
        assert app.is_running
