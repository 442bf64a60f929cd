"""Connecting: OAuth connect, callback and disconnect, what they set in motion, and token refresh."""
