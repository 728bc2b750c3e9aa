"""`--remember`: keep the refresh token between runs in a file only its owner can read.

Off by default. A refresh token is a long-lived credential, so it lives in one file with mode
0600 in the user's config directory (never the current directory, never a log), is replaced
each time it rotates, and is deleted at logout or when the tenant refuses it.
"""

from __future__ import annotations

import os
from pathlib import Path


def default_path() -> Path:
    """Return where the token is kept: `$XDG_CONFIG_HOME` or `~/.config`, per the XDG spec."""
    # https://specifications.freedesktop.org/basedir-spec/latest/
    config_home = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config_home) / "passwordless-demo" / "native-app-refresh-token"


class TokenStore:
    """One refresh token in one private file."""

    def __init__(self, path: Path | None = None):
        self.path = path or default_path()

    def load(self) -> str | None:
        """Return the saved refresh token, or None."""
        try:
            token = self.path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return token or None

    def save(self, refresh_token: str) -> None:
        """Replace the saved token, creating the file readable by its owner only."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        # O_EXCL after unlink: never write into a file (or symlink) someone else put there.
        temporary.unlink(missing_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(refresh_token)
        # Rename is atomic: a crash leaves the old token or the new one, never half of one.
        os.replace(temporary, self.path)

    def clear(self) -> None:
        """Forget the saved token."""
        self.path.unlink(missing_ok=True)
