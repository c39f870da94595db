"""The FastAPI service for search and similar-finding lookups."""
