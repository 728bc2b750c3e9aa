"""Developer tools under /_dev: the outbox, the flow inspector, the control API, OpenAPI."""

from . import explain, inspector, openapi, views

__all__ = ["explain", "inspector", "openapi", "views"]
