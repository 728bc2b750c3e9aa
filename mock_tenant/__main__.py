"""`python -m mock_tenant`: run the tenant on a loopback port (see --help)."""

from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import sys
from pathlib import Path

from . import create_app
from .config import ConfigError, load_config
from .core.storage import UnsafeDataDirectory, secure_data_directory
from .serving import tenant_server
from .tls import TlsFiles, tls_files
from .web import is_loopback


def configure_logging() -> None:
    """Log at INFO with one timestamp, or none when honcho (`make run-web`) prints its own."""
    # The Makefile sets LOG_TIMESTAMPS=0 for honcho, which starts every line with the time.
    stamp = "" if os.environ.get("LOG_TIMESTAMPS") == "0" else "%(asctime)s "
    logging.basicConfig(level=logging.INFO, format=stamp + "%(name)s %(message)s")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line, with MOCK_TENANT_* environment variables as defaults."""
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog=_program_name(),
        description="Run a local tenant that answers like Auth0's Authentication API.",
    )
    parser.add_argument(
        "--host",
        default=env("MOCK_TENANT_HOST", "127.0.0.1"),
        help="address to listen on (default 127.0.0.1; env MOCK_TENANT_HOST)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(env("MOCK_TENANT_PORT", "4000")),
        help="port to listen on (default 4000; env MOCK_TENANT_PORT)",
    )
    parser.add_argument(
        "--issuer",
        default=env("MOCK_TENANT_ISSUER"),
        help="issuer URL with a trailing slash (default http://HOST:PORT/)",
    )
    parser.add_argument(
        "--config",
        default=env("MOCK_TENANT_CONFIG"),
        help="tenant TOML file (default: the bundled tenant.toml)",
    )
    parser.add_argument(
        "--data-dir",
        default=env("MOCK_TENANT_DATA_DIR", "var/tenant"),
        help="directory for the SQLite database (default var/tenant)",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        default=env("MOCK_TENANT_TLS", "") not in ("", "0", "false"),
        help="serve HTTPS with a local CA kept in DATA_DIR/tls (env MOCK_TENANT_TLS=1)",
    )
    parser.add_argument(
        "--profile",
        choices=["auth0", "hardened"],
        default=env("MOCK_TENANT_PROFILE") or None,
        help="answer as Auth0 does (auth0) or add the stricter rules of RFC 9700 (hardened); "
        "default: the tenant file's [tenant] profile, auth0 in the bundled one "
        "(env MOCK_TENANT_PROFILE)",
    )
    parser.add_argument(
        "--experience",
        choices=["new", "classic"],
        default=env("MOCK_TENANT_EXPERIENCE") or None,
        help="Universal Login experience: the New pages, or a Classic page (needs --tls); "
        "default: the tenant file's [prompts] universal_login_experience, new in the bundled "
        "one (env MOCK_TENANT_EXPERIENCE)",
    )
    parser.add_argument(
        "--login-page",
        default=env("MOCK_TENANT_LOGIN_PAGE") or None,
        help="the Classic page: lock-passwordless, custom-ui or a template file; default: "
        "the tenant file's [prompts] custom_login_page (env MOCK_TENANT_LOGIN_PAGE)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(env("MOCK_TENANT_WORKERS", "1")),
        help="worker processes; more than 1 runs under gunicorn (default 1)",
    )
    return parser.parse_args(argv)


def _program_name() -> str:
    """Name the command as it was typed: the installed `passwordless-tenant`, or `-m`."""
    if os.path.basename(sys.argv[0]) == "passwordless-tenant":
        return "passwordless-tenant"
    return "python -m mock_tenant"


def main(argv: list[str] | None = None) -> int:
    """Load the configuration and serve the tenant until Ctrl-C."""
    args = parse_args(argv)
    # Everything the tenant writes (database, TLS key, logs) is for this user only: the
    # database holds the signing keys (core/storage.py: secure_data_directory).
    os.umask(0o077)
    configure_logging()
    scheme = "https" if args.tls else "http"
    issuer = args.issuer or f"{scheme}://{args.host}:{args.port}/"
    dev_token = None if is_loopback(args.host) else _dev_token()
    try:
        config = load_config(
            args.config, issuer=issuer, data_dir=args.data_dir, dev_token=dev_token
        )
        if args.profile:
            config = config.with_settings(profile=args.profile)
        given = {
            "universal_login_experience": args.experience,
            "custom_login_page": args.login_page,
        }
        prompts = {k: v for k, v in given.items() if v}
        if prompts:
            config = config.with_prompts(**prompts)
        tls = _prepare_data_directory(config.data_dir, args.tls)
        # One process: bind now, so a busy port is reported before anything else.
        server = (
            tenant_server(create_app(config), args.host, args.port, tls)
            if args.workers <= 1
            else None
        )
    except (ConfigError, UnsafeDataDirectory) as error:
        print(f"mock_tenant: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        reason = _bind_failure(error)
        print(f"mock_tenant: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 1
    print(
        f"Mock tenant (issuer {issuer}, profile {config.tenant.profile}, "
        f"{config.prompts.universal_login_experience} Universal Login) "
        f"listening on {scheme}://{args.host}:{args.port}/"
    )
    if tls:
        _print_tls_help(tls, args.host, args.port)
    if config.tenant.dev_api:
        print(f"Dev outbox (codes and links): {issuer}_dev/outbox")
        if dev_token:
            print(f"Dev API token (send as 'Authorization: Bearer ...'): {dev_token}")
    sys.stdout.flush()
    if server is None:
        # Gunicorn binds, forks the workers and handles Ctrl-C itself. Imported here: a
        # single process never needs it, and every start would pay for the import.
        from .workers import GunicornTenant

        return GunicornTenant(config, args.host, args.port, args.workers, tls).run()
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _prepare_data_directory(data_dir: Path, tls: bool) -> TlsFiles | None:
    """Make the data directory this user's only, with the TLS files if asked, or say why not.

    Raises:
        ConfigError: the directory cannot be used (a file in its place, no permission).
    """
    try:
        secure_data_directory(data_dir / "tenant.sqlite3")
        return tls_files(data_dir) if tls else None
    except OSError as error:
        # A configuration error, so that main() does not take it for the port's failure
        # ("cannot listen on ...: File exists" for a data directory that was a file).
        inside = "" if error.filename in (None, str(data_dir)) else f"{error.filename}: "
        raise ConfigError(
            f"cannot use the data directory {data_dir}: {inside}{error.strerror}"
        ) from None


def _bind_failure(error: OSError) -> str:
    """Return the system's reason a port could not be bound ("Address already in use")."""
    # Cheroot raises an OSError of its own whose text ends with the system's error:
    # "No socket could be created -- (('127.0.0.1', 4000): [Errno 98] Address already in use)".
    found = re.search(r"\[Errno \d+\] ([^)]+)", str(error))
    return error.strerror or (found.group(1) if found else str(error))


def _print_tls_help(tls: TlsFiles, host: str, port: int) -> None:
    """Tell a person which CA to trust and what to put in an app's AUTH0_DOMAIN."""
    ca = tls.ca.resolve()
    print(f"HTTPS with a local CA: {ca}")
    print(f"  In an app's .env: AUTH0_DOMAIN={host}:{port} (https is implied, as with Auth0)")
    print(f"  Python apps (requests): export REQUESTS_CA_BUNDLE={ca}")
    print(f"  Other Python (urllib, PyJWT's JWKS client): export SSL_CERT_FILE={ca}")
    print(
        f"  A browser: import {ca} as an authority, or open https://{host}:{port}/ "
        "once and accept the warning"
    )


def _dev_token() -> str:
    """Return the dev token from MOCK_TENANT_DEV_TOKEN, or a new random one."""
    return os.environ.get("MOCK_TENANT_DEV_TOKEN") or secrets.token_urlsafe(24)


if __name__ == "__main__":
    sys.exit(main())
