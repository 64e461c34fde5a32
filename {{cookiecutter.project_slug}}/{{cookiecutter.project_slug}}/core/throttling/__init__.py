"""Rate limiting: the client's address, shared counters, API throttles and per-action limits."""
