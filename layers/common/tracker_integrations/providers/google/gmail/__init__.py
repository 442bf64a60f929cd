"""Gmail: client, reply sync, Pub/Sub push, watches, reply matching and effects, its store and hooks."""
