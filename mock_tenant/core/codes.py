"""One-time codes: issue, store as a keyed hash, and check with attempt limits.

The rules (https://auth0.com/docs/authenticate/passwordless, NIST SP 800-63B 5.1.3 and 5.2.2):
six random digits; a lifetime; only the newest code for an identifier is valid; a few wrong
tries kill a code; many wrong tries in a row lock the identifier for a while.
Every function that writes takes `db`, a connection inside the caller's transaction, so a code
is consumed in the same atomic write that issues the tokens it pays for.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from . import events

CODE_LENGTH = 6


class Outcome(enum.Enum):
    """What checking a code found."""

    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    LOCKED = "locked"


@dataclass(frozen=True)
class Rules:
    """The tenant settings that govern codes."""

    lifetime: int
    max_attempts: int
    lockout_after_failures: int
    lockout_seconds: int
    # The hardened profile's second brake (docs/security.md rule 9): lock the identifier
    # after `lockout_after_failures` wrong codes in a row. Auth0 has brute-force protection,
    # but no public source gives its thresholds for passwordless codes, so the `auth0`
    # profile has no per-identifier lock (the suite's choice); each code still dies after
    # `max_attempts` wrong tries.
    identifier_lockout: bool = True


def new_code(length: int = CODE_LENGTH) -> str:
    """Return random ASCII digits (six by default) from the OS's secure random source."""
    return "".join(secrets.choice("0123456789") for _ in range(length))


def code_hash(secret: bytes, code: str) -> str:
    """Return the keyed hash a code is stored as (HMAC-SHA256 with the tenant secret)."""
    # A plain hash of a 6-digit code is reversed in microseconds; a keyed one is not.
    return hmac.new(secret, code.encode("ascii"), hashlib.sha256).hexdigest()


def store_code(
    db,
    *,
    secret: bytes,
    connection: str,
    identifier: str,
    client_id: str,
    send: str,
    now: int,
    lifetime: int,
    length: int = CODE_LENGTH,
    transaction_id: str | None = None,
) -> str:
    """Make a new code for an identifier, replacing any older one, and return it."""
    code = new_code(length)
    db.execute(
        "INSERT OR REPLACE INTO otp_codes (connection, identifier, client_id, code_hash, send, "
        "transaction_id, created_at, expires_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
        (
            connection,
            identifier,
            client_id,
            code_hash(secret, code),
            send,
            transaction_id,
            now,
            now + lifetime,
        ),
    )
    note_send(db, connection=connection, identifier=identifier, now=now)
    return code


def note_send(db, *, connection: str, identifier: str, now: int) -> None:
    """Start the resend cooldown for an identifier, whether or not a message went out."""
    db.execute(
        "INSERT INTO identifier_state (connection, identifier, last_sent_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO UPDATE SET last_sent_at = excluded.last_sent_at",
        (connection, identifier, now),
    )


def seconds_until_resend(db, *, connection: str, identifier: str, now: int, cooldown: int) -> int:
    """Return how long the identifier must wait before another code may be sent (0: now)."""
    row = db.execute(
        "SELECT last_sent_at FROM identifier_state WHERE connection = ? AND identifier = ?",
        (connection, identifier),
    ).fetchone()
    if row is None or row["last_sent_at"] == 0:
        return 0
    return max(0, row["last_sent_at"] + cooldown - now)


def check_code(
    db,
    *,
    secret: bytes,
    rules: Rules,
    connection: str,
    identifier: str,
    client_id: str,
    code: str,
    now: int,
    transaction_id: str | None = None,
) -> Outcome:
    """Check a code and record the outcome: consume it, or count a wrong try."""
    state = db.execute(
        "SELECT failures, locked_until FROM identifier_state "
        "WHERE connection = ? AND identifier = ?",
        (connection, identifier),
    ).fetchone()
    if (
        state is not None
        and state["locked_until"] > now
        and events.decide(rules, "identifier_lockout")
    ):
        return Outcome.LOCKED

    row = db.execute(
        "SELECT * FROM otp_codes WHERE connection = ? AND identifier = ?",
        (connection, identifier),
    ).fetchone()
    if row is not None and row["attempts"] >= rules.max_attempts:
        return Outcome.TOO_MANY_ATTEMPTS
    if row is not None and row["expires_at"] <= now:
        db.execute(
            "DELETE FROM otp_codes WHERE connection = ? AND identifier = ?",
            (connection, identifier),
        )
        return Outcome.EXPIRED

    matches = (
        row is not None
        # A code is bound to the application and the login transaction that asked for it.
        and row["client_id"] == client_id
        and row["transaction_id"] == transaction_id
        and hmac.compare_digest(row["code_hash"], code_hash(secret, code))
    )
    if matches:
        db.execute(
            "DELETE FROM otp_codes WHERE connection = ? AND identifier = ?",
            (connection, identifier),
        )
        db.execute(
            "UPDATE identifier_state SET failures = 0 WHERE connection = ? AND identifier = ?",
            (connection, identifier),
        )
        return Outcome.OK

    # Count only tries against a live code: with none there is nothing to guess, and
    # counting would let anyone lock a person out (even just after they logged in).
    if row is not None:
        _count_failure(db, rules, connection, identifier, now)
    return Outcome.WRONG


def _count_failure(db, rules: Rules, connection: str, identifier: str, now: int) -> None:
    """Count a wrong try against the code and the identifier, locking it after too many."""
    db.execute(
        "UPDATE otp_codes SET attempts = attempts + 1 WHERE connection = ? AND identifier = ?",
        (connection, identifier),
    )
    db.execute(
        "INSERT INTO identifier_state (connection, identifier, failures) VALUES (?, ?, 1) "
        "ON CONFLICT DO UPDATE SET failures = failures + 1",
        (connection, identifier),
    )
    failures = db.execute(
        "SELECT failures FROM identifier_state WHERE connection = ? AND identifier = ?",
        (connection, identifier),
    ).fetchone()["failures"]
    if failures < rules.lockout_after_failures:
        return
    # Here the profiles differ: hardened locks the identifier, Auth0 (as far as its docs
    # say) does not. Either way the count starts again.
    locked_until = now + rules.lockout_seconds if events.decide(rules, "identifier_lockout") else 0
    db.execute(
        "UPDATE identifier_state SET failures = 0, locked_until = ? "
        "WHERE connection = ? AND identifier = ?",
        (locked_until, connection, identifier),
    )
