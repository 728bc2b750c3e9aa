"""The test key pool hands each tenant of a run keys no other tenant of the run has.

mock_tenant/core/key_pool.py: a test run's tenants take RSA keys from a folder of keys made
ahead of time instead of generating them; runs reuse the keys, tenants of one run never do.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mock_tenant.core import key_pool
from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import TIMEOUT, login, verify_jwt
from tests.servers import ROOT, serve_tenant

# Keys claimed at once by the concurrency tests.
MANY = 8


@pytest.fixture(scope="module")
def made_keys(tmp_path_factory):
    """Make a pool of keys once for the module (each test copies it)."""
    folder = tmp_path_factory.mktemp("made-keys")
    key_pool.fill(folder, MANY)
    return folder


@pytest.fixture
def pool(made_keys, tmp_path):
    """Give a test a pool of its own, filled with the module's keys."""
    folder = tmp_path / "pool"
    shutil.copytree(made_keys, folder)
    return folder


@pytest.fixture
def pool_run(pool, monkeypatch):
    """Point the process's (and its subprocesses') tenants at the test's pool, a new run."""
    monkeypatch.setenv(key_pool.POOL_ENV, str(pool))
    monkeypatch.setenv(key_pool.RUN_ENV, uuid.uuid4().hex)
    return pool


def modulus(key) -> int:
    """Return an RSA key's modulus, which tells keys apart."""
    return key.public_key().public_numbers().n


def jwks_moduli(server) -> set[int]:
    """Return the moduli of the keys a tenant publishes."""
    response = requests.get(server.url(".well-known/jwks.json"), timeout=TIMEOUT)
    return {
        int.from_bytes(base64.urlsafe_b64decode(key["n"] + "=" * (-len(key["n"]) % 4)), "big")
        for key in response.json()["keys"]
    }


def test_two_tenants_of_one_run_never_get_the_same_key(pool_run, tmp_path):
    with serve_tenant(tmp_path / "one") as one, serve_tenant(tmp_path / "two") as two:
        assert len(jwks_moduli(one)) == len(jwks_moduli(two)) == 2
        assert not jwks_moduli(one) & jwks_moduli(two)
    # Both tenants' keys came from the pool: it holds no more than it was filled with.
    assert len(list(pool_run.glob("*.pem"))) == MANY


def test_keys_claimed_at_once_from_threads_are_all_different(pool):
    run = uuid.uuid4().hex
    with ThreadPoolExecutor(MANY) as threads:
        keys = list(threads.map(lambda _: key_pool.claim_key(pool, run), range(MANY)))
    assert len({modulus(key) for key in keys}) == MANY


def test_keys_claimed_at_once_from_two_processes_are_all_different(pool):
    run = uuid.uuid4().hex
    # Each process imports the pool, says so, and claims its keys when told to go.
    claim = (
        "import sys\nfrom pathlib import Path\nfrom mock_tenant.core import key_pool\n"
        "print('ready', flush=True)\nsys.stdin.readline()\n"
        f"for _ in range({MANY // 2}):\n"
        "    print(key_pool.claim_key(Path(sys.argv[1]), sys.argv[2]).public_key()"
        ".public_numbers().n)\n"
    )
    processes = [
        subprocess.Popen(  # noqa: S603 (this interpreter, our own code)
            [sys.executable, "-c", claim, str(pool), run],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    assert [process.stdout.readline() for process in processes] == ["ready\n"] * 2
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    moduli = [line for process in processes for line in process.communicate(timeout=60)[0].split()]
    assert all(process.returncode == 0 for process in processes)
    assert len(moduli) == len(set(moduli)) == MANY


def test_a_second_run_reuses_the_keys_of_the_first(pool):
    first = [key_pool.claim_key(pool, "first") for _ in range(3)]
    second = [key_pool.claim_key(pool, "second") for _ in range(3)]
    assert [modulus(key) for key in first] == [modulus(key) for key in second]
    assert len(list(pool.glob("*.pem"))) == MANY


def test_an_empty_pool_grows_by_the_keys_it_lacked(tmp_path):
    folder = tmp_path / "empty"
    keys = [key_pool.claim_key(folder, "run") for _ in range(3)]
    assert sorted(path.name for path in folder.glob("*.pem")) == ["0.pem", "1.pem", "2.pem"]
    assert [modulus(key_pool.load_key(folder, n)) for n in range(3)] == list(map(modulus, keys))
    # Private keys: only their owner reads them.
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {path.stat().st_mode & 0o777 for path in folder.glob("*.pem")} == {0o600}


@pytest.mark.parametrize("pool_setting", [None, ""])
def test_without_a_pool_keys_are_generated_as_before(pool_setting, monkeypatch):
    if pool_setting is None:
        monkeypatch.delenv(key_pool.POOL_ENV, raising=False)
    else:
        monkeypatch.setenv(key_pool.POOL_ENV, pool_setting)

    def no_pool(*args):
        """Fail the test: no pool is set, so none may be used."""
        raise AssertionError("the pool was used")

    monkeypatch.setattr(key_pool, "claim_key", no_pool)
    key = key_pool.new_rsa_key()
    assert key.key_size == 2048 and key.public_key().public_numbers().e == 65537


def test_a_pool_without_a_run_name_is_not_used(pool, monkeypatch):
    monkeypatch.setenv(key_pool.POOL_ENV, str(pool))
    monkeypatch.delenv(key_pool.RUN_ENV, raising=False)
    pooled = {modulus(key_pool.load_key(pool, n)) for n in range(MANY)}
    assert modulus(key_pool.new_rsa_key()) not in pooled


def test_a_pooled_key_signs_tokens_that_verify_with_the_tenants_jwks(pool_run, tmp_path):
    pooled = {modulus(key_pool.load_key(pool_run, n)) for n in range(2)}
    with serve_tenant(tmp_path / "tenant") as tenant:
        tokens = login(tenant, "pooled@example.com")
        claims = verify_jwt(tenant, tokens["id_token"], NATIVE_CLIENT)
        published = jwks_moduli(tenant)
    assert claims["email"] == "pooled@example.com"
    assert published == pooled
