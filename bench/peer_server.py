"""The peer: oidc-provider-mock (Flask + Authlib), served the same way as our tenant."""

from __future__ import annotations

import argparse

import oidc_provider_mock
from werkzeug.serving import make_server

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    make_server("127.0.0.1", port, oidc_provider_mock.app(), threaded=True).serve_forever()
