"""The tenant's core: all of its state (SQLite) and every rule that changes it. No Flask here.

The HTTP side (`api/`, `login/`, `dev/`) calls these modules and turns their results into
Auth0's answers; the core announces what happened through `events`.
"""
