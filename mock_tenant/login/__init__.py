"""The hosted pages: /authorize, Universal Login's identifier and code pages, links, logout."""

from . import answers, authorize, logout, pages

__all__ = ["answers", "authorize", "logout", "pages"]
