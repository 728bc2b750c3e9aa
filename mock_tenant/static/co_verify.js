// Embedded login's fallback (/co/verify): ask the app's cross_origin_loc page for the verifier.
// The page runs auth0.js crossOriginVerification(): it posts {type: "ready"} to us, answers a
// {type: "co_verifier_request", request: {id: co_id}} with {type: "co_verifier_response",
// response: {verifier}} (auth0/auth0.js src/web-auth/cross-origin-authentication.js).
"use strict";

window.addEventListener("message", (event) => {
  const page = document.getElementById("co-verify");
  const frame = document.getElementById("co-frame");
  // Only the app's own verification page, in our frame, may answer.
  if (!page || event.origin !== page.dataset.appOrigin || event.source !== frame.contentWindow) {
    return;
  }
  const data = event.data || {};
  if (data.type === "ready") {
    frame.contentWindow.postMessage(
      { type: "co_verifier_request", request: { id: page.dataset.coId } },
      page.dataset.appOrigin,
    );
  } else if (data.type === "co_verifier_response") {
    document.getElementById("co-verifier").value = (data.response && data.response.verifier) || "";
    document.getElementById("co-form").submit();
  }
});
