"""The demo tenant's clients, API and grant, as the bundled mock_tenant/tenant.toml defines them.

Tests import these names instead of spelling the values again. Tests that check a default
(an app's settings, the config file itself) keep the literal value, so that they would
notice a change of the contract.
"""

# The regular web app: a confidential client (secret in the body, or by Basic).
WEB_CLIENT = "demo-regular-web-app"
WEB_SECRET = "demo-regular-web-app-secret"
WEB_CALLBACK = "http://localhost:3000/callback"

# The native app: a public client; any port on the loopback callback matches.
# https://www.rfc-editor.org/rfc/rfc8252#section-7.3
NATIVE_CLIENT = "demo-native-app"
NATIVE_CALLBACK = "http://127.0.0.1:53122/callback"

# The single-page app: a public client that may not use the OTP grant.
SPA_CLIENT = "demo-single-page-app"
SPA_ORIGIN = "http://localhost:3001"
SPA_CALLBACK = SPA_ORIGIN + "/"

# The sample API (a resource server): the audience clients ask tokens for.
API_AUDIENCE = "urn:passwordless-demo:api"

# Auth0's passwordless one-time-code grant type.
# https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/relevant-api-endpoints
OTP_GRANT = "http://auth0.com/oauth/grant-type/passwordless/otp"

# Auth0's `error_description` for one-time codes at the token endpoint (auth0-wire.md).
WRONG_EMAIL = "Wrong email or verification code."
WRONG_PHONE = "Wrong phone number or verification code."
EXPIRED = "The verification code has expired. Please try to login again."
TOO_MANY = "You've reached the maximum number of attempts. Please try to login again."

# The embedded login example (examples/embedded_login/): auth0.js from its own origin.
EMBEDDED_CLIENT = "demo-embedded-login"
EMBEDDED_ORIGIN = "http://localhost:3002"
EMBEDDED_CALLBACK = EMBEDDED_ORIGIN + "/"

# The machine-to-machine client for the Management API (users), and that API's scopes.
MANAGEMENT_CLIENT = "demo-management-client"
MANAGEMENT_SECRET = "demo-management-client-secret"
USER_SCOPES = "read:users create:users update:users delete:users"
