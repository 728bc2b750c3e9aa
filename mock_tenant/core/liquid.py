"""Message templates in Liquid, the syntax Auth0's dashboard uses for passwordless messages.

Auth0 renders a connection's email and SMS templates with Liquid and also accepts its older
`@@name@@` macros (`@@password@@`, `@@application.name@@`) in them, so a template copied from
the dashboard renders here. Parsing lives here, apart from the outbox, so the configuration can
refuse a bad template at start. Values are data to Liquid, never template code.
https://auth0.com/docs/authenticate/passwordless/authentication-methods/email-otp
https://shopify.github.io/liquid/
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from liquid import Environment, Template

# `@@application.name@@` is `{{ application.name }}`: Auth0's SMS and "Markdown" syntax.
MACRO = re.compile(r"@@\s*([A-Za-z_][\w.]*)\s*@@")


@functools.cache
def _environment() -> Environment:
    """Build the Liquid environment on first use.

    python-liquid is imported here, not at the top: its import (asyncio, Babel, dateutil come
    with it) takes about 80 ms and 7 MB, which a tenant needs only once it sends a message or
    reads a template of your own (config.py: checked_template; bench/README.md: restart).
    """
    from liquid import Environment

    # Plain-text messages: no HTML escaping (Auth0's email bodies are HTML the author writes).
    return Environment(autoescape=False)


class TemplateError(ValueError):
    """A message template that is not valid Liquid, with the parser's reason."""


@functools.lru_cache(maxsize=64)
def parse(source: str) -> Template:
    """Parse a template once (macros included) and return it.

    Raises:
        TemplateError: naming what is wrong and where.
    """
    from liquid.exceptions import LiquidError

    try:
        return _environment().from_string(MACRO.sub(r"{{ \1 }}", source))
    except LiquidError as error:
        raise TemplateError(f"not a valid Liquid template: {error}") from None


def render(source: str, variables: dict) -> str:
    """Render a template with Auth0's variables.

    Raises:
        TemplateError: a mistake only rendering shows (an unknown filter, say).
    """
    from liquid.exceptions import LiquidError

    template = parse(source)
    try:
        return template.render(**variables)
    except LiquidError as error:
        raise TemplateError(f"cannot render the Liquid template: {error}") from None


def check(source: str) -> str:
    """Parse a template and render it once with sample values, so start-up finds its mistakes.

    Returns:
        The template, unchanged (for use as a pydantic validator).
    """
    render(source, SAMPLE_VARIABLES)
    return source


# What a message offers its template (and a sample of each, for `check`).
SAMPLE_VARIABLES = {
    "code": "123456",
    "password": "123456",
    "link": "https://127.0.0.1:4000/passwordless/verify_redirect?verification_code=123456",
    "send": "code",
    "operation": None,
    "request_language": "en",
    "application": {"name": "Sample App", "clientID": "sample-client"},
    "user": {"email": "sample@example.com"},
    "phone_number": "+15555550100",
    "friendly_name": "Passwordless Demo",
}
