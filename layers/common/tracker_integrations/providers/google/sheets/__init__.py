"""Google Sheets: client, two-way sync, setup, Drive push channels and its hooks into the platform."""
