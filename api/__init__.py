"""The FastAPI service over the GraphStore."""
