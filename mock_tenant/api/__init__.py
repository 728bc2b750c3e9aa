"""The HTTP surface an Auth0 client talks to: discovery, keys, passwordless, tokens, userinfo."""

from . import cors, oauth2, passwordless, token_endpoint, views

__all__ = ["cors", "oauth2", "passwordless", "token_endpoint", "views"]
