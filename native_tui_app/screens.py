"""The app's three screens: sign in, type the code, signed in.

Screens never build HTTP requests: each user action hands one `PasswordlessClient` call to
`BusyScreen.run_client`, which runs it in a thread worker (requests blocks, the interface must
not: https://textual.textualize.io/guide/workers/) and brings the result back to the screen.
Everything the tenant sent is shown through `display.literal`, never as markup.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, LoadingIndicator, Static
from textual.worker import get_current_worker

from .client import Challenge, Tokens, connection_for, decode_for_display
from .display import countdown, fingerprint, literal, pretty_json
from .errors import AuthError, CodeExpired, RateLimited, SessionExpired, TooManyAttempts

# Seconds before "Resend code" is offered again: a pause against double presses, the length of
# the hardened profile's cooldown (Auth0 has none by default). A tenant that refuses a resend
# says so with a 429 and Retry-After, which then sets the countdown instead.
RESEND_WAIT = 30


class BusyScreen(Screen):
    """A screen that runs one client call at a time in a thread, showing that it is busy."""

    busy = reactive(False)

    def status_widgets(self) -> ComposeResult:
        """Yield the notice line, the error line and the busy indicator every screen has."""
        # markup=False as well as literal text: tenant words must never be parsed as markup.
        yield Static(id="notice", markup=False)
        yield Static(id="error", markup=False)
        yield LoadingIndicator(id="busy")

    def watch_busy(self, busy: bool) -> None:
        """Show the indicator and disable the buttons while a request runs."""
        self.query_one("#busy").display = busy
        for button in self.query(Button):
            button.disabled = busy

    def run_client(
        self,
        call: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[AuthError], None] | None = None,
    ) -> None:
        """Run a blocking client call in a worker; then `done(result)` or `failed(error)`."""
        self.busy = True
        self.show_notice("")
        self.show_error("")
        self._client_call(call, done, failed or self.failed)

    @work(exclusive=True, thread=True)
    def _client_call(self, call, done, failed) -> None:
        """Make the call off the UI thread and hand the outcome back to it."""
        try:
            outcome = partial(done, call())
        except AuthError as error:
            outcome = partial(failed, error)
        # A worker is cancelled when its screen goes away: then nobody is waiting for it.
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._finish, outcome)

    def _finish(self, outcome: Callable[[], None]) -> None:
        """Leave the busy state, then apply the outcome (on the UI thread)."""
        # The screen may have been closed between the call's end and this moment.
        if self.is_attached:
            self.busy = False
            outcome()

    def failed(self, error: AuthError) -> None:
        """Show an error where the user is looking."""
        self.show_error(str(error))

    def show_error(self, message: str) -> None:
        """Show (or with "" hide) the error line."""
        self._show_line("#error", message)

    def show_notice(self, message: str) -> None:
        """Show (or with "" hide) the notice line."""
        self._show_line("#notice", message)

    def _show_line(self, selector: str, message: str) -> None:
        """Put a message in a status line, literally, and hide the line when it is empty."""
        line = self.query_one(selector, Static)
        line.update(literal(message))
        line.display = bool(message)


class SignInScreen(BusyScreen):
    """Ask for an email address or phone number, or offer login in the browser."""

    AUTO_FOCUS = "#identifier"
    BINDINGS = [
        Binding("ctrl+o", "browser_login", "Log in with browser"),
        Binding("escape", "cancel_browser", "Cancel browser login", show=False),
        Binding("ctrl+y", "copy_login_url", "Copy login URL", show=False),
    ]

    def __init__(self):
        super().__init__()
        self.cancel_browser = threading.Event()
        self.login_url = ""

    def compose(self) -> ComposeResult:
        """Lay out the sign-in form."""
        yield Header()
        with Vertical(id="card"):
            yield Static("Sign in without a password", classes="title")
            yield Static(
                "Type your email address or your phone number in E.164 form "
                "(like +15555550100). The tenant sends you a one-time code.",
                classes="hint",
            )
            yield Input(placeholder="you@example.com or +15555550100", id="identifier")
            yield Static("Connection: email", id="connection")
            with Horizontal(classes="buttons"):
                yield Button("Send code", id="submit", variant="primary")
                yield Button("Log in with browser", id="browser")
            yield from self.status_widgets()
        # Outside the card and its border, docked above the footer so that it shows even on
        # a small terminal, with no padding: the URL's lines on screen, joined, are the URL.
        yield Static(id="login-url", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """Resume a login remembered from an earlier run, if there is one."""
        if saved := self.app.saved_refresh_token():
            self.resume(saved)

    @on(Input.Changed, "#identifier")
    def show_connection(self, event: Input.Changed) -> None:
        """Name the connection the typed identifier will use."""
        connection = connection_for(event.value)
        label = "sms (a text message)" if connection == "sms" else "email"
        self.query_one("#connection", Static).update(f"Connection: {label}")

    @on(Input.Submitted, "#identifier")
    @on(Button.Pressed, "#submit")
    def send_code(self) -> None:
        """Ask the tenant to send a code to the identifier."""
        identifier = self.query_one("#identifier", Input).value
        if self.busy:
            return
        if not identifier.strip():
            self.show_error("Type an email address or a phone number first.")
            return
        self.run_client(lambda: self.app.client.start(identifier), self.app.code_sent)

    @on(Button.Pressed, "#browser")
    def action_browser_login(self) -> None:
        """Log in through Universal Login in the system browser."""
        if self.busy:
            return
        self.cancel_browser = threading.Event()
        client, cancel = self.app.client, self.cancel_browser
        self.run_client(
            lambda: client.browser_login(open_browser=self._open_browser, cancel=cancel),
            self.app.signed_in,
        )

    def _open_browser(self, url: str) -> None:
        """Show the login URL (in case no browser opens), then open it; runs in the worker."""
        self.app.call_from_thread(self.show_login_url, url)
        self.app.open_browser(url)

    def show_login_url(self, url: str) -> None:
        """Show the login URL below the card, where it can be selected or copied whole."""
        self.show_notice("Waiting for the browser (Esc cancels).")
        self.login_url = url
        line = self.query_one("#login-url", Static)
        heading = Text("If no browser opened, open this URL (Ctrl+Y copies it):\n", style="bold")
        line.update(heading + literal(url))
        line.display = True

    def action_copy_login_url(self) -> None:
        """Copy the login URL to the clipboard (through the terminal: OSC 52)."""
        if self.query_one("#login-url").display:
            self.app.copy_to_clipboard(self.login_url)
            self.app.notify("Login URL copied to the clipboard.")

    def watch_busy(self, busy: bool) -> None:
        """Hide the login URL once the browser login is over."""
        super().watch_busy(busy)
        if not busy:
            self.query_one("#login-url").display = False

    def action_cancel_browser(self) -> None:
        """Stop waiting for the browser."""
        self.cancel_browser.set()

    def on_unmount(self) -> None:
        """Stop waiting for the browser when the app quits, so quitting never hangs."""
        self.cancel_browser.set()

    def resume(self, refresh_token: str) -> None:
        """Sign in with a refresh token saved by `--remember`."""
        self.run_client(
            lambda: self.app.client.refresh(refresh_token), self.app.signed_in, self._not_resumed
        )

    def _not_resumed(self, error: AuthError) -> None:
        """Forget a saved token the tenant refused, and show why."""
        if isinstance(error, SessionExpired):
            self.app.forget_saved_token()
            self.show_notice("The saved login has ended. Sign in again.")
        else:
            self.show_error(str(error))

    def reset(self, notice: str = "") -> None:
        """Empty the form after a logout and say what happened."""
        self.query_one("#identifier", Input).value = ""
        self.show_error("")
        self.show_notice(notice)
        self.query_one("#identifier", Input).focus()


class CodeScreen(BusyScreen):
    """Ask for the one-time code that was just sent."""

    AUTO_FOCUS = "#code"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+r", "resend", "Resend code"),
    ]

    def __init__(self, challenge: Challenge):
        super().__init__()
        self.challenge = challenge
        self.resend_at = 0.0

    def compose(self) -> ComposeResult:
        """Lay out the code form."""
        channel = "email" if self.challenge.connection == "email" else "text message"
        yield Header()
        with Vertical(id="card"):
            yield Static("Enter your code", classes="title")
            sent = Text(f"We sent a 6-digit code by {channel} to ")
            yield Static(sent + literal(self.challenge.identifier, "bold"), id="sent-to")
            yield Input(placeholder="123456", id="code", restrict=r"[0-9]*", max_length=6)
            with Horizontal(classes="buttons"):
                yield Button("Sign in", id="submit", variant="primary")
                yield Button("Resend code", id="resend")
                yield Button("Back", id="back")
            yield from self.status_widgets()
        yield Footer()

    def on_mount(self) -> None:
        """Start the resend countdown."""
        self.resend_at = self.app.clock() + RESEND_WAIT
        self.set_interval(1, self.update_resend)
        self.update_resend()

    def update_resend(self) -> None:
        """Show the seconds left before a new code may be asked for."""
        left = math.ceil(self.resend_at - self.app.clock())
        button = self.query_one("#resend", Button)
        button.label = f"Resend code ({left} s)" if left > 0 else "Resend code"
        button.disabled = self.busy or left > 0

    def watch_busy(self, busy: bool) -> None:
        """Disable the buttons while busy, then let the countdown decide about resend."""
        super().watch_busy(busy)
        self.update_resend()

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#submit")
    def sign_in(self) -> None:
        """Exchange the code for tokens."""
        code = self.query_one("#code", Input).value
        if self.busy:
            return
        if not code:
            self.show_error("Type the code from the message first.")
            return
        identifier = self.challenge.identifier
        self.run_client(lambda: self.app.client.login(identifier, code), self.app.signed_in)

    @on(Button.Pressed, "#resend")
    def action_resend(self) -> None:
        """Ask for a new code (the old one stops working)."""
        if self.busy or self.resend_at > self.app.clock():
            return
        identifier = self.challenge.identifier
        self.run_client(lambda: self.app.client.start(identifier), self.code_resent)

    def code_resent(self, challenge: Challenge) -> None:
        """Say a new code is on its way and restart the countdown."""
        self.resend_at = self.app.clock() + RESEND_WAIT
        self.update_resend()
        self.show_notice("A new code is on its way. The previous one no longer works.")
        self.query_one("#code", Input).focus()

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Go back to the sign-in screen to change the identifier."""
        self.app.pop_screen()

    def failed(self, error: AuthError) -> None:
        """Show the error, clear the code, and say what to do next."""
        message = str(error)
        if isinstance(error, CodeExpired | TooManyAttempts):
            message += " Ask for a new code with Resend."
        if isinstance(error, RateLimited) and error.retry_after:
            self.resend_at = self.app.clock() + error.retry_after
            self.update_resend()
        self.show_error(message)
        code = self.query_one("#code", Input)
        code.value = ""
        code.focus()


class SignedInScreen(BusyScreen):
    """Show who signed in and their tokens; refresh, call the API, log out."""

    BINDINGS = [
        # Short descriptions: with Ctrl+Q they must fit an 80-column footer.
        Binding("r", "refresh", "Refresh"),
        Binding("p", "call_api('/api/private')", "GET /api/private"),
        Binding("s", "call_api('/api/private-scoped')", "GET /api/private-scoped"),
        Binding("l", "logout", "Log out"),
    ]

    def __init__(self, tokens: Tokens):
        super().__init__()
        self.tokens = tokens

    def compose(self) -> ComposeResult:
        """Lay out the profile column and the token column."""
        yield Header()
        with Horizontal(id="panels"):
            with VerticalScroll(id="profile"):
                yield Static(id="who")
                yield Static(id="claims")
                yield Static(id="refresh-token")
                yield Static(id="api-result")
                yield from self.status_widgets()
            with VerticalScroll(id="tokens"):
                yield Static(id="id-token-expiry", classes="token-title")
                yield Static(id="id-token")
                yield Static(id="access-token-expiry", classes="token-title")
                yield Static(id="access-token")
        yield Footer()

    def on_mount(self) -> None:
        """Fill in the panels and tick the expiry countdowns every second."""
        self.query_one("#profile").border_title = "Who you are (validated ID token)"
        self.query_one("#tokens").border_title = "Tokens (decoded: header and payload)"
        self.show_tokens()
        self.set_interval(1, self.update_expiry)

    def show_tokens(self, previous: Tokens | None = None) -> None:
        """Render the claims and tokens; with `previous`, say whether the refresh token rotated."""
        claims = self.tokens.claims
        name = claims.get("name") or claims.get("email") or claims.get("phone_number") or "?"
        self.query_one("#who", Static).update(Text("Signed in as ") + literal(name, "bold"))
        table = Table(show_header=False, box=None, padding=(0, 1))
        table.add_column(style="cyan", no_wrap=True)
        table.add_column(overflow="fold")
        for claim, value in claims.items():
            # Strings as they are; numbers and booleans as JSON writes them (true, not True).
            table.add_row(
                literal(claim), literal(value if isinstance(value, str) else json.dumps(value))
            )
        self.query_one("#claims", Static).update(table)

        line = Text("Refresh token: ") + literal(fingerprint(self.tokens.refresh_token))
        if previous is not None:
            rotated = previous.refresh_token != self.tokens.refresh_token
            line += Text(
                f"\n{'Rotated' if rotated else 'Not rotated'}: the previous one "
                f"({fingerprint(previous.refresh_token)}) "
                + ("no longer works." if rotated else "is still the current one.")
            )
        self.query_one("#refresh-token", Static).update(line)
        # Any earlier API answer was for the previous access token.
        self.query_one("#api-result", Static).update(
            literal(f"Press p or s to call the sample API at {self.app.client.api_url}.")
        )

        for name, token in (("id-token", self.tokens.id_token), ("access-token", None)):
            token = token or self.tokens.access_token
            decoded = decode_for_display(token)
            if decoded is None:
                body = Text("opaque (not a JWT): only the tenant can read it")
            else:
                header, payload = decoded
                body = Text("header ") + pretty_json(header) + Text("\npayload ")
                body += pretty_json(payload)
            self.query_one(f"#{name}", Static).update(body)
        self.update_expiry()

    def update_expiry(self) -> None:
        """Count down to the expiry of the ID token and the access token."""
        now = self.app.clock()
        id_exp = self.tokens.claims.get("exp", 0)
        self.query_one("#id-token-expiry", Static).update(
            f"ID token (validated): expires in {countdown(id_exp - now)}"
        )
        self.query_one("#access-token-expiry", Static).update(
            "Access token (for the API, which validates it): "
            f"expires in {countdown(self.tokens.expires_at - now)}"
        )

    def action_refresh(self) -> None:
        """Trade the refresh token for new tokens."""
        if not self.busy:
            tokens = self.tokens
            self.run_client(lambda: self.app.client.refresh(tokens), self.refreshed)

    def refreshed(self, tokens: Tokens) -> None:
        """Show the new tokens next to the old refresh token."""
        previous, self.tokens = self.tokens, tokens
        self.app.tokens_changed(tokens)
        self.show_tokens(previous)
        self.show_notice("Tokens refreshed.")

    def action_call_api(self, path: str) -> None:
        """Call the sample API with the access token."""
        if not self.busy:
            tokens = self.tokens
            self.run_client(
                lambda: self.app.client.call_api(tokens, path), partial(self.api_answered, path)
            )

    def api_answered(self, path: str, response) -> None:
        """Show the API's status and body, scrolled into view (below the claims it is hidden)."""
        title = Text(f"GET {path} answered {response.status}\n", style="bold")
        result = self.query_one("#api-result", Static)
        result.update(title + pretty_json(response.body))
        # After the next layout, when the answer has its new height.
        pane = self.query_one("#profile", VerticalScroll)
        self.call_after_refresh(pane.scroll_to_widget, result, top=True, animate=False)

    def action_logout(self) -> None:
        """Revoke the refresh token, forget the tokens, go back to sign-in."""
        if not self.busy:
            tokens = self.tokens
            self.run_client(
                lambda: self.app.client.logout(tokens),
                lambda _: self.app.signed_out("Signed out. The refresh token was revoked."),
                self._logout_failed,
            )

    def _logout_failed(self, error: AuthError) -> None:
        """Sign out here anyway: the tokens are wiped even if the tenant was not told."""
        self.app.signed_out(f"Signed out here, but the tenant could not revoke the token: {error}")

    def failed(self, error: AuthError) -> None:
        """Send the user back to sign-in when the session is over, else show the error."""
        if isinstance(error, SessionExpired):
            # No retry: a refused refresh token stays refused (RFC 6749 5.2 invalid_grant).
            self.app.signed_out(f"Your session has ended ({error}). Sign in again.")
        else:
            self.show_error(str(error))
