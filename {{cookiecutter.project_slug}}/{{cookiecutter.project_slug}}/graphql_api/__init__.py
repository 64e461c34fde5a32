"""The GraphQL endpoint: the schema, the view, and the limits on what one request may ask."""
