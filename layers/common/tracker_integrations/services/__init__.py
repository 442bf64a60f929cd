"""Use cases. Handlers call exactly one of these per request."""
