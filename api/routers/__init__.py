"""Thin routers, one per area; the work happens in api.analysis / changes / audit and the store."""
