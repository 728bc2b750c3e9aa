"""The SPA server's routes: the page, its modules and styles, the vendored SDK, `/config.json`."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, send_from_directory

bp = Blueprint("spa", __name__)

HERE = Path(__file__).parent
# auth0-spa-js as npm installed it (`npm ci` in this folder); served as is, no bundler.
SDK_DIST = HERE / "node_modules" / "@auth0" / "auth0-spa-js" / "dist"
# Only these two files of the package are served: the ES module build and its token worker.
VENDOR_FILES = ("auth0-spa-js.production.esm.js", "auth0-spa-js.worker.production.js")


@bp.get("/")
def index():
    """Serve the page; it is also the callback URL, so it arrives with ?code=&state= once."""
    response = send_from_directory(HERE, "index.html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/js/<name>.js")
def script(name: str):
    """Serve one of the app's ES modules."""
    return send_from_directory(HERE / "js", f"{name}.js")


@bp.get("/css/app.css")
def stylesheet():
    """Serve the stylesheet."""
    return send_from_directory(HERE / "css", "app.css")


@bp.get("/vendor/<name>")
def vendor(name: str):
    """Serve the auth0-spa-js build from node_modules, or say how to install it."""
    if name not in VENDOR_FILES:
        return jsonify(error="not_found", error_description="No such file."), 404
    if not (SDK_DIST / name).is_file():
        return jsonify(
            error="sdk_missing",
            error_description="auth0-spa-js is not installed: run `npm ci` in single_page_app/ "
            "(`make run-spa` does it for you).",
        ), 503
    return send_from_directory(SDK_DIST, name)


@bp.get("/favicon.ico")
def favicon():
    """Answer the browser's icon request with nothing, rather than a 404 in its console."""
    return "", 204


@bp.get("/config.json")
def config():
    """Tell the page which tenant, application and API to use (from the server's settings)."""
    settings = current_app.config
    response = jsonify(
        # auth0-spa-js keeps an explicit http:// in `domain`, so a local tenant works as is.
        domain=settings["TENANT_BASE_URL"],
        clientId=settings["AUTH0_CLIENT_ID"],
        audience=settings["AUTH0_AUDIENCE"],
        apiUrl=settings["API_URL"],
        cacheLocation=settings["CACHE_LOCATION"],
    )
    response.headers["Cache-Control"] = "no-store"
    return response
