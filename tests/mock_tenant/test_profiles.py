"""The tenant's profile: `auth0` (Auth0's defaults) or `hardened` (RFC 9700), rule by rule."""

from __future__ import annotations

import pytest

from mock_tenant.config import PROFILES, ConfigError, Rules, load_config
from tests.mock_tenant.test_config_file import write_config


def test_the_default_profile_is_auth0_with_no_hardened_rule_on():
    config = load_config()
    assert config.tenant.profile == "auth0"
    assert not any(config.rules.model_dump().values())


def test_the_hardened_profile_turns_every_rule_on():
    rules = load_config().with_settings(profile="hardened").rules
    assert all(rules.model_dump().values())
    assert set(rules.model_dump()) == set(Rules.model_fields)


def test_a_single_rule_can_be_set_apart_from_the_profile(tmp_path):
    path = write_config(
        tmp_path,
        'profile = "auth0"',
        'profile = "hardened"\nrules = { resend_cooldown = false }',
    )
    rules = load_config(path).rules
    assert rules.resend_cooldown is False
    assert rules == PROFILES["hardened"].model_copy(update={"resend_cooldown": False})


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('profile = "auth0"', 'profile = "strict"', "tenant.profile"),
        (
            'friendly_name = "Passwordless Demo"',
            "rules = { resend_cooldwn = true }",
            "tenant.rules.resend_cooldwn",
        ),
    ],
)
def test_an_unknown_profile_or_rule_names_the_field(tmp_path, old, new, field):
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        load_config(write_config(tmp_path, old, new))


@pytest.mark.tenant_config(profile="hardened")
def test_a_test_can_ask_for_the_shared_hardened_tenant(tenant_server):
    assert tenant_server.tenant.config.tenant.profile == "hardened"


def test_check_link_redirect_uri_is_a_hardened_rule_off_by_default(tmp_path):
    # A magic link's redirect_uri is checked at /passwordless/start (hardened only).
    assert PROFILES["auth0"].check_link_redirect_uri is False
    assert PROFILES["hardened"].check_link_redirect_uri is True
    path = write_config(tmp_path, 'profile = "auth0"', "rules = { check_link_redirect_uri = true }")
    assert load_config(path).rules.check_link_redirect_uri is True
