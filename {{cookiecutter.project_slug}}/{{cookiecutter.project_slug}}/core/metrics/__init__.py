"""Prometheus metrics: what the service does, counted where it happens, served on its own port.

definitions.py names every metric; the HTTP middleware, the database wrapper and the services
record into them; exporter.py serves them from gunicorn's master (and the task worker's main
process), gathering every worker's samples (prometheus-client's multiprocess mode). Off with
METRICS_ENABLED=false. docs: "Observability".
"""
