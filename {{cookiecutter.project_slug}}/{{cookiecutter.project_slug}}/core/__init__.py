"""What every app shares: API plumbing, health probes, throttling, observability, base models."""
