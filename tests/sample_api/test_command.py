"""`python -m sample_api`: the command a learner runs, started as a real process."""

import os
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).parents[2]


def test_help_describes_the_settings():
    result = subprocess.run(
        [sys.executable, "-m", "sample_api", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "--port" in result.stdout
    assert "AUTH0_DOMAIN" in result.stdout and "AUTH0_AUDIENCE" in result.stdout


def test_command_serves_the_api_and_prints_its_url(tenant_server, tmp_path):
    # Run from an empty directory with the tenant in the environment, on any free port.
    env = {**os.environ, "AUTH0_DOMAIN": tenant_server.base_url, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "sample_api", "--port", "0"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        first_line = process.stdout.readline().strip()
        assert first_line.startswith("Sample API on http://localhost:")
        port = first_line.rsplit(":", 1)[1]
        second_line = process.stdout.readline()
        assert f"from {tenant_server.issuer} for urn:passwordless-demo:api" in second_line
        response = requests.get(f"http://127.0.0.1:{port}/api/public", timeout=10)
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
