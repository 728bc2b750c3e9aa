"""Serve the tenant's OpenAPI 3.1 description (openapi.yaml) with this tenant's details in it.

The document is data: openapi.yaml describes every JSON endpoint, what Auth0 does there, and
why. This loader only fills in what depends on the configuration, wherever the YAML has a
`{x-filled-by-loader: NAME}` placeholder, and leaves out the dev API when it is off.
https://spec.openapis.org/oas/v3.1.0
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Response, current_app

from ..api import passwordless
from ..config import TenantConfig
from ..web import current_tenant

SOURCE = Path(__file__).with_name("openapi.yaml")
PLACEHOLDER = "x-filled-by-loader"
DEV_PATHS = "/_dev/"
DEV_TAG = "Dev API"


def serve() -> Response:
    """Serve the OpenAPI description of this tenant (built once per app)."""
    body = current_app.extensions.get("mock_tenant.openapi")
    if body is None:
        body = json.dumps(document(current_tenant().config), indent=1).encode()
        current_app.extensions["mock_tenant.openapi"] = body
    return Response(body, mimetype="application/json", headers={"Cache-Control": "max-age=60"})


def document(config: TenantConfig) -> dict:
    """Read openapi.yaml and fill it in for a tenant (its address, clients and connections)."""
    values = {
        # OpenAPI joins the server URL and the path, so the issuer loses its trailing slash.
        "server_url": config.issuer.rstrip("/"),
        "title": f"{config.tenant.friendly_name}: mock Auth0 tenant",
        "client_ids": [client.client_id for client in config.clients],
        "connections": [connection.name for connection in config.connections],
        # The names /passwordless/start accepts in authParams: one list, kept in Python.
        "auth_params": {
            name: {"type": "string"} for name in sorted(passwordless.ALLOWED_AUTH_PARAMS)
        },
    }
    # Imported here: only this page reads YAML, and every start would pay for the import.
    import yaml

    doc = _fill(yaml.safe_load(SOURCE.read_text(encoding="utf-8")), values)
    if not config.tenant.dev_api:
        doc["paths"] = {p: item for p, item in doc["paths"].items() if not p.startswith(DEV_PATHS)}
        doc["tags"] = [tag for tag in doc["tags"] if tag["name"] != DEV_TAG]
    return doc


def _fill(node, values: dict):
    """Return a copy of a YAML node with each placeholder replaced by its value."""
    if isinstance(node, dict):
        if node.keys() == {PLACEHOLDER}:
            return values[node[PLACEHOLDER]]
        return {key: _fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(item, values) for item in node]
    return node
