// The cross-origin verification page: auth0.js answers the tenant's co_verifier_request.
import { webAuth } from "./auth0.js";

(await webAuth()).crossOriginVerification();
