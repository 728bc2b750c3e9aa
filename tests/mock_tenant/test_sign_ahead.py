"""The OTP grant signs its tokens before its write, and uses them only for the user it finds.

`passwordless.login_with_code` signs ahead, outside the write lock, for the user it foresees
(`users.foresee`); the write decides who logs in, and signs again if that user changed in the
meantime (core/minting.py: `mint`).
"""

import pytest

from mock_tenant.core import minting, users
from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import otp_token, send_email_code, verify_jwt, wrong_code
from tests.servers import tenant_workers

pytestmark = pytest.mark.skipif(
    tenant_workers() > 1, reason="patches the tenant in this process; ran in the first pass"
)


def test_a_profile_changed_after_the_tokens_were_signed_ahead_is_in_the_id_token(
    tenant_server, monkeypatch
):
    email = "changed.meanwhile@example.com"
    tenant = tenant_server.tenant
    users.create(tenant, connection="email", identifier=email, claims={"given_name": "Old"})
    foresee = users.foresee

    def foresee_then_change(tenant, **kwargs):
        """Read the user, then let the Management API change them before the write."""
        stale = foresee(tenant, **kwargs)
        users.update(tenant, stale["user_id"], {"given_name": "New"})
        return stale

    monkeypatch.setattr(users, "foresee", foresee_then_change)
    code = send_email_code(tenant_server, email)
    response = otp_token(tenant_server, email, code)
    assert response.status_code == 200, response.text
    claims = verify_jwt(tenant_server, response.json()["id_token"], audience=NATIVE_CLIENT)
    assert claims["given_name"] == "New"


def test_a_first_login_uses_the_tokens_signed_ahead(tenant_server, monkeypatch):
    signed = []
    sign_ahead = minting.sign_ahead
    monkeypatch.setattr(
        minting, "sign_ahead", lambda *args: signed.append(sign_ahead(*args)) or signed[-1]
    )
    email = "first.login@example.com"
    code = send_email_code(tenant_server, email)
    response = otp_token(tenant_server, email, code)
    assert response.status_code == 200, response.text
    # Signed once, ahead of the write, for the user the write then created.
    assert len(signed) == 1
    assert response.json()["id_token"] == signed[0].id_token
    assert response.json()["access_token"] == signed[0].access_token


def test_a_wrong_code_costs_no_signature(tenant_server, monkeypatch):
    signed = []
    monkeypatch.setattr(minting, "sign_ahead", lambda *args: signed.append(args))
    email = "wrong.guess@example.com"
    code = send_email_code(tenant_server, email)
    assert otp_token(tenant_server, email, wrong_code(code)).status_code == 403
    assert signed == []
