"""A running tenant as a test sees it: its addresses, and its dev API as plain methods.

Every method is one call to the dev API (docs/reference/dev-api.md) over HTTP, so a handle
works the same for a tenant in this process and for one started elsewhere
(`passwordless-tenant` in another terminal or a CI service). The one exception,
`management_token`, asks `/oauth/token` as a machine-to-machine app of the test's does.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

# Seconds one dev API call may take before the test fails instead of hanging.
TIMEOUT = 10


class DevApiError(AssertionError):
    """The tenant refused a call of the handle; the message carries the tenant's answer."""


@dataclass(frozen=True)
class LocalTenant:
    """A tenant reachable at `base_url` (no trailing slash), with its dev API on."""

    base_url: str
    # The dev token, for a tenant bound off loopback (printed when it starts).
    dev_token: str | None = None
    # For an https tenant: the PEM file of the local CA that signed its certificate, which
    # the handle's own requests trust and your app must trust too.
    ca_bundle: str | None = None
    # The login pages it shows: "new", "classic-lock", "classic-custom-ui", or None when
    # not known (a tenant started elsewhere, a Classic template of your own).
    experience: str | None = None

    @property
    def issuer(self) -> str:
        """Return the issuer: the base URL with Auth0's trailing slash (the `iss` claim)."""
        return self.base_url + "/"

    @property
    def domain(self) -> str:
        """Return what goes in an app's AUTH0_DOMAIN: `host:port` over https, else the base URL.

        Auth0's SDKs take a bare host and mean https, so an https tenant's domain is bare, as
        Auth0's is; for a plain http tenant they accept the whole base URL, as auth0-spa-js
        and the suite's apps do.
        """
        return self.host if self.base_url.startswith("https://") else self.base_url

    @property
    def verify(self) -> str | bool:
        """Return what `requests` should check the tenant's certificate with (`verify=`)."""
        return self.ca_bundle or True

    @property
    def host(self) -> str:
        """Return `host:port`, for settings that want the domain without a scheme."""
        return urllib.parse.urlsplit(self.base_url).netloc

    def url(self, path: str = "/") -> str:
        """Return an absolute URL on the tenant for a path such as `/authorize`."""
        return self.base_url + "/" + path.lstrip("/")

    @property
    def management_audience(self) -> str:
        """Return the Management API's identifier: `https://{host:port}/api/v2/`.

        Auth0 names its Management API `https://{domain}/api/v2/`; the tenant keeps the https
        even when it serves plain HTTP (docs/reference/management-api.md).
        """
        return f"https://{self.host}/api/v2/"

    # Auth0's request for a Management API token: the client credentials grant, audience
    # https://{yourDomain}/api/v2/. https://auth0.com/docs/secure/tokens/access-tokens/
    # management-api-access-tokens/get-management-api-access-tokens-for-production
    def management_token(self, client_id: str, client_secret: str, scope: str | None = None) -> str:
        """Return a Management API access token for a machine-to-machine client of the config.

        The client credentials grant, as Auth0 documents it: the client needs
        `grant_types = ["client_credentials"]` and a `client_grants` entry for the audience
        `https://{domain}/api/v2/` with the scopes asked for (all of the grant's by default).
        A refused request fails the test with the tenant's answer (`DevApiError`).
        """
        form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "audience": self.management_audience,
        }
        if scope is not None:
            form["scope"] = scope
        return self._post_form("/oauth/token", form)["access_token"]

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
        """Age the tenant's stored state (forward only), to expire a code or age a refresh token."""
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

    def _post_form(self, path: str, form: dict) -> dict:
        """POST a form to a tenant endpoint and return its JSON answer."""
        request = urllib.request.Request(  # noqa: S310 (the URL is the tenant's, http or https)
            self.url(path), data=urllib.parse.urlencode(form).encode(), method="POST"
        )
        return self._send(request, "POST", path)

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
        return self._send(request, method, path)

    def _send(self, request: urllib.request.Request, method: str, path: str):
        """Send a request; return its JSON answer (None for 204), or fail with the answer."""
        # None for http, or to trust the system's CAs: urllib's default.
        context = ssl.create_default_context(cafile=self.ca_bundle) if self.ca_bundle else None
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT, context=context) as response:  # noqa: S310
                text = response.read()
        except urllib.error.HTTPError as error:
            answer = error.read().decode(errors="replace")
            raise DevApiError(f"{method} {path}: {error.code} {answer}") from None
        return json.loads(text) if text else None
