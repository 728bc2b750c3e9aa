"""A per-request memo: values the core reads once per request instead of once per use.

A login asks for the time and the signing key id a dozen times, and both change only through
the dev API or a key rotation (possibly in another process). The HTTP side opens a scope
around each request (`request_scope`); inside it the first read is remembered, outside it
every read goes to the database. A context variable, not Flask's `g`, keeps the core free of
Flask: https://docs.python.org/3/library/contextvars.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_memo: ContextVar[dict | None] = ContextVar("mock_tenant_request_memo", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """Remember values read during one request, and forget them when it ends."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


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
