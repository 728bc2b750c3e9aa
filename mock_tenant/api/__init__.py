"""The HTTP surface an Auth0 client talks to: discovery, keys, passwordless, tokens, userinfo."""

from . import cors, cross_origin, oauth2, passwordless, token_endpoint, views

__all__ = ["cors", "cross_origin", "oauth2", "passwordless", "token_endpoint", "views"]
