"""Fixtures for end-to-end tests: the SPA's in spa_stack.py, the web app's in web_stack.py."""

from tests.e2e.spa_stack import spa_page, spa_stack, stack  # noqa: F401
from tests.e2e.web_stack import web, web_page, web_stack  # noqa: F401
