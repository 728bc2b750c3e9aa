"""Fixtures for the tests of the pytest plugin's Playwright helper."""

from __future__ import annotations

import pytest

from tests.servers import serve


@pytest.fixture(scope="session")
def callback_server():
    """Serve a page that only says it was reached: the app's callback, on localhost."""

    def make_app(base_url):
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/html")])
            return [b"<h1>Back at the app</h1>"]

        return app

    with serve(make_app, host="localhost") as live:
        yield live
