"""The CI graph: schema, reconciliation, history and the stores."""
