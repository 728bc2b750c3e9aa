"""Tenant configuration: one TOML file, with the field names of Auth0's Management API."""

from __future__ import annotations

import functools
import tomllib
import urllib.parse
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from .core import liquid

DEFAULT_CONFIG_FILE = Path(__file__).with_name("tenant.toml")
LOCALES = Path(__file__).with_name("locales")

# https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/relevant-api-endpoints
OTP_GRANT = "http://auth0.com/oauth/grant-type/passwordless/otp"
# `implicit` covers the implicit and hybrid response types of /authorize, as in Auth0;
# `client_credentials` is for machine-to-machine (`non_interactive`) applications.
GrantType = Literal[
    "authorization_code", "implicit", "refresh_token", OTP_GRANT, "client_credentials"
]


class ConfigError(Exception):
    """A tenant configuration file that cannot be used, with a message naming file and field."""


class Model(BaseModel):
    """Base for configuration sections: immutable, and unknown fields are typos, so refuse them."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class RefreshTokenSettings(Model):
    """A client's refresh token behaviour (Management API `client.refresh_token`)."""

    # https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation
    rotation_type: Literal["rotating", "non-rotating"] = "rotating"
    # Reuse interval: seconds after a rotation during which the previous token (only that
    # one) may be exchanged again. The hardened profile allows no reuse at all.
    leeway: int = Field(default=0, ge=0, le=60)
    # https://auth0.com/docs/secure/tokens/refresh-tokens/configure-refresh-token-expiration
    expiration_type: Literal["expiring", "non-expiring"] = "expiring"
    # Absolute lifetime of a family, counted from the login that started it. The defaults
    # (30 days, and 15 days idle) are the suite's choice: no source here confirms Auth0's.
    token_lifetime: int = Field(default=2592000, gt=0)
    infinite_token_lifetime: bool = False
    # Idle lifetime: a token unused for this long expires.
    idle_token_lifetime: int = Field(default=1296000, gt=0)
    infinite_idle_token_lifetime: bool = False

    @model_validator(mode="after")
    def _rotation_expires(self) -> RefreshTokenSettings:
        """Require expiring tokens with rotation, as Auth0's dashboard does."""
        # https://auth0.com/docs/secure/tokens/refresh-tokens/configure-refresh-token-rotation
        if self.rotation_type == "rotating" and self.expiration_type == "non-expiring":
            raise ValueError("rotating refresh tokens must be 'expiring'")
        return self


class Client(Model):
    """An application registered with the tenant (Management API `client`)."""

    name: str = Field(min_length=1, max_length=100)
    client_id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    client_secret: str | None = Field(default=None, min_length=16)
    # `non_interactive` is Auth0's name for a machine-to-machine application.
    app_type: Literal["regular_web", "native", "spa", "non_interactive"]
    token_endpoint_auth_method: Literal["none", "client_secret_post", "client_secret_basic"]
    grant_types: list[GrantType]
    callbacks: list[str] = []
    allowed_logout_urls: list[str] = []
    web_origins: list[str] = []
    refresh_token: RefreshTokenSettings = RefreshTokenSettings()
    # Apps made in the Dashboard are first party; third-party apps always ask for consent.
    # https://auth0.com/docs/get-started/applications/confidential-and-public-applications/first-party-and-third-party-applications
    is_first_party: bool = True
    # Embedded (cross-origin) login with auth0.js or Lock from the app's own page.
    # https://auth0.com/docs/get-started/applications/set-up-cors
    # Allowed Origins (CORS): "URLs allowed to make requests from JavaScript to Auth0 API
    # (typically used with CORS). By default, all your callback URLs will be allowed."
    # (Management API `client.allowed_origins`; see `cors_origins`.)
    allowed_origins: list[str] = []
    # "Allow Cross-Origin Authentication": whether /co/authenticate serves this client.
    # Clients read from real tenants show `false` (e.g. a new tenant's "Default App").
    cross_origin_authentication: bool = False
    # The app's page that calls auth0.js `crossOriginVerification()`: the fallback when the
    # browser blocks third-party cookies (Management API `client.cross_origin_loc`).
    cross_origin_loc: str | None = None

    @property
    def cors_origins(self) -> set[str]:
        """Return the origins that may call the tenant from scripts: Allowed Origins, callbacks."""
        return set(self.allowed_origins) | {origin(url) for url in self.callbacks}

    @model_validator(mode="after")
    def _secret_matches_auth_method(self) -> Client:
        """Require a secret exactly when the client authenticates with one."""
        public = self.token_endpoint_auth_method == "none"
        if public and self.client_secret:
            raise ValueError("a client with token_endpoint_auth_method 'none' has no secret")
        if not public and not self.client_secret:
            raise ValueError(
                "client_secret is required unless token_endpoint_auth_method is 'none'"
            )
        # https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/spa
        if self.app_type == "spa" and OTP_GRANT in self.grant_types:
            raise ValueError("single-page apps may not use the passwordless OTP grant")
        # https://auth0.com/docs/get-started/authentication-and-authorization-flow/client-credentials-flow:
        # the client credentials grant is for confidential applications only.
        if public and "client_credentials" in self.grant_types:
            raise ValueError("client_credentials needs a client with a secret")
        return self

    @property
    def is_public(self) -> bool:
        """Tell whether the client has no secret (native and single-page apps)."""
        return self.token_endpoint_auth_method == "none"


def origin(url: str) -> str:
    """Return the origin (scheme://host[:port]) of a URL."""
    # https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def checked_template(source: str) -> str:
    """Check a message template when the file is read, unless the bundled tenant.toml ships it."""
    # The bundled file's own templates are checked by the tests (tests/mock_tenant/
    # test_config_file.py), not at every start: checking one imports python-liquid, about
    # 80 ms and 7 MB that a tenant otherwise needs only for its first message (bench/README.md:
    # restart, idle RSS). Every template of your own is still checked here, at start.
    if source in _bundled_strings():
        return source
    return liquid.check(source)


@functools.cache
def _bundled_strings() -> frozenset[str]:
    """Return every string value in the bundled tenant.toml."""
    found, pending = set(), [tomllib.loads(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending += value.values()
        elif isinstance(value, list):
            pending += value
        elif isinstance(value, str):
            found.add(value)
    return frozenset(found)


# A template field: Liquid (with Auth0's `@@name@@` macros), checked when the file is read.
LiquidTemplate = Annotated[str, AfterValidator(checked_template)]


class EmailTemplate(Model):
    """The email a connection sends (Management API `options.email`), in Liquid.

    Variables, as Auth0 offers them: `code`, `link`, `send` (`code` or `link`),
    `application.name`, `application.clientID`, `user.email`, `request_language`,
    `operation`, `friendly_name`.
    https://auth0.com/docs/customize/email/email-templates (Passwordless Email)
    """

    from_: LiquidTemplate = Field(alias="from", default="no-reply@passwordless-demo.test")
    subject: LiquidTemplate = "Your verification code"
    # Auth0 has one body and branches on `send`; `link_body`, the suite's own, is used for
    # links when given, so a short code email need not carry the link's wording.
    body: LiquidTemplate = "Your verification code is {{ code }}."
    link_body: LiquidTemplate | None = None
    # Auth0's dashboard also knows "md_with_macros" (deprecated); Liquid is what it writes now.
    syntax: Literal["liquid"] = "liquid"


class Totp(Model):
    """A connection's code options (Management API `options.totp`: "OTP Length", "OTP Expiry").

    https://auth0.com/docs/authenticate/passwordless/authentication-methods/email-otp
    """

    # Auth0 publishes no bounds; 4 to 10 digits is the suite's choice.
    length: int = Field(default=6, ge=4, le=10)
    # Seconds a code lives; unset, the tenant's `otp_lifetime` (Auth0's default: 180).
    time_step: int | None = Field(default=None, ge=30, le=600)


class Connection(Model):
    """A passwordless connection (Management API `connection`, strategy `email` or `sms`).

    The options Auth0 keeps under `options` (`totp`, `disable_signup`,
    `brute_force_protection`, `email`, `template`) sit directly on the connection here.
    https://auth0.com/docs/api/management/v2/connections/post-connections
    """

    name: Literal["email", "sms"]
    strategy: Literal["email", "sms"]
    send: Literal["code", "link"] = "code"
    disable_signup: bool = False
    totp: Totp = Totp()
    # Lock an identifier after many wrong codes in a row (with the `identifier_lockout` rule).
    brute_force_protection: bool = True
    email: EmailTemplate = EmailTemplate()
    # The SMS text, Liquid with `@@password@@` (or `{{ code }}`), `application.name`,
    # `phone_number` and `request_language`.
    # https://auth0.com/docs/authenticate/passwordless/authentication-methods/sms-otp
    template: LiquidTemplate = "Your verification code is @@password@@"

    @model_validator(mode="after")
    def _name_is_strategy(self) -> Connection:
        """Keep the demo's connections named after their strategy, as Auth0 creates them."""
        if self.name != self.strategy:
            raise ValueError("name and strategy must be the same ('email' or 'sms')")
        if self.strategy == "sms" and self.send == "link":
            raise ValueError("the sms connection sends codes only")
        return self


class Scope(Model):
    """One permission an API defines."""

    value: str = Field(pattern=r"^[\x21-\x7e]{1,100}$")
    description: str = ""


class ResourceServer(Model):
    """An API that access tokens can be issued for (Management API `resource-server`)."""

    name: str
    identifier: str = Field(min_length=1, max_length=600)
    token_lifetime: int = Field(default=86400, gt=0)
    scopes: list[Scope] = []
    # "Allow Skipping User Consent": first-party apps skip the consent page, but only
    # verifiable ones (never a localhost callback). On for APIs made in the Dashboard.
    # https://auth0.com/docs/get-started/applications/third-party-applications/user-consent-and-third-party-applications
    skip_consent_for_verifiable_first_party_clients: bool = True


# The Management API's identifier, written as Auth0's docs write it; `{domain}` stands for
# the tenant's host and port (`127.0.0.1:4000`). https://auth0.com/docs/api/management/v2
MANAGEMENT_API_AUDIENCE = "https://{domain}/api/v2/"
# The users part of the Management API that this tenant answers.
# https://auth0.com/docs/get-started/apis/scopes/management-api-scopes
MANAGEMENT_API_SCOPES = ("read:users", "create:users", "update:users", "delete:users")


class ClientGrant(Model):
    """A machine-to-machine application's right to an API (Management API `client-grant`).

    https://auth0.com/docs/api/management/v2/client-grants/post-client-grants
    """

    client_id: str
    # "https://{domain}/api/v2/" (the Management API) or a resource server's identifier.
    audience: str = Field(min_length=1)
    scope: list[str] = []


class SeedUser(Model):
    """A user present from the start; identified by email or phone number."""

    email: str | None = None
    phone_number: str | None = Field(default=None, pattern=r"^\+[0-9]{1,15}$")
    given_name: str | None = None
    family_name: str | None = None

    @model_validator(mode="after")
    def _one_identifier(self) -> SeedUser:
        """Require exactly one of email and phone_number, as a passwordless user has."""
        if (self.email is None) == (self.phone_number is None):
            raise ValueError("give exactly one of email and phone_number")
        return self


class Rules(Model):
    """The rules the `hardened` profile adds to Auth0's defaults (docs/security.md).

    Each is off in the `auth0` profile (what a real tenant does out of the box) and on in
    `hardened` (RFC 9700, the OAuth 2.0 Security BCP); `[tenant.rules]` sets one on its own.
    https://www.rfc-editor.org/rfc/rfc9700
    """

    # Rule 2: public clients must send a PKCE S256 challenge; `plain` is refused.
    require_pkce_s256: bool
    # Rule 6: no implicit or hybrid flows; tokens never in a URL or the front channel.
    no_front_channel_tokens: bool
    # Rule 10: a cooldown per address between two codes (`resend_cooldown` seconds).
    resend_cooldown: bool
    # Rule 10: /passwordless/start answers alike for known and unknown people.
    uniform_start_answers: bool
    # Rule 9: many wrong codes in a row lock the identifier for a while.
    identifier_lockout: bool
    # Rule 11: a magic link completes only in the browser that asked, or after a click.
    confirm_magic_links: bool
    # Rule 5: a rotated refresh token is never accepted again (no reuse interval).
    no_refresh_reuse_interval: bool
    # Auth0's tenant setting "Refresh Token Revocation Deletes Grant" (off by default).
    revocation_deletes_grant: bool
    # RFC 9207: `iss` in every authorization response, against mix-up attacks.
    iss_in_authorization_response: bool
    # A magic link's redirect_uri is checked at /passwordless/start, before anything is sent.
    check_link_redirect_uri: bool


PROFILES = {
    "auth0": Rules(**dict.fromkeys(Rules.model_fields, False)),
    "hardened": Rules(**dict.fromkeys(Rules.model_fields, True)),
}


class RuleOverrides(Model):
    """`[tenant.rules]`: single rules set apart from the profile (unset: the profile's)."""

    require_pkce_s256: bool | None = None
    no_front_channel_tokens: bool | None = None
    resend_cooldown: bool | None = None
    uniform_start_answers: bool | None = None
    identifier_lockout: bool | None = None
    confirm_magic_links: bool | None = None
    no_refresh_reuse_interval: bool | None = None
    revocation_deletes_grant: bool | None = None
    iss_in_authorization_response: bool | None = None
    check_link_redirect_uri: bool | None = None


class TenantSettings(Model):
    """Tenant-wide settings: the profile, lifetimes, limits and dev switches."""

    friendly_name: str = "Passwordless Demo"
    # Languages of the hosted pages, the first the default (Auth0's tenant `enabled_locales`);
    # each needs its words in mock_tenant/locales/<language>.json.
    # https://auth0.com/docs/customize/internationalization-and-localization/universal-login-internationalization
    enabled_locales: list[str] = Field(default=["en"], min_length=1)
    # `auth0` answers as a new Auth0 tenant does; `hardened` adds RFC 9700's rules.
    profile: Literal["auth0", "hardened"] = "auth0"
    rules: RuleOverrides = RuleOverrides()
    # https://auth0.com/docs/authenticate/passwordless#configure-one-time-passwords
    otp_lifetime: int = Field(default=180, ge=30, le=600)
    otp_max_attempts: int = Field(default=3, ge=1, le=10)
    # A second brake per identifier (NIST SP 800-63B 5.2.2 rate limiting).
    lockout_after_failures: int = Field(default=10, ge=1)
    lockout_seconds: int = Field(default=900, ge=1)
    resend_cooldown: int = Field(default=30, ge=0)
    # https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy
    start_rate_limit_per_hour: int = Field(default=50, ge=1)
    id_token_lifetime: int = Field(default=36000, gt=0)
    authorization_code_lifetime: int = Field(default=60, gt=0, le=600)
    max_body_bytes: int = Field(default=65536, ge=1024)
    # Seconds to wait for a locked database before answering 503.
    busy_timeout: float = Field(default=5.0, gt=0)
    # Developer endpoints under /_dev (outbox, clock, users, ...): off in anything shared.
    dev_api: bool = True
    # Record every protocol exchange for the flow inspector (needs dev_api; costs a write).
    inspector: bool = True
    # Tenant-level Allowed Logout URLs: where /v2/logout without a client_id may return to.
    # https://auth0.com/docs/authenticate/login/logout/redirect-users-after-logout
    allowed_logout_urls: list[str] = []
    # Auth0's tenant setting "RP-Initiated Logout End Session Endpoint Discovery"
    # (Management API `oidc_logout.rp_logout_end_session_endpoint_discovery`): publish
    # /oidc/logout as `end_session_endpoint`; on by default for tenants created since
    # 14 November 2023. https://auth0.com/docs/authenticate/login/logout/log-users-out-of-auth0
    rp_logout_end_session_endpoint_discovery: bool = True
    # Also deliver messages to a real SMTP server (a mail catcher such as Mailpit).
    smtp_host: str | None = None
    smtp_port: int = 1025

    @model_validator(mode="after")
    def _known_locales(self) -> TenantSettings:
        """Refuse a language the pages have no words for."""
        known = sorted(path.stem for path in LOCALES.glob("*.json"))
        unknown = [lang for lang in self.enabled_locales if lang not in known]
        if unknown:
            raise ValueError(f"enabled_locales: no words for {unknown}; known: {known}")
        return self


# ---- Universal Login experience (New or Classic) -------------------------------------------

# The Classic page templates the tenant ships, as Auth0's dashboard offers them.
CLASSIC_TEMPLATES = Path(__file__).with_name("templates") / "classic"
BUILTIN_LOGIN_PAGES = {
    "lock-passwordless": CLASSIC_TEMPLATES / "lock-passwordless.html",
    "custom-ui": CLASSIC_TEMPLATES / "custom-ui.html",
}
VENDOR = Path(__file__).with_name("static") / "vendor"


class Prompts(Model):
    """`[prompts]`: which Universal Login experience the tenant shows, and its Classic page.

    Auth0 switches with the Management API `PATCH /api/v2/prompts
    {"universal_login_experience": "new" | "classic"}`; the Classic page is the global
    client's `custom_login_page` (with `custom_login_page_on`).
    https://auth0.com/docs/api/management/v2/prompts/patch-prompts
    https://auth0.com/docs/customize/login-pages/classic-login/customize-classic-login-pages
    """

    universal_login_experience: Literal["new", "classic"] = "new"
    # "lock-passwordless", "custom-ui", or the path of your own template (relative paths
    # from the tenant file's folder). Used by the Classic experience only.
    custom_login_page: str = "lock-passwordless"

    @property
    def login_page_path(self) -> Path:
        """Return the template file the Classic experience renders."""
        return BUILTIN_LOGIN_PAGES.get(self.custom_login_page) or Path(self.custom_login_page)


def check_login_page(path: Path) -> str:
    """Read a Classic template and return it, or say what is wrong with it, naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"{path}: cannot read the login page template: {error.strerror}"
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the login page template is not UTF-8 text") from None
    if "<html" not in text.lower():
        raise ConfigError(f"{path}: the login page template is not an HTML page (no <html>)")
    # https://auth0.com/docs/customize/login-pages/classic-login/customize-classic-login-pages
    # Auth0 fills the page in by replacing this placeholder.
    if "@@config@@" not in text:
        raise ConfigError(f"{path}: the login page template has no @@config@@ placeholder")
    return text


def check_classic(config: TenantConfig) -> None:
    """Refuse to start a Classic experience whose page or browser libraries cannot work."""
    if config.prompts.universal_login_experience != "classic":
        return
    check_login_page(config.prompts.login_page_path)
    missing = [n for n in ("lock.min.js", "auth0.min.js") if not (VENDOR / n).is_file()]
    if missing:
        raise ConfigError(
            f"{VENDOR}: {', '.join(missing)} missing: the Classic login page needs "
            "auth0-lock and auth0-js; run `make setup` to build them"
        )
    # auth0-js and auth0-lock reach a bare domain over https (auth0-js
    # src/authentication/index.js: rootUrl), and take the hosted-page path only when the
    # page's `location.host` is that domain (src/web-auth/index.js: passwordlessLogin).
    # Auth0 is always HTTPS; so is the Classic experience here.
    if not config.issuer.startswith("https://"):
        raise ConfigError(
            "[prompts] universal_login_experience = 'classic' needs HTTPS: start the tenant "
            "with --tls (make run-web TLS=1), since Auth0's auth0-js and auth0-lock reach "
            "a hosted login page's tenant over https only"
        )


class TenantConfig(Model):
    """Everything a tenant needs: the file's sections plus where it runs and keeps its data."""

    tenant: TenantSettings = TenantSettings()
    prompts: Prompts = Prompts()
    clients: list[Client]
    connections: list[Connection]
    resource_servers: list[ResourceServer] = []
    client_grants: list[ClientGrant] = []
    users: list[SeedUser] = []
    # Runtime settings, given on the command line rather than in the file.
    issuer: str = "http://127.0.0.1:4000/"
    data_dir: Path = Path("var/tenant")
    # When set, the dev API asks for it as a bearer token (the tenant is bound off loopback).
    dev_token: str | None = None

    @model_validator(mode="after")
    def _unique_ids(self) -> TenantConfig:
        """Refuse two clients, connections or APIs with one id."""
        for section, ids in (
            ("clients", [c.client_id for c in self.clients]),
            ("connections", [c.name for c in self.connections]),
            ("resource_servers", [r.identifier for r in self.resource_servers]),
        ):
            if len(set(ids)) != len(ids):
                raise ValueError(f"{section}: two entries share an id")
        if not self.issuer.endswith("/"):
            raise ValueError("issuer must end with '/', as Auth0's does")
        return self

    @model_validator(mode="after")
    def _known_client_grants(self) -> TenantConfig:
        """Require each client grant to name a client, an API and scopes that API defines."""
        for i, grant in enumerate(self.client_grants):
            where = f"client_grants[{i}]"
            client = self.client(grant.client_id)
            if client is None:
                raise ValueError(f"{where}.client_id: no client {grant.client_id!r}")
            if "client_credentials" not in client.grant_types:
                raise ValueError(
                    f"{where}.client_id: {grant.client_id!r} lacks the client_credentials grant"
                )
            known = self.api_scopes(grant.audience)
            if known is None:
                raise ValueError(
                    f"{where}.audience: neither {MANAGEMENT_API_AUDIENCE!r} "
                    "nor a resource server's identifier"
                )
            unknown = sorted(set(grant.scope) - set(known))
            if unknown:
                raise ValueError(f"{where}.scope: {unknown} not among {sorted(known)}")
        pairs = [(g.client_id, g.audience) for g in self.client_grants]
        if len(set(pairs)) != len(pairs):
            raise ValueError("client_grants: two grants for one client and audience")
        return self

    @property
    def rules(self) -> Rules:
        """Return the rules in force: the profile's, with `[tenant.rules]` applied."""
        overrides = self.tenant.rules.model_dump(exclude_none=True)
        return PROFILES[self.tenant.profile].model_copy(update=overrides)

    def client(self, client_id: str | None) -> Client | None:
        """Return the client with this id, or None."""
        return next((c for c in self.clients if c.client_id == client_id), None)

    def connection(self, name: str | None) -> Connection | None:
        """Return the connection with this name, or None."""
        return next((c for c in self.connections if c.name == name), None)

    def resource_server(self, identifier: str | None) -> ResourceServer | None:
        """Return the API with this identifier, or None."""
        return next((r for r in self.resource_servers if r.identifier == identifier), None)

    def api_scopes(self, audience: str) -> tuple[str, ...] | None:
        """Return the scopes an API (as written in a client grant) defines, or None."""
        if audience == MANAGEMENT_API_AUDIENCE:
            return MANAGEMENT_API_SCOPES
        api = self.resource_server(audience)
        return tuple(s.value for s in api.scopes) if api else None

    def client_grant(self, client_id: str, audience: str) -> ClientGrant | None:
        """Return the grant of a client to an API (audience as written in the file), or None."""
        return next(
            (g for g in self.client_grants if (g.client_id, g.audience) == (client_id, audience)),
            None,
        )

    def with_prompts(self, **prompts) -> TenantConfig:
        """Return a copy with some `[prompts]` settings replaced, validated and checked again."""
        data = self.model_dump(by_alias=True)
        data["prompts"].update(prompts)
        config = TenantConfig.model_validate(data)
        check_classic(config)
        return config

    def with_settings(self, **settings) -> TenantConfig:
        """Return a copy with some `[tenant]` settings replaced, validated again."""
        data = self.model_dump(by_alias=True)
        data["tenant"].update(settings)
        return TenantConfig.model_validate(data)


def load_config(path: Path | str | None = None, **runtime) -> TenantConfig:
    """Read and validate a tenant file, adding runtime settings such as `issuer` and `data_dir`.

    Raises:
        ConfigError: naming the file, the field and the problem.

    """
    path = Path(path) if path else DEFAULT_CONFIG_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the file: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    data.update({k: v for k, v in runtime.items() if v is not None})
    page = data.get("prompts", {}).get("custom_login_page")
    if isinstance(page, str) and page not in BUILTIN_LOGIN_PAGES:
        # A template path in the file is read from the file's folder.
        data["prompts"]["custom_login_page"] = str(path.parent / page)
    try:
        config = TenantConfig.model_validate(data)
    except ValidationError as error:
        problems = "\n".join(
            f"  {_field_path(e['loc']) or '(top level)'}: {e['msg']}" for e in error.errors()
        )
        raise ConfigError(f"{path}: invalid tenant configuration\n{problems}") from None
    check_classic(config)
    return config


def _field_path(loc: tuple) -> str:
    """Turn pydantic's error location into `clients[0].app_type`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
