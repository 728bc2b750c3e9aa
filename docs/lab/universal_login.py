"""Walk through Universal Login with plain HTTP, the way a browser would, for the workshop.

The chapters use it where a browser would be in the way: it sends `/authorize`, types the
email address on the identifier page, reads the code from the dev outbox, types it, and stops
at the redirect back to the app. It prints what the app would hold at that moment as shell
assignments, so a command line can go on from there:

    eval "$(.venv/bin/python docs/lab/universal_login.py --tenant http://127.0.0.1:4000)"
    echo "$CODE $VERIFIER $REDIRECT_URI"

It talks to the tenant only over HTTP and never imports the tenant: it is one more client.
Run it with `--help` for the options.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import secrets
import shlex
import sys
import urllib.parse

import requests

# The redirect URI each demo application has registered (mock_tenant/tenant.toml). The
# native app's loopback URI may use any port (RFC 8252 section 7.3); nothing listens on it
# here, because the script stops before the browser would go there.
REDIRECT_URIS = {
    "demo-native-app": "http://127.0.0.1:8765/callback",
    "demo-regular-web-app": "http://localhost:3000/callback",
    "demo-single-page-app": "http://localhost:3001/",
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ERROR = re.compile(r'<p class="alert alert-error"[^>]*>([^<]*)</p>')
TIMEOUT = 10


class LoginFailed(Exception):
    """The tenant did not answer the way a successful login goes."""


def pkce_pair() -> tuple[str, str]:
    """Return a PKCE verifier and its S256 challenge (RFC 7636 section 4.1 and 4.2)."""
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="docs/lab/universal_login.py",
        description="Log in through the tenant's Universal Login pages without a browser and "
        "print the authorization code (and PKCE verifier) as shell assignments.",
    )
    parser.add_argument("--tenant", default="http://127.0.0.1:4000", help="tenant base URL")
    parser.add_argument("--client-id", default="demo-native-app", help="application")
    parser.add_argument("--redirect-uri", help="callback URL (default: the app's registered one)")
    parser.add_argument("--email", default="ada@example.com", help="who logs in")
    parser.add_argument("--scope", default="openid profile email offline_access")
    parser.add_argument("--audience", default="urn:passwordless-demo:api", help="'' for none")
    parser.add_argument("--state", help="the state to send (default: random)")
    parser.add_argument("--nonce", help="the nonce to send (default: random)")
    parser.add_argument(
        "--code-challenge",
        help="send this PKCE challenge (you keep the verifier); default: make a pair",
    )
    parser.add_argument(
        "--no-pkce", action="store_true", help="send no code_challenge (public apps are refused)"
    )
    return parser.parse_args(argv)


def login(args: argparse.Namespace) -> dict[str, str]:
    """Go from /authorize to the app's callback URL and return what the app would hold."""
    tenant = args.tenant.rstrip("/")
    redirect_uri = args.redirect_uri or REDIRECT_URIS.get(args.client_id, "")
    verifier, challenge = pkce_pair()
    if args.code_challenge:
        verifier, challenge = "", args.code_challenge
    state = args.state or secrets.token_urlsafe(16)
    nonce = args.nonce or secrets.token_urlsafe(16)
    params = {
        "response_type": "code",
        "client_id": args.client_id,
        "redirect_uri": redirect_uri,
        "scope": args.scope,
        "state": state,
        "nonce": nonce,
        "connection": "email",
    }
    if args.audience:
        params["audience"] = args.audience
    if not args.no_pkce:
        params.update(code_challenge=challenge, code_challenge_method="S256")

    callback = walk(tenant + "/authorize?" + urllib.parse.urlencode(params), args.email)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))
    if "code" not in query:
        raise LoginFailed(f"the tenant came back without a code: {callback}")
    if query.get("state") != state:
        raise LoginFailed("the state in the callback is not the one sent")
    result = {"CODE": query["code"], "REDIRECT_URI": redirect_uri, "STATE": state, "NONCE": nonce}
    if verifier:
        # Only a verifier made here: with --code-challenge the caller keeps its own.
        result["VERIFIER"] = verifier
    return {**result, "CALLBACK": callback}


def walk(authorize_url: str, email: str) -> str:
    """Follow an /authorize URL through the login pages and return the app's callback URL.

    Like a browser, it keeps the tenant's cookies from page to page (one `requests.Session`
    is one browser). It reads the code from the dev outbox where a person reads their mail,
    and it stops at the redirect back to the app: what to do with the code is the app's job.
    """
    parts = urllib.parse.urlsplit(authorize_url)
    tenant = f"{parts.scheme}://{parts.netloc}"
    browser = requests.Session()
    # 1. /authorize validates the request and sends the browser to the identifier page.
    answer = browser.get(authorize_url, allow_redirects=False, timeout=TIMEOUT)
    page_url = _next(tenant, answer, "/authorize")
    # 2. The identifier page: type the email address, ask for a code.
    page = browser.get(page_url, timeout=TIMEOUT)
    csrf = CSRF.search(page.text)
    if csrf is None:
        raise LoginFailed(f"no login form at {page_url}")
    answer = browser.post(
        page_url,
        data={"csrf_token": csrf.group(1), "username": email, "send": "code"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    challenge_url = _next(tenant, answer, "the identifier page")
    # 3. Read the code from the dev outbox (the learner's inbox) and type it.
    messages = browser.get(
        tenant + "/_dev/api/outbox", params={"to": email}, timeout=TIMEOUT
    ).json()
    answer = browser.post(
        challenge_url,
        data={"csrf_token": csrf.group(1), "code": messages[0]["code"]},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    resume_url = _next(tenant, answer, "the code page")
    # 4. /authorize/resume issues the authorization code and redirects to the app.
    answer = browser.get(resume_url, allow_redirects=False, timeout=TIMEOUT)
    callback = answer.headers.get("Location")
    if answer.status_code == 302 and callback and callback.startswith("/u/consent"):
        # 5. An app asking for an API from a localhost callback: Auth0 asks the person to
        #    consent first (localhost is never a verifiable first-party app). Accept.
        consent_url = urllib.parse.urljoin(tenant + "/", callback)
        page = browser.get(consent_url, timeout=TIMEOUT)
        csrf = CSRF.search(page.text)
        if csrf is None:
            raise LoginFailed(f"no consent form at {consent_url}")
        answer = browser.post(
            consent_url,
            data={"csrf_token": csrf.group(1), "action": "accept"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        callback = answer.headers.get("Location")
    if answer.status_code not in (302, 303) or not callback:
        raise LoginFailed(f"/authorize/resume answered {answer.status_code}")
    return callback


def _next(tenant: str, answer: requests.Response, step: str) -> str:
    """Return where a redirect goes, or explain what the tenant said instead."""
    location = answer.headers.get("Location")
    if answer.status_code in (302, 303) and location:
        target = urllib.parse.urljoin(tenant + "/", location)
        if not target.startswith(tenant + "/"):
            # An error the tenant sends back to the app (error=...&state=...).
            raise LoginFailed(f"{step} sent the browser back to the app: {target}")
        return target
    shown = ERROR.search(answer.text)
    detail = shown.group(1) if shown else answer.text[:300]
    raise LoginFailed(f"{step} answered {answer.status_code}: {detail.strip()}")


def main(argv: list[str] | None = None) -> int:
    """Log in and print the result as `NAME='value'` lines for the shell."""
    try:
        result = login(parse_args(argv))
    except (LoginFailed, requests.RequestException) as error:
        print(f"universal_login.py: {error}", file=sys.stderr)
        return 1
    for name, value in result.items():
        print(f"{name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
