"""Observability: request ids, JSON logs and the access log."""
