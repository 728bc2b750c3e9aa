"""The HTTP surface an Auth0 client talks to, and the users part of the Management API."""

from . import cors, management, oauth2, passwordless, token_endpoint, views

__all__ = ["cors", "management", "oauth2", "passwordless", "token_endpoint", "views"]
