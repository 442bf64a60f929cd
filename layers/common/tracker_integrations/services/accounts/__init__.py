"""Accounts: the signed-in member's view, plan changes from billing, the audit log, usage analytics."""
