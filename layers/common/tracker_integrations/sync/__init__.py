"""The provider-neutral two-way sync engine (Sheets today, Airtable next).

Records carry a stable Tracker id the sync owns (never a row number); fields are found by header
name; each sync merges field by field against the last synced state.
"""
