"""A running tenant as a test sees it: its addresses, and its dev API as plain methods.

Every method is one call to the dev API (docs/reference/dev-api.md) over HTTP, so a handle
works the same for a tenant in this process and for one started elsewhere
(`passwordless-tenant` in another terminal or a CI service).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

# Seconds one dev API call may take before the test fails instead of hanging.
TIMEOUT = 10


class DevApiError(AssertionError):
    """The dev API refused a call; the message carries the tenant's answer."""


@dataclass(frozen=True)
class LocalTenant:
    """A tenant reachable at `base_url` (no trailing slash), with its dev API on."""

    base_url: str
    # The dev token, for a tenant bound off loopback (printed when it starts).
    dev_token: str | None = None

    @property
    def issuer(self) -> str:
        """Return the issuer: the base URL with Auth0's trailing slash (the `iss` claim)."""
        return self.base_url + "/"

    @property
    def domain(self) -> str:
        """Return what goes in an app's AUTH0_DOMAIN: the base URL, scheme and port included.

        Auth0's SDKs take a bare host and mean https; for a local http tenant they accept the
        whole base URL, as auth0-spa-js and the suite's apps do.
        """
        return self.base_url

    @property
    def host(self) -> str:
        """Return `host:port`, for settings that want the domain without a scheme."""
        return urllib.parse.urlsplit(self.base_url).netloc

    def url(self, path: str = "/") -> str:
        """Return an absolute URL on the tenant for a path such as `/authorize`."""
        return self.base_url + "/" + path.lstrip("/")

    def messages(self, to: str | None = None) -> list[dict]:
        """Return the emails and SMS sent (to one address or phone number), newest first.

        Each is `{id, channel, to, subject, text, code, link, sent_at}`.
        """
        query = "?" + urllib.parse.urlencode({"to": to}) if to else ""
        return self._call("GET", "/_dev/api/outbox" + query)

    def last_message(self, to: str) -> dict:
        """Return the newest message sent to an address; fail the test if there is none."""
        messages = self.messages(to)
        if not messages:
            raise AssertionError(f"the tenant sent nothing to {to}")
        return messages[0]

    def last_code(self, to: str) -> str:
        """Return the one-time code in the newest message to an address."""
        code = self.last_message(to)["code"]
        if not code:
            raise AssertionError(f"the newest message to {to} carries no code (a link?)")
        return code

    def last_link(self, to: str) -> str:
        """Return the magic link in the newest email to an address."""
        link = self.last_message(to)["link"]
        if not link:
            raise AssertionError(f"the newest message to {to} carries no link (a code?)")
        return link

    def clear_messages(self, to: str | None = None) -> int:
        """Delete the messages sent (to one address); return how many went."""
        query = "?" + urllib.parse.urlencode({"to": to}) if to else ""
        return self._call("DELETE", "/_dev/api/outbox" + query)["deleted"]

    def advance_clock(self, seconds: int) -> dict:
        """Move tenant time forward (or back, negative), to expire a code or age a token."""
        return self._call("POST", "/_dev/api/clock", {"advance": seconds})

    def freeze_clock(self, frozen: bool = True) -> dict:
        """Stop tenant time (or let it run again)."""
        return self._call("POST", "/_dev/api/clock", {"freeze": frozen})

    def fail_next(
        self,
        endpoint: str,
        status: int = 500,
        error: str = "server_error",
        error_description: str = "Injected by the dev API.",
    ) -> None:
        """Make the next answer of an endpoint (such as `/oauth/token`) this error, once."""
        self._call(
            "POST",
            "/_dev/api/errors",
            {
                "endpoint": endpoint,
                "status": status,
                "error": error,
                "error_description": error_description,
            },
        )

    def create_user(
        self, email: str | None = None, phone_number: str | None = None, **claims
    ) -> dict:
        """Create a passwordless user by email or phone number, with profile claims."""
        body = {"claims": claims}
        if email is not None:
            body["email"] = email
        if phone_number is not None:
            body["phone_number"] = phone_number
        return self._call("POST", "/_dev/api/users", body)

    def users(self) -> list[dict]:
        """Return every user: `{user_id, connection, identifier, claims, ...}`."""
        return self._call("GET", "/_dev/api/users")

    def rotate_keys(self) -> str:
        """Sign with a new key from now on (the old one stays published); return its kid."""
        return self._call("POST", "/_dev/api/keys/rotate", {})["kid"]

    def reset(self) -> None:
        """Forget users (the config's come back), codes, tokens, messages and clock changes."""
        self._call("POST", "/_dev/api/reset", {})

    def _call(self, method: str, path: str, body: dict | None = None):
        """Send one dev API request and return its JSON answer (None for 204)."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.dev_token:
            headers["Authorization"] = f"Bearer {self.dev_token}"
        request = urllib.request.Request(  # noqa: S310 (the URL is the tenant's, http or https)
            self.url(path), data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                text = response.read()
        except urllib.error.HTTPError as error:
            answer = error.read().decode(errors="replace")
            raise DevApiError(f"{method} {path}: {error.code} {answer}") from None
        return json.loads(text) if text else None
