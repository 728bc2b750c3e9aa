"""Throttles: how many requests a caller (an IP address) may make per hour."""

from __future__ import annotations

from dataclasses import dataclass

WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Budget:
    """What is left of a caller's hourly allowance after counting this request."""

    limit: int
    remaining: int
    # When the window ends, in Unix seconds (Auth0's X-RateLimit-Reset).
    reset_at: int
    # Seconds to wait before the next request is allowed; 0 when this one was allowed.
    retry_after: int


def spend(tenant, bucket: str, limit: int) -> Budget:
    """Count one request against a bucket's hourly window in a write of its own."""
    with tenant.storage.transaction() as db:
        return count(db, tenant.clock.now(), bucket, limit)


def count(db, now: int, bucket: str, limit: int) -> Budget:
    """Count one request against a bucket's hourly window, inside the caller's transaction."""
    # A fixed window of an hour per bucket, opened by its first request (the suite's choice:
    # the dev clock ages the window's start like any stored time); Auth0 describes a bucket
    # of 50 that refills over the hour:
    # https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy
    # SQLite computes every SET expression from the row as it was before the update.
    used, window = db.execute(
        "INSERT INTO rate_limits (bucket, window_start, count) VALUES (:bucket, :now, 1) "
        "ON CONFLICT (bucket) DO UPDATE SET "
        "count = CASE WHEN window_start + :window > :now THEN count + 1 ELSE 1 END, "
        "window_start = CASE WHEN window_start + :window > :now "
        "THEN window_start ELSE :now END "
        "RETURNING count, window_start",
        {"bucket": bucket, "now": now, "window": WINDOW_SECONDS},
    ).fetchall()[0]
    reset_at = window + WINDOW_SECONDS
    return Budget(
        limit=limit,
        remaining=max(0, limit - used),
        reset_at=reset_at,
        retry_after=reset_at - now if used > limit else 0,
    )
