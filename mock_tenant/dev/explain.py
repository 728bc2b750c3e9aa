"""What each protocol parameter and token claim means, in one sentence, for the flow inspector."""

PARAMETERS = {
    "response_type": "What the app wants back from /authorize: `code`, an authorization code "
    "(RFC 6749 4.1.1); `token` and `id_token` put tokens in the answer itself (implicit and "
    "hybrid flows: Auth0 allows them, the hardened profile does not).",
    "client_id": "Which application is asking; registered in the tenant config.",
    "client_secret": "The confidential app's password for the tenant; never shown.",
    "redirect_uri": "Where the tenant sends the browser back; must match a registered "
    "callback exactly.",
    "scope": "What the app asks for: OpenID Connect scopes (openid, profile, email, "
    "offline_access) and API permissions.",
    "state": "A random value the app sends and checks when the browser comes back: stops "
    "login CSRF (RFC 6749 10.12).",
    "nonce": "A random value the app puts in the request and finds again in the ID token: "
    "stops ID token replay (OIDC Core 3.1.2.1).",
    "code_challenge": "PKCE: the SHA-256 of a secret the app keeps; only the holder of the "
    "secret can redeem the code (RFC 7636).",
    "code_challenge_method": "PKCE: how the challenge was made: S256, or plain (the verifier "
    "itself, accepted by Auth0, refused by the hardened profile).",
    "code_verifier": "PKCE: the secret behind the code_challenge, sent with the code.",
    "audience": "The API the access token is for; with one, the access token is a JWT.",
    "connection": "Which passwordless connection to use: email or sms.",
    "login_hint": "Pre-fills the identifier; sends nothing by itself.",
    "prompt": "none: answer without any page; login: ask again even with a session; "
    "consent: show the consent page again.",
    "max_age": "How old, in seconds, the last login may be before the user must log in again.",
    "response_mode": "How the answer travels: query or fragment (a redirect), form_post (a "
    "self-submitting form) or web_message (postMessage to the app's window, for silent login).",
    "grant_type": "Which exchange the app makes at /oauth/token.",
    "username": "The email address or phone number the code was sent to.",
    "realm": "The connection of the username: email or sms.",
    "otp": "The one-time code the person typed; never shown.",
    "code": "The authorization code (or, on a login page, the one-time code); never shown.",
    "refresh_token": "The refresh token being exchanged; shown as a fingerprint only.",
    "token": "The token being revoked; shown as a fingerprint only.",
    "token_type_hint": "What kind of token is being revoked.",
    "send": "What to send: a code, or a magic link.",
    "email": "The address to send the code or link to.",
    "phone_number": "The phone number to text the code to (E.164: + and up to 15 digits).",
    "authParams": "Parameters carried into the magic link.",
    "verification_code": "The code inside a magic link; never shown.",
    "csrf_token": "The login form's anti-forgery token; never shown.",
    "action": "Which button was pressed on the login page.",
    "returnTo": "Where to go after logout; must be an allowed logout URL.",
    "post_logout_redirect_uri": "Where to go after logout (OIDC); must be allowed.",
    "id_token_hint": "An ID token naming who logs out and for which app.",
}

CLAIMS = {
    "iss": "Issuer: the tenant that signed the token; clients compare it exactly.",
    "sub": "Subject: the user's stable id (connection|24 hex).",
    "aud": "Audience: who the token is for (the client id, or the API and /userinfo).",
    "azp": "Authorized party: the application the token was issued to.",
    "exp": "Expiry, in Unix seconds: refuse the token after this.",
    "iat": "Issued at, in Unix seconds.",
    "auth_time": "When the person actually proved who they are.",
    "nonce": "The app's nonce from /authorize, echoed back so the app can match it.",
    "sid": "The tenant session this login belongs to.",
    "scope": "The permissions granted, space-separated.",
    "jti": "A unique id for this token.",
    "nickname": "A short name (the email's local part, or the phone number).",
    "name": "A display name (here, the email or phone number).",
    "picture": "An avatar URL.",
    "updated_at": "When the profile last changed.",
    "email": "The verified email address.",
    "email_verified": "True: the person read a code or link sent to it.",
    "phone_number": "The verified phone number.",
    "phone_verified": "True: the person read a code texted to it.",
    "given_name": "First name, from the profile.",
    "family_name": "Last name, from the profile.",
}

# Why the hardened profile refuses what Auth0 accepts, per rule (mock_tenant/config.py: Rules).
# The inspector words each with `profile_note`, from the side of the profile that is running.
RULES = {
    "require_pkce_s256": "a public client must prove it holds the code (PKCE with S256)",
    "no_front_channel_tokens": "tokens must never travel in a URL or the browser's front channel",
    "resend_cooldown": "an address gets at most one code per cooldown, so nobody can flood "
    "its inbox",
    "uniform_start_answers": "its answer must not tell whether someone already has an account",
    "identifier_lockout": "too many wrong codes in a row lock the address for a while",
    "confirm_magic_links": "a magic link completes only in the browser that asked for it, or "
    "after a click, so a mail scanner that opens links cannot spend it",
    "no_refresh_reuse_interval": "a rotated refresh token is never good again, not even for a "
    "few seconds",
    "revocation_deletes_grant": "revoking a refresh token ends everything its login issued",
    "iss_in_authorization_response": "the authorization response must name its issuer "
    "(RFC 9207), against mix-up attacks",
    "check_link_redirect_uri": "a magic link must not be mailed for a redirect_uri the "
    "application does not allow",
}


def profile_note(rule: str, on: bool) -> str:
    """Say in one sentence how the other profile would have answered this exchange."""
    reason = RULES.get(rule, rule.replace("_", " "))
    if on:
        return f"The hardened profile refuses this because {reason}; Auth0 would accept it."
    return f"Auth0 accepts this; the hardened profile refuses it because {reason}."
