"""Deployment, the Neo4j launcher and the simulated lab network."""
