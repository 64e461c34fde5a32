"""Idempotency keys: a retried write with the same key answers as the first did, and runs once."""
