"""Turning what the tenant sent into text on screen, literally and safely.

Names, emails and error messages come from the tenant (and from whoever chose their profile
name). Shown as Textual markup, `[bold red]x[/]` would change styles and an unbalanced `[/]`
would crash the app; written raw, an escape sequence would drive the terminal itself. So every
outside string goes through `literal`, which builds a `rich.text.Text` (never parsed as markup)
and makes control characters visible.
"""

from __future__ import annotations

import hashlib
import json
import re

from rich.text import Text

# C0 and C1 control characters except newline, DEL, and the bidirectional overrides
# (which can reorder what a reader sees: https://trojansource.codes).
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(value: object) -> str:
    r"""Return `str(value)` with each control character spelled out, like `\x1b` for ESC."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode(), str(value))


def literal(value: object, style: str = "") -> Text:
    """Return text that is displayed exactly as received: no markup, no escape sequences."""
    return Text(visible(value), style=style)


def pretty_json(value: object) -> Text:
    """Return indented JSON, shown literally."""
    return literal(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def countdown(seconds: float) -> str:
    """Say how long until something expires, like `9h 59m 58s`, or that it has."""
    seconds = int(seconds)
    if seconds <= 0:
        return "expired"
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {seconds:02d}s"
    if minutes:
        return f"{minutes}m {seconds:02d}s"
    return f"{seconds}s"


def fingerprint(token: str | None) -> str:
    """Name a token by its SHA-256, like `…1a2b3c4d`: enough to tell two apart, reveals nothing."""
    # The tenant's inspector and the web app show tokens the same way, so one token can be
    # followed across all three.
    if not token:
        return "(none)"
    return "…" + hashlib.sha256(token.encode()).hexdigest()[:8]
