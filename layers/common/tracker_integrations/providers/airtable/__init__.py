"""Airtable."""
