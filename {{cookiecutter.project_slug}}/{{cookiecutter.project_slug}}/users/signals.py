"""Signals the users app sends, so apps above it can act without users importing them."""

from django.dispatch import Signal

# Sent once the closing of an account has committed (the row deleted or anonymised), with
# `user_id`. An app that keeps something about the person outside the database (in Redis, say)
# forgets it here: the database's own rows follow their foreign keys.
account_closed = Signal()
