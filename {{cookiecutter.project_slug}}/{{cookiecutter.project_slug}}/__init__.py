"""The project's Django apps, one package each, and core, the plumbing they share."""
