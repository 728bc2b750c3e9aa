/**
 * The login flow: every exchange with the tenant goes through Auth0's auth0-spa-js, here.
 *
 * No DOM in this module (js/ui.js owns the page), so the flow reads top to bottom as in
 * Auth0's 01-Login JavaScript sample: create the client, handle the redirect back, read the
 * user, get an access token for the API, log out.
 *
 * Where the tokens live, and why a reload signs you out by default
 * ----------------------------------------------------------------
 * With `cacheLocation: "memory"` (Auth0's default, and ours) auth0-spa-js keeps the access
 * and ID tokens in this page's memory and the refresh token inside a Web Worker, where no
 * other script on the page can read it. A reload empties both. The SDK then has two ways
 * back, and both are closed here on purpose:
 *   - a hidden iframe to /authorize?prompt=none&response_mode=web_message
 *     (`useRefreshTokensFallback: true`). It only works if the browser sends the tenant's
 *     session cookie inside a cross-site iframe, i.e. a third-party cookie: that needs
 *     `SameSite=None; Secure` (so HTTPS) and a browser that still allows third-party
 *     cookies. The tenant (127.0.0.1) and this app (localhost) are different sites, like a
 *     real tenant and app, and the tenant's cookie is SameSite=Lax: the iframe would only
 *     ever answer `login_required`. Auth0's fix for that is a custom domain (same site).
 *   - persisting the tokens, refresh token included, in localStorage
 *     (`cacheLocation: "localstorage"`). Then a reload keeps the session through the
 *     refresh token, with no third-party cookie at all, but any script that runs on this
 *     origin (an XSS, a compromised dependency) can read and send away a refresh token
 *     that stays valid for days. Rotation with reuse detection (the tenant does it) limits
 *     the damage; it does not prevent the theft.
 * So the default keeps nothing in storage, and a reload shows "Log in" again: pressing it
 * goes to the tenant, whose own first-party session cookie signs you straight back in,
 * without a new code, for as long as that session lasts. Set CACHE_LOCATION=localstorage on
 * the server (it reaches this page through /config.json as `cacheLocation`) to stay signed
 * in across reloads, knowing what it costs.
 * https://auth0.com/docs/libraries/auth0-single-page-app-sdk#change-storage-options
 * https://auth0.com/docs/secure/security-guidance/data-security/token-storage#browser-local-storage-scenarios
 */
import { createAuth0Client } from "/vendor/auth0-spa-js.production.esm.js";

/** The scopes asked for: OpenID Connect profile and email, a refresh token, the API's permission. */
// https://openid.net/specs/openid-connect-core-1_0.html#ScopeClaims
const SCOPE = "openid profile email offline_access read:messages";

/**
 * Fetch the server's settings: tenant `domain`, `clientId`, API `audience` and `apiUrl`, `cacheLocation`.
 * @returns {Promise<{domain: string, clientId: string, audience: string, apiUrl: string, cacheLocation: string}>}
 */
export async function loadConfig() {
  const response = await fetch("/config.json");
  if (!response.ok) {
    throw new Error(`Cannot load /config.json (HTTP ${response.status}).`);
  }
  return response.json();
}

/**
 * Create the auth0-spa-js client; it also restores a session that its cache still holds.
 * @param {{domain: string, clientId: string, audience: string, cacheLocation: string}} config
 */
export function createClient(config) {
  return createAuth0Client({
    // A full base URL such as http://127.0.0.1:4000 is kept as is; a bare host means https://.
    domain: config.domain,
    clientId: config.clientId,
    authorizationParams: {
      // Must be one of the application's Allowed Callback URLs, string for string.
      redirect_uri: location.origin + "/",
      audience: config.audience,
      scope: SCOPE,
    },
    // Renew access tokens with the refresh token grant (rotating), not with an iframe.
    useRefreshTokens: true,
    useRefreshTokensFallback: false,
    cacheLocation: config.cacheLocation,
    // The SDK's token worker from our own origin, so the CSP needs no `worker-src blob:`.
    workerUrl: "/vendor/auth0-spa-js.worker.production.js",
    // Only the SDK's "was signed in" flag cookie, without its legacy duplicate.
    legacySameSiteCookie: false,
  });
}

/**
 * Tell whether this page load is the tenant redirecting back: `state` with a `code` or an `error`.
 * @param {string} [href] the address to look at, this page's by default
 */
export function isCallback(href = location.href) {
  const params = new URL(href).searchParams;
  return params.has("state") && (params.has("code") || params.has("error"));
}

/**
 * Send the browser to Universal Login, straight to the email or the SMS connection.
 * @param {object} client the auth0-spa-js client
 * @param {"email" | "sms"} connection the passwordless connection that sends the code
 */
export function login(client, connection) {
  // auth0-spa-js adds state, nonce and the PKCE challenge (S256) and keeps the verifier
  // in sessionStorage until the callback.
  return client.loginWithRedirect({ authorizationParams: { connection } });
}

/**
 * Finish a login: check `state`, redeem the code with the PKCE verifier, then clean the URL.
 * @param {object} client the auth0-spa-js client
 */
export async function handleCallback(client) {
  try {
    await client.handleRedirectCallback();
  } finally {
    // Success or not, code and state leave the address bar and the history entry.
    // https://www.rfc-editor.org/rfc/rfc9700#section-4.3 (leakage via browser history)
    history.replaceState(null, "", location.pathname);
  }
}

/**
 * Return the signed-in user's claims from the ID token, or undefined when signed out.
 * @param {object} client the auth0-spa-js client
 */
export function getUser(client) {
  return client.getUser();
}

/**
 * Call the sample API with an access token for its audience.
 * @param {object} client the auth0-spa-js client
 * @param {{apiUrl: string, audience: string}} config
 * @param {string} path such as /api/private or /api/private-scoped
 * @returns {Promise<{status: number, body: object}>}
 */
export async function callApi(client, config, path) {
  // From the cache while valid, else renewed with the refresh token (rotated each time).
  const token = await client.getTokenSilently({
    authorizationParams: { audience: config.audience },
  });
  // https://www.rfc-editor.org/rfc/rfc6750#section-2.1: the token in the header, never the URL.
  const response = await fetch(config.apiUrl + path, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

/**
 * Revoke the refresh token, forget the tokens here, and end the tenant session at /v2/logout.
 * @param {object} client the auth0-spa-js client
 */
export async function logout(client) {
  try {
    // https://www.rfc-editor.org/rfc/rfc7009: a refresh token that outlives the logout is a risk.
    await client.revokeRefreshToken();
  } catch (error) {
    // Logging out must not fail because revocation did; the tenant session still ends.
    console.warn("Could not revoke the refresh token:", error);
  }
  // Must be one of the application's Allowed Logout URLs.
  await client.logout({ logoutParams: { returnTo: location.origin + "/" } });
}

/**
 * Turn an SDK or tenant error into a sentence for the page.
 * @param {any} error an auth0-spa-js error (`error`, `error_description`) or any Error
 */
export function describeError(error) {
  if (error && error.error) {
    return `${error.error}: ${error.error_description || error.message}`;
  }
  return String((error && error.message) || error);
}
