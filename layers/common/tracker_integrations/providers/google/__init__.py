"""Google: the OAuth parent of Sheets, Gmail and Drive."""
