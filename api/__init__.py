"""The FastAPI service over the GraphStore.

- ``api.app``: ``create_app(settings, store, impact_mode)``; ``uvicorn api.app:app``.
- ``api.impact``: impact analysis as a pure function of a networkx graph (propagation per
  relationship type as declared in ``graph.schema``; OUTAGE / DEGRADED; paths; SPOFs).
- ``api.analysis``: the same questions for a store (cached snapshot or bounded traversal).
- ``api.auth``: bearer tokens stored hashed, roles; ``create_token`` is what the CLI calls.
- ``api.changes`` / ``api.audit``: change requests with risk and conflicts; unauthorized
  changes found after discovery runs.
- ``api.models``: request/response models, generated from the schema declarations.
- ``api.routers``: thin routers, one per area.

Adding a CI class or relationship type needs no change here: the models, the enums in the
OpenAPI document and the impact propagation all follow ``graph.schema``.
"""
