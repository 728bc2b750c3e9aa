"""The running tenant: its configuration and the services every rule needs, in one object."""

from __future__ import annotations

import secrets

from ..config import TenantConfig
from . import events, memo, users
from .clock import Clock
from .codes import Rules
from .keys import KeyStore
from .storage import Storage


class Tenant:
    """One tenant: config, database, clock, signing keys and the secret codes are hashed with."""

    def __init__(self, config: TenantConfig):
        self.config = config
        self.settings = config.tenant
        # The profile's rules with `[tenant.rules]` applied (config.Rules).
        self.rules = config.rules
        self.issuer = config.issuer
        self.storage = Storage(config.data_dir / "tenant.sqlite3", config.tenant.busy_timeout)
        self.clock = Clock(self.storage)
        self.secret = self._load_secret()
        longest_token = max(
            [config.tenant.id_token_lifetime, 86400]
            + [api.token_lifetime for api in config.resource_servers]
        )
        self.keys = KeyStore(self.storage, self.issuer, self.clock, longest_token)
        self.otp_rules = Rules(
            lifetime=config.tenant.otp_lifetime,
            max_attempts=config.tenant.otp_max_attempts,
            lockout_after_failures=config.tenant.lockout_after_failures,
            lockout_seconds=config.tenant.lockout_seconds,
            identifier_lockout=self.rules.identifier_lockout,
        )
        users.seed(self)

    def rule(self, name: str) -> bool:
        """Tell whether a profile rule is on, announcing that it decides this answer.

        Call it only where the `auth0` and `hardened` profiles answer differently: the flow
        inspector then marks the exchange (dev/inspector.py).
        """
        return events.decide(self.rules, name)

    def url(self, path: str) -> str:
        """Return an absolute URL on this tenant for a path such as `oauth/token`."""
        return self.issuer + path.lstrip("/")

    def reset(self) -> None:
        """Forget users, codes, tokens, throttles, messages and clock changes; keep the keys."""
        self.storage.reset()
        memo.forget("clock")
        users.seed(self)

    def _load_secret(self) -> bytes:
        """Return the tenant's HMAC secret, creating it once (shared by every process)."""
        with self.storage.transaction() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('secret', ?) ON CONFLICT DO NOTHING",
                (secrets.token_hex(32),),
            )
            row = db.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
        return bytes.fromhex(row["value"])
