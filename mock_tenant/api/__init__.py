"""The HTTP surface an Auth0 client talks to, and the users part of the Management API."""

from . import cors, cross_origin, management, oauth2, passwordless, token_endpoint, views

__all__ = [
    "cors",
    "cross_origin",
    "management",
    "oauth2",
    "passwordless",
    "token_endpoint",
    "views",
]
