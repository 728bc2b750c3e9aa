"""What happened in the tenant, announced as signals that anyone may listen to.

The core sends these after its state changed; the flow inspector (`dev/inspector.py`)
subscribes to them, so no protocol module has to know it exists. Blinker is the signal
library Flask itself uses: https://blinker.readthedocs.io/en/stable/
Signals are sent with no sender and keyword arguments that name what changed; none of them
carries a secret (tokens appear only as fingerprints). A listener may run inside the core's
write transaction, so it only takes note: it must not write to the database itself.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# A code or link went out (or would have, had sign-ups been open): channel, to, message_id.
code_sent = _signals.signal("code-sent")
# A one-time code was checked: outcome (a codes.Outcome), connection, identifier.
code_checked = _signals.signal("code-checked")
# An authorization code came back a second time; the grant of its first use is revoked.
authorization_code_reused = _signals.signal("authorization-code-reused")
# A person logged in for the first time: user_id.
user_created = _signals.signal("user-created")
# Tokens were issued for a grant: grant_id, client_id, user_id, names (which tokens).
tokens_minted = _signals.signal("tokens-minted")
# A refresh token was exchanged for a new one: old and new (fingerprints), grant_id.
refresh_rotated = _signals.signal("refresh-rotated")
# A rotated refresh token came back: the family (grant) is revoked; grant_id.
refresh_reuse_detected = _signals.signal("refresh-reuse-detected")
# A grant was revoked (revocation endpoint, reuse, deleted user): grant_id, reason.
grant_revoked = _signals.signal("grant-revoked")
# A tenant (SSO) session ended at logout: sid.
session_ended = _signals.signal("session-ended")
# A profile rule decided this answer: rule (a `config.Rules` field name), on (whether the
# rule is on here). Sent only where the other profile would answer differently, so the
# flow inspector can say so (dev/explain.py words it).
rule_applied = _signals.signal("rule-applied")


def decide(rules, rule: str) -> bool:
    """Announce that a profile rule decides this answer, and return whether it is on."""
    on = bool(getattr(rules, rule))
    rule_applied.send(rule=rule, on=on)
    return on
