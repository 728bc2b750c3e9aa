// Load auth0.js from the tenant (never a CDN) and build the WebAuth client from /config.json.

/** Load a classic script and resolve when it has run. */
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`Could not load ${src}`));
    document.head.append(script);
  });
}

/** Return auth0.js's WebAuth for this app, configured for embedded passwordless. */
export async function webAuth() {
  const config = await (await fetch("/config.json")).json();
  await loadScript(`${config.domain}/static/vendor/auth0.min.js`);
  return new window.auth0.WebAuth({
    domain: config.domain,
    clientID: config.clientID,
    redirectUri: `${window.location.origin}/`,
    // auth0.js reads tokens from the fragment (parseHash): the implicit grant.
    responseType: "token id_token",
    scope: "openid profile email",
    // auth0.js expects the issuer https://<domain>/; a local tenant says http://127.0.0.1:4000/
    // (the override auth0.js offers for custom domains).
    overrides: {
      __token_issuer: config.issuer,
      __jwks_uri: `${config.issuer}.well-known/jwks.json`,
    },
  });
}
