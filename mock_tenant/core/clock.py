"""The tenant's clock: real time, with stored state aged (or time stopped) through the dev API.

"Advance N seconds" does not move the time the tenant stamps into tokens: a token whose `iat`
lies in the future is refused by every client library (PyJWT, Authlib, auth0-spa-js allow a
minute of leeway at most). It makes everything the tenant stored N seconds older instead:
codes, login transactions, sessions, grants and tokens, throttle windows, lockouts, consents
and keys (`storage.AGED_COLUMNS`). Rules compare those times with now, so a code expires, a
refresh token reaches its lifetime and a cooldown ends exactly as if N seconds had passed,
while tokens minted next still carry real time and every client accepts them.

"Freeze" stops the clock for tests that hit a boundary to the second. Tokens minted while it
is stopped carry the stopped time, so they look older to clients as real time goes by.
"""

from __future__ import annotations

import json
import time

from . import memo
from .storage import Storage, age_stored_state

MEMO_KEY = "clock"
READ_STATE = "SELECT value FROM meta WHERE key = 'clock'"


class Clock:
    """Tenant time in whole seconds, shared by every process through the database."""

    def __init__(self, storage: Storage):
        self.storage = storage

    def now(self) -> int:
        """Return the tenant's current time as a Unix timestamp (real time unless stopped)."""
        frozen_at = self._state().get("frozen_at")
        return int(frozen_at) if frozen_at is not None else int(time.time())

    def advance(self, seconds: int) -> int:
        """Age every stored time by some seconds, as if they had passed; return the time."""
        with self.storage.transaction() as db:
            # One transaction: a request in another process sees all of the state aged or
            # none of it, so a code and its transaction never disagree about their age.
            age_stored_state(db, seconds)
            state = self._read(db)
            state["aged"] = state.get("aged", 0) + seconds
            self._save(db, state)
        return self.now()

    def freeze(self, frozen: bool) -> int:
        """Stop tenant time where it is, or put it back on real time."""
        with self.storage.transaction() as db:
            state = self._read(db)
            if frozen and state.get("frozen_at") is None:
                state["frozen_at"] = int(time.time())
            elif not frozen:
                state.pop("frozen_at", None)
            self._save(db, state)
        return self.now()

    def describe(self) -> dict:
        """Return the clock as the dev API shows it."""
        state = self._state()
        now = self.now()
        return {
            "now": now,
            "frozen": state.get("frozen_at") is not None,
            # Seconds tenant time is ahead of real time: 0 while it runs, as tokens show.
            "offset": round(now - time.time()) if state.get("frozen_at") is not None else 0,
            # Seconds the stored state was aged by since the last reset.
            "aged": state.get("aged", 0),
        }

    def _state(self) -> dict:
        """Return the clock's stored state (empty when the clock is real time)."""
        # Read once per request: the state changes only through the dev API, which
        # updates the remembered copy when it writes.
        return memo.remembered(MEMO_KEY, lambda: _parse(self.storage.query_one(READ_STATE)))

    @staticmethod
    def _read(db) -> dict:
        """Read the clock's state inside the caller's transaction."""
        return _parse(db.execute(READ_STATE).fetchone())

    @staticmethod
    def _save(db, state: dict) -> None:
        """Write the clock's state inside the caller's transaction."""
        memo.remember(MEMO_KEY, state)
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('clock', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (json.dumps(state),),
        )


def _parse(row) -> dict:
    """Turn the stored clock row into its state (empty when the clock is real time)."""
    state = json.loads(row["value"]) if row else {}
    # A database from before stored state was aged kept a shift of tenant time instead;
    # drop it, so tokens are stamped with real time again.
    state.pop("offset", None)
    return state
