"""Health probes: /health/live/ and /health/ready/, for load balancers and orchestrators."""
