"""The hosted pages: /authorize, Universal Login's identifier and code pages, links, logout."""

from . import answers, authorize, classic, cross_origin, logout, pages

__all__ = ["answers", "authorize", "classic", "cross_origin", "logout", "pages"]
