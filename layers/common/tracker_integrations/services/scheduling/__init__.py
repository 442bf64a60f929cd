"""Scheduling: when a connection is due (policy), the fan-out per tick, real-time routing, the daily keep-alive."""
