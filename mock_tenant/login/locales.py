"""The hosted pages' languages: the words are data (`mock_tenant/locales/<language>.json`).

Auth0 picks a Universal Login page's language from the `ui_locales` of /authorize, else from
the browser's `Accept-Language`, among the tenant's `enabled_locales` (the first is the default).
https://auth0.com/docs/customize/internationalization-and-localization/universal-login-internationalization
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup

FOLDER = Path(__file__).resolve().parent.parent / "locales"


@functools.cache
def available() -> frozenset[str]:
    """Return the languages the pages have words for."""
    return frozenset(path.stem for path in FOLDER.glob("*.json"))


@functools.cache
def _words(language: str) -> dict[str, str]:
    """Return one language's words, with English for any missing key."""
    words = json.loads((FOLDER / "en.json").read_text(encoding="utf-8"))
    if language != "en":
        words.update(json.loads((FOLDER / f"{language}.json").read_text(encoding="utf-8")))
    return words


def pick(ui_locales: str | None, accept_language: list[str], enabled: list[str]) -> str:
    """Return the page language: the first of `ui_locales`, then of the browser's, enabled here.

    Args:
        ui_locales: the app's space-separated list (OpenID Connect Core 3.1.2.1), e.g. "fr-CA fr".
        accept_language: the browser's languages, best first.
        enabled: the tenant's `enabled_locales`; the first one is the default.
    """
    for tag in [*(ui_locales or "").split(), *accept_language]:
        # "fr-CA" falls back to "fr", as Auth0 does for a region it has no words for.
        for candidate in (tag, tag.split("-")[0]):
            if candidate in enabled:
                return candidate
    return enabled[0]


def translator(language: str) -> Callable[..., Markup]:
    """Return `t(key, **values)`: the words for `key` in `language`, values filled in.

    The words are ours (trusted); the values are escaped unless they are Markup already.
    """
    words = _words(language)

    def t(key: str, **values) -> Markup:
        return Markup(words[key]).format(**values)  # noqa: S704 (our words; values escaped)

    return t
