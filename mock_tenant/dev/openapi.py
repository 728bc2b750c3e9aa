"""The tenant's OpenAPI 3.1 description: every JSON endpoint, what Auth0 does there, and why.

One source: the document is built here from plain Python data, served at `GET /openapi.json`
(built once per app, with the tenant's own address as the server) and checked against the
live tenant by schemathesis in the tests. The examples are the tenant's own clients and
connections, so "Try it" in any OpenAPI viewer talks to this tenant for real.
https://spec.openapis.org/oas/v3.1.0
"""

from __future__ import annotations

import json

from flask import Response, current_app

from ..api import passwordless
from ..config import OTP_GRANT, TenantConfig
from ..web import current_tenant

AUTH_API = "https://auth0.com/docs/api/authentication"
ERRORS_DOC = AUTH_API + "#standard-error-responses"
RATE_LIMITS_DOC = (
    "https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy"
)
PASSWORDLESS_DOC = (
    "https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/"
    "relevant-api-endpoints"
)

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def serve() -> Response:
    """Serve the OpenAPI description of this tenant (built once per app)."""
    body = current_app.extensions.get("mock_tenant.openapi")
    if body is None:
        body = json.dumps(document(current_tenant().config), indent=1).encode()
        current_app.extensions["mock_tenant.openapi"] = body
    return Response(body, mimetype=JSON, headers={"Cache-Control": "max-age=60"})


def _ref(kind: str, name: str) -> dict:
    """Point at a shared component."""
    return {"$ref": f"#/components/{kind}/{name}"}


def _json_body(schema: dict, description: str, headers: dict | None = None) -> dict:
    """Describe a JSON answer."""
    answer = {"description": description, "content": {JSON: {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return answer


def _error(description: str, codes: list[str], headers: dict | None = None) -> dict:
    """Describe an error answer in Auth0's shape, naming the `error` codes it may carry."""
    schema = {
        "allOf": [_ref("schemas", "Error")],
        "properties": {"error": {"enum": codes}},
    }
    return _json_body(schema, description, headers)


def _header(description: str, required: bool = True) -> dict:
    """Describe a response header whose value is a whole number of seconds or requests."""
    return {
        "description": description,
        "required": required,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }


RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": _header("Requests allowed per window (one hour)."),
    "X-RateLimit-Remaining": _header("Requests left in this window."),
    "X-RateLimit-Reset": _header("When the window ends, in Unix epoch seconds."),
}


def _common(*, body: bool) -> dict:
    """Answers any operation may give: a busy database, and an oversized body."""
    answers = {"503": _ref("responses", "Busy")}
    if body:
        answers["413"] = _ref("responses", "TooLarge")
    return answers


def _bodies(json_schema: dict, form_schema: dict | None = None, required: bool = True) -> dict:
    """Describe a request body sent as JSON, and also form-encoded when a form schema is given."""
    content = {JSON: {"schema": json_schema}}
    if form_schema is not None:
        content[FORM] = {"schema": form_schema}
    return {"required": required, "content": content}


def document(config: TenantConfig) -> dict:
    """Build the OpenAPI 3.1 document for a tenant (its address, clients and connections)."""
    client_ids = [client.client_id for client in config.clients]
    connections = [connection.name for connection in config.connections]
    paths = {
        "/.well-known/openid-configuration": {"get": _discovery()},
        "/.well-known/jwks.json": {"get": _jwks()},
        "/passwordless/start": {"post": _passwordless_start()},
        "/oauth/token": {"post": _token()},
        "/oauth/revoke": {"post": _revoke()},
        "/userinfo": {"get": _userinfo("get"), "post": _userinfo("post")},
        "/openapi.json": {"get": _openapi()},
    }
    tags = [
        {"name": "Discovery", "description": "Where everything is, and the keys to check tokens."},
        {"name": "Passwordless", "description": "Send a code or link, exchange it for tokens."},
        {"name": "Tokens", "description": "Refresh, revoke, and read who a token is for."},
    ]
    if config.tenant.dev_api:
        paths.update(_dev_paths())
        tags.append(
            {
                "name": "Dev API",
                "description": "The tenant's control panel for tests and learners (no Auth0 "
                "equivalent). Off when `dev_api = false`; behind a bearer token when the tenant "
                "listens beyond loopback.",
            }
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{config.tenant.friendly_name}: mock Auth0 tenant",
            "version": "1.0.0",
            "summary": "The JSON endpoints of a local tenant that answers like Auth0.",
            "description": "Auth0's Authentication API as far as passwordless login needs it "
            "(start, token, revoke, userinfo, discovery, keys), with the same fields, statuses "
            f"and error strings, plus a dev API to read the outbox and move the clock. Auth0's "
            f"own reference: {AUTH_API}. Errors are always "
            '`{"error": ..., "error_description": ...}` '
            f"({ERRORS_DOC}). Pages and redirects (/authorize, /u/login/*, /v2/logout) are "
            "HTML for browsers and are not described here.",
        },
        # OpenAPI joins the server URL and the path: the issuer without its trailing slash,
        # or every URL would have two.
        "servers": [{"url": config.issuer.rstrip("/"), "description": "This tenant."}],
        "tags": tags,
        "paths": paths,
        "components": _components(client_ids, connections),
    }


def _discovery() -> dict:
    """Describe `GET /.well-known/openid-configuration`."""
    return {
        "operationId": "getOpenIdConfiguration",
        "tags": ["Discovery"],
        "summary": "OpenID Connect discovery document",
        "description": "Every Auth0 tenant publishes where its endpoints are and what it "
        "supports, so a library needs only the domain: Authlib's `server_metadata_url` reads "
        "this. The `issuer` ends with a slash, as Auth0's does, and ID tokens carry exactly it "
        "in `iss`. Auth0: https://auth0.com/docs/get-started/applications/"
        "configure-applications-with-oidc-discovery. Spec: "
        "https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata",
        "responses": {
            "200": _json_body(_ref("schemas", "Discovery"), "The discovery document."),
            **_common(body=False),
        },
    }


def _jwks() -> dict:
    """Describe `GET /.well-known/jwks.json`."""
    return {
        "operationId": "getJwks",
        "tags": ["Discovery"],
        "summary": "Public signing keys (JSON Web Key Set)",
        "description": "The public halves of the keys the tenant signs tokens with (RS256). "
        "An app or API picks the key whose `kid` matches the token header. After a rotation "
        "the old key stays published until every token it signed has expired. Never a private "
        "parameter. Auth0: https://auth0.com/docs/secure/tokens/json-web-tokens/"
        "json-web-key-sets. Spec: https://www.rfc-editor.org/rfc/rfc7517",
        "responses": {
            "200": _json_body(_ref("schemas", "Jwks"), "The key set, newest key first."),
            **_common(body=False),
        },
    }


def _passwordless_start() -> dict:
    """Describe `POST /passwordless/start`."""
    throttled = {
        **RATE_LIMIT_HEADERS,
        "Retry-After": _header("Seconds to wait before asking again."),
    }
    return {
        "operationId": "passwordlessStart",
        "tags": ["Passwordless"],
        "summary": "Send a one-time code or a magic link",
        "description": "Step one of passwordless login: Auth0 emails or texts a 6-digit code "
        "(`send: code`) or a magic link (`send: link`, email only) and answers with the "
        "identifier. The answer is the same whether or not the person has an account, so it "
        "cannot be used to find out who does. Only the newest code per identifier works. "
        "Confidential (regular web) apps must send their secret; native apps have none. "
        f"Auth0: {AUTH_API}#get-code-or-link and {PASSWORDLESS_DOC}. "
        f"Rate limit: 50 requests per hour per IP address ({RATE_LIMITS_DOC}), and one code "
        "per identifier every 30 seconds.",
        "requestBody": _bodies(
            _ref("schemas", "PasswordlessStart"), _ref("schemas", "PasswordlessStartForm")
        ),
        "responses": {
            "200": _json_body(
                {
                    "oneOf": [
                        _ref("schemas", "EmailStartResult"),
                        _ref("schemas", "SmsStartResult"),
                    ]
                },
                "Sent: the email or SMS is in the outbox (`GET /_dev/api/outbox`).",
                RATE_LIMIT_HEADERS,
            ),
            "400": _error(
                "A missing or wrong field, in Auth0's `bad.*` codes: `bad.client_id`, "
                "`bad.connection` (missing, does not exist), `bad.email`, `bad.phone_number` "
                "(must match `^\\+[0-9]{1,15}$`), `bad.authParams`, `bad.request` (a field "
                "that is not allowed, or a wrong `send`); `invalid_request` when the body is "
                "not a JSON object of strings.",
                [
                    "bad.client_id",
                    "bad.connection",
                    "bad.email",
                    "bad.phone_number",
                    "bad.authParams",
                    "bad.request",
                    "invalid_request",
                ],
            ),
            "401": _error("A confidential client sent a wrong or no secret.", ["invalid_client"]),
            "403": _error(
                "The client may not use the passwordless grant (single-page apps).",
                ["unauthorized_client"],
            ),
            "429": _error(
                "Too many requests from this address, or a new code asked for too soon.",
                ["too_many_requests"],
                throttled,
            ),
            **_common(body=True),
        },
    }


def _token() -> dict:
    """Describe `POST /oauth/token`."""
    return {
        "operationId": "token",
        "tags": ["Passwordless", "Tokens"],
        "summary": "Exchange a code, an authorization code or a refresh token for tokens",
        "description": "The token endpoint, with three grants. "
        f"(1) `{OTP_GRANT}`: the one-time code from /passwordless/start, with `realm` "
        f"`email` or `sms` ({AUTH_API}#authenticate-user). Three wrong tries kill a code. "
        "(2) `authorization_code` with PKCE (`code_verifier`): the code Universal Login "
        f"sent to the app's callback ({AUTH_API}#authorization-code-flow-with-pkce). "
        f"(3) `refresh_token` ({AUTH_API}#refresh-token): with rotation, each use answers a "
        "new refresh token, and reusing an old one revokes the whole family. "
        "The body may be JSON (auth0-python) or form-encoded (auth0-spa-js, nextjs-auth0); "
        "confidential clients authenticate with `client_secret` or HTTP Basic. Auth0 answers "
        "`invalid_grant` (a wrong code or token) with 403, not RFC 6749's 400.",
        "requestBody": _bodies(_ref("schemas", "TokenRequest"), _ref("schemas", "TokenRequest")),
        "responses": {
            "200": _json_body(_ref("schemas", "TokenResponse"), "The tokens."),
            "400": _error(
                "A malformed request: a missing field, an unknown grant type or realm.",
                ["invalid_request", "unsupported_grant_type", "invalid_scope"],
            ),
            "401": _error(
                "The client secret is wrong or missing.",
                ["invalid_client"],
                {
                    "WWW-Authenticate": {
                        "description": "Present when the client tried HTTP Basic.",
                        "required": False,
                        "schema": {"type": "string"},
                    }
                },
            ),
            "403": _error(
                "Refused: a wrong, expired or used code or token (`invalid_grant`), a client "
                "not allowed this grant or unknown (`unauthorized_client`), or an audience no "
                "API has (`access_denied`).",
                ["invalid_grant", "unauthorized_client", "access_denied"],
            ),
            "429": _error(
                "Too many wrong codes in a row: the identifier is blocked for a while.",
                ["too_many_attempts"],
            ),
            **_common(body=True),
        },
    }


def _revoke() -> dict:
    """Describe `POST /oauth/revoke`."""
    return {
        "operationId": "revoke",
        "tags": ["Tokens"],
        "summary": "Revoke a refresh token",
        "description": "Logs a device out for good: the refresh token, every token of its "
        "family, and the access tokens its login issued stop working. Auth0 answers 200 with "
        "an empty body, also for a token it does not know (RFC 7009 2.2: telling would help "
        f"an attacker). Auth0: {AUTH_API}#revoke-refresh-token. Spec: "
        "https://www.rfc-editor.org/rfc/rfc7009",
        "requestBody": _bodies(_ref("schemas", "RevokeRequest"), _ref("schemas", "RevokeRequest")),
        "responses": {
            "200": {"description": "Revoked (or never known): an empty body."},
            "400": _error("A missing field.", ["invalid_request", "unsupported_token_type"]),
            "401": _error("The client secret is wrong or missing.", ["invalid_client"]),
            "403": _error("The client is unknown.", ["unauthorized_client"]),
            **_common(body=True),
        },
    }


def _userinfo(method: str) -> dict:
    """Describe `GET` or `POST /userinfo`."""
    return {
        "operationId": f"userinfo{method.capitalize()}",
        "tags": ["Tokens"],
        "summary": "The profile of the user an access token is for",
        "description": "Send the access token as `Authorization: Bearer ...`; the claims "
        "depend on the scopes the login granted (`profile`, `email`, `phone`), and `openid` "
        "is required. An opaque access token (no `audience`) is good only here. "
        f"Auth0: {AUTH_API}#user-profile. Spec: "
        "https://openid.net/specs/openid-connect-core-1_0.html#UserInfo",
        "security": [{"accessToken": []}],
        "responses": {
            "200": _json_body(_ref("schemas", "UserInfo"), "The user's claims."),
            "401": _error(
                "No token, or one that is wrong, expired, revoked or lacks `openid`.",
                ["invalid_token"],
                {
                    "WWW-Authenticate": {
                        "description": 'Always `Bearer error="invalid_token"` (RFC 6750 3).',
                        "required": True,
                        "schema": {"type": "string", "pattern": "^Bearer "},
                    }
                },
            ),
            **_common(body=method == "post"),
        },
    }


def _openapi() -> dict:
    """Describe `GET /openapi.json`."""
    return {
        "operationId": "getOpenApi",
        "tags": ["Discovery"],
        "summary": "This description",
        "description": "The OpenAPI 3.1 document you are reading, with this tenant's address "
        "as the server. Auth0 publishes no OpenAPI file for its Authentication API; its "
        f"reference is {AUTH_API}.",
        "responses": {
            "200": _json_body({"type": "object", "required": ["openapi"]}, "The document."),
        },
    }


def _dev(operation_id: str, summary: str, description: str, responses: dict, **extra) -> dict:
    """Describe one dev API operation: its own answers plus the dev token's 401."""
    return {
        "operationId": operation_id,
        "tags": ["Dev API"],
        "summary": summary,
        "description": description,
        "security": [{}, {"devToken": []}],
        **extra,
        "responses": {
            **responses,
            "401": _error(
                "The tenant asks for the dev token and it was not sent.", ["unauthorized"]
            ),
            **_common(body="requestBody" in extra),
        },
    }


def _dev_paths() -> dict:
    """Describe the dev API under /_dev/api."""
    invalid = _error("The body is not what this endpoint takes.", ["invalid_request"])
    to = {
        "name": "to",
        "in": "query",
        "required": False,
        "description": "Only messages to this email address or phone number.",
        "schema": {"type": "string"},
    }
    user_id = {
        "name": "user_id",
        "in": "path",
        "required": True,
        "description": "A user id such as `email|5f0c...`.",
        "schema": {"type": "string", "minLength": 1},
    }
    not_found = _error("No user has this id.", ["not_found"])
    return {
        "/_dev/api/outbox": {
            "get": _dev(
                "listOutbox",
                "Messages sent",
                "Every email and SMS the tenant 'sent', newest first (at most 200), with the "
                "code or link pulled out for tests. Auth0 sends for real through its email and "
                "SMS providers: https://auth0.com/docs/customize/email/smtp-email-providers.",
                {"200": _json_body({"type": "array", "items": _ref("schemas", "Message")}, "")},
                parameters=[to],
            ),
            "delete": _dev(
                "clearOutbox",
                "Forget messages",
                "Delete every message, or only those to `?to=`.",
                {"200": _json_body(_ref("schemas", "Deleted"), "How many were deleted.")},
                parameters=[to],
            ),
        },
        "/_dev/api/events": {
            "get": _dev(
                "listEvents",
                "Login timelines (the flow inspector's data)",
                "The newest logins (at most 50), each with its protocol exchanges in order, "
                "secrets hidden and tokens decoded. Auth0 keeps tenant logs instead: "
                "https://auth0.com/docs/deploy-monitor/logs.",
                {"200": _json_body({"type": "array", "items": _ref("schemas", "Login")}, "")},
                parameters=[
                    {
                        "name": "client_id",
                        "in": "query",
                        "required": False,
                        "description": "Only this application's logins.",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "user",
                        "in": "query",
                        "required": False,
                        "description": "Only logins of this identifier or user id.",
                        "schema": {"type": "string"},
                    },
                ],
            ),
        },
        "/_dev/api/reset": {
            "post": _dev(
                "reset",
                "Start over",
                "Forget users, codes, tokens, throttles, messages and clock changes; keep the "
                "signing keys and create the config file's users again.",
                {"200": _json_body(_ref("schemas", "ResetResult"), "Done.")},
            ),
        },
        "/_dev/api/clock": {
            "get": _dev(
                "readClock",
                "Tenant time",
                "The tenant's clock in Unix seconds, whether it is frozen, and its offset.",
                {"200": _json_body(_ref("schemas", "Clock"), "")},
            ),
            "post": _dev(
                "moveClock",
                "Move or freeze tenant time",
                "Tests move time instead of sleeping: `advance` seconds to expire a code (400 "
                "beyond ten years from real time), `freeze` to stop time.",
                {
                    "200": _json_body(_ref("schemas", "Clock"), "The clock after the change."),
                    "400": invalid,
                },
                requestBody=_bodies(_ref("schemas", "ClockChange"), required=False),
            ),
        },
        "/_dev/api/users": {
            "get": _dev(
                "listUsers",
                "Users",
                "Every user, oldest first. Auth0's Management API lists users too: "
                "https://auth0.com/docs/api/management/v2/users/get-users.",
                {"200": _json_body({"type": "array", "items": _ref("schemas", "User")}, "")},
            ),
            "post": _dev(
                "createUser",
                "Create a user (or find the existing one)",
                "As if they had logged in once: by `email` or `phone_number`, with optional "
                "profile `claims` (not the ones the tenant sets itself).",
                {"201": _json_body(_ref("schemas", "User"), "The user."), "400": invalid},
                requestBody=_bodies(_ref("schemas", "NewUser")),
            ),
        },
        "/_dev/api/users/{user_id}": {
            "patch": _dev(
                "updateUser",
                "Set profile claims",
                "Merge `claims` into the user's profile; they show up in ID tokens and "
                "/userinfo with the `profile` scope.",
                {
                    "200": _json_body(_ref("schemas", "User"), "The user."),
                    "400": invalid,
                    "404": not_found,
                },
                parameters=[user_id],
                requestBody=_bodies(_ref("schemas", "UserChange"), required=False),
            ),
            "delete": _dev(
                "deleteUser",
                "Delete a user",
                "Delete the user and revoke every grant they hold: their tokens stop working.",
                {"204": {"description": "Deleted."}, "404": not_found},
                parameters=[user_id],
            ),
        },
        "/_dev/api/keys/rotate": {
            "post": _dev(
                "rotateKeys",
                "Rotate the signing key",
                "Sign with a new key from now on; the old one stays in the JWKS until its "
                "tokens have expired. Auth0: https://auth0.com/docs/get-started/tenant-settings/"
                "signing-keys/rotate-signing-keys.",
                {"200": _json_body(_ref("schemas", "Rotated"), "The new key's id.")},
            ),
        },
        "/_dev/api/errors": {
            "post": _dev(
                "injectError",
                "Make an endpoint fail once",
                "The next request to `endpoint` gets this error status and body instead of its "
                "answer (and no other headers), so an app's error handling can be tried. The "
                "injected status may be any 4xx or 5xx, which is why the injected answer is not "
                "in this description.",
                {"201": _json_body(_ref("schemas", "Injected"), "Armed."), "400": invalid},
                requestBody=_bodies(_ref("schemas", "InjectedError")),
            ),
        },
    }


def _strings(*names: str) -> dict:
    """Describe object properties that are all strings."""
    return {name: {"type": "string"} for name in names}


def _components(client_ids: list[str], connections: list[str]) -> dict:
    """Return the shared schemas, answers and security schemes."""
    client_id = {"type": "string", "examples": client_ids}
    unix_time = {"type": "integer", "description": "Unix epoch seconds."}
    start_fields = {
        "client_id": client_id,
        "client_secret": {"type": "string", "description": "Confidential clients only."},
        "connection": {"type": "string", "examples": connections},
        "email": {"type": "string", "examples": ["ada@example.com"]},
        "phone_number": {"type": "string", "examples": ["+15555550100"]},
        "send": {
            "type": "string",
            "description": "`code` or `link` (email only). Left out: a link for email, a code "
            "for SMS (auth0-python's `sms()` never sends it).",
            "examples": ["code", "link"],
        },
    }
    auth_params = {
        "type": "object",
        "description": "Carried into the magic link's URL; only these names.",
        "properties": _strings(*sorted(passwordless.ALLOWED_AUTH_PARAMS)),
        "additionalProperties": False,
    }
    return {
        "securitySchemes": {
            "accessToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "An access token from /oauth/token with the `openid` scope.",
            },
            "clientSecretBasic": {
                "type": "http",
                "scheme": "basic",
                "description": "client_id and client_secret by HTTP Basic (RFC 6749 2.3.1); "
                "the alternative to `client_secret` in the body.",
            },
            "devToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "The dev token the tenant prints at start when it listens "
                "beyond loopback; not needed on 127.0.0.1.",
            },
        },
        "responses": {
            "Busy": _error(
                "The database stayed locked (many writers at once): try again shortly.",
                ["temporarily_unavailable"],
                {"Retry-After": _header("Seconds to wait.")},
            ),
            "TooLarge": _error(
                "The body is over the tenant's size cap (`max_body_bytes`).",
                ["request_entity_too_large"],
            ),
        },
        "schemas": {
            "Error": {
                "type": "object",
                "description": f"Auth0's error shape ({ERRORS_DOC}).",
                "required": ["error", "error_description"],
                "properties": _strings("error", "error_description"),
            },
            "PasswordlessStart": {
                "type": "object",
                "required": ["client_id", "connection"],
                "properties": {**start_fields, "authParams": auth_params},
                "additionalProperties": False,
            },
            "PasswordlessStartForm": {
                "type": "object",
                "required": ["client_id", "connection"],
                "properties": start_fields,
                "additionalProperties": False,
            },
            "EmailStartResult": {
                "type": "object",
                "required": ["_id", "email", "email_verified"],
                "properties": {
                    "_id": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
                    "email": {"type": "string"},
                    "email_verified": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
            "SmsStartResult": {
                "type": "object",
                "required": ["_id", "phone_number", "phone_verified"],
                "properties": {
                    "_id": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
                    "phone_number": {"type": "string", "pattern": "^\\+[0-9]{1,15}$"},
                    "phone_verified": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
            "TokenRequest": {
                "oneOf": [
                    _ref("schemas", "OtpGrant"),
                    _ref("schemas", "AuthorizationCodeGrant"),
                    _ref("schemas", "RefreshTokenGrant"),
                ],
            },
            "OtpGrant": {
                "type": "object",
                "description": f"Auth0's passwordless grant ({PASSWORDLESS_DOC}).",
                "required": ["grant_type", "client_id", "username", "otp", "realm"],
                "properties": {
                    "grant_type": {"const": OTP_GRANT},
                    "client_id": client_id,
                    "client_secret": {"type": "string"},
                    "username": {"type": "string", "description": "The email or phone number."},
                    "otp": {"type": "string", "description": "The code that was sent."},
                    "realm": {"type": "string", "examples": connections},
                    "scope": {"type": "string", "examples": ["openid profile email"]},
                    "audience": {"type": "string"},
                },
            },
            "AuthorizationCodeGrant": {
                "type": "object",
                "required": ["grant_type", "client_id", "code", "redirect_uri"],
                "properties": {
                    "grant_type": {"const": "authorization_code"},
                    "client_id": client_id,
                    "client_secret": {"type": "string"},
                    "code": {"type": "string"},
                    "redirect_uri": {"type": "string"},
                    "code_verifier": {"type": "string", "description": "PKCE (RFC 7636)."},
                },
            },
            "RefreshTokenGrant": {
                "type": "object",
                "required": ["grant_type", "client_id", "refresh_token"],
                "properties": {
                    "grant_type": {"const": "refresh_token"},
                    "client_id": client_id,
                    "client_secret": {"type": "string"},
                    "refresh_token": {"type": "string"},
                    "scope": {"type": "string", "description": "Narrower scope, or empty."},
                },
            },
            "TokenResponse": {
                "type": "object",
                "required": ["access_token", "token_type", "expires_in", "scope"],
                "properties": {
                    "access_token": {
                        "type": "string",
                        "description": "A JWT for the `audience` API, else opaque (only for "
                        "/userinfo).",
                    },
                    "id_token": {"type": "string", "description": "With `openid`: an RS256 JWT."},
                    "refresh_token": {
                        "type": "string",
                        "description": "With `offline_access` (and rotated on each use).",
                    },
                    "token_type": {"const": "Bearer"},
                    "expires_in": {"type": "integer", "minimum": 1},
                    "scope": {"type": "string"},
                },
                "additionalProperties": False,
            },
            "RevokeRequest": {
                "type": "object",
                "required": ["client_id", "token"],
                "properties": {
                    "client_id": client_id,
                    "client_secret": {"type": "string"},
                    "token": {"type": "string", "description": "The refresh token."},
                    "token_type_hint": {"type": "string", "examples": ["refresh_token"]},
                },
            },
            "UserInfo": {
                "type": "object",
                "required": ["sub"],
                "properties": {
                    "sub": {"type": "string", "pattern": "^(email|sms)\\|[0-9a-f]{24}$"},
                    **_strings("name", "nickname", "picture", "updated_at", "email"),
                    "email_verified": {"type": "boolean"},
                    "phone_number": {"type": "string"},
                    "phone_verified": {"type": "boolean"},
                },
            },
            "Discovery": {
                "type": "object",
                "required": [
                    "issuer",
                    "authorization_endpoint",
                    "token_endpoint",
                    "userinfo_endpoint",
                    "jwks_uri",
                    "response_types_supported",
                    "subject_types_supported",
                    "id_token_signing_alg_values_supported",
                ],
                "properties": {
                    "issuer": {"type": "string", "pattern": "/$"},
                    **_strings(
                        "authorization_endpoint",
                        "token_endpoint",
                        "userinfo_endpoint",
                        "jwks_uri",
                        "revocation_endpoint",
                        "end_session_endpoint",
                    ),
                    **{
                        name: {"type": "array", "items": {"type": "string"}}
                        for name in (
                            "scopes_supported",
                            "response_types_supported",
                            "response_modes_supported",
                            "grant_types_supported",
                            "code_challenge_methods_supported",
                            "subject_types_supported",
                            "id_token_signing_alg_values_supported",
                            "token_endpoint_auth_methods_supported",
                            "claims_supported",
                        )
                    },
                },
            },
            "Jwks": {
                "type": "object",
                "required": ["keys"],
                "properties": {"keys": {"type": "array", "items": _ref("schemas", "Jwk")}},
                "additionalProperties": False,
            },
            "Jwk": {
                "type": "object",
                "required": ["kty", "use", "alg", "kid", "n", "e", "x5c", "x5t"],
                "properties": {
                    "kty": {"const": "RSA"},
                    "use": {"const": "sig"},
                    "alg": {"const": "RS256"},
                    **_strings("kid", "n", "e", "x5t"),
                    "x5c": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                },
                # A public key only: no `d`, `p`, `q` or any other private parameter.
                "additionalProperties": False,
            },
            "Message": {
                "type": "object",
                "required": ["id", "channel", "to", "text", "sent_at"],
                "properties": {
                    "id": {"type": "integer"},
                    "channel": {"enum": ["email", "sms"]},
                    "to": {"type": "string"},
                    "subject": {"type": ["string", "null"], "description": "Emails only."},
                    "text": {"type": "string"},
                    "code": {"type": ["string", "null"], "pattern": "^[0-9]{6}$"},
                    "link": {"type": ["string", "null"], "description": "Magic links only."},
                    "sent_at": unix_time,
                },
            },
            "Deleted": {
                "type": "object",
                "required": ["deleted"],
                "properties": {"deleted": {"type": "integer", "minimum": 0}},
            },
            "Login": {
                "type": "object",
                "required": ["login_id", "started_at", "updated_at", "events"],
                "properties": {
                    "login_id": {"type": "string"},
                    "client_id": {"type": ["string", "null"]},
                    "identifier": {"type": ["string", "null"]},
                    "user_id": {"type": ["string", "null"]},
                    "started_at": unix_time,
                    "updated_at": unix_time,
                    "events": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["id", "at", "method", "path", "status"],
                            "properties": {
                                "id": {"type": "integer"},
                                "at": unix_time,
                                "method": {"type": "string"},
                                "path": {"type": "string"},
                                "status": {"type": "integer"},
                                "kind": {"type": ["string", "null"]},
                                "note": {"type": ["string", "null"]},
                                "params": {"type": "object"},
                                "answer": {"type": ["object", "null"]},
                                "tokens": {"type": "array"},
                            },
                        },
                    },
                },
            },
            "ResetResult": {
                "type": "object",
                "required": ["reset"],
                "properties": {"reset": {"const": True}},
            },
            "Clock": {
                "type": "object",
                "required": ["now", "frozen", "offset"],
                "properties": {
                    "now": unix_time,
                    "frozen": {"type": "boolean"},
                    "offset": {"type": "integer", "description": "Seconds ahead of real time."},
                },
            },
            "ClockChange": {
                "type": "object",
                "properties": {
                    "advance": {
                        "type": "integer",
                        "description": "Seconds to move time by (negative: back); the clock "
                        "stays within ten years of real time.",
                    },
                    "freeze": {"type": "boolean"},
                },
            },
            "User": {
                "type": "object",
                "required": [
                    "user_id",
                    "connection",
                    "identifier",
                    "claims",
                    "created_at",
                    "updated_at",
                ],
                "properties": {
                    "user_id": {"type": "string", "pattern": "^(email|sms)\\|[0-9a-f]{24}$"},
                    "connection": {"enum": ["email", "sms"]},
                    "identifier": {"type": "string"},
                    "claims": {"type": "object"},
                    "created_at": unix_time,
                    "updated_at": unix_time,
                },
            },
            "NewUser": {
                "type": "object",
                "properties": {
                    "email": {"type": "string", "examples": ["grace@example.com"]},
                    "phone_number": {"type": "string", "examples": ["+15555550123"]},
                    "claims": _ref("schemas", "Claims"),
                },
            },
            "UserChange": {
                "type": "object",
                "properties": {"claims": _ref("schemas", "Claims")},
            },
            "Claims": {
                "type": "object",
                "description": "Profile claims such as `given_name`: simple values only.",
                "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
                "examples": [{"given_name": "Grace", "family_name": "Hopper"}],
            },
            "Rotated": {
                "type": "object",
                "required": ["kid"],
                "properties": {"kid": {"type": "string"}},
            },
            "InjectedError": {
                "type": "object",
                "required": ["endpoint"],
                "properties": {
                    "endpoint": {
                        "type": "string",
                        "examples": ["/oauth/token", "/passwordless/start"],
                    },
                    "status": {"type": "integer", "minimum": 400, "maximum": 599},
                    **_strings("error", "error_description"),
                },
            },
            "Injected": {
                "type": "object",
                "required": ["endpoint", "status"],
                "properties": {"endpoint": {"type": "string"}, "status": {"type": "integer"}},
            },
        },
    }
