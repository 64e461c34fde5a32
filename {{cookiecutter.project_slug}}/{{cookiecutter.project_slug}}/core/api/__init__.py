"""API plumbing: the root view, errors as JSON, parsers, pagination, filters, the schema."""
