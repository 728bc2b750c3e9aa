"""A per-request memo: values the core reads once per request instead of once per use.

A login asks for the time and the signing key id a dozen times, and both change only through
the dev API or a key rotation (possibly in another process). The HTTP side calls `start()`
when a request begins and `stop()` when it ends; in between, the first read of a value is
remembered, and outside a request every read goes to the database. A context variable, not
Flask's `g`, keeps the core free of Flask: https://docs.python.org/3/library/contextvars.html
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

_memo: ContextVar[dict | None] = ContextVar("mock_tenant_request_memo", default=None)


def start() -> None:
    """Begin remembering values for the request this thread now handles."""
    _memo.set({})


def stop() -> None:
    """Forget what this request remembered (a thread may serve another request next)."""
    _memo.set(None)


def remembered(key: str, read: Callable[[], Any]) -> Any:
    """Return the value remembered for this request under `key`, reading it the first time."""
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def remember(key: str, value: Any) -> None:
    """Replace the value remembered for this request (after the caller changed it)."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = value


def forget(key: str) -> None:
    """Drop a remembered value, so the next read goes to the database."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)
