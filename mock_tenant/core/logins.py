"""Universal Login state: login transactions, the SSO session, and the steps a login goes through.

A browser gets a random cookie; the database stores only its hash. A transaction (one
/authorize on its way through the pages) and a session (single sign-on) both belong to a
browser, so a link or page opened anywhere else can do nothing with them. The hosted pages
(`login/pages.py`) call the step functions below, one per page action.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass

from . import codes, consent, events, grants, passwordless, users

BROWSER_COOKIE = "tenant_browser"
SESSION_COOKIE = "tenant_session"
# How long a person has to finish a login once /authorize started it.
TRANSACTION_LIFETIME = 3600
# How long single sign-on lasts (Auth0's default inactivity timeout is 3 days).
# https://auth0.com/docs/manage-users/sessions/configure-session-lifetime-settings
SESSION_LIFETIME = 3 * 24 * 3600


@dataclass(frozen=True)
class AuthorizeRequest:
    """A validated /authorize request: what the app asked for (see `login/authorize.py`)."""

    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    audience: str | None
    connection: str | None
    login_hint: str | None
    prompt: str | None
    max_age: int | None
    response_mode: str
    # "code", or an implicit or hybrid combination such as "code id_token".
    response_type: str = "code"
    # The app's preferred page languages (OpenID Connect), kept for every page of the login.
    ui_locales: str | None = None

    def to_dict(self) -> dict:
        """Return the request as a dict (stored with the login transaction)."""
        return asdict(self)


@dataclass(frozen=True)
class Authorized:
    """What /authorize decided: an answer for the app, or a page to show (login or consent).

    `response` holds the authorization response's parameters (a code, tokens, or an error
    such as `login_required`), `state` a new transaction for the login pages, and
    `consent_state` a transaction whose user is known but must consent first.
    """

    response: dict | None = None
    state: str | None = None
    consent_state: str | None = None


@dataclass(frozen=True)
class Finished:
    """What finishing a verified login gave: the app's answer, or the consent page first."""

    response: dict | None = None
    needs_consent: bool = False


def digest(value: str) -> str:
    """Return the SHA-256 a cookie value is stored under."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_secret() -> str:
    """Return a fresh random cookie value (256 bits)."""
    return secrets.token_urlsafe(32)


def authorize(
    tenant, request: AuthorizeRequest, *, browser_key: str, session_cookie: str | None
) -> Authorized:
    """Sign the user in silently from their session, or start a login transaction."""
    prompts = set((request.prompt or "").split())
    with tenant.storage.transaction() as db:
        now = tenant.clock.now()
        session = _find_session(db, tenant, session_cookie)
        # https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (prompt, max_age):
        # "max_age=0 is equivalent to prompt=login", even for a session a moment old.
        fresh = (
            session is not None
            and "login" not in prompts
            and request.max_age != 0
            and (request.max_age is None or now - session["auth_time"] <= request.max_age)
        )
        if fresh and consent.required(db, tenant, request, session["user_id"]):
            # https://openid.net/specs/openid-connect-core-1_0.html#AuthError
            if "none" in prompts:
                return Authorized(response=CONSENT_REQUIRED)
            state = new_transaction(
                db,
                tenant,
                request,
                browser_key,
                user_id=session["user_id"],
                auth_time=session["auth_time"],
            )
            return Authorized(consent_state=state)
        if fresh:
            response = grants.authorization_response(
                db,
                tenant,
                request,
                user_id=session["user_id"],
                auth_time=session["auth_time"],
                sid=session["sid"],
            )
            return Authorized(response=response)
        if "none" in prompts:
            return Authorized(response=LOGIN_REQUIRED)
        return Authorized(state=new_transaction(db, tenant, request, browser_key))


# https://openid.net/specs/openid-connect-core-1_0.html#AuthError (Auth0's descriptions)
LOGIN_REQUIRED = {"error": "login_required", "error_description": "Login required"}
CONSENT_REQUIRED = {"error": "consent_required", "error_description": "Consent required"}
# https://auth0.com/docs/get-started/applications/third-party-applications/user-consent-and-third-party-applications
CONSENT_DENIED = {
    "error": "access_denied",
    "error_description": "User did not authorize the request",
}


def new_transaction(
    db, tenant, request: AuthorizeRequest, browser_key: str, *, user_id=None, auth_time=None
) -> str:
    """Record a login transaction for this browser and return its state."""
    now = tenant.clock.now()
    state = secrets.token_urlsafe(24)
    db.execute(
        "INSERT INTO login_transactions (state, browser_hash, csrf_token, client_id, params, "
        "user_id, auth_time, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            state,
            digest(browser_key),
            secrets.token_urlsafe(24),
            request.client_id,
            json.dumps(request.to_dict()),
            user_id,
            auth_time,
            now,
            now + TRANSACTION_LIFETIME,
        ),
    )
    return state


def load(tenant, state: str | None, browser_key: str | None) -> dict | None:
    """Return a live, unfinished transaction if this browser owns it, else None."""
    if not state or not browser_key or len(state) > 64:
        return None
    # Read under the write lock, as every page step is: a locked database answers 503.
    with tenant.storage.transaction() as db:
        row = db.execute("SELECT * FROM login_transactions WHERE state = ?", (state,)).fetchone()
    if row is None or row["expires_at"] <= tenant.clock.now() or row["completed_at"]:
        return None
    if not hmac.compare_digest(row["browser_hash"], digest(browser_key)):
        return None
    transaction = dict(row)
    transaction["params"] = json.loads(row["params"])
    return transaction


def finished(tenant, state: str | None, browser_key: str | None) -> bool:
    """Tell whether this browser's login named `state` has already finished (code issued).

    `load` answers None for a finished login as for an unknown one; the pages use this to
    say which it is (a Back button or a reused link after success, not an expired login).
    """
    if not state or not browser_key or len(state) > 64:
        return False
    row = tenant.storage.query_one(
        "SELECT browser_hash FROM login_transactions WHERE state = ? AND completed_at IS NOT NULL",
        (state,),
    )
    return row is not None and hmac.compare_digest(row["browser_hash"], digest(browser_key))


def send_code(
    tenant,
    transaction: dict,
    client,
    connection,
    identifier: str,
    send: str,
    *,
    resend: bool,
    language: str | None = None,
) -> int:
    """Send a code or link for this transaction and remember where it went.

    Returns:
        0 when it went ahead; otherwise the seconds left in the resend cooldown (a first
        send to the same address during the cooldown goes ahead with the code already sent).
    """
    with tenant.storage.transaction() as db:
        wait, message = passwordless.issue(
            db,
            tenant,
            client,
            connection,
            identifier,
            send=send,
            auth_params={"state": transaction["state"]},
            transaction_id=transaction["state"],
            # The message speaks the page's language (`request_language` in its template).
            language=language,
        )
        if wait and resend:
            return wait
        _update(
            db, transaction["state"], connection=connection.name, identifier=identifier, send=send
        )
    passwordless.deliver(tenant, connection, message)
    transaction.update(connection=connection.name, identifier=identifier, send=send)
    return 0


def seconds_until_resend(tenant, transaction: dict) -> int:
    """Return the seconds left before another code may be sent for this transaction."""
    # Only the hardened profile has a resend cooldown (core/passwordless.py: issue).
    if not tenant.rules.resend_cooldown:
        return 0
    with tenant.storage.transaction() as db:
        return passwordless.seconds_until_resend(
            db, tenant, transaction["connection"], transaction["identifier"], tenant.clock.now()
        )


def verify_code(tenant, transaction: dict, code: str) -> codes.Outcome:
    """Check a code for this transaction and, if right, record who signed in."""
    with tenant.storage.transaction() as db:
        redeemed = passwordless.redeem(
            db,
            tenant,
            connection=transaction["connection"],
            identifier=transaction["identifier"],
            client_id=transaction["client_id"],
            code=code,
            transaction_id=transaction["state"],
        )
        if redeemed.user is not None:
            _update(
                db,
                transaction["state"],
                user_id=redeemed.user["user_id"],
                auth_time=tenant.clock.now(),
            )
    return redeemed.outcome


def verify_on_page(
    tenant, browser_key: str | None, *, client_id: str, connection: str, identifier: str, code: str
) -> codes.Outcome:
    """Check a code typed on a Classic login page (`POST /passwordless/verify`).

    auth0.js sends no `state` with it (src/authentication/passwordless-authentication.js:
    verify), so the login is this browser's newest unfinished one that sent a code to the
    identifier for this app. A right code marks it verified; the page then follows
    `/passwordless/verify_redirect?state=...` to finish it (see `load`, `sign_in`).
    """
    if not browser_key:
        return codes.Outcome.WRONG
    row = tenant.storage.query_one(
        "SELECT state FROM login_transactions WHERE browser_hash = ? AND client_id = ? "
        "AND connection = ? AND identifier = ? AND send = 'code' AND completed_at IS NULL "
        "AND expires_at > ? ORDER BY created_at DESC LIMIT 1",
        (digest(browser_key), client_id, connection, identifier, tenant.clock.now()),
    )
    transaction = load(tenant, row["state"], browser_key) if row else None
    if transaction is None:
        return codes.Outcome.WRONG
    return verify_code(tenant, transaction, code)


def sign_in(tenant, state: str, old_session_cookie: str | None) -> str:
    """Open the SSO session for a verified transaction's user; return the new cookie value.

    A new session id at every login, so a planted cookie is worth nothing (session fixation).
    """
    with tenant.storage.transaction() as db:
        row = db.execute(
            "SELECT user_id, auth_time FROM login_transactions WHERE state = ?", (state,)
        ).fetchone()
        cookie, _sid = open_session(
            db, tenant, row["user_id"], row["auth_time"], old_session_cookie
        )
    return cookie


def open_session(
    db, tenant, user_id: str, auth_time: int, old_session_cookie: str | None
) -> tuple[str, str]:
    """Replace the browser's SSO session with a new one, in the caller's transaction.

    Returns:
        (the new cookie value, the session's `sid`).
    """
    _end_session(db, old_session_cookie)
    cookie, sid = new_secret(), secrets.token_urlsafe(16)
    db.execute(
        "INSERT INTO sessions (session_hash, sid, user_id, auth_time, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (digest(cookie), sid, user_id, auth_time, tenant.clock.now() + SESSION_LIFETIME),
    )
    return cookie, sid


def resume(tenant, transaction: dict, session_cookie: str | None) -> Finished | None:
    """Answer the app for a verified transaction, once, unless consent must come first.

    Returns:
        None when the transaction's user is not verified (or it was finished already).
    """
    request = AuthorizeRequest(**transaction["params"])
    with tenant.storage.transaction() as db:
        if transaction["user_id"] and consent.required(db, tenant, request, transaction["user_id"]):
            return Finished(needs_consent=True)
        response = _finish(db, tenant, transaction, session_cookie)
    return Finished(response=response) if response else None


def decide_consent(
    tenant, transaction: dict, session_cookie: str | None, *, accepted: bool
) -> dict | None:
    """Record the user's answer on the consent page and return the app's answer, once.

    Returns:
        The authorization response (tokens or a code; `access_denied` when declined), or
        None when the transaction's user is not verified or it was finished already.
    """
    request = AuthorizeRequest(**transaction["params"])
    with tenant.storage.transaction() as db:
        if not accepted:
            finished = _complete(db, tenant, transaction)
            return dict(CONSENT_DENIED) if finished else None
        if transaction["user_id"]:
            consent.give(db, tenant, request, transaction["user_id"])
        return _finish(db, tenant, transaction, session_cookie)


def _complete(db, tenant, transaction: dict) -> bool:
    """Mark a verified transaction finished; False if it was not verified or already done."""
    return bool(
        db.execute(
            "UPDATE login_transactions SET completed_at = ? WHERE state = ? "
            "AND completed_at IS NULL AND user_id IS NOT NULL",
            (tenant.clock.now(), transaction["state"]),
        ).rowcount
    )


# The suite's choice (no source says what Auth0 answers): a user deleted between the code
# page and /authorize/resume gets the app an error it can start a new login from.
USER_GONE = {"error": "access_denied", "error_description": "The user no longer exists."}


def _finish(db, tenant, transaction: dict, session_cookie: str | None) -> dict | None:
    """Complete a verified transaction and issue its authorization response, in one write."""
    if not _complete(db, tenant, transaction):
        return None
    # The user may have been deleted (dev API) since the code was checked: no code for them.
    if users.get(db, transaction["user_id"]) is None:
        return dict(USER_GONE)
    session = _find_session(db, tenant, session_cookie)
    return grants.authorization_response(
        db,
        tenant,
        AuthorizeRequest(**transaction["params"]),
        user_id=transaction["user_id"],
        auth_time=transaction["auth_time"],
        sid=session["sid"] if session else None,
    )


def finish_link(
    tenant, request: AuthorizeRequest, *, connection: str, identifier: str, code: str
) -> tuple[codes.Outcome, dict | None]:
    """Redeem a magic link sent by /passwordless/start and issue the app's answer for it.

    Returns:
        (the outcome, the authorization response when the link was right).
    """

    def respond(db, user: dict) -> dict:
        """Issue the authorization response for the link's user."""
        # Auth0 issues no refresh token for a magic-link login.
        scope = " ".join(s for s in request.scope.split() if s != "offline_access")
        return grants.authorization_response(
            db,
            tenant,
            dataclasses.replace(request, scope=scope),
            user_id=user["user_id"],
            auth_time=tenant.clock.now(),
            sid=None,
        )

    return passwordless.redeem_for(
        tenant,
        connection=connection,
        identifier=identifier,
        client_id=request.client_id,
        code=code,
        pay=respond,
    )


def session_sid(tenant, cookie: str | None) -> str | None:
    """Return the `sid` of the live SSO session a cookie stands for, or None."""
    with tenant.storage.transaction() as db:
        session = _find_session(db, tenant, cookie)
    return session["sid"] if session else None


def logout_token(tenant, cookie: str) -> str:
    """Return the CSRF token of the logout confirmation for this session (keyed, stateless)."""
    return hmac.new(tenant.secret, b"logout:" + cookie.encode(), "sha256").hexdigest()


def end_session(tenant, cookie: str | None) -> None:
    """Forget an SSO session (logout)."""
    with tenant.storage.transaction() as db:
        _end_session(db, cookie)


def _end_session(db, cookie: str | None) -> None:
    """Delete the session a cookie stands for, inside the caller's transaction."""
    if not cookie:
        return
    row = db.execute(
        "DELETE FROM sessions WHERE session_hash = ? RETURNING sid", (digest(cookie),)
    ).fetchall()
    if row:
        events.session_ended.send(sid=row[0]["sid"])


def _find_session(db, tenant, cookie: str | None) -> dict | None:
    """Return the live SSO session a cookie stands for, or None."""
    if not cookie:
        return None
    row = db.execute(
        "SELECT s.* FROM sessions s JOIN users u USING (user_id) "
        "WHERE s.session_hash = ? AND s.expires_at > ?",
        (digest(cookie), tenant.clock.now()),
    ).fetchone()
    return dict(row) if row else None


def _update(db, state: str, **fields) -> None:
    """Set some columns of a transaction."""
    columns = ", ".join(f"{name} = ?" for name in fields)
    db.execute(
        f"UPDATE login_transactions SET {columns} WHERE state = ?",  # noqa: S608 (our names)
        (*fields.values(), state),
    )
