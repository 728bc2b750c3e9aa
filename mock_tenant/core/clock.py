"""The tenant's clock: real time, moved or frozen through the dev API so tests never sleep."""

from __future__ import annotations

import json
import time

from . import memo
from .storage import Storage

MEMO_KEY = "clock"
READ_STATE = "SELECT value FROM meta WHERE key = 'clock'"


class Clock:
    """Tenant time in whole seconds, shared by every process through the database."""

    def __init__(self, storage: Storage):
        self.storage = storage

    def now(self) -> int:
        """Return the tenant's current time as a Unix timestamp."""
        state = self._state()
        if state.get("frozen_at") is not None:
            return int(state["frozen_at"])
        return int(time.time() + state.get("offset", 0))

    def advance(self, seconds: int) -> int:
        """Move tenant time forward (or back) by some seconds and return the new time."""
        with self.storage.transaction() as db:
            state = self._read(db)
            if state.get("frozen_at") is not None:
                state["frozen_at"] += seconds
            else:
                state["offset"] = state.get("offset", 0) + seconds
            self._save(db, state)
        return self.now()

    def freeze(self, frozen: bool) -> int:
        """Stop tenant time where it is, or let it run again from there."""
        with self.storage.transaction() as db:
            state = self._read(db)
            if frozen and state.get("frozen_at") is None:
                state["frozen_at"] = int(time.time() + state.get("offset", 0))
            elif not frozen and state.get("frozen_at") is not None:
                state = {"offset": state["frozen_at"] - time.time()}
            self._save(db, state)
        return self.now()

    def describe(self) -> dict:
        """Return the clock as the dev API shows it."""
        state = self._state()
        return {
            "now": self.now(),
            "frozen": state.get("frozen_at") is not None,
            "offset": round(state.get("offset", 0)),
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
    return json.loads(row["value"]) if row else {}
