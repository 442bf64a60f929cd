"""KMS envelope encryption of OAuth tokens."""
