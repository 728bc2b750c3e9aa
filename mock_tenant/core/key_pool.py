"""RSA keys for new signing keys: generated, or for test suites taken from a pool on disk.

Why it exists: every tenant makes two RSA-2048 keys when it starts (60 to 140 ms each), and
a test suite starts hundreds of tenants, so key generation was a sixth of the suite's CPU.
A test run sets MOCK_TENANT_KEY_POOL to a folder of keys made ahead of time, and each of its
tenants takes keys from there instead. It is for test suites only: a real tenant never sets
it, and without it every key is generated as before.

The one rule: within a run no key goes to two tenants (tests compare tenants: a token of one
must not verify with the keys of another), whichever process or gunicorn worker each tenant
runs in. A run is named by MOCK_TENANT_KEY_POOL_RUN; a tenant claims key number n for its
run by creating `claims/<run>/<n>`, which only one process can do (O_CREAT | O_EXCL). Runs
reuse the same keys (tenants of two runs never meet). A key the pool lacks is generated and
added, so the pool grows to what a run needs; `make test-keys` (tools/fill_key_pool.py) makes
the keys a whole run needs ahead of time.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

# The folder of the pool (unset or empty: no pool) and the name of the current test run.
POOL_ENV = "MOCK_TENANT_KEY_POOL"
RUN_ENV = "MOCK_TENANT_KEY_POOL_RUN"

# Per process: the run and the number after the last key it claimed, where the next claim
# starts looking, so that a process's claims cost one file each rather than one per key.
_next_claim: dict[tuple[str, str], int] = {}


def new_rsa_key() -> rsa.RSAPrivateKey:
    """Return an RSA key for a new signing key: from the test pool if one is set, else new."""
    folder, run = os.environ.get(POOL_ENV), os.environ.get(RUN_ENV)
    if not folder or not run:
        # Without a run name no claim can keep two tenants apart, so there is no pool.
        return generate_key()
    return claim_key(Path(folder), run)


def generate_key() -> rsa.RSAPrivateKey:
    """Generate an RSA-2048 key with the usual public exponent, as the tenant always has."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def claim_key(folder: Path, run: str) -> rsa.RSAPrivateKey:
    """Claim the run's next unclaimed key of the pool, generating it if the pool lacks it."""
    claims = folder / "claims" / run
    # Each folder 0700 (private keys): mkdir(parents=True) gives the parents the default mode.
    for made in (folder, folder / "claims", claims):
        made.mkdir(parents=True, exist_ok=True, mode=0o700)
    number = _next_claim.get((str(folder), run), 0)
    while True:
        try:
            os.close(os.open(claims / str(number), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            break
        except FileExistsError:
            number += 1
    _next_claim[(str(folder), run)] = number + 1
    return load_key(folder, number) or add_key(folder, number)


def load_key(folder: Path, number: int) -> rsa.RSAPrivateKey | None:
    """Read key number `number` of the pool, or return None if it is missing or unreadable."""
    try:
        # The pool holds keys this suite generated, in a folder only its user can read.
        key = load_own_key((folder / f"{number}.pem").read_bytes())
    except (OSError, ValueError):
        return None
    return key if isinstance(key, rsa.RSAPrivateKey) else None


def key_pem(key: rsa.RSAPrivateKey) -> bytes:
    """Write a private key as stored in the pool and in the tenant's database: PKCS#8 PEM."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_own_key(pem: bytes) -> PrivateKeyTypes:
    """Parse a PEM private key the tenant or this suite generated, without RSA's checks."""
    # A key we generated and keep where only its user reads it: the RSA consistency checks
    # (about 40 ms a key) are skipped, as cryptography allows for keys from a trusted source,
    # such as ones you generated
    # (https://cryptography.io/en/latest/hazmat/primitives/asymmetric/serialization/).
    return serialization.load_pem_private_key(
        pem, password=None, unsafe_skip_rsa_key_validation=True
    )


def add_key(folder: Path, number: int) -> rsa.RSAPrivateKey:
    """Generate key number `number` and write it to the pool whole (readers never see half)."""
    key = generate_key()
    pem = key_pem(key)
    partial = folder / f".{number}.pem.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        # Two runs missing the same key both write it; the last one stays, and each run's
        # tenant keeps the key it made, which is fine: only tenants of one run must differ.
        os.replace(partial, folder / f"{number}.pem")
    except OSError:
        # A tenant under test may have no room to write (a full disk): it keeps its key,
        # and the pool stays as it was.
        partial.unlink(missing_ok=True)
    return key


def fill(folder: Path, count: int) -> int:
    """Make the pool's keys 0 to count - 1 that are missing, on every core; return how many."""
    # Imported here: multiprocessing, which it brings, would add to every tenant's memory.
    from concurrent.futures import ProcessPoolExecutor

    missing = [n for n in range(count) if load_key(folder, n) is None]
    if missing:
        with ProcessPoolExecutor(min(len(missing), os.cpu_count() or 1)) as pool:
            list(pool.map(_add_key_quietly, [folder] * len(missing), missing, chunksize=8))
    return len(missing)


def _add_key_quietly(folder: Path, number: int) -> None:
    """Add a key to the pool in a worker process (a key object cannot go back by pickle)."""
    add_key(folder, number)
