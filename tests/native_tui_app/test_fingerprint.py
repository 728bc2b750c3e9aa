"""One token, one name: the terminal app, the web app and the inspector fingerprint alike."""

from __future__ import annotations

import hashlib

from mock_tenant.core.minting import fingerprint as inspector_fingerprint
from native_tui_app.display import fingerprint as terminal_fingerprint
from regular_web_app.views import fingerprint as web_fingerprint

TOKEN = "7NbdG9ZOWTv-example-refresh-token"


def test_the_three_parts_name_a_refresh_token_by_the_same_fingerprint():
    # "…" and the first 8 hex digits of the token's SHA-256: nothing of the token itself.
    expected = "…" + hashlib.sha256(TOKEN.encode()).hexdigest()[:8]
    assert inspector_fingerprint(TOKEN) == expected
    assert web_fingerprint(TOKEN) == expected
    assert terminal_fingerprint(TOKEN) == expected
    assert TOKEN[:4] not in expected
