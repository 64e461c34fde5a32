"""Rate limiting: shared counters, API throttles and per-action limits, keyed on core/client_ip.py."""
