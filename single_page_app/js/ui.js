/**
 * The page: show and hide sections, fill in the profile and the API answer, report errors.
 *
 * No login logic here (js/auth.js owns the flow). Every value that comes from the tenant or
 * the API is written with `textContent`, never `innerHTML`: a name such as
 * `<img src=x onerror=alert(1)>` is shown as those characters, not run as markup.
 */

/** The profile claims shown, in order, with their labels. */
// https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims
const PROFILE_CLAIMS = [
  ["name", "Name"],
  ["nickname", "Nickname"],
  ["given_name", "Given name"],
  ["family_name", "Family name"],
  ["email", "Email"],
  ["email_verified", "Email verified"],
  ["phone_number", "Phone number"],
  ["phone_verified", "Phone verified"],
  ["sub", "User id (sub)"],
];

/**
 * Return the element with this id.
 * @param {string} id
 * @returns {HTMLElement}
 */
function byId(id) {
  return document.getElementById(id);
}

/**
 * Say what the page is doing in the status line.
 * @param {string} text
 */
export function showStatus(text) {
  byId("status").textContent = text;
}

/**
 * Show an error from the tenant, the API or the SDK.
 * @param {string} message
 */
export function showError(message) {
  const box = byId("error");
  box.textContent = message;
  box.hidden = false;
}

/** Hide the error box. */
export function clearError() {
  const box = byId("error");
  box.textContent = "";
  box.hidden = true;
}

/** Show the login choices, hide the profile. */
export function showSignedOut() {
  byId("signed-in").hidden = true;
  byId("signed-out").hidden = false;
  showStatus("You are not logged in.");
}

/**
 * Show the profile from the ID token claims, hide the login choices.
 * @param {Record<string, unknown>} user the claims auth0-spa-js returns from getUser()
 */
export function showSignedIn(user) {
  const list = byId("profile");
  list.replaceChildren();
  for (const [claim, label] of PROFILE_CLAIMS) {
    if (user[claim] === undefined) continue;
    const term = document.createElement("dt");
    term.textContent = label;
    const value = document.createElement("dd");
    value.textContent = String(user[claim]);
    list.append(term, value);
  }
  byId("claims").textContent = JSON.stringify(user, null, 2);
  byId("signed-out").hidden = true;
  byId("signed-in").hidden = false;
  showStatus(`Logged in as ${user.name || user.sub}.`);
}

/**
 * Show how the API answered a call.
 * @param {string} path the endpoint called
 * @param {{status: number, body: object}} result
 */
export function showApiAnswer(path, result) {
  const text = result.body.message || result.body.error_description || "(no message)";
  byId("api-answer").textContent = `GET ${path}: ${result.status}\n${text}`;
}

/**
 * Point the outbox link at this app's tenant (a bare host means https, as in auth0-spa-js).
 * @param {string} domain the tenant, `AUTH0_DOMAIN`
 */
export function showOutbox(domain) {
  const base = /^https?:\/\//.test(domain) ? domain : `https://${domain}`;
  byId("outbox-link").href = `${base.replace(/\/+$/, "")}/_dev/outbox`;
}

/**
 * Explain where auth0-spa-js keeps the tokens in this configuration.
 * @param {string} cacheLocation "memory" or "localstorage"
 */
export function showStorage(cacheLocation) {
  const persistent = cacheLocation === "localstorage";
  byId("storage-mode").textContent = persistent
    ? "In localStorage (CACHE_LOCATION=localstorage). A reload keeps you logged in " +
      "through the refresh token, but any script running on this page could read the tokens."
    : "In memory (the default). Nothing is stored in the browser, so a reload forgets the " +
      "tokens: log in again and the tenant's session brings you back without a new code. " +
      "Start the app with CACHE_LOCATION=localstorage to stay logged in across reloads.";
}

/**
 * Run `handler(connection)` when a login button is pressed.
 * @param {(connection: string) => void} handler
 */
export function onLogin(handler) {
  for (const button of document.querySelectorAll("[data-connection]")) {
    button.addEventListener("click", () => handler(button.dataset.connection));
  }
}

/**
 * Run `handler(path)` when an API button is pressed.
 * @param {(path: string) => void} handler
 */
export function onCallApi(handler) {
  for (const button of document.querySelectorAll("[data-api-path]")) {
    button.addEventListener("click", () => handler(button.dataset.apiPath));
  }
}

/**
 * Run `handler()` when the logout button is pressed.
 * @param {() => void} handler
 */
export function onLogout(handler) {
  byId("logout").addEventListener("click", () => handler());
}
