"""A local Neo4j community server for the test suite and benchmarks (``python -m deploy.neo4j``)."""
