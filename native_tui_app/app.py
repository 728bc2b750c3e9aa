"""The Textual app: holds the client and the current tokens, and moves between screens."""

from __future__ import annotations

import os
import sys
import time
import webbrowser
from collections.abc import Callable

from textual.app import App
from textual.binding import Binding

from .client import Challenge, PasswordlessClient, Tokens
from .remember import TokenStore
from .screens import CodeScreen, SignedInScreen, SignInScreen


def open_system_browser(url: str) -> bool:
    """Open a URL in a graphical browser if there is one (the screen shows the URL anyway)."""
    # Without a display, Python's webbrowser falls back to text browsers (lynx, w3m) that
    # would take over the very terminal this app is drawing in.
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False
    return webbrowser.open(url)


class NativeApp(App):
    """A native, public OAuth client: passwordless sign-in in a terminal.

    Args:
        client: the protocol client; the app never talks HTTP itself.
        store: where `--remember` keeps the refresh token; None keeps nothing.
        clock: the time source for countdowns (tests freeze it).
        open_browser: how to open the Universal Login URL (tests hand it to Playwright).

    """

    CSS_PATH = "native.tcss"
    TITLE = "Passwordless login: native app"
    # The command palette would only add noise to a teaching app with four actions.
    ENABLE_COMMAND_PALETTE = False
    # Textual binds Ctrl+Q to quit but hides it; a learner should see how to leave.
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(
        self,
        client: PasswordlessClient,
        *,
        store: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
        open_browser: Callable[[str], object] = open_system_browser,
    ):
        super().__init__()
        self.client = client
        self.store = store
        self.clock = clock
        self.open_browser = open_browser
        self.tokens: Tokens | None = None

    def get_default_screen(self) -> SignInScreen:
        """Start on the sign-in screen; it stays at the bottom of the screen stack."""
        return SignInScreen()

    def on_mount(self) -> None:
        """Name the tenant in the header."""
        self.sub_title = self.client.base_url

    def on_unmount(self) -> None:
        """Close the client's kept-open connections when the app ends."""
        self.client.close()

    def saved_refresh_token(self) -> str | None:
        """Return the refresh token `--remember` kept from an earlier run, if any."""
        return self.store.load() if self.store else None

    @property
    def sign_in_screen(self) -> SignInScreen:
        """Return the sign-in screen at the bottom of the stack."""
        return self.screen_stack[0]

    def code_sent(self, challenge: Challenge) -> None:
        """Go to the code screen."""
        self.push_screen(CodeScreen(challenge))

    def signed_in(self, tokens: Tokens) -> None:
        """Keep the tokens and show the signed-in screen."""
        self.tokens_changed(tokens)
        self._back_to_sign_in()
        self.push_screen(SignedInScreen(tokens))

    def tokens_changed(self, tokens: Tokens) -> None:
        """Keep new tokens (and, with --remember, the rotated refresh token)."""
        self.tokens = tokens
        if self.store and tokens.refresh_token:
            self.store.save(tokens.refresh_token)

    def signed_out(self, notice: str) -> None:
        """Wipe the tokens and return to an empty sign-in screen with a notice."""
        self.tokens = None
        self.forget_saved_token()
        self._back_to_sign_in()
        self.sign_in_screen.reset(notice)

    def forget_saved_token(self) -> None:
        """Delete the remembered refresh token, if any."""
        if self.store:
            self.store.clear()

    def _back_to_sign_in(self) -> None:
        """Pop every screen above the sign-in screen."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
