// The embedded login flow: auth0.js passwordlessStart, then passwordlessLogin (which posts
// to /co/authenticate and sends the browser to /authorize with the login ticket).
import { webAuth } from "./auth0.js";

const auth = await webAuth();
const $ = (id) => document.getElementById(id);

/** Show an error from auth0.js: an API error's `description`, a redirect's `errorDescription`. */
function showError(err) {
  const text = err.description || err.errorDescription || err.error_description;
  $("error").textContent = [err.error || err.code, text].filter(Boolean).join(": ") || String(err);
  $("error").hidden = false;
}

// 1. Ask the tenant to email a code (POST /passwordless/start, CORS from Allowed Origins).
$("start-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const email = $("email").value.trim();
  auth.passwordlessStart({ connection: "email", send: "code", email }, (err) => {
    if (err) return showError(err);
    $("sent-to").textContent = email;
    $("verify").hidden = false;
    $("code").focus();
  });
});

// 2. Send the code: auth0.js posts it to /co/authenticate, stores the co_verifier, and
//    redirects to /authorize?login_ticket=...; the tokens come back in this page's fragment.
$("verify-form").addEventListener("submit", (event) => {
  event.preventDefault();
  auth.passwordlessLogin(
    { connection: "email", email: $("sent-to").textContent, verificationCode: $("code").value.trim() },
    (err) => showError(err),
  );
});

// 3. Back from /authorize: auth0.js checks state, nonce and the ID token's signature (JWKS).
if (window.location.hash) {
  auth.parseHash((err, result) => {
    history.replaceState(null, "", window.location.pathname);
    if (err) return showError(err);
    if (!result) return;
    $("start").hidden = true;
    $("user-email").textContent = result.idTokenPayload.email;
    $("user-sub").textContent = result.idTokenPayload.sub;
    $("profile").hidden = false;
  });
}

$("logout").addEventListener("click", () => auth.logout({ returnTo: `${window.location.origin}/` }));

// Every handler is in place: the forms may be sent now (index.html starts them disabled).
for (const button of document.querySelectorAll("form button[disabled]")) button.disabled = false;
