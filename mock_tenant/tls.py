"""HTTPS on localhost: a local certificate authority and the tenant's certificate, kept on disk.

Auth0's tenants only speak HTTPS, and Auth0's own quickstarts build `https://{AUTH0_DOMAIN}/...`
URLs, so `--tls` lets them talk to this tenant unchanged. trustme makes a throwaway CA and a
certificate for 127.0.0.1 and localhost; both live in the data directory (never in git) and
are reused across restarts, so a client told to trust the CA once keeps trusting it.
https://github.com/python-trio/trustme
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# The names the certificate is good for: the tenant listens on loopback.
HOST_NAMES = ("127.0.0.1", "localhost", "::1")
# A local CA that nobody else holds may live long; browsers cap only public certificates.
VALID_UNTIL = datetime(2099, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TlsFiles:
    """Where the CA bundle, the tenant's certificate chain and its private key are."""

    ca: Path
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """Return a TLS server context that presents the tenant's certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def tls_files(data_dir: Path | str) -> TlsFiles:
    """Return the TLS files under `data_dir/tls`, making the CA and certificate the first time."""
    folder = Path(data_dir) / "tls"
    files = TlsFiles(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    if files.ca.exists() and files.cert.exists() and files.key.exists():
        return files
    folder.mkdir(parents=True, exist_ok=True)
    # Imported here: only `--tls` needs it, and every start would pay for the import.
    import trustme

    ca = trustme.CA(organization_name="Passwordless Demo local CA")
    leaf = ca.issue_cert(*HOST_NAMES, not_after=VALID_UNTIL)
    _write(files.key, leaf.private_key_pem.bytes(), private=True)
    _write(files.cert, b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    # The CA's own private key is never written: nothing needs to sign with it again.
    _write(files.ca, ca.cert_pem.bytes())
    return files


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write a PEM file atomically; a private key is readable by its owner only."""
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    os.replace(temporary, path)


def main() -> None:
    """`python -m mock_tenant.tls [DATA_DIR]`: make the files now and print the CA's path."""
    import sys

    print(tls_files(sys.argv[1] if len(sys.argv) > 1 else "var/tenant").ca.resolve())


if __name__ == "__main__":
    main()
