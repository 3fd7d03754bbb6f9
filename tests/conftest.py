"""Suite-wide pytest configuration: the shared fixture plugins live in tests/fixtures/."""

pytest_plugins = ["tests.fixtures.neo4j", "tests.fixtures.lab"]
