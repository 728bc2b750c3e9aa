"""The hosted pages: /authorize, Universal Login's identifier and code pages, links, logout."""

from . import authorize, logout, pages

__all__ = ["authorize", "logout", "pages"]
