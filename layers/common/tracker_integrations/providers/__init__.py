"""Providers behind one interface: specs as data (registry), behaviour in small per-provider hooks."""
