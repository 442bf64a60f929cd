"""Domain models: what the application talks about, independent of storage and transport."""
