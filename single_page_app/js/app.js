/**
 * Wiring: on load, finish a login if the tenant just redirected back, then show the page;
 * connect the buttons. Flow from js/auth.js, DOM from js/ui.js, nothing else here.
 */
import * as auth from "./auth.js";
import * as ui from "./ui.js";

/** Start the app: read the config, create the SDK client, handle the callback, show the user. */
async function main() {
  const config = await auth.loadConfig();
  ui.showStorage(config.cacheLocation);
  ui.showOutbox(config.domain);
  const client = await auth.createClient(config);

  if (auth.isCallback()) {
    ui.showStatus("Finishing the login…");
    try {
      await auth.handleCallback(client);
    } catch (error) {
      // A tenant error (access_denied, ...) or a state mismatch: say so, stay signed out.
      ui.showError(`Login failed: ${auth.describeError(error)}`);
    }
  }
  await render(client);

  ui.onLogin((connection) => {
    ui.clearError();
    auth.login(client, connection).catch((error) => ui.showError(auth.describeError(error)));
  });
  ui.onCallApi(async (path) => {
    ui.clearError();
    try {
      ui.showApiAnswer(path, await auth.callApi(client, config, path));
    } catch (error) {
      // No refresh token any more (revoked, rotated elsewhere, expired): log in again.
      ui.showError(`Could not get an access token: ${auth.describeError(error)}`);
    }
  });
  ui.onLogout(() => auth.logout(client));
}

/**
 * Show the profile when signed in, the login choices otherwise.
 * @param {object} client the auth0-spa-js client
 */
async function render(client) {
  const user = await auth.getUser(client);
  if (user) {
    ui.showSignedIn(user);
  } else {
    ui.showSignedOut();
  }
}

main().catch((error) => {
  ui.showStatus("The app could not start.");
  ui.showError(auth.describeError(error));
});
