"""A tenant restarted on the same data directory keeps its keys, users, pending codes and tokens."""

import jwt
import requests

from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import TIMEOUT, login, otp_token, refresh, send_email_code, userinfo
from tests.servers import serve_tenant


def _jwks(server) -> dict:
    return requests.get(server.url(".well-known/jwks.json"), timeout=TIMEOUT).json()


def test_keys_users_a_pending_code_and_a_refresh_token_survive_a_restart(tmp_path):
    data_dir = tmp_path / "tenant"
    # First run: a user with claims, a finished login, and a code sent but not yet used.
    with serve_tenant(data_dir) as first:
        jwks_before = _jwks(first)
        user = requests.post(
            first.url("_dev/api/users"),
            json={"email": "kept@example.com", "claims": {"given_name": "Kept"}},
            timeout=TIMEOUT,
        ).json()
        tokens = login(first, "session@example.com", scope="openid email offline_access")
        code = send_email_code(first, "pending@example.com")
        first_issuer = first.issuer
    # The first tenant is stopped; a second starts on the same directory.
    with serve_tenant(data_dir) as second:
        # The same keys, so tokens signed before the restart still verify.
        assert _jwks(second) == jwks_before
        key = jwt.PyJWKSet.from_dict(_jwks(second))[
            jwt.get_unverified_header(tokens["id_token"])["kid"]
        ]
        claims = jwt.decode(
            tokens["id_token"],
            key,
            algorithms=["RS256"],
            audience=NATIVE_CLIENT,
            issuer=first_issuer,
        )
        assert claims["email"] == "session@example.com"
        # The users, with their claims and ids.
        users = requests.get(second.url("_dev/api/users"), timeout=TIMEOUT).json()
        kept = next(u for u in users if u["identifier"] == "kept@example.com")
        assert kept["user_id"] == user["user_id"]
        assert kept["claims"] == {"given_name": "Kept"}
        assert claims["sub"] in {u["user_id"] for u in users}
        # The pending code (and the secret it was hashed with).
        response = otp_token(second, "pending@example.com", code)
        assert response.status_code == 200, response.text
        # The access token and the refresh token.
        assert userinfo(second, tokens["access_token"]).status_code == 200
        response = refresh(second, tokens["refresh_token"])
        assert response.status_code == 200, response.text


def test_a_rotated_refresh_token_stays_rotated_across_a_restart(tmp_path):
    data_dir = tmp_path / "tenant"
    with serve_tenant(data_dir) as first:
        r1 = login(first, "rot@example.com", scope="openid offline_access")["refresh_token"]
        r2 = refresh(first, r1).json()["refresh_token"]
    with serve_tenant(data_dir) as second:
        # Reuse detection still works: R1 is refused and takes R2 with it.
        assert refresh(second, r1).status_code == 403
        assert refresh(second, r2).status_code == 403
